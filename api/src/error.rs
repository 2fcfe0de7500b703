//! The one error type every server function returns.

use coffer_shared::errors::{AuthError, InputError, RateLimitError, Refusal};
use coffer_shared::files::FileError;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ApiError {
    /// A refusal in the domain's own words (see `coffer_shared::errors`).
    #[error(transparent)]
    Refused(Refusal),
    /// Details stay in the server log under the incident id.
    #[error("Something went wrong on the server (incident {incident}). Please try again.")]
    Internal { incident: String },
    /// The request never reached domain code: malformed payload, network…
    #[error("The request could not be completed: {message}")]
    Request { message: String },
}

impl<T: Into<Refusal>> From<T> for ApiError {
    fn from(r: T) -> Self {
        ApiError::Refused(r.into())
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        ApiError::Request {
            message: value.to_string(),
        }
    }
}

impl ApiError {
    pub fn http_status(&self) -> u16 {
        match self {
            ApiError::Refused(Refusal::Auth(AuthError::NotSignedIn)) => 401,
            ApiError::Refused(Refusal::Auth(_)) => 403,
            ApiError::Refused(Refusal::Setup(_)) => 409,
            // DESIGN "Moving bytes": the same part with another body.
            ApiError::Refused(Refusal::File(FileError::PartConflict { .. })) => 409,
            ApiError::Refused(Refusal::RateLimit(RateLimitError::Busy)) => 503,
            ApiError::Refused(Refusal::Input(InputError::RequestTooLarge)) => 413,
            ApiError::Refused(Refusal::RateLimit(_)) => 429,
            ApiError::Refused(_) => 400,
            ApiError::Internal { .. } => 500,
            ApiError::Request { .. } => 400,
        }
    }

    /// Seconds to wait before trying again, for `Retry-After`.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::Refused(Refusal::RateLimit(RateLimitError::TooManyRequests {
                retry_after_seconds,
            })) => Some(*retry_after_seconds),
            ApiError::Refused(Refusal::RateLimit(RateLimitError::Busy)) => Some(1),
            _ => None,
        }
    }

    pub fn is_not_signed_in(&self) -> bool {
        matches!(
            self,
            ApiError::Refused(Refusal::Auth(AuthError::NotSignedIn))
        )
    }
}
