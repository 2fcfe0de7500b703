//! Who may do what. Every domain entry point calls `authorize` first; the
//! table-driven test below lists every actor kind against every action.

use coffer_shared::errors::AuthError;
use coffer_shared::types::AdminTier;

use crate::store::MembershipRow;

/// The signed-in person making a request.
#[derive(Clone, Debug)]
pub struct Actor {
    pub account_id: String,
    pub email: String,
    pub is_instance_admin: bool,
    pub memberships: Vec<MembershipRow>,
    /// The session the request came with.
    pub session_id: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// See and change one's own account, sessions and password.
    ManageOwnAccount,
    CreateOrganisation,
    ListOrganisations,
    ReadOutbox,
}

impl Action {
    pub const ALL: [Action; 4] = [
        Action::ManageOwnAccount,
        Action::CreateOrganisation,
        Action::ListOrganisations,
        Action::ReadOutbox,
    ];
}

pub fn authorize(actor: Option<&Actor>, action: Action) -> Result<&Actor, AuthError> {
    let actor = actor.ok_or(AuthError::NotSignedIn)?;
    let allowed = match action {
        Action::ManageOwnAccount => true,
        Action::CreateOrganisation | Action::ListOrganisations | Action::ReadOutbox => {
            actor.is_instance_admin
        }
    };
    if allowed {
        Ok(actor)
    } else {
        Err(AuthError::Forbidden)
    }
}

/// True if the actor administers the organisation (Admin or Liaison tier).
pub fn administers(actor: &Actor, organisation_id: &str) -> bool {
    actor
        .memberships
        .iter()
        .any(|m| m.organisation_id == organisation_id && m.admin_tier >= AdminTier::Admin)
}

#[cfg(test)]
mod tests {
    use super::*;
    use coffer_shared::types::Role;

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
                })
                .into_iter()
                .collect(),
            session_id: "s".into(),
        }
    }

    #[test]
    fn every_actor_against_every_action() {
        let member = actor(false, Some(AdminTier::None));
        let org_admin = actor(false, Some(AdminTier::Admin));
        let liaison = actor(false, Some(AdminTier::Liaison));
        let instance = actor(true, None);
        // (actor, [ManageOwnAccount, CreateOrganisation, ListOrganisations, ReadOutbox])
        type Row<'a> = (&'a str, Option<&'a Actor>, [Result<(), AuthError>; 4]);
        let table: [Row; 5] = [
            (
                "anonymous",
                None,
                [const { Err(AuthError::NotSignedIn) }; 4],
            ),
            (
                "member",
                Some(&member),
                [
                    Ok(()),
                    Err(AuthError::Forbidden),
                    Err(AuthError::Forbidden),
                    Err(AuthError::Forbidden),
                ],
            ),
            (
                "org admin",
                Some(&org_admin),
                [
                    Ok(()),
                    Err(AuthError::Forbidden),
                    Err(AuthError::Forbidden),
                    Err(AuthError::Forbidden),
                ],
            ),
            (
                "liaison",
                Some(&liaison),
                [
                    Ok(()),
                    Err(AuthError::Forbidden),
                    Err(AuthError::Forbidden),
                    Err(AuthError::Forbidden),
                ],
            ),
            (
                "instance admin",
                Some(&instance),
                [Ok(()), Ok(()), Ok(()), Ok(())],
            ),
        ];
        for (name, who, expected) in table {
            for (action, want) in Action::ALL.iter().zip(expected) {
                let got = authorize(who, *action).map(|_| ());
                assert_eq!(got, want, "{name} × {action:?}");
            }
        }
        assert!(administers(&org_admin, "org"));
        assert!(!administers(&member, "org"));
        assert!(!administers(&org_admin, "other"));
    }
}
