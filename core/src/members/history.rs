//! ORG-11: a member's history as their organisation's administrators see
//! it, and the Edit panel's view of a member.

use coffer_shared::ids::{AccountId, OrganisationId};
use coffer_shared::members::MemberError;
use coffer_shared::members::{HistoryEntry, MemberDetail};
use coffer_shared::settings::MemberPermission;
use coffer_shared::types::PersonRef;

use crate::kernel::authz::{authorize, secures_account, Action, Actor};
use crate::kernel::error::Outcome;
use crate::members::store;
use crate::organisations::settings::flags_from;
use crate::Coffer;

const HISTORY_LIMIT: i64 = 500;

/// Names actors inside the organisation; anyone else (the instance
/// administrator, another organisation's staff) is "An administrator".
pub fn actor_shown(
    actor_account_id: Option<&str>,
    actor_label: &str,
    member_account_id: &str,
    actor_inside: bool,
) -> String {
    match actor_account_id {
        None => actor_label.to_string(),
        Some(id) if id == member_account_id || actor_inside => actor_label.to_string(),
        Some(_) => "An administrator".to_string(),
    }
}

impl Coffer {
    pub async fn member_history(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        account_id: &AccountId,
    ) -> Outcome<Vec<HistoryEntry>> {
        let actor = authorize(actor, Action::ManageMembers(organisation_id))?;
        let mut c = self.db().pool.acquire().await?;
        let member = store::member(&mut c, organisation_id, account_id)
            .await?
            .ok_or(MemberError::NotAMember)?;
        let home = crate::store::account_by_id(&mut c, account_id)
            .await?
            .and_then(|a| a.home_organisation_id);
        let account_wide = secures_account(actor, organisation_id, home.as_deref());
        let rows = crate::security::store::member_history(
            &mut c,
            organisation_id,
            &member.email,
            account_wide,
            HISTORY_LIMIT,
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(|(r, inside)| HistoryEntry {
                at_ms: r.at,
                actor: actor_shown(
                    r.actor_account_id.as_deref(),
                    &r.actor_label,
                    account_id,
                    inside,
                ),
                action: r.action,
                details: r.details,
            })
            .collect())
    }

    pub async fn member_detail(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        account_id: &AccountId,
    ) -> Outcome<MemberDetail> {
        authorize(actor, Action::ManageMembers(organisation_id))?;
        let mut c = self.db().pool.acquire().await?;
        let row = store::member(&mut c, organisation_id, account_id)
            .await?
            .ok_or(MemberError::NotAMember)?;
        let settings = self.settings_in(&mut c, organisation_id).await?;
        let flags = flags_from(
            &crate::organisations::store::member_permissions(&mut c, organisation_id, account_id)
                .await?
                .unwrap_or_default(),
        );
        let permissions = settings
            .permissions
            .iter()
            .map(|s| MemberPermission {
                permission: s.permission,
                mode: s.mode,
                selected: flags.contains(&s.permission),
            })
            .collect();
        let transfer_candidates =
            crate::security::store::originators_except(&mut c, organisation_id, account_id)
                .await?
                .into_iter()
                .map(|(account_id, email)| PersonRef {
                    account_id: account_id.into(),
                    email,
                })
                .collect();
        let plan_id =
            crate::organisations::store::member_plan_id(&mut c, organisation_id, account_id)
                .await?
                .map(Into::into);
        let two_step = crate::mfa::store::totp_factor(&mut c, account_id)
            .await?
            .is_some_and(|t| t.confirmed);
        let recovery_holds_keys =
            crate::recovery::store::escrow_covers(&mut c, organisation_id, account_id).await?;
        Ok(MemberDetail {
            row,
            permissions,
            transfer_candidates,
            plan_id,
            two_step,
            recovery_holds_keys,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::actor_shown;

    #[test]
    fn outsiders_are_an_administrator() {
        assert_eq!(actor_shown(Some("m"), "m@x", "m", false), "m@x");
        assert_eq!(actor_shown(Some("a"), "a@x", "m", true), "a@x");
        assert_eq!(
            actor_shown(Some("i"), "root@x", "m", false),
            "An administrator"
        );
        assert_eq!(actor_shown(None, "Coffer", "m", false), "Coffer");
    }
}
