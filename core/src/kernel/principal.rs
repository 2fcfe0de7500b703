//! Who is asking. Every request is made by one principal; what it may do is
//! decided by `authz::authorize` (its role) and `access::require` (one
//! resource's rows).

use super::authz::Actor;

/// Someone outside the organisation holding a client box's credential
/// (CLI-*): they act on their own client box and nothing else.
#[derive(Clone, Debug)]
pub struct ClientCredential {
    pub client_id: String,
    pub organisation_id: String,
}

/// Someone holding a package's link (PKG-*): they may open that package
/// and nothing else.
#[derive(Clone, Debug)]
pub struct PackageLinkHolder {
    pub package_id: String,
}

#[derive(Clone, Copy, Debug)]
pub enum Principal<'a> {
    /// A member signed in to a session.
    Member(&'a Actor),
    /// The instance administrator signed in to a session.
    InstanceAdmin(&'a Actor),
    /// The admin command line on the server itself: acts as the instance
    /// administrator, with no session.
    CommandLine(&'a Actor),
    Client(&'a ClientCredential),
    PackageLink(&'a PackageLinkHolder),
}

impl<'a> From<&'a Actor> for Principal<'a> {
    fn from(actor: &'a Actor) -> Principal<'a> {
        if actor.session_id.is_none() {
            Principal::CommandLine(actor)
        } else if actor.is_instance_admin {
            Principal::InstanceAdmin(actor)
        } else {
            Principal::Member(actor)
        }
    }
}

impl<'a> Principal<'a> {
    /// The account acting, for the principals that are accounts.
    pub fn account(self) -> Option<&'a Actor> {
        match self {
            Principal::Member(a) | Principal::InstanceAdmin(a) | Principal::CommandLine(a) => {
                Some(a)
            }
            Principal::Client(_) | Principal::PackageLink(_) => None,
        }
    }

    /// Holds the instance administrator's powers (in a session or on the
    /// command line).
    pub fn is_instance_admin(self) -> bool {
        matches!(
            self,
            Principal::InstanceAdmin(_) | Principal::CommandLine(_)
        )
    }
}
