//! ORG-5 carried out. A removal with a transfer is recorded in
//! `member_removals`; a browser that can open the removed member's boxes
//! makes a new box for the recipient named "<email> <date>" and wraps each
//! box's key to it, and the server swaps them in: each box becomes a folder
//! of the new box, with everything in it, on the recipient's plan. With
//! recovery on (CRY-6) a Liaison's browser opens all the boxes through the
//! recovery copy of the removed member's keys; without it, the recipient's
//! browser transfers the boxes shared with them (the others stay behind,
//! unreadable: the removal panel says so).

pub mod store;

use std::collections::BTreeSet;

use coffer_shared::boxes::NodeKind;
use coffer_shared::ids::OrganisationId;
use coffer_shared::transfers::{RecoveryOpen, TransferDue, TransferError, Transferred};
use coffer_shared::types::{AdminTier, Bytes};
use serde_json::json;

use crate::kernel::audit::AuditAction;
use crate::kernel::authz::{authorize, tier_in, Action, Actor};
use crate::kernel::error::Outcome;
use crate::store::Conn;
use crate::Coffer;

impl Coffer {
    /// The transfers this member's browser can carry out now.
    pub async fn transfers_due(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
    ) -> Outcome<Vec<TransferDue>> {
        let actor = authorize(actor, Action::UseBoxes(organisation_id))?;
        let mut c = self.db().pool.acquire().await?;
        Ok(due(&mut c, actor, organisation_id, None)
            .await?
            .into_iter()
            .map(|(_, t)| t)
            .collect())
    }

    /// Swaps in what the browser made for one due transfer, whole or not
    /// at all.
    pub async fn complete_transfer(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        removal_id: &str,
        done: &Transferred,
    ) -> Outcome<()> {
        let (mut work, actor) = self.begin(actor, Action::UseBoxes(organisation_id)).await?;
        let Some((pending, transfer)) = due(&mut work, actor, organisation_id, Some(removal_id))
            .await?
            .pop()
        else {
            return Err(TransferError::NotDue.into());
        };
        let expected: BTreeSet<&str> = transfer.boxes.iter().map(|b| b.id.as_str()).collect();
        let given: BTreeSet<&str> = done.moved.iter().map(|m| m.id.as_str()).collect();
        if expected != given || given.len() != done.moved.len() {
            return Err(TransferError::Changed.into());
        }
        crate::boxes::check_new_node(&done.new_box)?;
        if done.new_box.under != transfer.recipient_public_key {
            return Err(TransferError::Changed.into());
        }
        let now = work.now;
        let new_box = done.new_box.id.as_str();
        let row = crate::boxes::store::NewRow {
            id: new_box,
            organisation_id,
            box_id: new_box,
            parent_id: None,
            kind: NodeKind::Box,
            public_key: &done.new_box.public_key,
            wrapped_key: None,
            sealed_meta: &done.new_box.sealed_meta.0,
            created_by: &pending.transfer_to,
            now,
        };
        crate::boxes::insert(&mut work, &row).await?;
        crate::boxes::store::insert_owner_permit(
            &mut work,
            new_box,
            &pending.transfer_to,
            &done.new_box.wrapped_key.0,
            now,
        )
        .await?;
        for m in &done.moved {
            if m.wrapped_key.0.is_empty() || m.sealed_meta.0.is_empty() {
                return Err(coffer_shared::errors::InputError::InvalidKeyMaterial.into());
            }
            let moved = store::move_box(
                &mut work,
                &m.id,
                new_box,
                &m.wrapped_key.0,
                &m.sealed_meta.0,
                &pending.transfer_to,
                now,
            )
            .await?;
            if !moved {
                return Err(TransferError::Changed.into());
            }
        }
        let bytes = store::charge_to(&mut work, new_box, &pending.transfer_to).await?;
        crate::files::store::add_usage(&mut work, organisation_id, &pending.transfer_to, bytes)
            .await?;
        if !store::mark_done(&mut work, removal_id, now).await? {
            return Err(TransferError::NotDue.into());
        }
        // The recovery copy of the removed member's keys has done its job.
        crate::recovery::store::forget_member(&mut work, organisation_id, &pending.account_id)
            .await?;
        work.audit(
            Some(organisation_id),
            AuditAction::ItemsTransferred,
            &pending.email,
            json!({
                "to": pending.recipient,
                "folder": pending.folder_name,
                "box": new_box,
                "boxes": done.moved.len(),
                "left": transfer.left,
                "through": if transfer.recovery.is_some() { "recovery" } else { "recipient" },
            }),
        )
        .await?;
        work.commit().await?;
        Ok(())
    }
}

/// What `actor` can carry out, each with its removal: with recovery, a
/// Liaison holding the key carries out every transfer whose removed
/// member's keys are escrowed; otherwise the recipient carries out their
/// own, for the boxes shared with them.
async fn due(
    c: &mut Conn,
    actor: &Actor,
    organisation_id: &str,
    only: Option<&str>,
) -> Outcome<Vec<(store::PendingTransfer, TransferDue)>> {
    let liaison = if tier_in(actor, organisation_id) == AdminTier::Liaison {
        match (
            crate::recovery::store::key(&mut *c, organisation_id).await?,
            crate::recovery::store::holder_wrap(&mut *c, organisation_id, &actor.account_id)
                .await?,
        ) {
            (Some(key), Some(wrap)) => Some((key.public_key, wrap)),
            _ => None,
        }
    } else {
        None
    };
    let mut out = Vec::new();
    for p in store::pending(&mut *c, organisation_id).await? {
        if only.is_some_and(|id| id != p.id) {
            continue;
        }
        let Some(recipient_public_key) = p.recipient_public_key.clone() else {
            continue;
        };
        let escrow =
            crate::recovery::store::escrow_of(&mut *c, organisation_id, &p.account_id).await?;
        let (recovery, holder) = match (&liaison, escrow) {
            (Some((public_key, wrap)), Some((member_public_key, escrow))) => (
                Some(RecoveryOpen {
                    wrapped: Bytes(wrap.clone()),
                    recovery_public_key: public_key.clone(),
                    escrow: Bytes(escrow),
                    member_public_key,
                }),
                p.account_id.clone(),
            ),
            // Without a recovery copy, the recipient moves what they can
            // open; while one exists, they wait for a Liaison.
            (_, None) if p.transfer_to == actor.account_id => (None, actor.account_id.clone()),
            _ => continue,
        };
        let boxes = store::boxes_of(&mut *c, organisation_id, &p.account_id, &holder).await?;
        let all = store::owned_box_ids(&mut *c, organisation_id, &p.account_id)
            .await?
            .len();
        if boxes.is_empty() {
            continue;
        }
        let recipient_pin =
            crate::sharing::store::pin_of(&mut *c, &actor.account_id, &p.transfer_to).await?;
        let due = TransferDue {
            removal_id: p.id.clone(),
            email: p.email.clone(),
            recipient: p.recipient.clone(),
            recipient_public_key,
            recipient_id: p.transfer_to.clone(),
            recipient_pin,
            folder_name: p.folder_name.clone(),
            recovery,
            left: all.saturating_sub(boxes.len()) as u64,
            boxes,
        };
        out.push((p, due));
    }
    Ok(out)
}
