//! What one principal may do to one resource, decided from the resource's
//! own rows read inside the caller's transaction (so the answer holds for
//! the change that follows). `authz::authorize` answers "may this role do
//! this kind of thing"; `require` answers "to this very thing". Boxes,
//! folders, files and their permits plug in here as resources.

pub mod store;

use coffer_shared::errors::AuthError;
use coffer_shared::sharing::Permission;
use coffer_shared::types::AdminTier;

use super::principal::Principal;
use crate::store::Conn;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource<'a> {
    Organisation(&'a str),
    /// One account's membership of an organisation.
    Member {
        organisation: &'a str,
        account: &'a str,
    },
    Group {
        organisation: &'a str,
        group: &'a str,
    },
    Import {
        organisation: &'a str,
        import: &'a str,
    },
    /// A box, folder or file: for those who hold a permit on it or on a
    /// folder above it (the closest one in its window decides). An
    /// organisation's administrators and the instance administrator see
    /// no content by their role alone.
    Node {
        organisation: &'a str,
        node: &'a str,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// Look at it.
    See,
    /// Change it.
    Change,
    /// Act on an account as a whole (reset, unlock, re-seed): that belongs
    /// to the account's home organisation.
    Secure,
    /// A file's content, to keep (a node's Download permission).
    Download,
    /// Add files and folders into it (Upload).
    Upload,
    /// Share it further, change or remove others' access (Manage).
    Share,
}

impl Need {
    /// The least permission a node needs for this (Change is Modify).
    pub fn permission(self) -> Permission {
        match self {
            Need::See => Permission::View,
            Need::Download => Permission::Download,
            Need::Upload => Permission::Upload,
            Need::Change => Permission::Modify,
            Need::Secure | Need::Share => Permission::Manage,
        }
    }
}

/// Why not. Each domain says it in its own words.
#[derive(Debug)]
pub enum Denied {
    /// The principal's role does not reach the resource's organisation.
    Role(AuthError),
    /// Not there: no such resource in this organisation (said only to those
    /// whose role reaches the organisation, so it reveals nothing).
    Unknown,
    /// The member holds an admin tier: only a Liaison acts on them.
    NeedsLiaison,
    /// Account-wide security belongs to the account's home organisation.
    AnotherHome,
    /// The principal holds a permit on the node, but a lesser one.
    Permission(Permission),
    /// The rows could not be read: a failure, not a refusal.
    Database(sqlx::Error),
}

impl From<sqlx::Error> for Denied {
    fn from(e: sqlx::Error) -> Denied {
        Denied::Database(e)
    }
}

/// What the principal may do in an organisation, by its role alone.
fn tier(principal: Principal<'_>, organisation: &str) -> Result<AdminTier, AuthError> {
    if principal.is_instance_admin() {
        return Ok(AdminTier::Liaison);
    }
    let actor = principal.account().ok_or(AuthError::Forbidden)?;
    if actor.setup_only {
        return Err(AuthError::SecondFactorSetupRequired);
    }
    actor
        .memberships
        .iter()
        .find(|m| m.organisation_id == organisation)
        .map(|m| m.admin_tier)
        .ok_or(AuthError::Forbidden)
}

/// `Ok` when `principal` may do `need` to `resource`.
pub async fn require(
    c: &mut Conn,
    principal: Principal<'_>,
    resource: Resource<'_>,
    need: Need,
) -> Result<(), Denied> {
    if let Resource::Node { organisation, node } = resource {
        return node_permission(c, principal, organisation, node, need)
            .await
            .map(|_| ());
    }
    let organisation = match resource {
        Resource::Organisation(o)
        | Resource::Member {
            organisation: o, ..
        }
        | Resource::Group {
            organisation: o, ..
        }
        | Resource::Import {
            organisation: o, ..
        } => o,
        Resource::Node { .. } => unreachable!("decided by its permits above"),
    };
    let mine = tier(principal, organisation).map_err(Denied::Role)?;
    // Members see their organisation; everything else there is for its
    // administrators.
    let enough = match (resource, need) {
        (Resource::Organisation(_), Need::See) => true,
        _ => mine >= AdminTier::Admin,
    };
    if !enough {
        return Err(Denied::Role(AuthError::Forbidden));
    }
    let found = match resource {
        Resource::Organisation(o) => store::organisation_exists(c, o).await?,
        Resource::Group {
            organisation,
            group,
        } => store::group_in(c, organisation, group).await?,
        Resource::Import {
            organisation,
            import,
        } => store::import_in(c, organisation, import).await?,
        Resource::Node { .. } => unreachable!("decided by its permits above"),
        Resource::Member {
            organisation,
            account,
        } => {
            let Some((theirs, home)) = store::membership(c, organisation, account).await? else {
                return Err(Denied::Unknown);
            };
            if theirs > AdminTier::None && mine < AdminTier::Liaison {
                return Err(Denied::NeedsLiaison);
            }
            if need == Need::Secure
                && !principal.is_instance_admin()
                && home.as_deref() != Some(organisation)
            {
                return Err(Denied::AnotherHome);
            }
            true
        }
    };
    if found {
        Ok(())
    } else {
        Err(Denied::Unknown)
    }
}

/// A node is for the members of its organisation who hold a permit on it
/// or above it, in the permit's window; the closest such permit decides,
/// and answers with what it allows when that is at least `need`.
pub async fn node_permission(
    c: &mut Conn,
    principal: Principal<'_>,
    organisation: &str,
    node: &str,
    need: Need,
) -> Result<Permission, Denied> {
    held_permit(c, principal, organisation, node, need)
        .await
        .map(|held| held.permission)
}

/// The same check, answering with the whole permit that decided it (its
/// window, whether it is the box owner's): what a granter may give on.
pub async fn held_permit(
    c: &mut Conn,
    principal: Principal<'_>,
    organisation: &str,
    node: &str,
    need: Need,
) -> Result<store::Held, Denied> {
    let actor = match principal {
        Principal::Member(actor) => actor,
        _ => return Err(Denied::Role(AuthError::Forbidden)),
    };
    if actor.setup_only {
        return Err(Denied::Role(AuthError::SecondFactorSetupRequired));
    }
    if !actor
        .memberships
        .iter()
        .any(|m| m.organisation_id == organisation)
    {
        return Err(Denied::Role(AuthError::Forbidden));
    }
    let now = super::db::now_ms();
    match store::closest_permit(c, organisation, node, &actor.account_id, now).await? {
        None => Err(Denied::Unknown),
        Some(held) if held.permission < need.permission() => {
            Err(Denied::Permission(held.permission))
        }
        Some(held) => Ok(held),
    }
}

#[cfg(test)]
mod tests;
