//! Every refusal a person can meet, one enum per domain, each with the
//! message shown to them. This is the one place where those words live.

use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum AuthError {
    #[error("Please sign in to continue.")]
    NotSignedIn,
    #[error("You are not allowed to do that.")]
    Forbidden,
    #[error("Set up two-step sign-in first: your organisation requires it. Follow the link in the email Coffer sent you.")]
    SecondFactorSetupRequired,
    #[error("This request did not come from Coffer's own pages and was refused.")]
    CrossOrigin,
    /// Factor changes need a proof from the last few minutes.
    #[error("For this change, confirm it is you: enter your password again.")]
    ReauthenticationRequired,
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum InputError {
    #[error("Enter a valid email address, like name@example.com.")]
    InvalidEmail,
    /// A request body past its route's limit (HTTP 413).
    #[error("This is more than Coffer accepts in one request.")]
    RequestTooLarge,
    /// A body that ended or stalled before the length it declared (HTTP
    /// 400, or 408 when it stalled).
    #[error("The upload stopped before all of it arrived. Try again.")]
    RequestIncomplete,
    #[error("Enter an email address or user name.")]
    MissingIdentifier,
    #[error("The organisation name must be 1 to 100 characters.")]
    InvalidOrganisationName,
    #[error("An organisation with this name already exists.")]
    OrganisationNameTaken,
    #[error("Licence seats must be a whole number from 1 to 1,000,000.")]
    InvalidLicenceSeats,
    #[error("Enter the expiry date as a calendar date (YYYY-MM-DD).")]
    InvalidExpiryDate,
    #[error("The expiry date must be today or later.")]
    ExpiryInPast,
    #[error("The encryption keys sent by the browser are not valid.")]
    InvalidKeyMaterial,
    #[error("The sign-in data sent by the browser is not valid.")]
    InvalidProtocolMessage,
    #[error("That mail is not in the outbox.")]
    UnknownMail,
    #[error("Enter dates as calendar dates (YYYY-MM-DD).")]
    InvalidDate,
    #[error("Enter the mobile number in international form: + and country code, then 6 to 14 digits, like +447700900123.")]
    InvalidMobile,
    #[error("Names must be at most 100 characters.")]
    NameTooLong,
    #[error("The message must be at most 2,000 characters.")]
    MessageTooLong,
    #[error("Search for at most 100 characters.")]
    SearchTooLong,
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

/// ORG-12 configuration, ACC-5 security question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum SettingsError {
    #[error("Invitation expiry must be from 1 to 720 hours (30 days).")]
    InvalidInvitationExpiry,
    #[error("The lockout threshold must be from 1 to 100 wrong passwords.")]
    InvalidLockoutThreshold,
    #[error("The inactivity limit must be from 0 (never) to 3,650 days.")]
    InvalidInactivity,
    #[error("The security question must be 5 to 200 characters.")]
    InvalidQuestion,
    #[error("The answer must be at least 3 characters.")]
    AnswerTooShort,
    #[error("Only a Liaison can exempt someone from two-step sign-in or change who may sign in.")]
    OnlyLiaisonSetsSignInModes,
}

/// ORG-8 plans.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum PlanError {
    #[error("Plan names must be 1 to 60 characters.")]
    InvalidName,
    #[error("A plan with this name already exists.")]
    NameTaken,
    #[error("The quota must be a whole number of gigabytes from 1 to 1,000,000.")]
    InvalidQuota,
    #[error("That plan does not exist in this organisation.")]
    Unknown,
    #[error("A plan in use cannot be removed. Move its members to another plan first.")]
    InUse,
    #[error("The default plan cannot be removed. Make another plan the default first.")]
    IsDefault,
    #[error(
        "Over quota: this upload needs {needed} bytes but only {available} remain on the plan."
    )]
    OverQuota { needed: i64, available: i64 },
}

/// ORG-10 logo uploads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum LogoError {
    #[error(
        "The logo must be a PNG, JPEG or GIF image. This file is not one, whatever its name says."
    )]
    NotAnImage,
    #[error("The logo file must be at most 2 MB.")]
    TooLarge,
    #[error("The image has too many pixels to process (at most about 4 megapixels, such as 2,048 × 2,048).")]
    TooManyPixels,
    #[error("The image could not be read; it may be damaged.")]
    Damaged,
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

/// Second factors (MFA-1 … MFA-5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum MfaError {
    #[error("Enter the 6-digit code your authenticator app shows, or one of your recovery codes.")]
    MissingCode,
    #[error("That code is not right. Enter the code your authenticator app shows now, or a recovery code.")]
    WrongCode,
    #[error("That code was already used. Wait for your authenticator app to show the next one.")]
    CodeAlreadyUsed,
    #[error("Too many wrong codes. Sign in again to get new tries.")]
    TooManyAttempts,
    #[error("Two-step sign-in with an authenticator app is already on. Turn it off first to move it to another app.")]
    AlreadyOn,
    #[error("Start the set-up again: scan the new QR code, then enter the code it shows.")]
    NoSetupStarted,
    #[error("Two-step sign-in with an authenticator app is not on.")]
    NotOn,
    #[error("This member has not set up two-step sign-in, so there is nothing to re-seed.")]
    NothingToReseed,
    #[error(
        "Too many wrong codes: your account is locked. Use the unlock link Coffer emailed you."
    )]
    AccountLocked,
}

/// Passkeys (MFA-4, MFA-5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum PasskeyError {
    #[error("Passkeys need Coffer to be opened by a name such as localhost or coffer.example.org, not by an IP address. Ask the person who runs Coffer to set its public URL.")]
    Unavailable,
    #[error("This passkey is not registered with Coffer: it may have been removed. Sign in with your password.")]
    NotRecognised,
    #[error("The passkey could not be verified. Try again, or sign in with your password.")]
    NotVerified,
    #[error("The passkey request expired or was already used. Try again.")]
    CeremonyExpired,
    #[error("Give the passkey a name of up to 64 characters, such as the device it lives on.")]
    BadName,
    #[error("That passkey no longer exists.")]
    NotFound,
    #[error("This passkey is already registered.")]
    AlreadyRegistered,
    #[error("You have no passkey registered. Use your authenticator app or a recovery code.")]
    NoPasskeys,
    #[error("The wrapped key from this passkey is malformed.")]
    BadWrappedKey,
    // Met in the browser only.
    #[error("The passkey request was cancelled or timed out.")]
    Cancelled,
    #[error("This browser cannot use passkeys. Sign in with your password.")]
    NotSupported,
    #[error("This device already holds a passkey for your account.")]
    AlreadyOnDevice,
    #[error("This passkey cannot unlock your keys: its authenticator does not support the PRF extension. It still signs you in; your password unlocks the keys.")]
    NoPrf,
}

/// Calls beyond what the server admits, answered with `Retry-After`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum RateLimitError {
    /// Anonymous calls beyond the configured rate (HTTP 429).
    #[error("Too many attempts. Wait {retry_after_seconds} seconds and try again.")]
    TooManyRequests { retry_after_seconds: u64 },
    /// Every place to work and to wait is taken (HTTP 503): answered at
    /// once rather than after a long wait.
    #[error("Coffer is busy right now. Try again in a moment.")]
    Busy,
}

/// Every refusal, whatever its domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum Refusal {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Setup(#[from] SetupError),
    #[error(transparent)]
    Invitation(#[from] InvitationError),
    #[error(transparent)]
    SignIn(#[from] SignInError),
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Member(#[from] MemberError),
    #[error(transparent)]
    Group(#[from] GroupError),
    #[error(transparent)]
    Link(#[from] LinkError),
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Logo(#[from] LogoError),
    #[error(transparent)]
    Import(#[from] crate::import::ImportError),
    #[error(transparent)]
    Mfa(#[from] MfaError),
    #[error(transparent)]
    Passkey(#[from] PasskeyError),
    #[error(transparent)]
    RateLimit(#[from] RateLimitError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_carry_the_domain_words() {
        let r: Refusal = SignInError::Failed.into();
        assert_eq!(
            r.to_string(),
            "The email, user name or password is incorrect."
        );
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<Refusal>(&json).unwrap(), r);
    }
}
