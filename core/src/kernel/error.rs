//! How domain operations fail: a refusal the person should read, or an
//! internal fault whose details stay in the server log.

use coffer_shared::accounts::{InvitationError, LinkError, SetupError, SignInError};
use coffer_shared::boxes::BoxError;
use coffer_shared::errors::{AuthError, InputError, RateLimitError, Refusal};
use coffer_shared::files::FileError;
use coffer_shared::import::ImportError;
use coffer_shared::labels::LabelError;
use coffer_shared::members::{GroupError, MemberError};
use coffer_shared::mfa::{MfaError, PasskeyError};
use coffer_shared::organisations::{LogoError, PlanError, SettingsError};
use coffer_shared::recovery::RecoveryError;
use coffer_shared::sharing::SharingError;
use coffer_shared::transfers::TransferError;

#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("refused: {0}")]
    Refused(Refusal),
    #[error("internal: {0:#}")]
    Internal(#[from] anyhow::Error),
}

pub type Outcome<T> = Result<T, Failure>;

impl From<sqlx::Error> for Failure {
    fn from(e: sqlx::Error) -> Self {
        Failure::Internal(e.into())
    }
}

impl From<Refusal> for Failure {
    fn from(r: Refusal) -> Self {
        Failure::Refused(r)
    }
}

macro_rules! refusal_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Failure {
            fn from(e: $t) -> Self {
                Failure::Refused(e.into())
            }
        }
    )*};
}
refusal_from!(
    AuthError,
    SetupError,
    InvitationError,
    SignInError,
    InputError,
    MemberError,
    GroupError,
    LinkError,
    SettingsError,
    PlanError,
    LogoError,
    ImportError,
    MfaError,
    PasskeyError,
    RateLimitError,
    BoxError,
    FileError,
    SharingError,
    LabelError,
    RecoveryError,
    TransferError
);

/// True when a write lost a race on a unique constraint.
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}
