//! The refusals every domain can meet (authorisation, input, rate limits)
//! and `Refusal`, which carries any domain's. Each domain's own error enum,
//! with its words, is in its module (`crate::accounts::SignInError`, …).

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::accounts::{InvitationError, LinkError, SetupError, SignInError};
use crate::members::{GroupError, MemberError};
use crate::mfa::{MfaError, PasskeyError};
use crate::organisations::{LogoError, PlanError, SettingsError};

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
    #[error(transparent)]
    Box(#[from] crate::boxes::BoxError),
    #[error(transparent)]
    File(#[from] crate::files::FileError),
    #[error(transparent)]
    Sharing(#[from] crate::sharing::SharingError),
    #[error(transparent)]
    Label(#[from] crate::labels::LabelError),
    #[error(transparent)]
    Recovery(#[from] crate::recovery::RecoveryError),
    #[error(transparent)]
    Transfer(#[from] crate::transfers::TransferError),
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
