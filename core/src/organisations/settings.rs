//! ORG-12: an organisation's configuration and PKG-8 member permissions.
//! Organisations that never saved a configuration use the instance's
//! defaults, so nothing needs writing when an organisation is created.

use coffer_shared::ids::OrganisationId;
use coffer_shared::organisations::SettingsError;
use coffer_shared::settings::{
    OrgSettings, Permission, MAX_INACTIVITY_DAYS, MAX_INVITATION_EXPIRY_HOURS,
    MAX_LOCKOUT_THRESHOLD, MAX_TRASH_DAYS,
};
use serde_json::json;

use crate::kernel::audit::AuditAction;
use crate::kernel::authz::{authorize, Action, Actor};
use crate::kernel::error::Outcome;
use crate::store::{self, Conn};
use crate::Coffer;

pub fn validate(s: &OrgSettings) -> Result<OrgSettings, SettingsError> {
    if !(1..=MAX_INVITATION_EXPIRY_HOURS).contains(&s.invitation_expiry_hours) {
        return Err(SettingsError::InvalidInvitationExpiry);
    }
    if !(1..=MAX_LOCKOUT_THRESHOLD).contains(&s.lockout_threshold) {
        return Err(SettingsError::InvalidLockoutThreshold);
    }
    if s.inactivity_lock_days > MAX_INACTIVITY_DAYS {
        return Err(SettingsError::InvalidInactivity);
    }
    if !(1..=MAX_TRASH_DAYS).contains(&s.trash_retention_days) {
        return Err(SettingsError::InvalidTrashRetention);
    }
    Ok(s.clone().normalised())
}

/// Flags stored as comma-separated codes; unknown codes are ignored.
pub fn flags_from(codes: &str) -> Vec<Permission> {
    codes
        .split(',')
        .filter_map(|c| Permission::from_code(c.trim()))
        .collect()
}

pub fn flags_to(flags: &[Permission]) -> String {
    let mut v: Vec<Permission> = flags.to_vec();
    v.sort();
    v.dedup();
    v.iter().map(|p| p.code()).collect::<Vec<_>>().join(",")
}

impl Coffer {
    fn initial_settings(&self) -> OrgSettings {
        let hours = u32::try_from(self.config().invitation_expiry_hours)
            .unwrap_or(24)
            .clamp(1, MAX_INVITATION_EXPIRY_HOURS);
        OrgSettings::initial(hours, self.config().lockout_threshold.max(1))
    }

    /// The organisation's configuration, or the instance defaults.
    pub(crate) async fn settings_in(
        &self,
        c: &mut Conn,
        organisation_id: &str,
    ) -> Outcome<OrgSettings> {
        Ok(match crate::organisations::store::organisation_settings(c, organisation_id).await? {
            Some(text) => serde_json::from_str::<OrgSettings>(&text)
                .map(OrgSettings::normalised)
                .unwrap_or_else(|e| {
                    tracing::warn!(organisation_id, error = %e, "unreadable stored settings; using defaults");
                    self.initial_settings()
                }),
            None => self.initial_settings(),
        })
    }

    /// ACC-6: the home organisation's threshold (another organisation the
    /// account joined cannot lower it), or the instance's for accounts
    /// without a home.
    pub(crate) async fn lockout_threshold(&self, c: &mut Conn, account_id: &str) -> Outcome<i64> {
        let home = crate::security::store::home_settings_of(c, account_id)
            .await?
            .and_then(|t| serde_json::from_str::<OrgSettings>(&t).ok())
            .map(|s| s.lockout_threshold);
        Ok(i64::from(
            home.unwrap_or(self.config().lockout_threshold).max(1),
        ))
    }

    /// PKG-8 "login": allowed when any of the account's organisations lets
    /// them in (accounts outside every organisation always may).
    pub(crate) async fn may_sign_in(
        &self,
        c: &mut Conn,
        account_id: &str,
        memberships: &[store::MembershipRow],
    ) -> Outcome<bool> {
        if memberships.is_empty() {
            return Ok(true);
        }
        for m in memberships {
            let settings = self.settings_in(c, &m.organisation_id).await?;
            let flags =
                crate::organisations::store::member_permissions(c, &m.organisation_id, account_id)
                    .await?
                    .unwrap_or_default();
            if settings.allows(Permission::Login, &flags_from(&flags)) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    pub async fn organisation_settings(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
    ) -> Outcome<OrgSettings> {
        authorize(actor, Action::Configure(organisation_id))?;
        let mut c = self.db().pool.acquire().await?;
        self.settings_in(&mut c, organisation_id).await
    }

    pub async fn update_organisation_settings(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        input: &OrgSettings,
    ) -> Outcome<OrgSettings> {
        let (mut tx, actor) = self
            .begin(actor, Action::Configure(organisation_id))
            .await?;
        let settings = validate(input)?;
        crate::organisations::store::seats(&mut tx, organisation_id)
            .await?
            .ok_or(coffer_shared::members::MemberError::UnknownOrganisation)?;
        let before = self.settings_in(&mut tx, organisation_id).await?;
        // Who may sign in, and who may skip the second factor, decide the
        // administrators' own access too: a Liaison's call.
        let mode = |s: &OrgSettings, p: Permission| {
            s.permissions
                .iter()
                .find(|x| x.permission == p)
                .map(|x| (x.mode, x.default_on))
        };
        let sensitive_changed = [Permission::Login, Permission::MfaExemption]
            .into_iter()
            .any(|p| mode(&before, p) != mode(&settings, p));
        if sensitive_changed
            && authorize(Some(actor), Action::GrantAdminTier(organisation_id)).is_err()
        {
            return Err(SettingsError::OnlyLiaisonSetsSignInModes.into());
        }
        let text = serde_json::to_string(&settings).map_err(anyhow::Error::from)?;
        crate::organisations::store::set_organisation_settings(&mut tx, organisation_id, &text)
            .await?;
        if settings.enforce_mfa && !before.enforce_mfa {
            self.enforcement_switched_on(&mut tx, organisation_id, &actor.account_id)
                .await?;
        }
        let details = json!({ "before": before, "after": settings });
        tx.audit(
            Some(organisation_id),
            AuditAction::SettingsChanged,
            organisation_id,
            details,
        )
        .await?;
        tx.deliver_mail_after_commit();
        tx.commit().await?;
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_enforced() {
        let ok = OrgSettings::initial(72, 10);
        assert!(validate(&ok).is_ok());
        let bad = |f: fn(&mut OrgSettings)| {
            let mut s = ok.clone();
            f(&mut s);
            validate(&s)
        };
        assert_eq!(
            bad(|s| s.invitation_expiry_hours = 0),
            Err(SettingsError::InvalidInvitationExpiry)
        );
        assert_eq!(
            bad(|s| s.invitation_expiry_hours = 721),
            Err(SettingsError::InvalidInvitationExpiry)
        );
        assert_eq!(
            bad(|s| s.lockout_threshold = 0),
            Err(SettingsError::InvalidLockoutThreshold)
        );
        assert_eq!(
            bad(|s| s.inactivity_lock_days = 3651),
            Err(SettingsError::InvalidInactivity)
        );
    }

    #[test]
    fn flags_round_trip_sorted_and_unique() {
        let f = [Permission::Approve, Permission::Login, Permission::Approve];
        assert_eq!(flags_to(&f), "login,approve");
        assert_eq!(
            flags_from("login, approve,bogus"),
            vec![Permission::Login, Permission::Approve]
        );
    }
}
