//! Who may do what. Every domain entry point calls `authorize` first; the
//! table-driven test below lists every actor kind against every action.

use coffer_shared::errors::AuthError;
use coffer_shared::types::{AdminTier, Role};

use crate::store::MembershipRow;

/// The signed-in person making a request.
#[derive(Clone, Debug)]
pub struct Actor {
    pub account_id: String,
    pub email: String,
    pub is_instance_admin: bool,
    pub memberships: Vec<MembershipRow>,
    /// The session the request came with; none for the admin command line.
    pub session_id: Option<String>,
    /// MFA-2/MFA-3: the session may only set up a second factor.
    pub setup_only: bool,
    /// When a password or second factor was last proved in this session
    /// (Unix ms): factor changes need a recent one.
    pub proved_at: i64,
}

/// Adding or removing a passkey or binding an authenticator app needs a
/// proof of a password or second factor from the last `window_ms`, as in a
/// re-authentication window: a session left open is not enough.
pub fn require_fresh_proof(actor: &Actor, now: i64, window_ms: i64) -> Result<(), AuthError> {
    if now - actor.proved_at <= window_ms {
        Ok(())
    } else {
        Err(AuthError::ReauthenticationRequired)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action<'a> {
    /// See one's own account and set up a second factor: all a session
    /// waiting for its second factor's set-up may do.
    SetUpSecondFactor,
    /// See and change one's own account, sessions and password.
    ManageOwnAccount,
    CreateOrganisation,
    ListOrganisations,
    ReadOutbox,
    /// List and add the members of an organisation (ORG-1, ORG-3).
    ManageMembers(&'a str),
    /// Give someone the Admin or Liaison tier in an organisation (ORG-4).
    GrantAdminTier(&'a str),
    /// Read, export and verify an organisation's audit log (AUD-1).
    ReadAuditLog(&'a str),
    /// Configuration, plans and logo of an organisation (ORG-8/10/12).
    Configure(&'a str),
    /// Remove, reset or unlock someone who holds an admin tier.
    ManageAdministrator(&'a str),
    /// See an organisation's logo: its members and the instance admin.
    ViewOrganisation(&'a str),
    /// Create boxes in an organisation (BOX-1): its Originators. The
    /// instance administrator keeps no content and sees none.
    CreateBox(&'a str),
    /// Work in the boxes one holds a permit for: any member; which boxes,
    /// `access::require` decides.
    UseBoxes(&'a str),
    /// CRY-6: turn organisation key recovery on or off, hold the recovery
    /// key and restore members' keys with it: its Liaisons only (the
    /// instance administrator holds no keys of an organisation).
    HoldRecovery(&'a str),
}

pub fn authorize<'a>(actor: Option<&'a Actor>, action: Action<'_>) -> Result<&'a Actor, AuthError> {
    let actor = actor.ok_or(AuthError::NotSignedIn)?;
    if actor.setup_only && action != Action::SetUpSecondFactor {
        return Err(AuthError::SecondFactorSetupRequired);
    }
    let allowed = match action {
        Action::SetUpSecondFactor | Action::ManageOwnAccount => true,
        Action::CreateOrganisation | Action::ListOrganisations | Action::ReadOutbox => {
            actor.is_instance_admin
        }
        Action::ManageMembers(org) | Action::ReadAuditLog(org) | Action::Configure(org) => {
            actor.is_instance_admin || tier_in(actor, org) >= AdminTier::Admin
        }
        Action::ViewOrganisation(org) => {
            actor.is_instance_admin || actor.memberships.iter().any(|m| m.organisation_id == org)
        }
        Action::GrantAdminTier(org) | Action::ManageAdministrator(org) => {
            actor.is_instance_admin || tier_in(actor, org) == AdminTier::Liaison
        }
        Action::CreateBox(org) => actor
            .memberships
            .iter()
            .any(|m| m.organisation_id == org && m.role == Role::Originator),
        Action::UseBoxes(org) => actor.memberships.iter().any(|m| m.organisation_id == org),
        Action::HoldRecovery(org) => tier_in(actor, org) == AdminTier::Liaison,
    };
    if allowed {
        Ok(actor)
    } else {
        Err(AuthError::Forbidden)
    }
}

/// Account-wide security (password reset, unlock, re-seed, the lockout
/// threshold and inactivity locking, the account's own history) belongs to
/// the account's home organisation, the one that first enrolled it, and to
/// the instance administrator. Any other organisation the account joined
/// manages only its membership there.
pub fn secures_account(actor: &Actor, organisation_id: &str, home: Option<&str>) -> bool {
    actor.is_instance_admin || home == Some(organisation_id)
}

/// ORG-7: a member whose every organisation's licence has expired may not
/// use Coffer; returns the latest expiry date in that case. Accounts
/// without memberships (the instance administrator) are never blocked.
pub fn licence_expired(memberships: &[MembershipRow], today: &str) -> Option<String> {
    if memberships.is_empty() || memberships.iter().any(|m| m.expiry_date.as_str() >= today) {
        return None;
    }
    memberships.iter().map(|m| m.expiry_date.clone()).max()
}

/// The actor's tier in an organisation (`None` when not a member).
pub fn tier_in(actor: &Actor, organisation_id: &str) -> AdminTier {
    actor
        .memberships
        .iter()
        .find(|m| m.organisation_id == organisation_id)
        .map(|m| m.admin_tier)
        .unwrap_or(AdminTier::None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(instance_admin: bool, tier: Option<AdminTier>) -> Actor {
        Actor {
            account_id: "a".into(),
            email: "a@example.com".into(),
            is_instance_admin: instance_admin,
            memberships: tier
                .map(|t| MembershipRow {
                    organisation_id: "org".into(),
                    organisation_name: "Org".into(),
                    role: Role::Originator,
                    admin_tier: t,
                    expiry_date: "2099-12-31".into(),
                })
                .into_iter()
                .collect(),
            session_id: Some("s".into()),
            setup_only: false,
            proved_at: 1_000,
        }
    }

    #[test]
    fn factor_changes_need_a_recent_proof() {
        let a = actor(false, None);
        assert_eq!(require_fresh_proof(&a, 1_000, 0), Ok(()));
        assert_eq!(require_fresh_proof(&a, 301_000, 300_000), Ok(()));
        assert_eq!(
            require_fresh_proof(&a, 301_001, 300_000),
            Err(AuthError::ReauthenticationRequired)
        );
    }

    #[test]
    fn expiry_blocks_only_when_every_licence_ended() {
        let m = |d: &str| MembershipRow {
            organisation_id: d.into(),
            organisation_name: d.into(),
            role: Role::Originator,
            admin_tier: AdminTier::None,
            expiry_date: d.into(),
        };
        assert_eq!(licence_expired(&[], "2026-11-22"), None);
        assert_eq!(
            licence_expired(&[m("2026-11-22")], "2026-11-22"),
            None,
            "valid through its last day"
        );
        assert_eq!(
            licence_expired(&[m("2026-11-21")], "2026-11-22"),
            Some("2026-11-21".into())
        );
        assert_eq!(
            licence_expired(&[m("2026-11-20"), m("2027-01-01")], "2026-11-22"),
            None
        );
        assert_eq!(
            licence_expired(&[m("2026-11-20"), m("2026-11-21")], "2026-11-22"),
            Some("2026-11-21".into())
        );
    }

    #[test]
    fn every_actor_against_every_action() {
        use AuthError::{Forbidden as F, NotSignedIn};
        let member = actor(false, Some(AdminTier::None));
        let org_admin = actor(false, Some(AdminTier::Admin));
        let liaison = actor(false, Some(AdminTier::Liaison));
        let mut collaborator = actor(false, Some(AdminTier::None));
        collaborator.memberships[0].role = Role::Collaborator;
        let mut other_admin = actor(false, Some(AdminTier::Liaison));
        other_admin.memberships[0].organisation_id = "other".into();
        let instance = actor(true, None);
        let actions = [
            Action::ManageOwnAccount,
            Action::CreateOrganisation,
            Action::ListOrganisations,
            Action::ReadOutbox,
            Action::ManageMembers("org"),
            Action::GrantAdminTier("org"),
            Action::ReadAuditLog("org"),
            Action::Configure("org"),
            Action::ManageAdministrator("org"),
            Action::ViewOrganisation("org"),
            Action::CreateBox("org"),
            Action::UseBoxes("org"),
            Action::HoldRecovery("org"),
        ];
        const Y: Result<(), AuthError> = Ok(());
        type Row<'a> = (&'a str, Option<&'a Actor>, [Result<(), AuthError>; 13]);
        let table: [Row; 7] = [
            ("anonymous", None, [const { Err(NotSignedIn) }; 13]),
            (
                "member",
                Some(&member),
                [
                    Y,
                    Err(F),
                    Err(F),
                    Err(F),
                    Err(F),
                    Err(F),
                    Err(F),
                    Err(F),
                    Err(F),
                    Y,
                    Y,
                    Y,
                    Err(F),
                ],
            ),
            (
                "collaborator",
                Some(&collaborator),
                [
                    Y,
                    Err(F),
                    Err(F),
                    Err(F),
                    Err(F),
                    Err(F),
                    Err(F),
                    Err(F),
                    Err(F),
                    Y,
                    Err(F),
                    Y,
                    Err(F),
                ],
            ),
            (
                "org admin",
                Some(&org_admin),
                [
                    Y,
                    Err(F),
                    Err(F),
                    Err(F),
                    Y,
                    Err(F),
                    Y,
                    Y,
                    Err(F),
                    Y,
                    Y,
                    Y,
                    Err(F),
                ],
            ),
            (
                "liaison",
                Some(&liaison),
                [Y, Err(F), Err(F), Err(F), Y, Y, Y, Y, Y, Y, Y, Y, Y],
            ),
            (
                "admin of another org",
                Some(&other_admin),
                [
                    Y,
                    Err(F),
                    Err(F),
                    Err(F),
                    Err(F),
                    Err(F),
                    Err(F),
                    Err(F),
                    Err(F),
                    Err(F),
                    Err(F),
                    Err(F),
                    Err(F),
                ],
            ),
            (
                "instance admin",
                Some(&instance),
                [Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Err(F), Err(F), Err(F)],
            ),
        ];
        for (name, who, expected) in table {
            for (action, want) in actions.iter().zip(expected) {
                let got = authorize(who, *action).map(|_| ());
                assert_eq!(got, want, "{name} × {action:?}");
            }
        }
        assert_eq!(tier_in(&org_admin, "org"), AdminTier::Admin);
        assert_eq!(tier_in(&member, "org"), AdminTier::None);
        assert_eq!(tier_in(&org_admin, "other"), AdminTier::None);
    }
}
