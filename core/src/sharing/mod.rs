//! BOX-2, BOX-3, CRY-3: sharing a box, folder or file with members of the
//! organisation. The granter's browser wraps the node's identity to the
//! grantee's member key, seals the node's record under the node's own key
//! and signs the permit; the server checks the granter's Manage permission,
//! the recipient, the shapes and the signature, and keeps the permit.
//! Every later call is decided by the closest permit (`kernel::access`).

pub mod outsiders;
pub mod rotation;
pub mod store;

use coffer_crypto::{verify_permit, PermitStatement};
use coffer_shared::boxes::{NodeKind, WRAPPED_KEY_MAX};
use coffer_shared::ids::{AccountId, NodeId, OrganisationId};
use coffer_shared::policy::normalise_email;
use coffer_shared::sharing::{
    Access, NewPermit, Notices, Permission, Recipient, SharedItem, SharingError,
};
use serde_json::json;

use crate::boxes::{self, check_sealed, in_trash};
use crate::kernel::access::{self, Need};
use crate::kernel::audit::{AuditAction, Who};
use crate::kernel::authz::{authorize, Action, Actor};
use crate::kernel::error::Outcome;
use crate::kernel::notices;
use crate::store::Conn;
use crate::Coffer;

/// A notice of access that ends goes out this long before it does.
const DAY_MS: i64 = 86_400_000;

/// How many suggestions the Share panel gets for what was typed.
const SUGGESTIONS: i64 = 10;

impl Coffer {
    /// BOX-2, BOX-9: whom the Share panel suggests for `prefix`: the
    /// member's contacts (those they share with most) first, then members
    /// of the organisation whose email or name starts with it.
    pub async fn share_suggestions(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        prefix: &str,
    ) -> Outcome<Vec<Recipient>> {
        let actor = authorize(actor, Action::UseBoxes(organisation_id))?;
        let mut c = self.db().pool.acquire().await?;
        // BOX-9: the member's contacts first, then the directory.
        let mut found = store::contacts_like(
            &mut c,
            &actor.account_id,
            organisation_id,
            prefix,
            SUGGESTIONS,
        )
        .await?;
        if !prefix.trim().is_empty() {
            for r in store::members_like(&mut c, organisation_id, prefix, SUGGESTIONS + 1).await? {
                if !found.iter().any(|f| f.account_id == r.account_id) {
                    found.push(r);
                }
            }
        }
        found.retain(|r| r.account_id.as_str() != actor.account_id);
        found.truncate(SUGGESTIONS as usize);
        Ok(found)
    }

    /// BOX-2: the member an item is about to be shared with, by email,
    /// with the key the granter's browser wraps the item's key to.
    pub async fn share_recipient(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        email: &str,
    ) -> Outcome<Recipient> {
        let actor = authorize(actor, Action::UseBoxes(organisation_id))?;
        let email = normalise_email(email).map_err(|_| SharingError::InvalidEmail)?;
        let mut c = self.db().pool.acquire().await?;
        let mut found = recipient(&mut c, organisation_id, &email, actor).await?;
        found.pin = store::pin_of(&mut c, &actor.account_id, found.account_id.as_str()).await?;
        Ok(found)
    }

    /// BOX-2: gives (or changes) a member's permit on a node. The actor
    /// needs Manage there.
    pub async fn grant(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        permit: &NewPermit,
    ) -> Outcome<()> {
        let (mut work, actor, path) = self
            .change_node(actor, organisation_id, &permit.node_id, Need::Share)
            .await?;
        let Some(node) = path.last().filter(|_| !in_trash(&path)) else {
            return Err(coffer_shared::boxes::BoxError::Unknown.into());
        };
        check_terms(node, permit.permission, permit.window, work.now)?;
        let grantee = permit.account_id.as_str();
        let email = store::member_email(&mut work, organisation_id, grantee)
            .await?
            .ok_or(SharingError::NoSuchMember)?;
        let to = recipient(&mut work, organisation_id, &email, actor).await?;
        let box_id = store::box_of(&mut work, &node.id)
            .await?
            .unwrap_or_default();
        if store::owns(&mut work, &box_id, grantee).await? {
            return Err(SharingError::OwnerAccess.into());
        }
        // BOX-4: cleared for every label on it, above it and inside it.
        if crate::labels::store::uncleared(&mut work, &node.id, organisation_id, grantee).await? {
            return Err(SharingError::LabelNotCleared.into());
        }
        within_own_access(&mut work, actor, organisation_id, node, permit.window).await?;
        check_key_material(permit)?;
        let signer = store::signing_key_of(&mut work, &actor.account_id)
            .await?
            .ok_or(SharingError::InvalidPermit)?;
        let statement = statement(permit, &node.public_key, &to.public_key, &actor.account_id);
        verify_permit(&signer, &statement, &permit.signature.0)
            .map_err(|_| SharingError::InvalidPermit)?;
        let now = work.now;
        let row = store::PermitRow {
            node_id: &node.id,
            account_id: grantee,
            permission: permit.permission,
            window: permit.window,
            wrapped_key: &permit.wrapped_key.0,
            sealed_meta: &permit.sealed_meta.0,
            signature: &permit.signature.0,
            granted_by: &actor.account_id,
            now,
        };
        let replaced = store::put_permit(&mut work, &row).await?;
        if let Some(pin) = &permit.pin {
            store::put_pin(&mut work, &actor.account_id, grantee, &pin.0, now).await?;
        }
        // BOX-5: a share that waited for the recipient's keys is done.
        store::drop_pending(&mut work, &node.id, grantee).await?;
        store::remember_contact(&mut work, &actor.account_id, organisation_id, grantee, now)
            .await?;
        if !replaced && store::notices_of(&mut work, grantee).await?.shares {
            let organisation = store::organisation_name(&mut work, organisation_id).await?;
            let link = format!("{}/boxes?org={organisation_id}", self.public_url());
            let mail = notices::shared_with_you(
                &to.email,
                &actor.email,
                &organisation,
                permit.permission.label(),
                permit.window.not_after_ms,
                &link,
            );
            work.queue_mail(mail).await?;
        }
        let action = if replaced {
            AuditAction::PermitChanged
        } else {
            AuditAction::PermitGranted
        };
        work.audit(
            Some(organisation_id),
            action,
            &node.id,
            json!({
                "box": box_id,
                "to": to.email,
                "permission": permit.permission.code(),
                "not_before": permit.window.not_before_ms,
                "not_after": permit.window.not_after_ms,
            }),
        )
        .await?;
        work.commit().await?;
        Ok(())
    }

    /// BOX-2: who has access to a node: permits on it and above it (the
    /// box's owner first). For those who may manage it.
    pub async fn access_list(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        node_id: &NodeId,
    ) -> Outcome<Vec<Access>> {
        let actor = authorize(actor, Action::UseBoxes(organisation_id))?;
        let mut c = self.db().pool.acquire().await?;
        boxes::require(&mut c, actor, organisation_id, node_id, Need::Share).await?;
        let mut all = store::access_to(&mut c, node_id).await?;
        all.extend(store::pending_on(&mut c, node_id).await?);
        Ok(all)
    }

    /// BOX-2: removes a member's own permit on a node (one held above it is
    /// removed where it is held).
    pub async fn unshare(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        node_id: &NodeId,
        account_id: &AccountId,
    ) -> Outcome<()> {
        let (mut work, _, path) = self
            .change_node(actor, organisation_id, node_id, Need::Share)
            .await?;
        if path.is_empty() {
            return Err(coffer_shared::boxes::BoxError::Unknown.into());
        }
        let box_id = store::box_of(&mut work, node_id).await?.unwrap_or_default();
        if store::owns(&mut work, &box_id, account_id).await? {
            return Err(SharingError::OwnerAccess.into());
        }
        if store::remove_permit(&mut work, node_id, account_id).await? {
            // CRY-4: what they could open until now must not open what comes.
            let now = work.now;
            store::rotation_due(&mut work, node_id, now).await?;
        } else if !store::drop_pending(&mut work, node_id, account_id).await? {
            // BOX-5: a share still waiting is simply withdrawn (no key was given).
            return Err(SharingError::NoSuchPermit.into());
        }
        let email = store::member_email(&mut work, organisation_id, account_id)
            .await?
            .unwrap_or_default();
        work.audit(
            Some(organisation_id),
            AuditAction::PermitRemoved,
            node_id,
            json!({ "box": box_id, "from": email }),
        )
        .await?;
        work.commit().await?;
        Ok(())
    }

    /// BOX-2, BOX-3: "Shared with me": what others shared with the actor in
    /// the organisation whose window holds now.
    pub async fn shared_with_me(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
    ) -> Outcome<Vec<SharedItem>> {
        let actor = authorize(actor, Action::UseBoxes(organisation_id))?;
        let mut c = self.db().pool.acquire().await?;
        let now = crate::kernel::db::now_ms();
        let mut rows = store::shared_with(&mut c, organisation_id, &actor.account_id, now).await?;
        // What is shared is gone with a folder above it that went to the trash.
        let mut kept = Vec::with_capacity(rows.len());
        for row in rows.drain(..) {
            let trashed = match &row.node.parent_id {
                Some(parent) => crate::boxes::store::trashed_above(&mut c, parent).await?,
                None => false,
            };
            if !trashed {
                kept.push(row);
            }
        }
        Ok(kept
            .into_iter()
            .map(|r| SharedItem {
                node: r.node,
                owner: r.owner,
                granted_by: r.granted_by,
                permission: r.proof.permission,
                window: r.proof.window,
                proof: Some(r.proof),
            })
            .collect())
    }
}

impl Coffer {
    /// AUD-3: which notices the member receives.
    pub async fn my_notices(&self, actor: Option<&Actor>) -> Outcome<Notices> {
        let actor = authorize(actor, Action::ManageOwnAccount)?;
        let mut c = self.db().pool.acquire().await?;
        Ok(store::notices_of(&mut c, &actor.account_id).await?)
    }

    pub async fn set_notices(&self, actor: Option<&Actor>, notices: Notices) -> Outcome<()> {
        let (mut work, actor) = self.begin(actor, Action::ManageOwnAccount).await?;
        store::set_notices(&mut work, &actor.account_id, notices).await?;
        work.commit().await?;
        Ok(())
    }

    /// AUD-3: the mail telling a box's owner that someone else uploaded
    /// into it, unless they chose not to be told.
    pub(crate) async fn upload_notice(
        &self,
        c: &mut Conn,
        box_id: &str,
        uploader: &Actor,
        organisation_id: &str,
    ) -> Outcome<Option<crate::kernel::mail::Mail>> {
        let Some((owner, email, organisation)) = store::box_owner(c, box_id).await? else {
            return Ok(None);
        };
        if owner == uploader.account_id || !store::notices_of(c, &owner).await?.uploads {
            return Ok(None);
        }
        let link = format!("{}/boxes/{box_id}?org={organisation_id}", self.public_url());
        Ok(Some(notices::uploaded_into_your_box(
            &email,
            &uploader.email,
            &organisation,
            &link,
        )))
    }

    /// AUD-3 housekeeping: holders whose access ends within a day are told
    /// once (unless they chose not to be).
    pub async fn tell_of_ending_access(&self, now: i64) -> Outcome<u64> {
        let mut work = self.ceremony().await?;
        let soon = store::ending_soon(&mut work, now, DAY_MS).await?;
        let mut told = 0;
        for p in &soon {
            if store::notices_of(&mut work, &p.account_id).await?.expiring {
                let link = format!("{}/boxes", self.public_url());
                let mail = notices::access_ends_soon(&p.email, &p.organisation, p.not_after, &link);
                work.queue_mail(mail).await?;
                told += 1;
            }
            store::mark_expiry_noticed(&mut work, &p.node_id, &p.account_id, now).await?;
        }
        work.commit().await?;
        Ok(told)
    }

    /// BOX-3 housekeeping: permits whose window ended are deleted and
    /// recorded (they stopped working when it ended; this only tidies).
    pub async fn remove_expired_permits(&self, now: i64) -> Outcome<u64> {
        let mut work = self.ceremony().await?;
        let expired = store::expired_permits(&mut work, now).await?;
        for p in &expired {
            store::remove_permit(&mut work, &p.node_id, &p.account_id).await?;
            store::rotation_due(&mut work, &p.node_id, now).await?;
            work.audit_as(
                Who::system(),
                Some(&p.organisation_id),
                AuditAction::PermitExpired,
                &p.node_id,
                json!({ "box": p.box_id, "from": p.email, "ended": p.not_after }),
            )
            .await?;
        }
        work.commit().await?;
        Ok(expired.len() as u64)
    }
}

/// The terms of a share: a window that runs forward and has not ended,
/// Upload only for boxes and folders.
pub(crate) fn check_terms(
    node: &coffer_shared::boxes::NodeView,
    permission: Permission,
    window: coffer_shared::sharing::Window,
    now: i64,
) -> Result<(), SharingError> {
    window.check()?;
    if window.not_after_ms.is_some_and(|end| end <= now) {
        return Err(SharingError::WindowOver);
    }
    if permission == Permission::Upload && node.kind == NodeKind::File {
        return Err(SharingError::UploadOnFile);
    }
    Ok(())
}

/// Manage lets a member share further only within their own access: no
/// window longer than theirs.
pub(crate) async fn within_own_access(
    work: &mut crate::kernel::work::Work<'_>,
    actor: &Actor,
    organisation_id: &OrganisationId,
    node: &coffer_shared::boxes::NodeView,
    window: coffer_shared::sharing::Window,
) -> Outcome<()> {
    let mine = access::held_permit(work, actor.into(), organisation_id, &node.id, Need::Share)
        .await
        .map_err(|_| SharingError::NotPermitted)?;
    if let Some(own_end) = mine.window.not_after_ms.filter(|_| !mine.owner) {
        if window.not_after_ms.is_none_or(|end| end > own_end) {
            return Err(SharingError::BeyondOwnWindow.into());
        }
    }
    Ok(())
}

/// A member of the organisation with keys, other than the actor.
async fn recipient(
    c: &mut Conn,
    organisation_id: &str,
    email: &str,
    actor: &Actor,
) -> Outcome<Recipient> {
    let (found, has_keys) = store::member_by_email(c, organisation_id, email)
        .await?
        .ok_or(SharingError::NoSuchMember)?;
    if found.account_id.as_str() == actor.account_id {
        return Err(SharingError::SelfShare.into());
    }
    if !has_keys {
        return Err(SharingError::RecipientWithoutKeys.into());
    }
    Ok(found)
}

/// An age file for the key, a sealed record, an Ed25519 signature.
fn check_key_material(permit: &NewPermit) -> Result<(), SharingError> {
    let wrapped = &permit.wrapped_key.0;
    if !wrapped.starts_with(boxes::AGE_MAGIC)
        || wrapped.len() > WRAPPED_KEY_MAX
        || check_sealed(&permit.sealed_meta.0).is_err()
        || permit.signature.0.len() != 64
        || permit
            .pin
            .as_ref()
            .is_some_and(|p| check_sealed(&p.0).is_err())
    {
        return Err(SharingError::InvalidPermit);
    }
    Ok(())
}

/// What the granter signed, from what the server knows: a permit signed
/// for another node, key or grantee does not verify.
pub fn statement(
    permit: &NewPermit,
    node_public_key: &str,
    grantee_public_key: &str,
    granter: &str,
) -> PermitStatement {
    PermitStatement {
        node_id: permit.node_id.to_string(),
        node_public_key: node_public_key.to_string(),
        grantee_account_id: permit.account_id.to_string(),
        grantee_public_key: grantee_public_key.to_string(),
        permission: permit.permission,
        window: permit.window,
        granter_account_id: granter.to_string(),
    }
}
