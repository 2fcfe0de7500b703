//! IMP-1 … IMP-6: what a CSV member import looks like on the wire — the two
//! file formats, the outcome of each row, and an import's progress.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The two layouts SPEC names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ImportFormat {
    /// IMP-1: header `USERNAME,EMAIL,GROUP,FIRSTNAME,LASTNAME`, matched by
    /// name (any case, any order).
    Named,
    /// IMP-2: a header line with any labels, then `Email, Role` by position.
    EmailRole,
}

impl ImportFormat {
    pub fn label(self) -> &'static str {
        match self {
            ImportFormat::Named => "USERNAME, EMAIL, GROUP, FIRSTNAME, LASTNAME (by column name)",
            ImportFormat::EmailRole => "Email, Role (by position)",
        }
    }
}

/// Why a row is not imported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum RowReason {
    #[error("The email address is missing.")]
    MissingEmail,
    #[error("The email address is not valid.")]
    InvalidEmail,
    #[error("The user name is not valid: use 3 to 64 letters, digits or underscores.")]
    InvalidUsername,
    #[error("The user name is already used by another account.")]
    UsernameTaken,
    #[error("The role is missing.")]
    MissingRole,
    #[error("The role must be exactly Originator or Collaborator.")]
    InvalidRole,
    #[error("The group \"{0}\" does not exist.")]
    GroupDoesNotExist(String),
    #[error("The user already exists in this organisation.")]
    AlreadyMember,
    #[error("No licences left.")]
    NoLicencesLeft,
    #[error("Duplicate of line {0}.")]
    DuplicateOf(u64),
    #[error("A name is longer than 100 characters.")]
    NameTooLong,
    #[error("This line has {found} field(s); the format needs {needed}.")]
    WrongFieldCount { found: usize, needed: usize },
}

/// What happens to one row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RowOutcome {
    /// The person joins the organisation and is emailed: an invitation, or
    /// a notice when the address already has an account on this instance.
    /// The two look alike here, so an import does not tell an organisation
    /// which addresses other organisations hold.
    Add,
    Skip(RowReason),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowPlan {
    /// The line the row starts on in the file (the header is line 1).
    pub line: u64,
    pub email: String,
    pub outcome: RowOutcome,
}

/// What an import will do, shown before the administrator confirms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    pub import_id: crate::ids::ImportId,
    pub format: ImportFormat,
    pub rows_total: u64,
    pub to_add: u64,
    pub skipped: u64,
    /// The first rows in file order (the full report is downloadable).
    pub rows: Vec<RowPlan>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportState {
    Previewed,
    Running,
    Finished,
    /// Interrupted (the server stopped) or refused as a whole: nothing was
    /// imported.
    Failed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportStatus {
    pub import_id: crate::ids::ImportId,
    pub state: ImportState,
    pub format: ImportFormat,
    pub rows_total: u64,
    /// Rows processed so far (drives the progress bar while running).
    pub rows_done: u64,
    pub imported: u64,
    /// Skipped rows with their reasons, in file order.
    pub problems: Vec<RowPlan>,
    /// Why the whole import failed, when it did.
    pub failure: String,
}

/// A file refused as a whole; nothing is changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum ImportError {
    #[error("The file is empty.")]
    Empty,
    #[error("The file is not a CSV text file (it is not UTF-8 text).")]
    NotText,
    #[error("The file is larger than the {max_mb} MB import limit.")]
    TooLarge { max_mb: u64 },
    #[error("The file has a header line but no members.")]
    NoRows,
    #[error("The file could not be read as CSV near line {line}: {detail}")]
    Malformed { line: u64, detail: String },
    #[error(
        "The header does not name an EMAIL column. Use USERNAME, EMAIL, GROUP, FIRSTNAME, LASTNAME, or Email and Role in that order."
    )]
    NoEmailColumn,
    #[error("That import does not exist or is not yours.")]
    Unknown,
    #[error("That import has already been started.")]
    AlreadyStarted,
    #[error("Another import for this organisation is still running.")]
    Busy,
}
