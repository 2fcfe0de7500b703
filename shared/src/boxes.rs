//! BOX-1, CRY-1, CRY-3: boxes and folders as the server keeps them: ids,
//! public keys, wrapped identities and sealed records. No name crosses
//! here in plaintext; the browser seals and opens them.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ids::{NodeId, OrganisationId};
use crate::types::Bytes;

/// The most a sealed record may be: a name of 255 characters and its times
/// fit many times over.
pub const SEALED_META_MAX: usize = 4096;
/// An age file wrapping one X25519 identity is about 250 bytes.
pub const WRAPPED_KEY_MAX: usize = 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NodeKind {
    Box,
    Folder,
    File,
}

impl NodeKind {
    pub fn code(self) -> &'static str {
        match self {
            NodeKind::Box => "box",
            NodeKind::Folder => "folder",
            NodeKind::File => "file",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "box" => Some(NodeKind::Box),
            "folder" => Some(NodeKind::Folder),
            "file" => Some(NodeKind::File),
            _ => None,
        }
    }
}

/// What the browser seals for each node: its name and times, and for a
/// file what only key holders may know of it (CRY-1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeRecord {
    pub name: String,
    pub created_at_ms: i64,
    pub modified_at_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<FileFacts>,
}

/// A file's sealed facts: plaintext size, media type, the SHA-256 of its
/// plaintext (hex) and the uploader's signing key (hex), which the
/// download checks the manifest's signature with. Sealed, so a server
/// cannot put its own key here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileFacts {
    pub size: u64,
    pub mime: String,
    #[serde(default)]
    pub sha256: String,
    #[serde(default)]
    pub signer: String,
}

/// A node as the server keeps it. `wrapped_key` opens with the parent's
/// identity (a box's with its holder's member key, from the permit).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeView {
    pub id: NodeId,
    pub kind: NodeKind,
    pub parent_id: Option<NodeId>,
    pub public_key: String,
    pub wrapped_key: Bytes,
    pub sealed_meta: Bytes,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    /// BOX-10: when it went to the trash (only the item deleted, not what
    /// is inside it).
    #[serde(default)]
    pub trashed_at_ms: Option<i64>,
    /// Who made it (a file: who uploaded it), by email; only the server's
    /// account record, never sealed.
    #[serde(default)]
    pub created_by: Option<String>,
    /// BOX-4: the label it carries (the organisation's word, not sealed).
    #[serde(default)]
    pub label: Option<String>,
}

/// A new box or folder, made in the browser: the id is chosen there too,
/// because the sealed record is bound to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewNode {
    pub id: NodeId,
    pub public_key: String,
    /// To the parent's public key; for a box, to the owner's member key.
    pub wrapped_key: Bytes,
    pub sealed_meta: Bytes,
    /// CRY-4: the public key it was wrapped and sealed under (the
    /// parent's). A page still holding a key renewed since is refused
    /// rather than storing what the remaining holders could not open.
    #[serde(default)]
    pub under: String,
}

/// A folder's contents, and the way down to it: every node from its box,
/// each with the key that opens the next.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderView {
    pub organisation_id: OrganisationId,
    /// From where the member's access starts (their box, or what was
    /// shared with them) down to this folder.
    pub path: Vec<NodeView>,
    pub children: Vec<NodeView>,
    /// BOX-2: what the member may do here (the page offers only that).
    #[serde(default)]
    pub permission: Option<crate::sharing::Permission>,
    /// BOX-2: the permit the first of `path` was shared with, for the
    /// browser to check (none on one's own box).
    #[serde(default)]
    pub proof: Option<crate::sharing::PermitProof>,
}

/// The longest name, in characters.
pub const NAME_MAX: usize = 255;

/// A box's, folder's or file's name as it will be sealed: trimmed, 1 to
/// 255 characters, no `/` (paths are made of names) and not only dots (`.`
/// and `..` mean something in every path). Checked in the browser: the
/// server never sees a name.
pub fn check_name(name: &str) -> Result<String, BoxError> {
    let n = name.trim();
    let len = n.chars().count();
    if len == 0
        || len > NAME_MAX
        || n.contains('/')
        || n.chars().all(|c| c == '.')
        || n.chars().any(char::is_control)
    {
        return Err(BoxError::InvalidName);
    }
    Ok(n.to_string())
}

/// BOX-12: one event of a box's activity: when, who, what (the audit
/// code), and the way to the item from the box while it exists (its name
/// is opened in the browser; the server has none).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub path: Vec<NodeView>,
}

/// How many of a box's latest events the activity list shows.
pub const ACTIVITY_SHOWN: i64 = 200;

/// BOX-10: one item in a box's trash, with the way to it from the box (the
/// box first, the item last), so its name and where it was can be opened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrashItem {
    pub path: Vec<NodeView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum BoxError {
    #[error("Names are 1 to 255 characters, without “/”, and not only dots.")]
    InvalidName,
    #[error("Only Originators can create boxes.")]
    OriginatorsOnly,
    #[error("That box or folder does not exist, or you cannot see it.")]
    Unknown,
    #[error("An item with this id already exists.")]
    IdTaken,
    #[error("The item's key or sealed record is not valid.")]
    InvalidKeyMaterial,
    #[error("That item is not in the trash.")]
    NotInTrash,
    #[error("The folder it was in is in the trash too: restore that first.")]
    ParentInTrash,
    #[error("A folder cannot be moved into itself or into a folder inside it.")]
    MoveIntoItself,
    #[error("Items move within their box; another box has other keys and holders.")]
    MoveAcrossBoxes,
    #[error("This folder's key was renewed after someone's access ended. Reload the page and try again.")]
    KeyRenewed,
}

/// BOX-1 move: the node's identity wrapped again, to its new parent's
/// public key, and its record sealed by the new parent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rewrapped {
    pub wrapped_key: Bytes,
    pub sealed_meta: Bytes,
    /// CRY-4: the new parent's public key it was wrapped to.
    #[serde(default)]
    pub under: String,
}

/// BOX-1: what a box's table is sorted by (in the browser: names are only
/// readable there).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeOrder {
    Name,
    Size,
    Type,
    Created,
    Modified,
    UploadedBy,
}

impl NodeOrder {
    /// The column's heading.
    pub fn label(self) -> &'static str {
        match self {
            NodeOrder::Name => "Name",
            NodeOrder::Size => "Size",
            NodeOrder::Type => "Type",
            NodeOrder::Created => "Created",
            NodeOrder::Modified => "Modified",
            NodeOrder::UploadedBy => "Uploaded by",
        }
    }
}

/// A folder's contents as the table shows them: only names containing
/// `filter` (ignoring case), folders before files, then by `order`
/// (`descending` reverses it), ties by name. Items whose record does not
/// open (changed outside Coffer) come last.
pub fn arrange(
    items: &[(NodeView, Option<NodeRecord>)],
    filter: &str,
    order: NodeOrder,
    descending: bool,
) -> Vec<(NodeView, Option<NodeRecord>)> {
    let filter = filter.trim().to_lowercase();
    let mut shown: Vec<_> = items
        .iter()
        .filter(|(_, r)| {
            filter.is_empty()
                || r.as_ref()
                    .is_some_and(|r| r.name.to_lowercase().contains(&filter))
        })
        .cloned()
        .collect();
    let name = |r: &NodeRecord| r.name.to_lowercase();
    shown.sort_by(|(a, ra), (b, rb)| {
        let (Some(ra), Some(rb)) = (ra, rb) else {
            return ra.is_none().cmp(&rb.is_none());
        };
        let folders_first = (a.kind == NodeKind::File).cmp(&(b.kind == NodeKind::File));
        let size = |r: &NodeRecord| r.file.as_ref().map_or(0, |f| f.size);
        let mime = |r: &NodeRecord| r.file.as_ref().map(|f| f.mime.clone()).unwrap_or_default();
        let by = match order {
            NodeOrder::Name => name(ra).cmp(&name(rb)),
            NodeOrder::Size => size(ra).cmp(&size(rb)),
            NodeOrder::Type => mime(ra).cmp(&mime(rb)),
            NodeOrder::Created => ra.created_at_ms.cmp(&rb.created_at_ms),
            NodeOrder::Modified => ra.modified_at_ms.cmp(&rb.modified_at_ms),
            NodeOrder::UploadedBy => a.created_by.cmp(&b.created_by),
        };
        let by = if descending { by.reverse() } else { by };
        folders_first.then(by).then_with(|| name(ra).cmp(&name(rb)))
    });
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(
        name: &str,
        kind: NodeKind,
        size: u64,
        by: &str,
        modified: i64,
    ) -> (NodeView, Option<NodeRecord>) {
        let view = NodeView {
            id: name.to_string().into(),
            kind,
            parent_id: None,
            public_key: String::new(),
            wrapped_key: Default::default(),
            sealed_meta: Default::default(),
            created_at_ms: 0,
            updated_at_ms: 0,
            trashed_at_ms: None,
            created_by: Some(by.into()),
            label: None,
        };
        let record = NodeRecord {
            name: name.into(),
            created_at_ms: 0,
            modified_at_ms: modified,
            file: (kind == NodeKind::File).then(|| FileFacts {
                size,
                mime: "text/plain".into(),
                sha256: String::new(),
                signer: String::new(),
            }),
        };
        (view, Some(record))
    }

    fn names(list: &[(NodeView, Option<NodeRecord>)]) -> Vec<String> {
        list.iter()
            .map(|(n, r)| r.as_ref().map_or(format!("?{}", n.id), |r| r.name.clone()))
            .collect()
    }

    #[test]
    fn tables_filter_and_sort_with_folders_first() {
        let mut broken = item("broken", NodeKind::File, 0, "x@a.test", 0);
        broken.1 = None;
        let items = vec![
            item("b.txt", NodeKind::File, 30, "zoe@a.test", 3),
            broken,
            item("Archive", NodeKind::Folder, 0, "lia@a.test", 9),
            item("a.txt", NodeKind::File, 20, "lia@a.test", 1),
            item("C.pdf", NodeKind::File, 10, "max@a.test", 2),
            item("board", NodeKind::Folder, 0, "lia@a.test", 1),
        ];
        let arranged =
            |filter, order, descending| names(&arrange(&items, filter, order, descending));
        assert_eq!(
            arranged("", NodeOrder::Name, false),
            ["Archive", "board", "a.txt", "b.txt", "C.pdf", "?broken"]
        );
        assert_eq!(
            arranged("", NodeOrder::Name, true),
            ["board", "Archive", "C.pdf", "b.txt", "a.txt", "?broken"]
        );
        assert_eq!(
            arranged("", NodeOrder::Size, true),
            ["Archive", "board", "b.txt", "a.txt", "C.pdf", "?broken"]
        );
        assert_eq!(
            arranged("", NodeOrder::UploadedBy, false),
            ["Archive", "board", "a.txt", "C.pdf", "b.txt", "?broken"]
        );
        assert_eq!(
            arranged("", NodeOrder::Modified, false),
            ["board", "Archive", "a.txt", "C.pdf", "b.txt", "?broken"]
        );
        assert_eq!(arranged(" B", NodeOrder::Name, false), ["board", "b.txt"]);
        assert!(arranged("nothing", NodeOrder::Name, false).is_empty());
    }

    #[test]
    fn names_are_checked_before_they_are_sealed() {
        assert_eq!(
            check_name("  Quarterly reports "),
            Ok("Quarterly reports".into())
        );
        assert_eq!(check_name("..hidden"), Ok("..hidden".into()));
        for bad in [
            "",
            "   ",
            "a/b",
            ".",
            "..",
            "...",
            "tab\there",
            &"x".repeat(256),
        ] {
            assert_eq!(check_name(bad), Err(BoxError::InvalidName), "{bad:?}");
        }
        assert!(check_name(&"é".repeat(255)).is_ok());
    }
}
