//! Organisation members: the Users page listing (ORG-1) and adding a member
//! (ORG-3) within the licence seats (ORG-7). `enrol` is the one way anybody
//! becomes a member, so organisation creation uses it too.

pub mod columns;
pub mod export;
pub mod groups;
pub mod history;
pub mod removal;
pub mod store;

use coffer_shared::errors::{AuthError, InputError};
use coffer_shared::ids::{AccountId, OrganisationId};
use coffer_shared::members::{GroupError, MemberError};
use coffer_shared::members::{MemberChange, MemberPage, MemberQuery, MemberRow, NewMember, Seats};
use coffer_shared::organisations::PlanError;
use coffer_shared::policy::normalise_email;
use coffer_shared::types::{AdminTier, Role};
use serde_json::json;

use crate::kernel::audit::{AuditAction, Who};
use crate::kernel::authz::{authorize, Action, Actor};
use crate::kernel::db::new_id;
use crate::kernel::error::Outcome;
use crate::kernel::notices;
use crate::kernel::tokens::new_token;
use crate::kernel::work::Work;
use crate::organisations::settings::flags_to;
use crate::Coffer;

pub const MAX_PAGE_SIZE: u32 = 200;
/// Longer search text is refused: no field holds more than this usefully.
pub const MAX_SEARCH_CHARS: usize = 100;

/// Search text to a SQL `LIKE` pattern (escape character `\`): `*` and `?`
/// are wildcards matching the whole value; text without them matches
/// anywhere. Lower-cased, as the columns are compared lower-cased.
pub fn like_pattern(text: &str) -> String {
    // Control characters never occur in the fields (and U+001F separates
    // them in the joined search key), so they are dropped.
    let t: String = text
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    let wild = t.contains('*') || t.contains('?');
    let mut out = String::with_capacity(t.len() + 2);
    for c in t.chars() {
        match c {
            // `**` means what `*` does.
            '*' if out.ends_with('%') && !out.ends_with("\\%") => {}
            '*' => out.push('%'),
            '?' => out.push('_'),
            '%' | '_' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    if wild {
        out
    } else {
        format!("%{out}%")
    }
}

fn clean_name(name: &str) -> Result<String, MemberError> {
    let n = name.trim();
    if n.chars().count() > 100 || n.chars().any(char::is_control) {
        return Err(MemberError::InvalidName);
    }
    Ok(n.to_string())
}

/// Who is being enrolled, already validated.
pub(crate) struct Enrolment<'a> {
    pub organisation_id: &'a str,
    pub organisation_name: &'a str,
    pub email: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub role: Role,
    pub tier: AdminTier,
}

impl Coffer {
    /// Makes someone a member inside the caller's transaction. An existing
    /// instance account is re-used and told "account updated"; a new one is
    /// created and gets a single-use invitation ("account created").
    /// Returns the account id.
    pub(crate) async fn enrol(
        &self,
        work: &mut Work<'_>,
        actor: &Actor,
        e: Enrolment<'_>,
    ) -> Outcome<String> {
        let now = work.now;
        let seats = crate::organisations::store::seats(work, e.organisation_id)
            .await?
            .ok_or(MemberError::UnknownOrganisation)?;
        let settings = self.settings_in(work, e.organisation_id).await?;
        let used = self
            .seats_taken(work, e.organisation_id, seats.used)
            .await?;
        let takes_seat = e.role != Role::AdHoc || settings.outsiders_take_seats;
        if takes_seat && used >= seats.licence_seats {
            return Err(MemberError::NoLicencesAvailable.into());
        }
        let existing = crate::store::account_by_identifier(work, e.email).await?;
        let (account_id, active) = match existing {
            Some(a) => {
                if store::is_member(work, e.organisation_id, &a.id).await? {
                    return Err(MemberError::AlreadyMember.into());
                }
                // An account no organisation looks after (it left them all)
                // gets this one; the instance administrator's never has one.
                if a.home_organisation_id.is_none() && !a.is_instance_admin {
                    crate::store::set_home_organisation(work, &a.id, Some(e.organisation_id))
                        .await?;
                }
                (a.id, a.opaque_record.is_some())
            }
            None => {
                let id = new_id();
                crate::store::insert_account(work, &id, e.email, false, now).await?;
                store::set_names(work, &id, e.first_name, e.last_name).await?;
                crate::store::set_home_organisation(work, &id, Some(e.organisation_id)).await?;
                (id, false)
            }
        };
        crate::store::insert_membership(work, e.organisation_id, &account_id, e.role, e.tier, now)
            .await?;
        let flags = crate::organisations::settings::flags_to(&settings.default_flags());
        crate::organisations::store::set_member_permissions(
            work,
            e.organisation_id,
            &account_id,
            &flags,
        )
        .await?;
        if e.role == Role::Originator {
            let plan = crate::organisations::store::default_plan(work, e.organisation_id).await?;
            crate::organisations::store::set_member_plan(
                work,
                e.organisation_id,
                &account_id,
                plan.as_deref(),
            )
            .await?;
        }
        let who = || Who::account(&actor.account_id, &actor.email);
        let details = json!({ "role": e.role.as_str(), "admin_tier": e.tier.as_str(), "reused_account": active });
        work.audit_as(
            who(),
            Some(e.organisation_id),
            AuditAction::MemberAdded,
            e.email,
            details,
        )
        .await?;
        if active {
            let sign_in = format!("{}/sign-in", self.public_url());
            let mail = notices::account_updated(e.email, e.organisation_name, &sign_in, e.tier);
            work.queue_mail(mail).await?;
            return Ok(account_id);
        }
        let (token, token_hash) = new_token();
        let expires_at = now + i64::from(settings.invitation_expiry_hours) * 3_600_000;
        crate::store::insert_invitation(
            work,
            &crate::store::NewInvitation {
                purpose: "invite",
                token_hash: &token_hash,
                account_id: &account_id,
                organisation_id: Some(e.organisation_id),
                created_by: Some(&actor.account_id),
                now,
                expires_at,
            },
        )
        .await?;
        // The token travels in the fragment, which browsers never send to
        // the server, so it stays out of access logs and referrers.
        let link = format!("{}/invite#{token}", self.public_url());
        work.queue_mail(notices::invitation(
            e.email,
            e.organisation_name,
            &link,
            expires_at,
            e.role == Role::AdHoc,
        ))
        .await?;
        let details = json!({ "expires_at": expires_at });
        work.audit_as(
            who(),
            Some(e.organisation_id),
            AuditAction::InvitationSent,
            e.email,
            details,
        )
        .await?;
        Ok(account_id)
    }

    /// One page of the Users table, filtered and sorted on the server.
    pub async fn members(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        q: &MemberQuery,
    ) -> Outcome<MemberPage> {
        authorize(actor, Action::ManageMembers(organisation_id))?;
        if q.text.trim().chars().count() > MAX_SEARCH_CHARS {
            return Err(InputError::SearchTooLong.into());
        }
        let mut c = self.db().pool.acquire().await?;
        let seats = crate::organisations::store::seats(&mut c, organisation_id)
            .await?
            .ok_or(MemberError::UnknownOrganisation)?;
        let page_size = q.page_size.clamp(1, MAX_PAGE_SIZE);
        let pattern = (!q.text.trim().is_empty()).then(|| like_pattern(&q.text));
        let filter = store::MemberFilter {
            field: q.field,
            pattern: pattern.as_deref(),
            contains: !q.text.contains(['*', '?']),
        };
        // Unfiltered, the total is the seat count already read.
        let (total, rows) = store::member_page(
            &mut c,
            organisation_id,
            &filter,
            q.sort,
            q.descending,
            i64::from(page_size),
            i64::from(q.page) * i64::from(page_size),
            seats.used,
        )
        .await?;
        Ok(MemberPage {
            organisation_name: seats.organisation_name.clone(),
            total: total as u64,
            rows,
            seats: Seats {
                licence_seats: seats.licence_seats,
                used: self
                    .seats_taken(&mut c, organisation_id, seats.used)
                    .await?,
                expiry_date: seats.expiry_date,
            },
        })
    }

    /// Licence seats in use out of `members`: BOX-5 outside recipients
    /// (Ad hoc) take seats only if Configuration says so.
    pub(crate) async fn seats_taken(
        &self,
        c: &mut crate::store::Conn,
        organisation_id: &str,
        members: i64,
    ) -> Outcome<i64> {
        if self
            .settings_in(c, organisation_id)
            .await?
            .outsiders_take_seats
        {
            return Ok(members);
        }
        Ok(members - crate::store::ad_hoc_members(c, organisation_id).await?)
    }

    pub async fn add_member(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        input: &NewMember,
    ) -> Outcome<MemberRow> {
        let (mut tx, actor) = self
            .begin(actor, Action::ManageMembers(organisation_id))
            .await?;
        let tier = if input.admin {
            authorize(Some(actor), Action::GrantAdminTier(organisation_id)).map_err(
                |e| match e {
                    AuthError::Forbidden => MemberError::OnlyLiaisonGrantsAdmin.into(),
                    other => crate::Failure::from(other),
                },
            )?;
            AdminTier::Admin
        } else {
            AdminTier::None
        };
        if input.role == Role::AdHoc {
            return Err(MemberError::RoleNotAssignable.into());
        }
        let email = normalise_email(&input.email)?;
        let first_name = clean_name(&input.first_name)?;
        let last_name = clean_name(&input.last_name)?;
        let seats = crate::organisations::store::seats(&mut tx, organisation_id)
            .await?
            .ok_or(MemberError::UnknownOrganisation)?;
        let group = match input.group_id.as_deref().filter(|g| !g.is_empty()) {
            Some(g) => Some(
                store::group_in(&mut tx, organisation_id, g)
                    .await?
                    .ok_or(GroupError::Unknown)?,
            ),
            None => None,
        };
        let enrolment = Enrolment {
            organisation_id,
            organisation_name: &seats.organisation_name,
            email: &email,
            first_name: &first_name,
            last_name: &last_name,
            role: input.role,
            tier,
        };
        let account_id = self.enrol(&mut tx, actor, enrolment).await?;
        if let Some(g) = &group {
            store::set_member_group(&mut tx, organisation_id, &account_id, Some(&g.id)).await?;
        }
        let row = store::member(&mut tx, organisation_id, &account_id)
            .await?
            .ok_or_else(|| {
                crate::Failure::Internal(anyhow::anyhow!(
                    "member {account_id} vanished inside its own transaction"
                ))
            })?;
        tx.deliver_mail_after_commit();
        tx.commit().await?;
        Ok(row)
    }
}

impl Coffer {
    /// ORG-4: upgrade the role, change the admin tier (Liaisons only, never
    /// one's own), move between groups. Records before and after.
    pub async fn update_member(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        account_id: &AccountId,
        change: &MemberChange,
    ) -> Outcome<MemberRow> {
        let (mut tx, actor) = self
            .begin(actor, Action::ManageMembers(organisation_id))
            .await?;
        if change.point_of_contact.is_some() {
            authorize(Some(actor), Action::GrantAdminTier(organisation_id)).map_err(
                |e| match e {
                    AuthError::Forbidden => MemberError::OnlyLiaisonSetsContact.into(),
                    other => crate::Failure::from(other),
                },
            )?;
        }
        if change.admin_tier.is_some() {
            if *account_id == actor.account_id {
                return Err(MemberError::OwnTier.into());
            }
            authorize(Some(actor), Action::GrantAdminTier(organisation_id)).map_err(
                |e| match e {
                    AuthError::Forbidden => MemberError::OnlyLiaisonGrantsAdmin.into(),
                    other => crate::Failure::from(other),
                },
            )?;
        }
        let before = store::member(&mut tx, organisation_id, account_id)
            .await?
            .ok_or(MemberError::NotAMember)?;
        // Only Liaisons act on administrators (an Admin on themself too).
        if before.admin_tier > AdminTier::None
            && authorize(Some(actor), Action::ManageAdministrator(organisation_id)).is_err()
        {
            return Err(MemberError::OnlyLiaisonEditsAdmins.into());
        }
        let role = change.role.unwrap_or(before.role);
        if role < before.role {
            return Err(MemberError::RoleDowngrade.into());
        }
        let tier = change.admin_tier.unwrap_or(before.admin_tier);
        // Only administrators can be points of contact; losing the tier
        // ends the role.
        let contact =
            change.point_of_contact.unwrap_or(before.point_of_contact) && tier >= AdminTier::Admin;
        if change.point_of_contact == Some(true) && !contact {
            return Err(MemberError::ContactMustBeAdmin.into());
        }
        store::update_membership(&mut tx, organisation_id, account_id, role, tier, contact).await?;
        // CRY-6: only Liaisons hold the recovery key.
        if tier != AdminTier::Liaison {
            crate::recovery::store::forget_holder(&mut tx, organisation_id, account_id).await?;
        }
        if let Some(group) = &change.group_id {
            let group = match group.as_ref() {
                Some(g) => Some(
                    store::group_in(&mut tx, organisation_id, g)
                        .await?
                        .ok_or(GroupError::Unknown)?
                        .id,
                ),
                None => None,
            };
            store::set_member_group(&mut tx, organisation_id, account_id, group.as_deref()).await?;
        }
        if role == Role::Originator && before.role < Role::Originator && change.plan_id.is_none() {
            // New Originators get the default plan (ORG-8).
            if let Some(p) =
                crate::organisations::store::default_plan(&mut tx, organisation_id).await?
            {
                crate::organisations::store::set_member_plan(
                    &mut tx,
                    organisation_id,
                    account_id,
                    Some(&p),
                )
                .await?;
            }
        }
        if let Some(plan) = &change.plan_id {
            let plan = match plan.as_ref() {
                Some(p) => Some(
                    crate::organisations::store::plan_in(&mut tx, organisation_id, p)
                        .await?
                        .ok_or(PlanError::Unknown)?
                        .id,
                ),
                None => None,
            };
            crate::organisations::store::set_member_plan(
                &mut tx,
                organisation_id,
                account_id,
                plan.as_deref(),
            )
            .await?;
        }
        let flags_before =
            crate::organisations::store::member_permissions(&mut tx, organisation_id, account_id)
                .await?
                .unwrap_or_default();
        if let Some(flags) = &change.permissions {
            crate::organisations::store::set_member_permissions(
                &mut tx,
                organisation_id,
                account_id,
                &flags_to(flags),
            )
            .await?;
        }
        let flags_after =
            crate::organisations::store::member_permissions(&mut tx, organisation_id, account_id)
                .await?
                .unwrap_or_default();
        let after = store::member(&mut tx, organisation_id, account_id)
            .await?
            .ok_or(MemberError::NotAMember)?;
        let details = json!({
            "before": { "role": before.role.as_str(), "admin_tier": before.admin_tier.as_str(), "group": before.group, "point_of_contact": before.point_of_contact, "plan": before.plan, "permissions": flags_before },
            "after": { "role": after.role.as_str(), "admin_tier": after.admin_tier.as_str(), "group": after.group, "point_of_contact": after.point_of_contact, "plan": after.plan, "permissions": flags_after },
        });
        tx.audit(
            Some(organisation_id),
            AuditAction::MemberUpdated,
            &after.email,
            details,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_and_contains() {
        assert_eq!(like_pattern("ann"), "%ann%");
        assert_eq!(like_pattern(" Ann* "), "ann%");
        assert_eq!(like_pattern("a?n"), "a_n");
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(like_pattern("*@acme.test"), "%@acme.test");
        assert_eq!(like_pattern("****z"), "%z");
        assert_eq!(like_pattern("a**b*"), "a%b%");
        // An escaped percent sign is no wildcard to collapse into.
        assert_eq!(like_pattern("%*"), "\\%%");
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(clean_name("  Ann "), Ok("Ann".into()));
        assert_eq!(clean_name(&"x".repeat(101)), Err(MemberError::InvalidName));
        assert_eq!(clean_name("a\u{0}b"), Err(MemberError::InvalidName));
    }
}
