//! CRY-6 / ACC-7: organisation key recovery. A Liaison's browser makes the
//! organisation's recovery key pair and wraps its identity to every
//! Liaison; each member's browser, told at sign-in, escrows the member's
//! identity to the recovery key. A password reset can then keep the
//! member's keys: their browser makes a one-off handover key, a Liaison's
//! browser opens the escrow and hands the identity over to it, and the
//! member's next sign-in takes it. The server only ever holds age files.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ids::{AccountId, OrganisationId};
use crate::types::Bytes;

/// A Liaison with keys, to whom the recovery identity is (to be) wrapped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keyholder {
    pub account_id: AccountId,
    pub email: String,
    pub public_key: String,
}

/// The recovery identity wrapped to one Liaison's member key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolderWrap {
    pub account_id: AccountId,
    /// The member key it is wrapped to (checked against the account's).
    pub public_key: String,
    pub wrapped: Bytes,
}

/// A reset that kept the member's keys, waiting for a Liaison's browser.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingReset {
    pub account_id: AccountId,
    pub email: String,
    /// The member key that was escrowed, and must come out of the escrow.
    pub member_public_key: String,
    pub escrow: Bytes,
    /// The one-off key the member's browser made for the handover.
    pub handover_public_key: String,
    pub requested_at_ms: i64,
}

/// What the Configuration page shows a Liaison, and what their browser
/// needs to keep recovery going.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryView {
    /// The recovery public key, while recovery is on.
    pub public_key: Option<String>,
    pub fingerprint: Option<String>,
    pub enabled_at_ms: Option<i64>,
    pub enabled_by: Option<String>,
    /// Members whose current keys are escrowed, of all members with keys.
    pub escrowed: u64,
    pub members: u64,
    /// The recovery identity wrapped to the asking Liaison, when it is.
    pub my_wrap: Option<Bytes>,
    /// Liaisons with keys who do not hold the recovery identity yet.
    pub unwrapped_liaisons: Vec<Keyholder>,
    pub waiting: Vec<WaitingReset>,
}

/// An organisation whose recovery is on and which does not hold this
/// member's current keys yet: the browser tells the member and escrows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryDue {
    pub organisation_id: OrganisationId,
    pub organisation_name: String,
    pub public_key: String,
    pub fingerprint: String,
}

/// A kept key pair handed over after a reset, for the member's browser to
/// take at sign-in: the one-off key (wrapped under the new password) and
/// the member's identity as an age file to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handover {
    pub public_key: String,
    pub wrapped_secret: Bytes,
    pub handed_over: Bytes,
}

/// What a reset will cost when the member's keys cannot be kept: the
/// server cannot read names, so it counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetLosses {
    /// Boxes the member owns.
    pub boxes: u64,
    /// Items shared with the member, by who shared them.
    pub shared: Vec<SharedLoss>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedLoss {
    pub by: String,
    pub items: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum RecoveryError {
    #[error("Account recovery is already on for this organisation.")]
    AlreadyOn,
    #[error("Account recovery is off for this organisation.")]
    Off,
    #[error("The recovery key must be given to every Liaison with keys, and only to them. Reload the page and try again.")]
    HoldersMismatch,
    #[error("The recovery key changed meanwhile. Reload the page and try again.")]
    KeyChanged,
    #[error("Your keys changed meanwhile. Sign in again.")]
    MemberKeyChanged,
    #[error("This organisation holds no recovery copy of these keys.")]
    NoEscrow,
    #[error("No reset is waiting for that member.")]
    NotWaiting,
    #[error("Members are waiting for their keys after a reset. Restore their keys before turning recovery off.")]
    ResetsWaiting,
    #[error("Your password was reset and your keys wait for a Liaison of your organisation to restore them. Try again once they have; they were told by mail.")]
    KeysAwaitLiaison,
}
