//! CRY-4: after someone's access to a box or folder ends (a permit removed
//! or expired, a member removed from the organisation), the node is due a
//! new identity. A browser that holds the key above it (for a box, the
//! box's own) makes one: what is directly in the node is wrapped and
//! sealed again under it, and each remaining permit is made again on the
//! same terms, signed by that member. The server checks that the rotation
//! covers exactly what is there now, and swaps it all in one transaction;
//! nothing stored is re-encrypted.

use std::collections::HashSet;

use coffer_crypto::{verify_permit, PermitStatement};
use coffer_shared::boxes::{BoxError, NodeKind, NodeView, WRAPPED_KEY_MAX};
use coffer_shared::ids::{NodeId, OrganisationId};
use coffer_shared::sharing::{Rotation, RotationPlan, SharingError};
use serde_json::json;

use super::store;
use crate::boxes::{self, check_sealed, path_to, AGE_MAGIC};
use crate::kernel::access::Need;
use crate::kernel::audit::AuditAction;
use crate::kernel::authz::{authorize, Action, Actor};
use crate::kernel::error::Outcome;
use crate::Coffer;

/// At most this many due rotations are offered to one page at a time.
const DUE_SHOWN: usize = 50;

impl Coffer {
    /// CRY-4: what the member's browser needs to give `node_id` a new
    /// identity. They need Manage on it, and the key above it.
    pub async fn rotation_plan(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        node_id: &NodeId,
    ) -> Outcome<RotationPlan> {
        let actor = authorize(actor, Action::UseBoxes(organisation_id))?;
        let mut c = self.db().pool.acquire().await?;
        boxes::require(&mut c, actor, organisation_id, node_id, Need::Share).await?;
        let path = path_to(&mut c, actor, organisation_id, node_id).await?;
        let is_box = rotatable(&path)?;
        let children = store::children_keys(&mut c, node_id).await?;
        let (owner, keepers) = store::keepers(&mut c, node_id, &actor.account_id).await?;
        Ok(RotationPlan {
            path,
            children,
            owner: owner.filter(|_| is_box),
            keepers,
        })
    }

    /// CRY-4: the node's new identity, its children rewrapped and its
    /// permits renewed, all at once or not at all.
    pub async fn rotate(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        r: &Rotation,
    ) -> Outcome<()> {
        let (mut work, actor, path) = self
            .change_node(actor, organisation_id, &r.node_id, Need::Share)
            .await?;
        let is_box = rotatable(&path)?;
        let node_id = r.node_id.as_str();
        if !coffer_crypto::is_valid_public_key(&r.public_key)
            || r.public_key == r.old_public_key
            || !wrapped_ok(&r.wrapped_key.0)
        {
            return Err(BoxError::InvalidKeyMaterial.into());
        }
        check_sealed(&r.sealed_meta.0)?;
        let raced = || SharingError::RotationRaced;
        let wrapped = (!is_box).then_some(r.wrapped_key.0.as_slice());
        if !store::replace_node_key(
            &mut work,
            node_id,
            &r.old_public_key,
            &r.public_key,
            wrapped,
            &r.sealed_meta.0,
        )
        .await?
        {
            return Err(raced().into());
        }
        if is_box && !store::rewrap_owner(&mut work, node_id, &r.wrapped_key.0).await? {
            return Err(raced().into());
        }

        // Exactly what is in it now: a child added or gone meanwhile would
        // be left under the old key, or refer to nothing.
        let there = store::children_keys(&mut work, node_id).await?.len();
        let named: HashSet<&str> = r.children.iter().map(|c| c.id.as_str()).collect();
        if named.len() != r.children.len() || named.len() != there {
            return Err(raced().into());
        }
        for child in &r.children {
            if !wrapped_ok(&child.wrapped_key.0) {
                return Err(BoxError::InvalidKeyMaterial.into());
            }
            check_sealed(&child.sealed_meta.0)?;
            let kept = store::rekey_child(
                &mut work,
                node_id,
                child.id.as_str(),
                &child.wrapped_key.0,
                &child.sealed_meta.0,
            )
            .await?;
            if !kept {
                return Err(raced().into());
            }
        }

        // Every remaining permit, on its own terms, signed by the actor.
        let (_, keepers) = store::keepers(&mut work, node_id, &actor.account_id).await?;
        let named: HashSet<&str> = r.permits.iter().map(|p| p.account_id.as_str()).collect();
        if named.len() != r.permits.len() || named.len() != keepers.len() {
            return Err(raced().into());
        }
        let signer = store::signing_key_of(&mut work, &actor.account_id)
            .await?
            .ok_or(SharingError::InvalidPermit)?;
        for p in &r.permits {
            let k = keepers
                .iter()
                .find(|k| k.account_id == p.account_id)
                .ok_or_else(raced)?;
            if !wrapped_ok(&p.wrapped_key.0)
                || check_sealed(&p.sealed_meta.0).is_err()
                || p.signature.0.len() != 64
            {
                return Err(SharingError::InvalidPermit.into());
            }
            let statement = PermitStatement {
                node_id: node_id.to_string(),
                node_public_key: r.public_key.clone(),
                grantee_account_id: k.account_id.to_string(),
                grantee_public_key: k.public_key.clone(),
                permission: k.permission,
                window: k.window,
                granter_account_id: actor.account_id.clone(),
            };
            verify_permit(&signer, &statement, &p.signature.0)
                .map_err(|_| SharingError::InvalidPermit)?;
            store::renew_permit(
                &mut work,
                node_id,
                p.account_id.as_str(),
                &p.wrapped_key.0,
                &p.sealed_meta.0,
                &p.signature.0,
                &actor.account_id,
            )
            .await?;
        }
        store::rotation_done(&mut work, node_id).await?;
        let box_id = boxes::box_of(&mut work, &path).await?;
        work.audit(
            Some(organisation_id),
            AuditAction::KeyRenewed,
            node_id,
            json!({
                "box": box_id,
                "children": r.children.len(),
                "permits": r.permits.len(),
            }),
        )
        .await?;
        work.commit().await?;
        Ok(())
    }

    /// CRY-4: the boxes and folders of the organisation waiting for a new
    /// identity that this member's browser can give them.
    pub async fn rotations_due(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
    ) -> Outcome<Vec<NodeId>> {
        let actor = authorize(actor, Action::UseBoxes(organisation_id))?;
        let mut c = self.db().pool.acquire().await?;
        let mut mine = Vec::new();
        for id in store::rotations_due_in(&mut c, organisation_id, &actor.account_id).await? {
            let id = NodeId::from(id);
            let held = boxes::require(&mut c, actor, organisation_id, &id, Need::Share).await;
            if held.is_err() {
                continue;
            }
            let path = path_to(&mut c, actor, organisation_id, &id).await;
            if path.is_ok_and(|p| rotatable(&p).is_ok()) {
                mine.push(id);
                if mine.len() == DUE_SHOWN {
                    break;
                }
            }
        }
        Ok(mine)
    }
}

/// A box, or a folder reached from above it (its record is sealed by its
/// parent); answers whether it is a box. A file keeps its key.
fn rotatable(path: &[NodeView]) -> Result<bool, SharingError> {
    let node = path.last().ok_or(SharingError::NotPermitted)?;
    if node.kind == NodeKind::File {
        return Err(SharingError::FileKeepsItsKey);
    }
    let is_box = node.parent_id.is_none();
    if !is_box && path.len() < 2 {
        return Err(SharingError::RotationFromAbove);
    }
    Ok(is_box)
}

fn wrapped_ok(wrapped: &[u8]) -> bool {
    wrapped.starts_with(AGE_MAGIC) && wrapped.len() <= WRAPPED_KEY_MAX
}
