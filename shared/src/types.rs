//! Request and response types carried by the server functions.

use base64::{engine::general_purpose::STANDARD_NO_PAD, Engine as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Opaque binary protocol messages travel as base64 text in JSON.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Bytes(pub Vec<u8>);

impl std::fmt::Debug for Bytes {
    // Protocol messages are not secrets, but they are noise in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bytes({} bytes)", self.0.len())
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Self {
        Bytes(v)
    }
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD_NO_PAD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD_NO_PAD
            .decode(text.trim_end_matches('='))
            .map(Bytes)
            .map_err(serde::de::Error::custom)
    }
}

/// Member role; only ever upgraded (SPEC "Actors").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Role {
    AdHoc,
    Collaborator,
    Originator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::AdHoc => "Ad hoc",
            Role::Collaborator => "Collaborator",
            Role::Originator => "Originator",
        }
    }
}

/// Administrative tier inside an organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AdminTier {
    None,
    Admin,
    Liaison,
}

impl AdminTier {
    pub fn as_str(self) -> &'static str {
        match self {
            AdminTier::None => "None",
            AdminTier::Admin => "Admin",
            AdminTier::Liaison => "Liaison",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipView {
    pub organisation_id: String,
    pub organisation_name: String,
    pub role: Role,
    pub admin_tier: AdminTier,
}

/// The signed-in account as the browser sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub id: String,
    pub email: String,
    pub is_instance_admin: bool,
    pub memberships: Vec<MembershipView>,
    /// age recipient (`age1…`) of the member's X25519 key pair.
    pub public_key: String,
    /// MFA-2/MFA-3: this session may only set up a second factor.
    #[serde(default)]
    pub setup_second_factor: bool,
    /// ACC-9: the member's default language, applied at sign-in.
    #[serde(default)]
    pub language: crate::i18n::Language,
}

/// The member's key material as stored on the server: the public key, and
/// the private key wrapped under a key only the browser can derive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyEnvelope {
    pub public_key: String,
    pub wrapped_private_key: Bytes,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupStatus {
    pub needs_setup: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    pub email: String,
    pub organisation_name: Option<String>,
    pub expires_at_ms: i64,
    pub password_min_length: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginChallenge {
    pub login_id: String,
    pub credential_response: Bytes,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    pub account: AccountView,
    /// The wrapped private key; absent while the session may only set up
    /// a second factor (MFA-2/MFA-3), so a password alone never yields it.
    pub keys: Option<KeyEnvelope>,
}

/// What the password step of a sign-in leads to: a session, or a request
/// for the second factor (the keys come only with the session).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum SignInStep {
    SignedIn(SignedIn),
    SecondFactor(SecondFactorPrompt),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFactorPrompt {
    /// Names this half-finished sign-in for the second step.
    pub ticket: String,
    /// The member has an authenticator app (and recovery codes).
    pub totp: bool,
    /// The member has a passkey, which may be used instead (MFA-4).
    #[serde(default)]
    pub passkey: bool,
}

/// MFA-4: one of the member's passkeys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyView {
    pub id: String,
    /// The WebAuthn credential id, base64url: the browser names it when
    /// asking this one passkey for its PRF output (MFA-5).
    pub credential_id: String,
    pub name: String,
    pub created_at_ms: i64,
    pub last_used_at_ms: Option<i64>,
    /// MFA-5: signing in with it also unlocks the member's keys.
    pub unlocks_keys: bool,
}

/// The options for `navigator.credentials.create`, and the name of the
/// server's half of the ceremony.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PasskeyCreation {
    pub ceremony_id: String,
    pub options: webauthn_rs_proto::CreationChallengeResponse,
}

/// The options for `navigator.credentials.get`, and the name of the
/// server's half of the ceremony.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PasskeyRequest {
    pub ceremony_id: String,
    pub options: webauthn_rs_proto::RequestChallengeResponse,
}

/// A sign-in with a passkey alone: the session, and when the passkey can
/// unlock them (MFA-5) the member's private key wrapped under a key only
/// its PRF output gives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeySignIn {
    pub signed_in: SignedIn,
    pub passkey_id: String,
    pub prf_wrapped_key: Option<Bytes>,
}

/// MFA-1: the member's own two-step sign-in settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoStepStatus {
    pub totp: bool,
    pub recovery_codes_left: u32,
    /// How many passkeys the member has (MFA-4).
    #[serde(default)]
    pub passkeys: u32,
}

/// MFA-1: a new authenticator secret, shown until confirmed with a code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpSetup {
    /// Base32, for typing into an app by hand.
    pub secret: String,
    /// The `otpauth://` URI the QR code holds.
    pub uri: String,
    /// The QR code as an SVG document, drawn by the server.
    pub qr_svg: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordChangeChallenge {
    pub change_id: String,
    pub credential_response: Bytes,
    pub registration_response: Bytes,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub created_at_ms: i64,
    pub last_seen_at_ms: i64,
    pub user_agent: String,
    pub ip: String,
    pub current: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOrganisation {
    pub name: String,
    pub licence_seats: i64,
    /// ISO date `YYYY-MM-DD`, the last day the licence is valid.
    pub expiry_date: String,
    pub administrator_email: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationView {
    pub id: String,
    pub name: String,
    pub licence_seats: i64,
    pub seats_used: i64,
    pub expiry_date: String,
    pub created_at_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxSummary {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub sent_at_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMail {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub sent_at_ms: i64,
    pub body: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicSettings {
    pub password_min_length: usize,
}

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
}

impl MemberColumn {
    pub const ALL: [MemberColumn; 10] = [
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountType {
    Local,
    External,
    Ldap,
}

impl AccountType {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountType::Local => "Local",
            AccountType::External => "External",
            AccountType::Ldap => "LDAP",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    pub account_id: String,
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
}

impl MemberRow {
    /// What a column shows for this member, on the page and in exports.
    pub fn cell(&self, col: MemberColumn) -> &str {
        match col {
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
        }
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
    pub group_id: Option<String>,
}

/// ORG-4: what an administrator changes about a member; `None` leaves a
/// field as it is. `group_id: Some("")` takes the member out of their group.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberChange {
    pub role: Option<Role>,
    pub admin_tier: Option<AdminTier>,
    pub group_id: Option<String>,
    /// ORG-9: Liaisons mark administrators as points of contact.
    #[serde(default)]
    pub point_of_contact: Option<bool>,
    /// ORG-8: a plan id, or `Some("")` for no plan.
    #[serde(default)]
    pub plan_id: Option<String>,
    /// PKG-8: the member's own permission flags (all of them).
    #[serde(default)]
    pub permissions: Option<Vec<crate::settings::Permission>>,
}

/// ORG-5: what happens to a removed member's items: moved to another
/// Originator of the organisation, or (`None`) deleted for good.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRemoval {
    pub transfer_to: Option<String>,
}

/// The Edit panel's view of one member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberDetail {
    pub row: MemberRow,
    pub permissions: Vec<crate::settings::MemberPermission>,
    /// Originators who could receive this member's items on removal.
    pub transfer_candidates: Vec<PersonRef>,
    pub plan_id: String,
    /// MFA-1: the member has an authenticator app set up.
    #[serde(default)]
    pub two_step: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRef {
    pub account_id: String,
    pub email: String,
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

/// What an emailed single-use link is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkPurpose {
    Invite,
    Reset,
    Unlock,
    /// MFA-2/MFA-3: set up a second factor.
    TwoStepSetup,
}

impl LinkPurpose {
    pub fn code(self) -> &'static str {
        match self {
            LinkPurpose::Invite => "invite",
            LinkPurpose::Reset => "reset",
            LinkPurpose::Unlock => "unlock",
            LinkPurpose::TwoStepSetup => "two_step_setup",
        }
    }
}

/// ACC-7: what the password-reset page shows before the new password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetView {
    pub email: String,
    pub expires_at_ms: i64,
    pub password_min_length: usize,
    /// ACC-5: asked before the reset when the person set one.
    pub security_question: String,
}

/// ORG-8: a named storage quota.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanView {
    pub id: String,
    pub name: String,
    pub quota_bytes: i64,
    pub is_default: bool,
    pub members: i64,
}

/// ORG-10: the organisation logo as stored (always PNG after scaling).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogoInfo {
    pub width: u32,
    pub height: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupView {
    pub id: crate::ids::GroupId,
    pub name: String,
    pub members: i64,
}

/// Filters of an organisation's audit log (AUD-1). Text filters match
/// anywhere (or with `*`/`?` wildcards); dates are inclusive `YYYY-MM-DD`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    pub actor: String,
    pub target: String,
    /// An action code such as `member.added`, or a prefix like `session.`.
    pub action: String,
    pub from: String,
    pub to: String,
    pub page: u32,
    pub page_size: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLogPage {
    pub total: u64,
    pub entries: Vec<AuditEntry>,
}

/// Result of checking an audit chain end to end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainReport {
    pub records: u64,
    /// The first record that does not fit, and why.
    pub first_broken: Option<(i64, String)>,
}

/// ACC-9: the person's own profile.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub first_name: String,
    pub last_name: String,
    pub other_name: String,
    /// E.164 with a leading `+`, or empty.
    pub mobile: String,
    /// The language Coffer speaks to the member (PLT-5).
    #[serde(default)]
    pub language: crate::i18n::Language,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip_as_base64() {
        let b = Bytes(vec![0, 1, 2, 250, 255]);
        let json = serde_json::to_string(&b).unwrap();
        assert_eq!(json, "\"AAEC+v8\"");
        assert_eq!(serde_json::from_str::<Bytes>(&json).unwrap(), b);
        // Padded input from other encoders is accepted too.
        assert_eq!(serde_json::from_str::<Bytes>("\"AAEC+v8=\"").unwrap(), b);
        assert!(serde_json::from_str::<Bytes>("\"***\"").is_err());
    }
}
