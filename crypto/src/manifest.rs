//! Each member's Ed25519 signing key (CRY-5) and the manifest an uploader
//! signs when a file is complete: the file's id, plaintext size, the hash
//! of its age header and of every part in order. A download checks it
//! before it trusts a byte, so a server that swaps, reorders or cuts parts
//! (or a whole file) is caught even though age itself names no sender.

use ed25519_dalek::Signer;
use rand::rngs::OsRng;
use rand::RngCore;
use zeroize::Zeroizing;

use crate::nodes::{decrypt_with, encrypt_to, recipient};
use crate::{CryptoError, MemberKeys};

const MANIFEST_CONTEXT: &[u8] = b"coffer/v1/file-manifest";

/// What an uploader signs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    pub file_id: String,
    pub plain_size: u64,
    pub header_sha256: [u8; 32],
    pub part_sha256: Vec<[u8; 32]>,
}

impl Manifest {
    /// One unambiguous encoding: a context label, then each field with its
    /// length, so no two manifests sign the same bytes.
    fn signed_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.file_id.len() + 32 * self.part_sha256.len());
        out.extend_from_slice(MANIFEST_CONTEXT);
        out.extend_from_slice(&(self.file_id.len() as u32).to_be_bytes());
        out.extend_from_slice(self.file_id.as_bytes());
        out.extend_from_slice(&self.plain_size.to_be_bytes());
        out.extend_from_slice(&self.header_sha256);
        out.extend_from_slice(&(self.part_sha256.len() as u32).to_be_bytes());
        for part in &self.part_sha256 {
            out.extend_from_slice(part);
        }
        out
    }
}

/// A member's signing key, unwrapped: only in the browser.
pub struct SigningKeys {
    key: ed25519_dalek::SigningKey,
}

impl SigningKeys {
    pub fn generate() -> Self {
        let mut seed = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(seed.as_mut());
        SigningKeys {
            key: ed25519_dalek::SigningKey::from_bytes(&seed),
        }
    }

    /// The verifying key the server stores and shows to others.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    pub fn sign(&self, manifest: &Manifest) -> [u8; 64] {
        self.sign_bytes(&manifest.signed_bytes())
    }

    /// Signs bytes that begin with their own context label.
    pub(crate) fn sign_bytes(&self, bytes: &[u8]) -> [u8; 64] {
        self.key.sign(bytes).to_bytes()
    }

    /// The verifying key in hex, as the server stores it and a sealed
    /// file record names its signer.
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.public_key())
    }

    /// The seed as an age file to the member's own X25519 key: whatever
    /// unlocks the member's key (password, passkey) unlocks this one too.
    pub fn wrap_to(&self, member_public_key: &str) -> Result<Vec<u8>, CryptoError> {
        let seed = Zeroizing::new(self.key.to_bytes());
        encrypt_to(&recipient(member_public_key)?, seed.as_ref())
    }

    /// Opens a wrapped seed with the member's keys and refuses it unless
    /// it is the key whose public half is `public_key_hex`.
    pub fn unwrap(
        wrapped: &[u8],
        member: &MemberKeys,
        public_key_hex: &str,
    ) -> Result<Self, CryptoError> {
        let seed = decrypt_with(member.identity(), wrapped)?;
        let seed: &[u8; 32] = seed
            .as_slice()
            .try_into()
            .map_err(|_| CryptoError::UnwrapFailed)?;
        let keys = SigningKeys {
            key: ed25519_dalek::SigningKey::from_bytes(seed),
        };
        if keys.public_key_hex() != public_key_hex {
            return Err(CryptoError::UnwrapFailed);
        }
        Ok(keys)
    }
}

/// Whether `text` is an Ed25519 public key in hex (what the server checks
/// before it stores one).
pub fn is_valid_signing_key(text: &str) -> bool {
    hex::decode(text)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .is_some_and(|b| ed25519_dalek::VerifyingKey::from_bytes(&b).is_ok())
}

/// Checks an uploader's signature on a manifest; `signer` is the
/// uploader's verifying key in hex.
pub fn verify_manifest(
    signer: &str,
    manifest: &Manifest,
    signature: &[u8],
) -> Result<(), CryptoError> {
    verify_bytes(signer, &manifest.signed_bytes(), signature)
}

/// Checks an Ed25519 signature by `signer` (hex) on `signed`.
pub(crate) fn verify_bytes(
    signer: &str,
    signed: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    let bytes: [u8; 32] = hex::decode(signer)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(CryptoError::InvalidKey)?;
    let key =
        ed25519_dalek::VerifyingKey::from_bytes(&bytes).map_err(|_| CryptoError::InvalidKey)?;
    let signature =
        ed25519_dalek::Signature::from_slice(signature).map_err(|_| CryptoError::ContentBroken)?;
    key.verify_strict(signed, &signature)
        .map_err(|_| CryptoError::ContentBroken)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest {
            file_id: "f-1".into(),
            plain_size: 20_000_000,
            header_sha256: [1; 32],
            part_sha256: vec![[2; 32], [3; 32], [4; 32]],
        }
    }

    #[test]
    fn a_signed_manifest_verifies_and_any_change_is_refused() {
        let uploader = SigningKeys::generate();
        let m = manifest();
        let sig = uploader.sign(&m);
        assert_eq!(
            verify_manifest(&uploader.public_key_hex(), &m, &sig),
            Ok(())
        );

        let mut swapped = m.clone();
        swapped.part_sha256.swap(0, 1);
        let mut cut = m.clone();
        cut.part_sha256.pop();
        let mut resized = m.clone();
        resized.plain_size += 1;
        let mut other_file = m.clone();
        other_file.file_id = "f-2".into();
        let mut other_header = m.clone();
        other_header.header_sha256[31] ^= 1;
        for changed in [swapped, cut, resized, other_file, other_header] {
            assert_eq!(
                verify_manifest(&uploader.public_key_hex(), &changed, &sig),
                Err(CryptoError::ContentBroken)
            );
        }
        // Signed by someone else.
        let other = SigningKeys::generate();
        assert!(verify_manifest(&other.public_key_hex(), &m, &sig).is_err());
        let mut bad_sig = sig;
        bad_sig[10] ^= 1;
        assert!(verify_manifest(&uploader.public_key_hex(), &m, &bad_sig).is_err());
    }

    #[test]
    fn the_signing_key_opens_with_the_members_key_only() {
        let member = MemberKeys::generate();
        let keys = SigningKeys::generate();
        let wrapped = keys.wrap_to(&member.public_key()).unwrap();
        let back = SigningKeys::unwrap(&wrapped, &member, &keys.public_key_hex()).unwrap();
        assert_eq!(back.public_key(), keys.public_key());
        assert!(is_valid_signing_key(&keys.public_key_hex()));
        assert!(!is_valid_signing_key("zz"));
        let stranger = MemberKeys::generate();
        assert!(SigningKeys::unwrap(&wrapped, &stranger, &keys.public_key_hex()).is_err());
        let other = SigningKeys::generate();
        assert!(SigningKeys::unwrap(&wrapped, &member, &other.public_key_hex()).is_err());
    }
}
