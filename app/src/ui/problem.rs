//! What an error box says: a refusal as the server sent it, kept typed and
//! worded by its variant in the reader's language, or words the page chose
//! itself (already in the reader's language).

use coffer_api::ApiError;
use coffer_shared::i18n::Words;

use crate::i18n::{current, tf};

#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    Api(ApiError),
    Said(String),
}

impl From<ApiError> for Problem {
    fn from(e: ApiError) -> Self {
        Problem::Api(e)
    }
}

impl From<String> for Problem {
    fn from(words: String) -> Self {
        Problem::Said(words)
    }
}

impl From<coffer_shared::errors::InputError> for Problem {
    fn from(e: coffer_shared::errors::InputError) -> Self {
        Problem::Api(e.into())
    }
}

/// The browser's own password rule, worded by variant.
impl From<coffer_shared::policy::PasswordProblem> for Problem {
    fn from(p: coffer_shared::policy::PasswordProblem) -> Self {
        Problem::Said(p.words(current()))
    }
}

impl From<&str> for Problem {
    fn from(words: &str) -> Self {
        Problem::Said(words.to_string())
    }
}

impl Problem {
    pub fn words(&self) -> String {
        match self {
            Problem::Api(e) => api_words(e),
            Problem::Said(words) => words.clone(),
        }
    }
}

/// A server function's refusal or failure in the reader's language.
pub fn api_words(e: &ApiError) -> String {
    match e {
        ApiError::Refused(refusal) => refusal.words(current()),
        ApiError::Internal { incident } => tf(
            "Something went wrong on the server (incident {incident}). Please try again.",
            &[("incident", incident)],
        ),
        ApiError::Request { message } => tf(
            "The request could not be completed: {message}",
            &[("message", message)],
        ),
    }
}
