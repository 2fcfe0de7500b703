//! ORG-5: removing a member. Their items go to another Originator (into a
//! box "<email> <date>" of the recipient's) or are deleted for good; the
//! choice is recorded in `member_removals`, and a transfer is carried out by
//! a browser that can open the boxes (`crate::transfers`). The account and
//! its history stay, so re-adding re-uses the account.

use coffer_shared::accounts::LinkPurpose;
use coffer_shared::ids::{AccountId, OrganisationId};
use coffer_shared::members::MemberError;
use coffer_shared::members::MemberRemoval;
use coffer_shared::types::Role;
use serde_json::json;

use crate::kernel::audit::AuditAction;
use crate::kernel::authz::{Action, Actor};
use crate::kernel::db::{new_id, now_ms};
use crate::kernel::error::Outcome;
use crate::members::store;
use crate::Coffer;

/// The folder the recipient finds the items in.
pub fn transfer_folder_name(email: &str, date: &str) -> String {
    format!("{email} {date}")
}

impl Coffer {
    pub async fn remove_member(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        account_id: &AccountId,
        removal: &MemberRemoval,
    ) -> Outcome<()> {
        let (mut tx, actor) = self
            .begin(actor, Action::ManageMembers(organisation_id))
            .await?;
        if *account_id == actor.account_id {
            return Err(MemberError::RemoveSelf.into());
        }
        let (account, _) = self
            .managed_member(&mut tx, actor, organisation_id, account_id)
            .await?;
        let recipient = match removal.transfer_to.as_deref().filter(|t| !t.is_empty()) {
            Some(to) => {
                let r = store::member(&mut tx, organisation_id, to)
                    .await?
                    .filter(|r| r.role == Role::Originator && r.account_id != *account_id)
                    .ok_or(MemberError::TransferTargetNotOriginator)?;
                Some(r)
            }
            None => None,
        };
        let now = now_ms();
        let folder = transfer_folder_name(&account.email, &crate::accounts::today());
        let removal_id = new_id();
        let removed = crate::security::store::remove_membership(
            &mut tx,
            &crate::security::store::NewRemoval {
                id: &removal_id,
                organisation_id,
                account_id,
                email: &account.email,
                removed_at: now,
                removed_by: &actor.account_id,
                transfer_to: recipient.as_ref().map(|r| r.account_id.as_str()),
                folder_name: &folder,
            },
        )
        .await?;
        if !removed {
            return Err(MemberError::NotAMember.into());
        }
        // What others shared with them here stops with the membership.
        // CRY-4: and what they held gets new keys.
        crate::sharing::store::rotations_due_for(&mut tx, organisation_id, account_id, now).await?;
        crate::sharing::store::remove_permits_in(&mut tx, organisation_id, account_id).await?;
        crate::labels::store::forget_clearances(&mut tx, organisation_id, account_id).await?;
        // CRY-6: the recovery copy of their keys stays only until a
        // Liaison's browser has carried out the transfer with it.
        if recipient.is_some() {
            crate::recovery::store::forget_holder(&mut tx, organisation_id, account_id).await?;
        } else {
            crate::recovery::store::forget_member(&mut tx, organisation_id, account_id).await?;
        }
        // Leaving its home hands the account's security to the oldest
        // organisation it still belongs to (or to none).
        if account.home_organisation_id.as_deref() == Some(organisation_id) {
            let next = crate::store::oldest_membership(&mut tx, account_id).await?;
            crate::store::set_home_organisation(&mut tx, account_id, next.as_deref()).await?;
        }
        // An invitation into this organisation must not outlive the membership.
        crate::security::store::void_links(
            &mut tx,
            account_id,
            LinkPurpose::Invite.code(),
            Some(organisation_id),
            now,
        )
        .await?;
        let details = match &recipient {
            Some(r) => json!({ "items": "transferred", "to": r.email, "folder": folder }),
            None => {
                // Deleted for good: the boxes they own here and everything
                // in them (other people's shares of them end too).
                let owned =
                    crate::transfers::store::owned_box_ids(&mut tx, organisation_id, account_id)
                        .await?;
                let purged = crate::boxes::store::purge_subtrees(&mut tx, &owned).await?;
                crate::transfers::store::mark_done(&mut tx, &removal_id, now).await?;
                json!({ "items": "deleted permanently", "boxes": owned.len(), "purged": purged })
            }
        };
        tx.audit(
            Some(organisation_id),
            AuditAction::MemberRemoved,
            &account.email,
            details,
        )
        .await?;
        tx.commit().await?;
        if recipient.is_none() {
            self.sweep_blobs().await;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn folder_is_email_then_date() {
        assert_eq!(
            super::transfer_folder_name("ann@acme.test", "2026-11-22"),
            "ann@acme.test 2026-11-22"
        );
    }
}
