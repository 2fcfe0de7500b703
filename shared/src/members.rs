//! Members (ORG-1, ORG-3, ORG-4, ORG-7), their history (ORG-11) and groups
//! (ORG-6). Wire types and the domain's refusals, with the words people see.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::types::{AccountType, AdminTier, PersonRef, Role};

/// Which column the Users page search looks in (ORG-1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SearchField {
    #[default]
    All,
    Email,
    FirstName,
    LastName,
    Role,
    Admin,
}

impl SearchField {
    pub const ALL: [SearchField; 6] = [
        SearchField::All,
        SearchField::Email,
        SearchField::FirstName,
        SearchField::LastName,
        SearchField::Role,
        SearchField::Admin,
    ];
    pub fn label(self) -> &'static str {
        match self {
            SearchField::All => "All",
            SearchField::Email => "Email",
            SearchField::FirstName => "First name",
            SearchField::LastName => "Last name",
            SearchField::Role => "Role",
            SearchField::Admin => "Admin",
        }
    }
}

/// A sortable column of the Users page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum MemberColumn {
    #[default]
    Email,
    FirstName,
    LastName,
    Role,
    Admin,
    Group,
    AccountType,
    Plan,
    Locked,
    /// MFA-1: an authenticator app is set up.
    Mfa,
    /// ORG-8, BOX-6: what the member's files take.
    Usage,
}

impl MemberColumn {
    pub const ALL: [MemberColumn; 11] = [
        MemberColumn::Email,
        MemberColumn::FirstName,
        MemberColumn::LastName,
        MemberColumn::Role,
        MemberColumn::Admin,
        MemberColumn::Group,
        MemberColumn::AccountType,
        MemberColumn::Plan,
        MemberColumn::Locked,
        MemberColumn::Mfa,
        MemberColumn::Usage,
    ];
    pub fn label(self) -> &'static str {
        match self {
            MemberColumn::Email => "Email",
            MemberColumn::FirstName => "First name",
            MemberColumn::LastName => "Last name",
            MemberColumn::Role => "Role",
            MemberColumn::Admin => "Admin",
            MemberColumn::Group => "Group",
            MemberColumn::AccountType => "Account type",
            MemberColumn::Plan => "Plan",
            MemberColumn::Locked => "Locked",
            MemberColumn::Mfa => "MFA",
            MemberColumn::Usage => "Usage",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberQuery {
    pub field: SearchField,
    /// `*` matches any run of characters, `?` one character; without either
    /// the text matches anywhere (contains). Case does not matter.
    pub text: String,
    pub sort: MemberColumn,
    pub descending: bool,
    /// Zero-based.
    pub page: u32,
    pub page_size: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    pub account_id: crate::ids::AccountId,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    pub admin_tier: AdminTier,
    pub account_type: AccountType,
    /// Empty when the member is in no group.
    pub group: String,
    /// False until the member has accepted their invitation.
    pub active: bool,
    pub point_of_contact: bool,
    /// ACC-6: locked after too many wrong passwords or inactivity.
    pub locked: bool,
    /// ORG-8: the member's storage plan; empty when none.
    pub plan: String,
    /// MFA-1: the member has an authenticator app set up.
    #[serde(default)]
    pub two_step: bool,
    /// ORG-8, BOX-6: bytes the member's files take (ciphertext and headers).
    #[serde(default)]
    pub used_bytes: i64,
}

impl MemberRow {
    /// What a column shows for this member, on the page and in exports.
    pub fn cell(&self, col: MemberColumn) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(match col {
            MemberColumn::Usage => {
                return crate::files::size_label(self.used_bytes.max(0) as u64).into();
            }
            MemberColumn::Email => &self.email,
            MemberColumn::FirstName => &self.first_name,
            MemberColumn::LastName => &self.last_name,
            MemberColumn::Role => self.role.as_str(),
            MemberColumn::Admin => self.admin_tier.as_str(),
            MemberColumn::Group => &self.group,
            MemberColumn::AccountType => self.account_type.as_str(),
            MemberColumn::Plan => &self.plan,
            MemberColumn::Locked => {
                if self.locked {
                    "Yes"
                } else {
                    ""
                }
            }
            MemberColumn::Mfa => {
                if self.two_step {
                    "Yes"
                } else {
                    "No"
                }
            }
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seats {
    pub licence_seats: i64,
    pub used: i64,
    pub expiry_date: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberPage {
    pub organisation_name: String,
    pub total: u64,
    pub rows: Vec<MemberRow>,
    pub seats: Seats,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMember {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    pub admin: bool,
    /// Id of one of the organisation's groups, if any.
    #[serde(default)]
    pub group_id: Option<crate::ids::GroupId>,
}

/// ORG-4: what an administrator changes about a member; `None` leaves a
/// field as it is. `group_id: Some(Assignment::Nothing)` takes the member
/// out of their group.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberChange {
    pub role: Option<Role>,
    pub admin_tier: Option<AdminTier>,
    pub group_id: Option<crate::ids::Assignment<crate::ids::GroupId>>,
    /// ORG-9: Liaisons mark administrators as points of contact.
    #[serde(default)]
    pub point_of_contact: Option<bool>,
    /// ORG-8: a plan, or `Some(Assignment::Nothing)` for no plan.
    #[serde(default)]
    pub plan_id: Option<crate::ids::Assignment<crate::ids::PlanId>>,
    /// PKG-8: the member's own permission flags (all of them).
    #[serde(default)]
    pub permissions: Option<Vec<crate::settings::Permission>>,
}

/// ORG-5: what happens to a removed member's items: moved to another
/// Originator of the organisation, or (`None`) deleted for good.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRemoval {
    pub transfer_to: Option<crate::ids::AccountId>,
}

/// The Edit panel's view of one member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberDetail {
    pub row: MemberRow,
    pub permissions: Vec<crate::settings::MemberPermission>,
    /// Originators who could receive this member's items on removal.
    pub transfer_candidates: Vec<PersonRef>,
    /// None when the member has no plan.
    pub plan_id: Option<crate::ids::PlanId>,
    /// MFA-1: the member has an authenticator app set up.
    #[serde(default)]
    pub two_step: bool,
    /// CRY-6: the organisation's recovery holds this member's keys, so a
    /// Liaison's browser can move all their boxes on removal (ORG-5).
    #[serde(default)]
    pub recovery_holds_keys: bool,
}

/// ORG-11: one line of a member's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at_ms: i64,
    /// The actor's email, or "An administrator" for someone outside the
    /// organisation.
    pub actor: String,
    pub action: String,
    pub details: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupView {
    pub id: crate::ids::GroupId,
    pub name: String,
    pub members: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum MemberError {
    #[error("No licences available: every licence seat of this organisation is in use.")]
    NoLicencesAvailable,
    #[error("This person is already a member of the organisation.")]
    AlreadyMember,
    #[error("Members are added as Originator or Collaborator.")]
    RoleNotAssignable,
    #[error("Only a Liaison can make someone an administrator.")]
    OnlyLiaisonGrantsAdmin,
    #[error("First and last names must be at most 100 characters.")]
    InvalidName,
    #[error("That organisation does not exist.")]
    UnknownOrganisation,
    #[error("Roles can only be upgraded: Ad hoc, then Collaborator, then Originator.")]
    RoleDowngrade,
    #[error("Nobody can change their own administrator tier.")]
    OwnTier,
    #[error("That person is not a member of this organisation.")]
    NotAMember,
    #[error("Only a Liaison can choose points of contact.")]
    OnlyLiaisonSetsContact,
    #[error("Points of contact must be administrators (Admin or Liaison).")]
    ContactMustBeAdmin,
    #[error("You cannot remove yourself. Ask another administrator.")]
    RemoveSelf,
    #[error("Only a Liaison can remove, reset or unlock an administrator.")]
    OnlyLiaisonManagesAdmins,
    #[error("Items can only be transferred to another Originator of this organisation.")]
    TransferTargetNotOriginator,
    #[error("Use Change password on My account to change your own password.")]
    ResetOwnPassword,
    #[error("This account is not locked.")]
    NotLocked,
    #[error(
        "This person has not accepted their invitation yet, so there is no password to reset."
    )]
    NotActivated,
    /// Account-wide security belongs to the account's home organisation.
    #[error("This account belongs to another organisation, which looks after its password, lock and two-step sign-in. Here you can change only this person's membership.")]
    AccountOfAnotherOrganisation,
    #[error("Only a Liaison can change an administrator's role, group, plan or permissions.")]
    OnlyLiaisonEditsAdmins,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum GroupError {
    #[error("Group names must be 1 to 60 characters.")]
    InvalidName,
    #[error("\"{0}\" is reserved; choose another group name.")]
    Reserved(String),
    #[error("A group with this name already exists.")]
    NameTaken,
    #[error("A group with members cannot be removed. Move its members first.")]
    HasMembers,
    #[error("That group does not exist in this organisation.")]
    Unknown,
}
