//! BOX-2, BOX-3, CRY-3: sharing a box, folder or file with a member. A
//! permit is the node's identity wrapped (in the granter's browser) to the
//! grantee's member key, with a permission and an optional access window,
//! signed by the granter; the server keeps it and checks it on every call.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::boxes::NodeView;
use crate::ids::{AccountId, NodeId};
use crate::types::Bytes;

/// What a permit allows; each one includes everything before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Permission {
    /// Preview only (the browser cannot stop a determined reader from
    /// saving what they see).
    View,
    Download,
    /// Add files and folders (folders and boxes).
    Upload,
    /// Rename, move, delete, new versions.
    Modify,
    /// Share further, up to one's own permission.
    Manage,
}

impl Permission {
    pub const ALL: [Permission; 5] = [
        Permission::View,
        Permission::Download,
        Permission::Upload,
        Permission::Modify,
        Permission::Manage,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Permission::View => "view",
            Permission::Download => "download",
            Permission::Upload => "upload",
            Permission::Modify => "modify",
            Permission::Manage => "manage",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Permission::ALL.into_iter().find(|p| p.code() == code)
    }

    /// Its name on screen (English; the page translates it).
    pub fn label(self) -> &'static str {
        match self {
            Permission::View => "View",
            Permission::Download => "Download",
            Permission::Upload => "Upload",
            Permission::Modify => "Modify",
            Permission::Manage => "Manage",
        }
    }
}

/// BOX-3: when a permit holds; either end may be open. Milliseconds since
/// the epoch (the page converts from and to the member's time zone).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub not_before_ms: Option<i64>,
    pub not_after_ms: Option<i64>,
}

impl Window {
    pub fn check(&self) -> Result<(), SharingError> {
        match (self.not_before_ms, self.not_after_ms) {
            (Some(from), Some(to)) if to <= from => Err(SharingError::WindowBackwards),
            _ => Ok(()),
        }
    }

    pub fn holds_at(&self, now_ms: i64) -> bool {
        self.not_before_ms.is_none_or(|from| from <= now_ms)
            && self.not_after_ms.is_none_or(|to| now_ms < to)
    }
}

/// Someone an item can be shared with: a member of the organisation with
/// keys. The granter's browser wraps the node's identity to `public_key`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    pub account_id: AccountId,
    pub email: String,
    pub name: String,
    pub public_key: String,
    /// BOX-9: the key the asking member last shared with this person,
    /// sealed by that member's browser (only for the one about to share).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin: Option<Bytes>,
}

/// A permit as the granter's browser makes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPermit {
    pub node_id: NodeId,
    pub account_id: AccountId,
    pub permission: Permission,
    pub window: Window,
    /// The node's identity as an age file to the recipient's member key.
    pub wrapped_key: Bytes,
    /// The node's record sealed under its own key, so the recipient (who
    /// does not hold the parent's) can read its name.
    pub sealed_meta: Bytes,
    /// The granter's Ed25519 signature over the permit statement.
    pub signature: Bytes,
    /// BOX-9: the recipient's key, pinned anew by the granter's browser
    /// (the first share with them, or a change they confirmed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin: Option<Bytes>,
}

/// One person's access to an item, as its Share panel lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    pub account_id: AccountId,
    pub email: String,
    pub name: String,
    pub permission: Permission,
    pub window: Window,
    /// The box's owner (the first permit holder): not removable here.
    pub owner: bool,
    /// Held through a permit on a folder above (or the box): changed there.
    pub inherited_from: Option<NodeId>,
    pub granted_by: Option<String>,
    /// BOX-5: shared with an outside recipient who has not set up their
    /// keys yet; the share completes once they have.
    #[serde(default)]
    pub pending: bool,
}

/// BOX-5: an item shared with an address that has no account in the
/// organisation: they are invited as an outside recipient, and the share
/// waits for their keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutsideShare {
    pub node_id: NodeId,
    pub email: String,
    pub permission: Permission,
    pub window: Window,
}

/// BOX-5: a waiting share whose recipient has now set up their keys, with
/// the way from the granter's access down to the item, for the granter's
/// browser to complete.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadyShare {
    pub path: Vec<NodeView>,
    pub to: Recipient,
    pub permission: Permission,
    pub window: Window,
}

/// What the granter's signature covers, as the recipient checks it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermitProof {
    pub grantee_public_key: String,
    pub permission: Permission,
    pub window: Window,
    pub granted_by: AccountId,
    /// The granter's Ed25519 verifying key (hex).
    pub granter_signing_key: String,
    pub signature: Bytes,
}

/// "Shared with me": the root of what was shared (its wrapped key and its
/// record from the permit), with its owner and the permission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedItem {
    pub node: NodeView,
    pub owner: String,
    pub granted_by: String,
    pub permission: Permission,
    pub window: Window,
    pub proof: Option<PermitProof>,
}

/// CRY-4: someone whose permit on a node is made again for its new key,
/// on the same terms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keeper {
    pub account_id: AccountId,
    /// Their member key, which the new identity is wrapped to.
    pub public_key: String,
    pub permission: Permission,
    pub window: Window,
    /// For the page to name them.
    #[serde(default)]
    pub email: String,
    /// BOX-9: the renewing member's pin of their key, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin: Option<Bytes>,
}

/// CRY-4: what a browser needs to give a box or folder a new identity
/// after someone's access to it ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationPlan {
    /// From the member's way in down to the node (the last); a folder's
    /// parent is the one before it, a box is first and seals itself.
    pub path: Vec<NodeView>,
    /// What is directly in it: folders, files (also in the trash) and
    /// unfinished uploads, each wrapped and sealed under its key.
    pub children: Vec<crate::worker::SealedNode>,
    /// A box's owner, whose own permit holds the box's identity.
    pub owner: Option<Keeper>,
    /// Everyone else with a permit on the node itself.
    pub keepers: Vec<Keeper>,
}

/// One child, wrapped and sealed again under the new identity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rekeyed {
    pub id: NodeId,
    pub wrapped_key: Bytes,
    pub sealed_meta: Bytes,
}

/// A keeper's permit made again for the new identity, signed by the
/// member who renewed the key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewedPermit {
    pub account_id: AccountId,
    pub wrapped_key: Bytes,
    pub sealed_meta: Bytes,
    pub signature: Bytes,
}

/// CRY-4: a node's new identity and everything that changes with it. The
/// old identity is gone from the server; nothing stored is re-encrypted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rotation {
    pub node_id: NodeId,
    /// The key it replaces: a rotation made from a stale plan is refused.
    pub old_public_key: String,
    pub public_key: String,
    /// A folder's identity wrapped to its parent's key; a box's to its
    /// owner's member key (the owner's permit).
    pub wrapped_key: Bytes,
    /// Its record: a folder's sealed by its parent, a box's by itself.
    pub sealed_meta: Bytes,
    pub children: Vec<Rekeyed>,
    pub permits: Vec<RenewedPermit>,
}

/// AUD-3: which notices a member receives by mail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notices {
    /// Something was shared with them.
    pub shares: bool,
    /// Someone else uploaded into one of their boxes.
    pub uploads: bool,
    /// Their access to something shared ends within a day.
    pub expiring: bool,
}

impl Default for Notices {
    fn default() -> Self {
        Notices {
            shares: true,
            uploads: true,
            expiring: true,
        }
    }
}

#[derive(Clone, Debug, Error, PartialEq, Eq, Serialize, Deserialize)]
pub enum SharingError {
    #[error("Your permission on this item does not allow that.")]
    NotPermitted,
    #[error("No member of this organisation has that email address.")]
    NoSuchMember,
    #[error("That member has not set up their keys yet, so nothing can be shared with them.")]
    RecipientWithoutKeys,
    #[error("That is not an email address.")]
    InvalidEmail,
    #[error("The access window ends before it starts.")]
    WindowBackwards,
    #[error("The access window has already ended.")]
    WindowOver,
    #[error("Your own access to this item ends; you can share it only until then.")]
    BeyondOwnWindow,
    #[error(
        "That member is not cleared for a label on this item, or on something in it or above it."
    )]
    LabelNotCleared,
    #[error("Upload is a permission for boxes and folders, not files.")]
    UploadOnFile,
    #[error("You already have this item; it is not shared with yourself.")]
    SelfShare,
    #[error("The box's owner keeps their access; it cannot be changed or removed.")]
    OwnerAccess,
    #[error("That person has no access of their own to remove here.")]
    NoSuchPermit,
    #[error("The permit is not valid: its key or signature does not fit.")]
    InvalidPermit,
    #[error(
        "A share of this item with that person is already waiting for them to set up their keys."
    )]
    AlreadyPending,
    #[error("That address belongs to a member of this organisation: share with them directly.")]
    MemberNotOutsider,
    #[error("Something in this folder changed while its key was being renewed; try again.")]
    RotationRaced,
    #[error(
        "A file keeps its key: its content never changes, and a new version gets a key of its own."
    )]
    FileKeepsItsKey,
    #[error("This folder's key is renewed by someone who holds the folder above it, such as the box's owner, the next time they open its organisation in Coffer.")]
    RotationFromAbove,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_are_a_ladder_with_stable_codes() {
        for w in Permission::ALL.windows(2) {
            assert!(w[0] < w[1]);
        }
        for p in Permission::ALL {
            assert_eq!(Permission::from_code(p.code()), Some(p));
        }
        assert_eq!(Permission::from_code("owner"), None);
    }

    #[test]
    fn a_window_holds_from_its_start_until_before_its_end() {
        let w = Window {
            not_before_ms: Some(10),
            not_after_ms: Some(20),
        };
        assert!(!w.holds_at(9));
        assert!(w.holds_at(10));
        assert!(w.holds_at(19));
        assert!(!w.holds_at(20));
        assert!(Window::default().holds_at(0));
        assert_eq!(w.check(), Ok(()));
        let backwards = Window {
            not_before_ms: Some(20),
            not_after_ms: Some(20),
        };
        assert_eq!(backwards.check(), Err(SharingError::WindowBackwards));
    }
}
