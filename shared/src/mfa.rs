//! Second factors (MFA-1…MFA-3) and passkeys (MFA-4, MFA-5). Wire types and
//! the domain's refusals, with the words people see.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::accounts::SignedIn;
use crate::types::Bytes;

/// MFA-4: one of the member's passkeys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyView {
    pub id: crate::ids::PasskeyId,
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
    pub passkey_id: crate::ids::PasskeyId,
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
