//! ORG-5 carried out: a removed member's boxes go to the Originator chosen
//! at the removal, as folders inside a new box of theirs named
//! "<email> <date>". Only a browser can open the boxes: a Liaison's, with
//! the organisation's recovery copy of the removed member's keys (CRY-6),
//! or, without one, the recipient's, for the boxes shared with them. The
//! box identities are wrapped again to the new box; nothing is
//! re-encrypted.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::boxes::NewNode;
use crate::ids::NodeId;
use crate::types::Bytes;
use crate::worker::SealedNode;

/// How a Liaison's browser reaches the removed member's keys: its copy of
/// the recovery key, and the member's escrow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryOpen {
    pub wrapped: Bytes,
    pub recovery_public_key: String,
    pub escrow: Bytes,
    pub member_public_key: String,
}

/// A recorded transfer this member's browser can carry out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferDue {
    pub removal_id: String,
    /// The removed member.
    pub email: String,
    pub recipient: String,
    pub recipient_public_key: String,
    /// BOX-9: the recipient's account, and this member's pin of their key.
    #[serde(default)]
    pub recipient_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_pin: Option<Bytes>,
    pub folder_name: String,
    /// With recovery: the way to the removed member's keys; without, the
    /// boxes' keys are wrapped to this member (the recipient) already.
    pub recovery: Option<RecoveryOpen>,
    /// Each box: its key wrapped to whoever opens it, its own record.
    pub boxes: Vec<SealedNode>,
    /// The removed member's boxes this browser cannot open (left behind).
    pub left: u64,
}

/// One box, now a folder of the new box: its identity wrapped to the new
/// box's key and its record sealed by it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovedBox {
    pub id: NodeId,
    pub wrapped_key: Bytes,
    pub sealed_meta: Bytes,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transferred {
    /// The "<email> <date>" box, its key wrapped to the recipient.
    pub new_box: NewNode,
    pub moved: Vec<MovedBox>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum TransferError {
    #[error("This transfer was carried out already, or you cannot carry it out.")]
    NotDue,
    #[error("The removed member's boxes changed meanwhile. Reload the page and try again.")]
    Changed,
}
