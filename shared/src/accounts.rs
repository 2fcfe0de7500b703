//! Accounts and sign-in (ACC-*): setup, invitations, sign-in and its second
//! step, sessions, links for password reset and unlock, the profile. Wire
//! types and the domain's refusals, with the words people see.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::types::{AdminTier, Bytes, Role};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipView {
    pub organisation_id: crate::ids::OrganisationId,
    pub organisation_name: String,
    pub role: Role,
    pub admin_tier: AdminTier,
}

/// The signed-in account as the browser sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub id: crate::ids::AccountId,
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
    /// CRY-6: after a reset that kept the keys, the identity a Liaison's
    /// browser handed over, for this browser to take and wrap again.
    #[serde(default)]
    pub handover: Option<crate::recovery::Handover>,
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
pub struct PublicSettings {
    pub password_min_length: usize,
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
    /// CRY-6: the organisation holds a recovery copy of the member's keys,
    /// so the reset keeps them (a Liaison's browser hands them over).
    #[serde(default)]
    pub keeps_keys: bool,
    /// Without recovery: what the member loses with their old keys.
    #[serde(default)]
    pub losses: crate::recovery::ResetLosses,
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum SetupError {
    #[error("Coffer is already set up. Sign in instead.")]
    AlreadyDone,
    #[error(
        "Coffer is not set up yet: open it in a browser to create the instance administrator."
    )]
    NotYet,
    #[error("The setup code is not right. Coffer prints it in the server's console and log when it starts.")]
    WrongCode,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum InvitationError {
    #[error("This invitation link is not valid. Check that you copied the whole link.")]
    Unknown,
    #[error("This invitation has expired. Ask your administrator to send a new one.")]
    Expired,
    #[error("This invitation has already been used. Sign in with the password you chose.")]
    AlreadyUsed,
    /// Only a new account accepts an invitation; a set-up one signs in.
    #[error("This account is already set up. Sign in with your password.")]
    AccountAlreadySetUp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum SignInError {
    /// The same words for an unknown account and a wrong password, so the
    /// sign-in page never tells whether an address has an account.
    #[error("The email, user name or password is incorrect.")]
    Failed,
    #[error("The sign-in took too long. Please try again.")]
    AttemptExpired,
    #[error("The current password is incorrect.")]
    WrongCurrentPassword,
    /// For someone already signed in who guessed too often.
    #[error(
        "Too many wrong attempts: your account is locked. Use the unlock link Coffer emailed you."
    )]
    AccountLocked,
    /// Said only after the password was proven, so it reveals nothing to
    /// someone guessing.
    #[error("Your organisation's licence expired on {0}. Ask your administrator to renew it.")]
    LicenceExpired(String),
    /// Also said only after the password was proven.
    #[error("Your organisation does not allow you to sign in. Ask your administrator.")]
    LoginNotPermitted,
}

/// Emailed single-use links other than invitations: password reset and
/// unlock (ACC-6, ACC-7).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum LinkError {
    #[error("This link is not valid. Check that you copied the whole link.")]
    Unknown,
    #[error("This link has expired. Ask your administrator for a new one.")]
    Expired,
    #[error("This link has already been used.")]
    AlreadyUsed,
    #[error("The answer to the security question is not right. Answers are not case sensitive.")]
    WrongAnswer,
    #[error(
        "Too many wrong answers: this link no longer works. Ask your administrator for a new one."
    )]
    TooManyAnswers,
}
