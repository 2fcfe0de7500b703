//! The page ⇄ crypto worker protocol. The page never links the
//! cryptography: it posts a `Job` (JSON text) to the worker
//! (`coffer-worker`, built from `worker/`), which answers with the same id.
//! OPAQUE states and export keys stay inside the worker, named by a
//! ceremony number; only what the page must store or send leaves it.

use serde::{Deserialize, Serialize};

use crate::accounts::KeyEnvelope;
use crate::types::Bytes;

/// A message either way; `id` pairs an answer with its job (the worker's
/// first message, `Ready`, has id 0).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope<T> {
    pub id: u32,
    pub body: T,
}

/// A ceremony the worker remembers between two server round trips: an
/// OPAQUE state with its password, then the export key it gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Ceremony(pub u32);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Job {
    /// OPAQUE sign-in (or password proof), first half.
    LoginStart { password: String },
    /// Second half: the finalization for the server. The export key stays
    /// in the worker under the same ceremony.
    LoginFinish { ceremony: Ceremony, response: Bytes },
    /// OPAQUE registration (setup, invitation, reset, new password).
    RegistrationStart { password: String },
    /// Second half: the upload for the server and the member's key pair
    /// wrapped under the new export key — a fresh pair, or (password
    /// change) the pair `keep` opens with the old export key `with`.
    RegistrationFinish {
        ceremony: Ceremony,
        response: Bytes,
        keep: Option<Rewrap>,
    },
    /// The member's keys, opened with a kept export key.
    Unlock {
        ceremony: Ceremony,
        keys: KeyEnvelope,
    },
    /// MFA-5: the keys, opened with a passkey's PRF output.
    UnlockWithPasskey { prf: Bytes, keys: KeyEnvelope },
    /// MFA-5: a wrapping of the unlocked keys under a passkey's PRF output.
    WrapForPasskey { secret: String, prf: Bytes },
    /// Drops a ceremony's state and export key.
    Forget { ceremony: Ceremony },
    /// BOX-1: a new box (`path` empty: its key wrapped to the member's, its
    /// record sealed by itself) or folder (its key wrapped to the last of
    /// `path`, its record sealed by it).
    MakeNode {
        secret: String,
        path: Vec<KeyStep>,
        record: crate::boxes::NodeRecord,
    },
    /// The records of `nodes`, each sealed by the last of `path`; with
    /// `path` empty, boxes, each sealed by itself and wrapped to the member.
    ReadNames {
        secret: String,
        path: Vec<KeyStep>,
        nodes: Vec<SealedNode>,
    },
    /// The records along a path from its box: each sealed by the node
    /// above it, the box by itself.
    ReadPath {
        secret: String,
        path: Vec<SealedNode>,
    },
    /// A new record (a new name) for the node `id`, sealed by the last of
    /// `path`: the parent, or for a box the box itself.
    Reseal {
        secret: String,
        path: Vec<KeyStep>,
        id: String,
        public_key: String,
        record: crate::boxes::NodeRecord,
    },
    /// BOX-1 move: the node's key opened with the last of `from` (its
    /// parent), wrapped again to the last of `to` (the new parent), its
    /// record opened and sealed again by the new parent.
    Rewrap {
        secret: String,
        from: Vec<KeyStep>,
        node: SealedNode,
        to: Vec<KeyStep>,
    },
    /// CRY-5: a signing key for the member, wrapped to their own key.
    MakeSigningKey { secret: String },
    /// BOX-2: a permit for the last node of `path` (its key reached down
    /// `path`, its record opened by the one above it, or by itself when it
    /// is the first): its key wrapped to the grantee, its record sealed
    /// under its own key, the statement signed with `signing`.
    MakePermit {
        secret: String,
        signing: crate::files::SigningKey,
        path: Vec<SealedNode>,
        terms: PermitTerms,
    },
    /// BOX-2: whether each permit was signed by its granter for this
    /// member (`me`) and its node, as the server says it was given.
    /// CRY-4: a new identity for the last of `plan.path`, its children
    /// and keepers wrapped again, their permits signed by `me`.
    Rotate {
        secret: String,
        signing: crate::files::SigningKey,
        me: String,
        plan: crate::sharing::RotationPlan,
    },
    CheckPermits {
        secret: String,
        me: String,
        permits: Vec<(SealedNode, crate::sharing::PermitProof)>,
    },
    /// ORG-5: a removed member's boxes into a new "<email> <date>" box of
    /// the recipient's, opened through `recovery` (a Liaison) or with this
    /// member's own key (the recipient).
    TransferBoxes {
        secret: String,
        recovery: Option<crate::transfers::RecoveryOpen>,
        boxes: Vec<SealedNode>,
        recipient_public_key: String,
        /// BOX-9: whom the key is said to be, and this member's pin of it.
        #[serde(default)]
        recipient_id: String,
        #[serde(default)]
        recipient_pin: Option<Bytes>,
        folder_name: String,
        now_ms: i64,
    },
    /// CRY-6: a new recovery key pair, its identity wrapped to each holder.
    MakeRecoveryKey {
        holders: Vec<crate::recovery::Keyholder>,
    },
    /// CRY-6: the recovery identity (`wrapped` to this Liaison, whose
    /// `secret` opens it) wrapped to more holders.
    ShareRecoveryKey {
        secret: String,
        wrapped: Bytes,
        recovery_public_key: String,
        holders: Vec<crate::recovery::Keyholder>,
    },
    /// CRY-6: the member's identity as an age file to the recovery key.
    Escrow {
        secret: String,
        recovery_public_key: String,
    },
    /// ACC-7 with recovery: opens the escrow of a waiting reset with the
    /// recovery identity and hands the member's identity to its one-off key.
    HandOver {
        secret: String,
        wrapped: Bytes,
        recovery_public_key: String,
        reset: crate::recovery::WaitingReset,
    },
    /// ACC-7 with recovery: at sign-in, the handed-over identity opened
    /// with the one-off key (kept under the new password's export key) and
    /// wrapped again under that export key.
    TakeHandover {
        ceremony: Ceremony,
        member_public_key: String,
        handover: crate::recovery::Handover,
    },
    /// BOX-1: a new file under the last of `path`: its key, id, first
    /// sealed record (`record` carries name, size and type) and age header,
    /// for `create_upload`. The encryptor waits in the worker under the
    /// answer's ceremony until `SendFile`.
    PrepareFile {
        secret: String,
        path: Vec<KeyStep>,
        record: crate::boxes::NodeRecord,
    },
    /// Reads the `File` posted with this job, encrypts it and sends its
    /// parts to the upload (progress on the way), then signs the manifest
    /// and seals the final record: the answer is what `complete_upload`
    /// takes.
    SendFile {
        ceremony: Ceremony,
        upload_id: String,
        secret: String,
        signing: crate::files::SigningKey,
    },
    /// Fetches, checks and decrypts a file. With a chosen file's handle
    /// posted beside the job, the plaintext is written into it as it comes
    /// (answered `Saved`); without, answered `Downloaded` with a `Blob`.
    Download {
        secret: String,
        content: crate::files::FileContent,
    },
    /// Pauses, resumes or cancels the `SendFile` of `upload_id` between
    /// two parts (the part on its way finishes first).
    Steer { upload_id: String, to: Steer },
    /// BOX-8: checks every item of `export`, fetches every part, and
    /// writes one zip of the files as stored plus their identities sealed
    /// with `passphrase`; into a chosen file's handle posted beside the job
    /// (answered `Saved`), else answered `Exported` with the zip as a `Blob`.
    Export {
        secret: String,
        export: crate::files::BoxExport,
        passphrase: String,
    },
}

/// What the page asks of an upload in progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Steer {
    Pause,
    Resume,
    Cancel,
}

/// One step down the key tree: a node's public key and its identity
/// wrapped to the step above (a box's to the member's key).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyStep {
    pub public_key: String,
    pub wrapped: Bytes,
}

/// A node's key step and its sealed record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedNode {
    pub id: String,
    pub step: KeyStep,
    pub sealed: Bytes,
}

impl From<&crate::boxes::NodeView> for KeyStep {
    fn from(n: &crate::boxes::NodeView) -> Self {
        KeyStep {
            public_key: n.public_key.clone(),
            wrapped: n.wrapped_key.clone(),
        }
    }
}

/// A node just made, as the server will hand it back.
impl From<&crate::boxes::NewNode> for SealedNode {
    fn from(n: &crate::boxes::NewNode) -> Self {
        SealedNode {
            id: n.id.to_string(),
            step: KeyStep {
                public_key: n.public_key.clone(),
                wrapped: n.wrapped_key.clone(),
            },
            sealed: n.sealed_meta.clone(),
        }
    }
}

impl From<&crate::boxes::NodeView> for SealedNode {
    fn from(n: &crate::boxes::NodeView) -> Self {
        SealedNode {
            id: n.id.to_string(),
            step: n.into(),
            sealed: n.sealed_meta.clone(),
        }
    }
}

/// BOX-2: what a granter gives: to whom (account and member key), what,
/// when; `granter` is the granter's own account id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermitTerms {
    pub grantee: String,
    pub grantee_public_key: String,
    pub permission: crate::sharing::Permission,
    pub window: crate::sharing::Window,
    pub granter: String,
    /// BOX-9: the granter's sealed pin of the grantee's key, if any.
    #[serde(default)]
    pub pinned: Option<Bytes>,
    /// The fingerprint the granter compared and trusts, though it differs
    /// from the pin; only the key with this fingerprint is trusted.
    #[serde(default)]
    pub trusted: Option<String>,
}

/// The key pair to carry over to a new password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rewrap {
    pub with: Ceremony,
    pub keys: KeyEnvelope,
}

/// The member's key pair, unlocked: kept in the tab's `sessionStorage`
/// (never sent to the server), with what the page shows of it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unlocked {
    pub public_key: String,
    /// The age identity (`AGE-SECRET-KEY-1…`).
    pub secret: String,
    /// SHA-256 of the public key, ten groups of four hex digits.
    pub fingerprint: String,
}

impl std::fmt::Debug for Unlocked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Unlocked({})", self.public_key)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Answer {
    /// The worker takes work from now on.
    Ready,
    /// The first OPAQUE message, for the server.
    Started {
        ceremony: Ceremony,
        message: Bytes,
    },
    LoggedIn {
        finalization: Bytes,
    },
    Registered {
        upload: Bytes,
        keys: KeyEnvelope,
    },
    Unlocked(Unlocked),
    Wrapped(Bytes),
    /// A new node, ready for the server.
    Node(crate::boxes::NewNode),
    /// Records in the order asked; `None` for one whose seal does not open
    /// (changed outside Coffer).
    Records(Vec<Option<crate::boxes::NodeRecord>>),
    /// A sealed record, ready for the server.
    Sealed(Bytes),
    Rewrapped(crate::boxes::Rewrapped),
    SigningKey(crate::files::SigningKey),
    /// BOX-2: what `grant_permit` takes besides the terms.
    Permit {
        wrapped_key: Bytes,
        sealed_meta: Bytes,
        signature: Bytes,
        /// A new pin of the grantee's key, to store with the permit.
        pin: Option<Bytes>,
    },
    /// BOX-9: the key of `who` (an account id) is not the one this member
    /// pinned: nothing was made. Fingerprints of the pinned key (none: the
    /// pin did not open) and of the key the server gave now.
    KeyChanged {
        who: String,
        pinned: Option<String>,
        now: String,
    },
    /// BOX-2: one answer per permit checked.
    Checks(Vec<bool>),
    Rotated(crate::sharing::Rotation),
    Transferred(crate::transfers::Transferred),
    /// CRY-6: the recovery public key and its identity wrapped per holder.
    RecoveryKey {
        public_key: String,
        wraps: Vec<crate::recovery::HolderWrap>,
    },
    /// ACC-7 with recovery: the member's own keys again, and their new
    /// wrapping under the export key.
    Recovered {
        keys: Unlocked,
        wrapped_private_key: Bytes,
    },
    FilePrepared {
        ceremony: Ceremony,
        upload: crate::files::NewUpload,
    },
    /// How far a transfer is (bytes of plaintext); a job may post many
    /// before its answer.
    Progress {
        done: u64,
        total: u64,
    },
    FileSent(crate::files::Completion),
    /// The plaintext is the `Blob` posted with this answer.
    Downloaded,
    /// The export's zip is the `Blob` posted with this answer.
    Exported,
    /// A download or export is complete in the file the person chose.
    Saved,
    /// The server refused a part: its `ApiError` as JSON.
    PartRefused(String),
    Done,
    Failed(Failure),
}

/// Why a job failed; the page turns each into its own refusal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Failure {
    /// Wrong password or unknown account (OPAQUE cannot tell which).
    AuthenticationFailed,
    /// A message from the server that is not what the protocol sends.
    Malformed,
    /// Keys that do not open with what was given.
    UnwrapFailed,
    /// The ceremony is not (or no longer) known to the worker.
    UnknownCeremony,
    /// A file's content, header, manifest or record does not check out:
    /// "This file was changed outside Coffer".
    Tampered,
    /// The server could not be reached after every retry.
    Network,
    /// The browser could not read the chosen file.
    Unreadable,
    /// The member cancelled the transfer.
    Cancelled,
    /// The browser would not write the chosen file (a full disk, a
    /// permission taken back).
    Unwritable,
}

/// MFA-5: the input every passkey's PRF is evaluated on:
/// SHA-256("coffer/v1/passkey-prf-input"), written out so the page needs no
/// hash function (`coffer-crypto` checks it).
pub const PASSKEY_PRF_INPUT: [u8; 32] = [
    0x16, 0xda, 0x65, 0x72, 0x43, 0x32, 0xdf, 0xfd, 0x0c, 0xd3, 0x1c, 0x45, 0x95, 0xf4, 0x38, 0xa6,
    0x4e, 0xda, 0x04, 0xed, 0x6b, 0x09, 0x43, 0x3a, 0xea, 0xa2, 0xa4, 0xde, 0xf0, 0x7e, 0xca, 0x09,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_round_trip_as_json() {
        let job = Envelope {
            id: 7,
            body: Job::RegistrationFinish {
                ceremony: Ceremony(3),
                response: Bytes(vec![1, 2, 3]),
                keep: None,
            },
        };
        let text = serde_json::to_string(&job).unwrap();
        assert_eq!(serde_json::from_str::<Envelope<Job>>(&text).unwrap(), job);
    }
}
