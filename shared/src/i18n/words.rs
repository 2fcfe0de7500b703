//! A refusal in the reader's language, chosen by its variant: a fixed
//! message is looked up by its English; one that carries values names its
//! template here and the values are filled into the translated template.
//! Nothing is read back out of an English sentence.

use super::{translate, translate_with, Language};
use crate::accounts::SignInError;
use crate::errors::{RateLimitError, Refusal};
use crate::files::FileError;
use crate::import::{ImportError, RowReason};
use crate::members::GroupError;
use crate::organisations::PlanError;
use crate::policy::PasswordProblem;

/// A template with `{name}` places and the values that fill them.
pub type Template = (&'static str, Vec<(&'static str, String)>);

pub trait Words: std::fmt::Display {
    /// The `#[error]` template and its values, for a variant that carries
    /// any; `None` for a fixed message.
    fn template(&self) -> Option<Template> {
        None
    }

    fn words(&self, lang: Language) -> String {
        match self.template() {
            Some((template, values)) => {
                let args: Vec<(&str, &str)> =
                    values.iter().map(|(n, v)| (*n, v.as_str())).collect();
                translate_with(lang, template, &args)
            }
            None => translate(lang, &self.to_string()).to_string(),
        }
    }
}

impl Words for Refusal {
    fn template(&self) -> Option<Template> {
        match self {
            Refusal::SignIn(e) => e.template(),
            Refusal::Group(e) => e.template(),
            Refusal::Plan(e) => e.template(),
            Refusal::Import(e) => e.template(),
            Refusal::RateLimit(e) => e.template(),
            Refusal::File(e) => e.template(),
            Refusal::Auth(_)
            | Refusal::Setup(_)
            | Refusal::Invitation(_)
            | Refusal::Input(_)
            | Refusal::Member(_)
            | Refusal::Link(_)
            | Refusal::Settings(_)
            | Refusal::Logo(_)
            | Refusal::Mfa(_)
            | Refusal::Passkey(_)
            | Refusal::Box(_)
            | Refusal::Sharing(_)
            | Refusal::Label(_)
            | Refusal::Recovery(_)
            | Refusal::Transfer(_) => None,
        }
    }
}

impl Words for SignInError {
    fn template(&self) -> Option<Template> {
        match self {
            SignInError::LicenceExpired(date) => Some((
                "Your organisation's licence expired on {0}. Ask your administrator to renew it.",
                vec![("0", date.clone())],
            )),
            _ => None,
        }
    }
}

impl Words for GroupError {
    fn template(&self) -> Option<Template> {
        match self {
            GroupError::Reserved(name) => Some((
                "\"{0}\" is reserved; choose another group name.",
                vec![("0", name.clone())],
            )),
            _ => None,
        }
    }
}

impl Words for PlanError {
    fn template(&self) -> Option<Template> {
        match self {
            PlanError::OverQuota { needed, available } => Some((
                "This upload needs {needed}; your plan has {available} left.",
                vec![("needed", needed.clone()), ("available", available.clone())],
            )),
            _ => None,
        }
    }
}

impl Words for FileError {
    fn template(&self) -> Option<Template> {
        let part = |p: &u32| ("part", p.to_string());
        match self {
            FileError::NoSuchPart { part: p } => {
                Some(("Part {part} is not part of this upload.", vec![part(p)]))
            }
            FileError::WrongPartLength {
                part: p,
                expected,
                received,
            } => Some((
                "Part {part} must be {expected} bytes; {received} arrived.",
                vec![
                    part(p),
                    ("expected", expected.to_string()),
                    ("received", received.to_string()),
                ],
            )),
            FileError::PartDamaged { part: p } => Some((
                "Part {part} did not arrive intact (its SHA-256 differs).",
                vec![part(p)],
            )),
            FileError::PartConflict { part: p } => Some((
                "Part {part} was already received with different content.",
                vec![part(p)],
            )),
            FileError::MissingParts { missing } => Some((
                "The upload is missing {missing} of its parts.",
                vec![("missing", missing.to_string())],
            )),
            _ => None,
        }
    }
}

impl Words for ImportError {
    fn template(&self) -> Option<Template> {
        match self {
            ImportError::TooLarge { max_mb } => Some((
                "The file is larger than the {max_mb} MB import limit.",
                vec![("max_mb", max_mb.to_string())],
            )),
            ImportError::Malformed { line, detail } => Some((
                "The file could not be read as CSV near line {line}: {detail}",
                vec![("line", line.to_string()), ("detail", detail.clone())],
            )),
            _ => None,
        }
    }
}

impl Words for RowReason {
    fn template(&self) -> Option<Template> {
        match self {
            RowReason::GroupDoesNotExist(name) => Some((
                "The group \"{0}\" does not exist.",
                vec![("0", name.clone())],
            )),
            RowReason::DuplicateOf(line) => {
                Some(("Duplicate of line {0}.", vec![("0", line.to_string())]))
            }
            RowReason::WrongFieldCount { found, needed } => Some((
                "This line has {found} field(s); the format needs {needed}.",
                vec![("found", found.to_string()), ("needed", needed.to_string())],
            )),
            _ => None,
        }
    }
}

impl Words for PasswordProblem {
    fn template(&self) -> Option<Template> {
        match self {
            PasswordProblem::TooShort { min } => Some((
                "The password must be at least {min} characters long.",
                vec![("min", min.to_string())],
            )),
            PasswordProblem::Mismatch => None,
        }
    }
}

impl Words for RateLimitError {
    fn template(&self) -> Option<Template> {
        match self {
            RateLimitError::TooManyRequests {
                retry_after_seconds,
            } => Some((
                "Too many attempts. Wait {retry_after_seconds} seconds and try again.",
                vec![("retry_after_seconds", retry_after_seconds.to_string())],
            )),
            RateLimitError::Busy => None,
        }
    }
}

/// One of each refusal that carries values, for the tests: every template
/// must be here, spelled as its `#[error]` spells it.
#[cfg(test)]
pub(super) fn samples() -> Vec<Box<dyn Words>> {
    vec![
        Box::new(Refusal::from(SignInError::LicenceExpired(
            "2026-01-31".into(),
        ))),
        Box::new(Refusal::from(GroupError::Reserved("All".into()))),
        Box::new(Refusal::from(PlanError::OverQuota {
            needed: "1.2 GB".into(),
            available: "400 MB".into(),
        })),
        Box::new(Refusal::from(ImportError::TooLarge { max_mb: 50 })),
        Box::new(Refusal::from(ImportError::Malformed {
            line: 3,
            detail: "unclosed quote".into(),
        })),
        Box::new(Refusal::from(RateLimitError::TooManyRequests {
            retry_after_seconds: 9,
        })),
        Box::new(Refusal::from(FileError::NoSuchPart { part: 4 })),
        Box::new(Refusal::from(FileError::WrongPartLength {
            part: 2,
            expected: 8_390_656,
            received: 12,
        })),
        Box::new(Refusal::from(FileError::PartDamaged { part: 5 })),
        Box::new(Refusal::from(FileError::PartConflict { part: 6 })),
        Box::new(Refusal::from(FileError::MissingParts { missing: 3 })),
        Box::new(RowReason::GroupDoesNotExist("Sales".into())),
        Box::new(RowReason::DuplicateOf(7)),
        Box::new(RowReason::WrongFieldCount {
            found: 2,
            needed: 5,
        }),
    ]
}
