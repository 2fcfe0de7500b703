//! BOX-1 boxes and folders, CRY-1/CRY-3 their keys: an Originator creates
//! boxes; whoever holds a box's permit (its owner, until sharing) creates
//! folders in it, lists it, renames what is in it, and deletes it to the
//! box's trash and restores it from there (BOX-10). The browser makes
//! every key, wraps it and seals every name; the server checks the shapes
//! of what it stores and who may store it, and never sees a name.

pub mod store;

use coffer_shared::boxes::{
    Activity, BoxError, FolderView, NewNode, NodeKind, NodeView, Rewrapped, TrashItem,
    ACTIVITY_SHOWN, SEALED_META_MAX, WRAPPED_KEY_MAX,
};
use coffer_shared::ids::{NodeId, OrganisationId};
use coffer_shared::sharing::{Permission, SharingError};
use serde_json::json;

use crate::kernel::access::{self, Denied, Need};
use crate::kernel::audit::{AuditAction, Who};
use crate::kernel::authz::{authorize, Action, Actor};
use crate::kernel::error::{is_unique_violation, Outcome};
use crate::kernel::work::Work;
use crate::store::Conn;
use crate::{Coffer, Failure};

/// An age file starts with its version line.
pub(crate) const AGE_MAGIC: &[u8] = b"age-encryption.org/v1\n";
/// A sealed record: version, 24-byte nonce, at least the 16-byte tag.
const SEALED_MIN: usize = 1 + 24 + 16;

/// The shapes the browser must send: an id it chose (a UUID), an age
/// public key, an age file for the wrapped key, a sealed record of sane
/// size. What is inside stays the browser's business.
pub fn check_new_node(node: &NewNode) -> Result<(), BoxError> {
    let id_ok = uuid::Uuid::parse_str(&node.id)
        .is_ok_and(|u| u.hyphenated().to_string() == node.id.as_str());
    if !id_ok {
        return Err(BoxError::InvalidKeyMaterial);
    }
    check_sealed(&node.sealed_meta.0)?;
    let wrapped = &node.wrapped_key.0;
    if !coffer_crypto::is_valid_public_key(&node.public_key)
        || !wrapped.starts_with(AGE_MAGIC)
        || wrapped.len() > WRAPPED_KEY_MAX
    {
        return Err(BoxError::InvalidKeyMaterial);
    }
    Ok(())
}

pub fn check_sealed(sealed: &[u8]) -> Result<(), BoxError> {
    if sealed.len() < SEALED_MIN || sealed.len() > SEALED_META_MAX || sealed[0] != 1 {
        return Err(BoxError::InvalidKeyMaterial);
    }
    Ok(())
}

/// A refusal from the access check in this domain's words: a node one may
/// not see is the same as one that does not exist.
fn denied(d: Denied) -> Failure {
    match d {
        Denied::Role(e) => e.into(),
        Denied::Database(e) => e.into(),
        Denied::Permission(_) => SharingError::NotPermitted.into(),
        Denied::Unknown | Denied::NeedsLiaison | Denied::AnotherHome => BoxError::Unknown.into(),
    }
}

pub(crate) async fn require(
    c: &mut Conn,
    actor: &Actor,
    organisation_id: &OrganisationId,
    node: &NodeId,
    need: Need,
) -> Outcome<Permission> {
    access::node_permission(c, actor.into(), organisation_id, node, need)
        .await
        .map_err(denied)
}

impl Coffer {
    /// The boxes the actor holds a permit for in the organisation.
    pub async fn boxes(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
    ) -> Outcome<Vec<NodeView>> {
        let actor = authorize(actor, Action::UseBoxes(organisation_id))?;
        let mut c = self.db().pool.acquire().await?;
        Ok(store::boxes_of(&mut c, organisation_id, &actor.account_id, false).await?)
    }

    /// BOX-10: the actor's boxes that are in the trash (each box is its
    /// own trash's root, so a deleted box waits here).
    pub async fn deleted_boxes(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
    ) -> Outcome<Vec<NodeView>> {
        let actor = authorize(actor, Action::UseBoxes(organisation_id))?;
        let mut c = self.db().pool.acquire().await?;
        Ok(store::boxes_of(&mut c, organisation_id, &actor.account_id, true).await?)
    }

    /// BOX-10: a deleted box and everything in it, deleted for good; its
    /// files' blobs go with the sweeper and stop counting against the plan.
    pub async fn purge_box(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        box_id: &NodeId,
    ) -> Outcome<u64> {
        let (mut work, _, path) = self
            .change_node(actor, organisation_id, box_id, Need::Change)
            .await?;
        match path.as_slice() {
            [the_box] if the_box.trashed_at_ms.is_some() => {}
            [_] => return Err(BoxError::NotInTrash.into()),
            _ => return Err(BoxError::Unknown.into()),
        }
        let purged = store::purge_subtrees(&mut work, &[box_id.to_string()]).await?;
        work.audit(
            Some(organisation_id),
            AuditAction::BoxDeleted,
            box_id,
            json!({ "box": box_id, "items": purged }),
        )
        .await?;
        work.commit().await?;
        self.sweep_blobs().await;
        Ok(purged)
    }

    /// BOX-1: a new box; its identity is wrapped to the creator's member
    /// key, in the creator's (owner's) permit.
    pub async fn create_box(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        node: &NewNode,
    ) -> Outcome<NodeView> {
        let actor_ref = actor;
        let (mut work, actor) = match self
            .begin(actor_ref, Action::CreateBox(organisation_id))
            .await
        {
            Err(Failure::Refused(_)) if may_use_boxes(actor_ref, organisation_id) => {
                return Err(BoxError::OriginatorsOnly.into());
            }
            other => other?,
        };
        check_new_node(node)?;
        let now = work.now;
        let row = store::NewRow {
            id: &node.id,
            organisation_id,
            box_id: &node.id,
            parent_id: None,
            kind: NodeKind::Box,
            public_key: &node.public_key,
            wrapped_key: None,
            sealed_meta: &node.sealed_meta.0,
            created_by: &actor.account_id,
            now,
        };
        insert(&mut work, &row).await?;
        store::insert_owner_permit(
            &mut work,
            &node.id,
            &actor.account_id,
            &node.wrapped_key.0,
            now,
        )
        .await?;
        work.audit(
            Some(organisation_id),
            AuditAction::BoxCreated,
            &node.id,
            json!({}),
        )
        .await?;
        work.commit().await?;
        Ok(view(node, NodeKind::Box, None, now, actor))
    }

    /// BOX-1: a new folder in a box or folder the actor holds; its identity
    /// is wrapped to the parent's public key.
    pub async fn create_folder(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        parent_id: &NodeId,
        node: &NewNode,
    ) -> Outcome<NodeView> {
        let (mut work, actor, path) = self
            .change_node(actor, organisation_id, parent_id, Need::Upload)
            .await?;
        check_new_node(node)?;
        let Some(parent) = path.last() else {
            return Err(BoxError::Unknown.into());
        };
        if in_trash(&path) {
            return Err(BoxError::Unknown.into());
        }
        still_current(&node.under, &parent.public_key)?;
        let box_id = box_of(&mut work, &path).await?;
        let now = work.now;
        let row = store::NewRow {
            id: &node.id,
            organisation_id,
            box_id: &box_id,
            parent_id: Some(parent_id),
            kind: NodeKind::Folder,
            public_key: &node.public_key,
            wrapped_key: Some(&node.wrapped_key.0),
            sealed_meta: &node.sealed_meta.0,
            created_by: &actor.account_id,
            now,
        };
        insert(&mut work, &row).await?;
        work.audit(
            Some(organisation_id),
            AuditAction::FolderCreated,
            &node.id,
            json!({ "box": box_id, "parent": parent_id }),
        )
        .await?;
        work.commit().await?;
        Ok(view(
            node,
            NodeKind::Folder,
            Some(parent_id.clone()),
            now,
            actor,
        ))
    }

    /// A box or folder: the way down to it from its box (each node's
    /// wrapped key opens with the one above; the box's with the actor's
    /// member key) and what is in it.
    pub async fn folder(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        node_id: &NodeId,
    ) -> Outcome<FolderView> {
        let actor = authorize(actor, Action::UseBoxes(organisation_id))?;
        let mut c = self.db().pool.acquire().await?;
        let permission = require(&mut c, actor, organisation_id, node_id, Need::See).await?;
        let path = path_to(&mut c, actor, organisation_id, node_id).await?;
        if in_trash(&path) {
            return Err(BoxError::Unknown.into());
        }
        let children = store::children(&mut c, node_id).await?;
        let proof = match path.first() {
            Some(root) => crate::sharing::store::proof(&mut c, &root.id, &actor.account_id).await?,
            None => None,
        };
        Ok(FolderView {
            organisation_id: organisation_id.clone(),
            path,
            children,
            permission: Some(permission),
            proof,
        })
    }

    /// A new sealed record for a node (its name changed); sealed under the
    /// same key as before, which the server cannot check and need not.
    pub async fn rename_node(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        node_id: &NodeId,
        sealed_meta: &[u8],
        under: &str,
    ) -> Outcome<()> {
        let (mut work, _, path) = self
            .change_node(actor, organisation_id, node_id, Need::Change)
            .await?;
        check_sealed(sealed_meta)?;
        // A box seals its own record; anything else is sealed by its parent.
        if let [.., sealer, _] | [sealer] = path.as_slice() {
            still_current(under, &sealer.public_key)?;
        }
        let now = work.now;
        store::set_sealed_meta(&mut work, node_id, sealed_meta, now).await?;
        record(work, organisation_id, AuditAction::NodeRenamed, &path).await
    }

    /// BOX-1: a folder or file moves under another folder of the same box;
    /// its identity is wrapped again to the new parent (one node, whatever
    /// is below it) and its record sealed again by the new parent.
    pub async fn move_node(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        node_id: &NodeId,
        new_parent_id: &NodeId,
        rewrapped: &Rewrapped,
    ) -> Outcome<()> {
        let (mut work, actor, path) = self
            .change_node(actor, organisation_id, node_id, Need::Change)
            .await?;
        if path.len() < 2 || in_trash(&path) {
            return Err(BoxError::Unknown.into());
        }
        require(
            &mut work,
            actor,
            organisation_id,
            new_parent_id,
            Need::Change,
        )
        .await?;
        let target = path_to(&mut work, actor, organisation_id, new_parent_id).await?;
        let Some(target_node) = target.last() else {
            return Err(BoxError::Unknown.into());
        };
        if in_trash(&target) || target_node.kind == NodeKind::File {
            return Err(BoxError::Unknown.into());
        }
        if box_of(&mut work, &path).await? != box_of(&mut work, &target).await? {
            return Err(BoxError::MoveAcrossBoxes.into());
        }
        if target.iter().any(|n| &n.id == node_id) {
            return Err(BoxError::MoveIntoItself.into());
        }
        check_sealed(&rewrapped.sealed_meta.0)?;
        still_current(&rewrapped.under, &target_node.public_key)?;
        let wrapped = &rewrapped.wrapped_key.0;
        if !wrapped.starts_with(AGE_MAGIC) || wrapped.len() > WRAPPED_KEY_MAX {
            return Err(BoxError::InvalidKeyMaterial.into());
        }
        let now = work.now;
        store::move_node(
            &mut work,
            node_id,
            new_parent_id,
            wrapped,
            &rewrapped.sealed_meta.0,
            now,
        )
        .await?;
        record(work, organisation_id, AuditAction::NodeMoved, &path).await
    }

    /// BOX-10: a folder (and everything in it) goes to its box's trash; a
    /// box goes to the trash of boxes (`deleted_boxes`).
    pub async fn trash_node(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        node_id: &NodeId,
    ) -> Outcome<()> {
        let (mut work, actor, path) = self
            .change_node(actor, organisation_id, node_id, Need::Change)
            .await?;
        if in_trash(&path) {
            return Err(BoxError::Unknown.into());
        }
        let now = work.now;
        store::set_trashed(&mut work, node_id, Some((now, &actor.account_id))).await?;
        record(work, organisation_id, AuditAction::NodeTrashed, &path).await
    }

    /// BOX-12: a box's latest events, each with the way to its item while
    /// the item exists.
    pub async fn activity(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        box_id: &NodeId,
    ) -> Outcome<Vec<Activity>> {
        let actor = authorize(actor, Action::UseBoxes(organisation_id))?;
        let mut c = self.db().pool.acquire().await?;
        require(&mut c, actor, organisation_id, box_id, Need::See).await?;
        if path_to(&mut c, actor, organisation_id, box_id).await?.len() != 1 {
            return Err(BoxError::Unknown.into());
        }
        let events = store::activity(&mut c, organisation_id, box_id, ACTIVITY_SHOWN).await?;
        let mut paths: std::collections::HashMap<String, Vec<NodeView>> = Default::default();
        let mut out = Vec::with_capacity(events.len());
        for (at_ms, actor_label, action, target) in events {
            if !paths.contains_key(&target) {
                // A purged item has no way to it any more.
                let path = path_to(
                    &mut c,
                    actor,
                    organisation_id,
                    &NodeId::from(target.clone()),
                )
                .await
                .unwrap_or_default();
                paths.insert(target.clone(), path);
            }
            out.push(Activity {
                at_ms,
                actor: actor_label,
                action,
                path: paths.get(&target).cloned().unwrap_or_default(),
            });
        }
        Ok(out)
    }

    /// BOX-10: what is in a box's trash, each item with its way from the box.
    pub async fn trash(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        box_id: &NodeId,
    ) -> Outcome<Vec<TrashItem>> {
        let actor = authorize(actor, Action::UseBoxes(organisation_id))?;
        let mut c = self.db().pool.acquire().await?;
        require(&mut c, actor, organisation_id, box_id, Need::See).await?;
        if path_to(&mut c, actor, organisation_id, box_id).await?.len() != 1 {
            return Err(BoxError::Unknown.into());
        }
        let mut items = Vec::new();
        for id in store::trashed_in(&mut c, box_id).await? {
            let path = path_to(&mut c, actor, organisation_id, &NodeId::from(id)).await?;
            items.push(TrashItem { path });
        }
        Ok(items)
    }

    /// BOX-10: an item back where it was, unless that is in the trash too.
    pub async fn restore_node(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        node_id: &NodeId,
    ) -> Outcome<()> {
        let (mut work, _, path) = self
            .change_node(actor, organisation_id, node_id, Need::Change)
            .await?;
        let Some((node, above)) = path.split_last() else {
            return Err(BoxError::Unknown.into());
        };
        if node.trashed_at_ms.is_none() {
            return Err(BoxError::NotInTrash.into());
        }
        if in_trash(above) {
            return Err(BoxError::ParentInTrash.into());
        }
        store::set_trashed(&mut work, node_id, None).await?;
        record(work, organisation_id, AuditAction::NodeRestored, &path).await
    }

    /// BOX-10: everything in a box's trash is deleted for good.
    pub async fn empty_trash(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        box_id: &NodeId,
    ) -> Outcome<u64> {
        let (mut work, _, path) = self
            .change_node(actor, organisation_id, box_id, Need::Change)
            .await?;
        if path.len() != 1 {
            return Err(BoxError::Unknown.into());
        }
        let purged = store::purge_trash(&mut work, box_id).await?;
        work.audit(
            Some(organisation_id),
            AuditAction::TrashEmptied,
            box_id,
            json!({ "items": purged }),
        )
        .await?;
        work.commit().await?;
        self.sweep_blobs().await;
        Ok(purged)
    }

    /// BOX-10 retention: items longer in a trash than their organisation
    /// keeps them are deleted for good (housekeeping); answers how many
    /// nodes went.
    pub async fn purge_expired_trash(&self, now: i64) -> Outcome<u64> {
        let mut c = self.db().pool.acquire().await?;
        let organisations = store::organisations_with_trash(&mut c).await?;
        drop(c);
        let mut purged = 0;
        for org in organisations {
            let mut work = self.ceremony().await?;
            let settings = self.settings_in(&mut work, &org).await?;
            let cutoff = now - i64::from(settings.trash_retention_days) * 86_400_000;
            let expired = store::expired_trash(&mut work, &org, cutoff).await?;
            if expired.is_empty() {
                continue;
            }
            let roots: Vec<String> = expired.iter().map(|(id, _)| id.clone()).collect();
            let gone = store::purge_subtrees(&mut work, &roots).await?;
            for (id, box_id) in &expired {
                work.audit_as(
                    Who::system(),
                    Some(&org),
                    AuditAction::TrashPurged,
                    id,
                    json!({ "box": box_id, "after_days": settings.trash_retention_days }),
                )
                .await?;
            }
            work.commit().await?;
            purged += gone;
        }
        if purged > 0 {
            self.sweep_blobs().await;
        }
        Ok(purged)
    }

    /// A change to one node: authorized, its permit checked for `need`,
    /// with the way to it from where the actor's access starts.
    pub(crate) async fn change_node<'c>(
        &'c self,
        actor: Option<&'c Actor>,
        organisation_id: &OrganisationId,
        node_id: &NodeId,
        need: Need,
    ) -> Outcome<(Work<'c>, &'c Actor, Vec<NodeView>)> {
        let (mut work, actor) = self.begin(actor, Action::UseBoxes(organisation_id)).await?;
        require(&mut work, actor, organisation_id, node_id, need).await?;
        let path = path_to(&mut work, actor, organisation_id, node_id).await?;
        Ok((work, actor, path))
    }
}

/// The audit record of a change to the last node of `path`, then commit.
async fn record(
    mut work: Work<'_>,
    organisation_id: &OrganisationId,
    action: AuditAction,
    path: &[NodeView],
) -> Outcome<()> {
    let Some(node) = path.last() else {
        return Err(BoxError::Unknown.into());
    };
    let box_id = box_of(&mut work, path).await?;
    work.audit(
        Some(organisation_id),
        action,
        &node.id,
        json!({ "box": box_id }),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// The nodes from the actor's way in down to `node_id`, as the actor sees
/// them: from the closest node they hold a permit on (their own box, or
/// what was shared with them), whose key opens with their member key.
pub(crate) async fn path_to(
    c: &mut Conn,
    actor: &Actor,
    organisation_id: &OrganisationId,
    node_id: &NodeId,
) -> Outcome<Vec<NodeView>> {
    let now = crate::kernel::db::now_ms();
    let mut path = Vec::new();
    let mut next = Some(node_id.clone());
    while let Some(id) = next {
        let Some((node, held)) =
            store::node(c, organisation_id, &id, &actor.account_id, now).await?
        else {
            return Err(BoxError::Unknown.into());
        };
        next = if held { None } else { node.parent_id.clone() };
        path.push(node);
        if next.is_none() && !held {
            // Up at the box without a permit on the way.
            return Err(BoxError::Unknown.into());
        }
    }
    path.reverse();
    // A way in below something in the trash is in the trash too, though
    // the path from it does not show what is above it.
    if let Some(above) = path.first().and_then(|first| first.parent_id.as_ref()) {
        if store::trashed_above(c, above).await? {
            return Err(BoxError::Unknown.into());
        }
    }
    Ok(path)
}

/// The box the nodes of `path` are in. The first of a path is the way in,
/// which is the box itself only for its owner.
pub(crate) async fn box_of(c: &mut Conn, path: &[NodeView]) -> Outcome<NodeId> {
    let first = path.first().ok_or(BoxError::Unknown)?;
    if first.parent_id.is_none() {
        return Ok(first.id.clone());
    }
    crate::sharing::store::box_of(c, &first.id)
        .await?
        .map(NodeId::from)
        .ok_or_else(|| BoxError::Unknown.into())
}

/// CRY-4: what the browser wrapped or sealed under `under` is refused
/// unless that is still the key it belongs under (renewed since, the
/// others could not open it).
pub(crate) fn still_current(under: &str, current: &str) -> Result<(), BoxError> {
    if under == current {
        Ok(())
    } else {
        Err(BoxError::KeyRenewed)
    }
}

/// Something on the way is in the trash (so this is too).
pub(crate) fn in_trash(path: &[NodeView]) -> bool {
    path.iter().any(|n| n.trashed_at_ms.is_some())
}

/// A member who may work in boxes but not create them: a Collaborator,
/// told so in words rather than with a bare "not allowed".
fn may_use_boxes(actor: Option<&Actor>, organisation_id: &str) -> bool {
    actor.is_some_and(|a| authorize(Some(a), Action::UseBoxes(organisation_id)).is_ok())
}

pub(crate) async fn insert(c: &mut Conn, row: &store::NewRow<'_>) -> Outcome<()> {
    match store::insert_node(c, row).await {
        Err(e) if is_unique_violation(&e) => Err(BoxError::IdTaken.into()),
        other => Ok(other?),
    }
}

fn view(
    node: &NewNode,
    kind: NodeKind,
    parent_id: Option<NodeId>,
    now: i64,
    by: &Actor,
) -> NodeView {
    NodeView {
        id: node.id.clone(),
        kind,
        parent_id,
        public_key: node.public_key.clone(),
        wrapped_key: node.wrapped_key.clone(),
        sealed_meta: node.sealed_meta.clone(),
        created_at_ms: now,
        updated_at_ms: now,
        trashed_at_ms: None,
        created_by: Some(by.email.clone()),
        label: None,
    }
}
