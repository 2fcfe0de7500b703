//! BOX-1, CRY-2: files as the server keeps them, and the upload protocol
//! (DESIGN "Moving bytes"): `create` (the new file node, its age header
//! and its plaintext size) → one `PUT` per part (exact length and SHA-256
//! checked) → `complete` with the uploader's signature on the manifest.
//! Only then is the file visible. The server never sees a name or a byte
//! of plaintext: the payload is age's STREAM, cut into parts.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::boxes::NodeView;
use crate::ids::{NodeId, OrganisationId};
use crate::types::Bytes;

/// Plaintext per part: 128 age chunks of 64 KiB (8 MiB), above S3's
/// 5 MiB minimum for a multipart piece.
pub const PART_PLAIN: u64 = 128 * 64 * 1024;
/// Ciphertext per part: each chunk carries a 16-byte tag.
pub const PART_CIPHER: u64 = 128 * (64 * 1024 + 16);
/// An age header for one X25519 recipient, with the payload nonce, is
/// about 220 bytes.
pub const HEADER_MAX: usize = 1024;
/// The largest file one upload may declare (1 TiB).
pub const FILE_MAX: u64 = 1 << 40;

/// The exact payload size of `plain` bytes: each 64 KiB chunk gains a
/// 16-byte tag, and an empty file still has one (empty) chunk.
pub fn payload_size(plain: u64) -> u64 {
    plain + 16 * plain.div_ceil(64 * 1024).max(1)
}

/// How many parts carry a payload of `payload` bytes.
pub fn part_count(payload: u64) -> u32 {
    payload.div_ceil(PART_CIPHER).max(1) as u32
}

/// The exact length of part `n` (from 0) of a payload of `payload` bytes.
pub fn part_length(payload: u64, n: u32) -> Option<u64> {
    let start = u64::from(n) * PART_CIPHER;
    (n < part_count(payload)).then(|| (payload - start).min(PART_CIPHER))
}

/// A size as people read it: "512 bytes", "12.3 KB", "1.2 GB" (powers of
/// 1000, as plans are sold).
pub fn size_label(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes == 1 {
        return "1 byte".into();
    }
    if bytes < 1000 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if value < 10.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

/// BOX-6, ORG-8: what a member's files take, and their plan's quota
/// (`None`: the organisation has no plans).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageUsage {
    pub used_bytes: i64,
    pub quota_bytes: Option<i64>,
}

/// A member's signing key (CRY-5): the Ed25519 public key in hex, and the
/// seed as an age file to the member's own X25519 key, so every way that
/// unlocks the member's key (password, passkey) unlocks this one too.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningKey {
    pub public_key: String,
    pub wrapped: Bytes,
}

/// What the browser sends to start an upload: the file node (its key
/// wrapped to the folder's, a first sealed record), the age header, and the
/// plaintext size (from which the server knows every part's length).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUpload {
    pub node: crate::boxes::NewNode,
    pub header: Bytes,
    pub plain_size: u64,
}

/// An upload in progress: its id (for the part route), how many parts it
/// takes, and which the server already holds (to resume).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadState {
    pub upload_id: String,
    pub parts: u32,
    pub received: Vec<u32>,
}

/// The answer to a part: the SHA-256 the server computed, in hex.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartReceipt {
    pub part: u32,
    pub sha256: String,
}

/// Completing an upload: the final sealed record (with the content's hash
/// and the signer), and the uploader's Ed25519 signature on the manifest
/// (file id, plaintext size, header hash, part hashes in order).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completion {
    pub sealed_meta: Bytes,
    pub signature: Bytes,
}

/// What a download needs besides the payload: the way down to the file's
/// key (the box first, the file last), its header, the manifest and its
/// signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileContent {
    pub organisation_id: OrganisationId,
    pub path: Vec<NodeView>,
    pub header: Bytes,
    pub plain_size: u64,
    /// Hex SHA-256 of each part, in order.
    pub part_sha256: Vec<String>,
    pub signature: Bytes,
}

/// BOX-8: what an export needs: the way down to the exported box or
/// folder (the box first), and every item under it that is not in the
/// trash, parents before their children; a file with what its stored form
/// is made of and checked against.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoxExport {
    pub organisation_id: OrganisationId,
    pub path: Vec<NodeView>,
    pub items: Vec<ExportItem>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportItem {
    pub node: NodeView,
    pub file: Option<StoredFile>,
}

/// A file as stored: its age header, the manifest's facts and signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredFile {
    pub header: Bytes,
    pub plain_size: u64,
    pub part_sha256: Vec<String>,
    pub signature: Bytes,
}

impl FileContent {
    pub fn file_id(&self) -> Option<&NodeId> {
        self.path.last().map(|n| &n.id)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum FileError {
    #[error("That upload does not exist, has expired, or is not yours.")]
    UnknownUpload,
    #[error("That file does not exist, or you cannot see it.")]
    UnknownFile,
    #[error("The file's header or size is not valid.")]
    InvalidHeader,
    #[error("Part {part} is not part of this upload.")]
    NoSuchPart { part: u32 },
    #[error("Part {part} must be {expected} bytes; {received} arrived.")]
    WrongPartLength {
        part: u32,
        expected: u64,
        received: u64,
    },
    #[error("Part {part} did not arrive intact (its SHA-256 differs).")]
    PartDamaged { part: u32 },
    #[error("Part {part} was already received with different content.")]
    PartConflict { part: u32 },
    #[error("The upload is missing {missing} of its parts.")]
    MissingParts { missing: u32 },
    #[error("The upload's signature does not match its parts.")]
    BadSignature,
    #[error("Set up your signing key first (sign in again).")]
    NoSigningKey,
    #[error("Your signing key is already set.")]
    SigningKeySet,
    #[error("This file was changed outside Coffer")]
    Tampered,
    #[error("Choose an export passphrase of at least 12 characters.")]
    ExportPassphraseTooShort,
    #[error("The two export passphrases differ.")]
    ExportPassphrasesDiffer,
}

/// BOX-8: the fewest characters of an export passphrase. The key file is
/// sealed with scrypt, but it leaves Coffer, and offline guessing has all
/// the time in the world.
pub const EXPORT_PASSPHRASE_MIN: usize = 12;

/// The export passphrase as typed twice.
pub fn check_export_passphrase(passphrase: &str, again: &str) -> Result<(), FileError> {
    if passphrase.chars().count() < EXPORT_PASSPHRASE_MIN {
        return Err(FileError::ExportPassphraseTooShort);
    }
    if passphrase != again {
        return Err(FileError::ExportPassphrasesDiffer);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_passphrases_are_long_and_typed_twice_alike() {
        assert_eq!(
            check_export_passphrase("short", "short"),
            Err(FileError::ExportPassphraseTooShort)
        );
        assert_eq!(
            check_export_passphrase("a long passphrase", "a long passphrasE"),
            Err(FileError::ExportPassphrasesDiffer)
        );
        assert_eq!(
            check_export_passphrase("a long passphrase", "a long passphrase"),
            Ok(())
        );
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(size_label(0), "0 bytes");
        assert_eq!(size_label(1), "1 byte");
        assert_eq!(size_label(999), "999 bytes");
        assert_eq!(size_label(1_234), "1.2 KB");
        assert_eq!(size_label(8_388_609), "8.4 MB");
        assert_eq!(size_label(1_200_000_000), "1.2 GB");
        assert_eq!(size_label(512_000_000_000), "512 GB");
    }

    #[test]
    fn parts_cover_the_payload_exactly() {
        assert_eq!(payload_size(0), 16);
        assert_eq!(payload_size(1), 17);
        assert_eq!(payload_size(65_536), 65_552);
        assert_eq!(payload_size(65_537), 65_537 + 32);
        for plain in [
            0,
            1,
            PART_PLAIN - 1,
            PART_PLAIN,
            PART_PLAIN + 1,
            3 * PART_PLAIN + 7,
        ] {
            let payload = payload_size(plain);
            let parts = part_count(payload);
            let total: u64 = (0..parts).map(|n| part_length(payload, n).unwrap()).sum();
            assert_eq!(total, payload, "{plain}");
            assert_eq!(part_length(payload, parts), None);
            // A part boundary falls on a chunk boundary.
            assert_eq!(PART_CIPHER % (64 * 1024 + 16), 0);
        }
        assert_eq!(part_count(payload_size(PART_PLAIN)), 1);
        assert_eq!(part_count(payload_size(PART_PLAIN + 1)), 2);
    }
}
