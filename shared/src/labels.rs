//! BOX-4 labels and clearances: an organisation's administrators define
//! labels (Confidential, Legal…) and clear members for them; an item with
//! a label, or with a labelled item inside it or above it, is shared only
//! with members cleared for every such label. Label names are the
//! organisation's vocabulary, not the content of anything: the server
//! keeps them, and which item carries which, so it can refuse.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ids::LabelId;

/// A label as the Labels page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelView {
    pub id: LabelId,
    pub name: String,
    /// Members cleared for it.
    pub cleared: u64,
    /// Items that carry it.
    pub items: u64,
}

/// The longest label name, in characters.
pub const LABEL_NAME_MAX: usize = 40;

/// A label's name as it will be kept: trimmed, 1 to 40 characters, no
/// control characters.
pub fn check_label_name(name: &str) -> Result<String, LabelError> {
    let n = name.trim();
    let len = n.chars().count();
    if len == 0 || len > LABEL_NAME_MAX || n.chars().any(char::is_control) {
        return Err(LabelError::InvalidName);
    }
    Ok(n.to_string())
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum LabelError {
    #[error("Label names are 1 to 40 characters.")]
    InvalidName,
    #[error("A label with this name already exists.")]
    NameTaken,
    #[error("That label does not exist in this organisation.")]
    Unknown,
    #[error("Someone with access to this item is not cleared for that label. Remove their access, or have an administrator clear them, first.")]
    HoldersNotCleared,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_names_are_trimmed_and_bounded() {
        assert_eq!(check_label_name("  Legal "), Ok("Legal".into()));
        assert_eq!(check_label_name(" "), Err(LabelError::InvalidName));
        assert_eq!(
            check_label_name(&"x".repeat(LABEL_NAME_MAX + 1)),
            Err(LabelError::InvalidName)
        );
        assert_eq!(check_label_name("a\nb"), Err(LabelError::InvalidName));
        assert!(check_label_name(&"é".repeat(LABEL_NAME_MAX)).is_ok());
    }
}
