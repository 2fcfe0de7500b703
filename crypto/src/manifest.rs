//! Each member's Ed25519 signing key (CRY-5) and the manifest an uploader
//! signs when a file is complete: the file's id, plaintext size, the hash
//! of its age header and of every part in order. A download checks it
//! before it trusts a byte, so a server that swaps, reorders or cuts parts
//! (or a whole file) is caught even though age itself names no sender.

use ed25519_dalek::Signer;
use rand::rngs::OsRng;
use rand::RngCore;
use zeroize::Zeroizing;

use crate::envelope::{self, derived_cipher};
use crate::CryptoError;

const SIGNING_WRAP_INFO: &[u8] = b"coffer/v1/signing-key-wrap";
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
        self.key.sign(&manifest.signed_bytes()).to_bytes()
    }

    /// `version ‖ nonce ‖ XChaCha20-Poly1305(seed)` under a key derived
    /// from OPAQUE's export key, the public key bound as associated data
    /// (like the member's X25519 key, under its own label).
    pub fn wrap(&self, export_key: &[u8]) -> Vec<u8> {
        let seed = Zeroizing::new(self.key.to_bytes());
        envelope::seal(
            &wrapping_cipher(export_key),
            seed.as_ref(),
            &self.public_key(),
        )
    }

    pub fn unwrap(
        wrapped: &[u8],
        export_key: &[u8],
        public_key: &[u8; 32],
    ) -> Result<Self, CryptoError> {
        let seed = envelope::open(&wrapping_cipher(export_key), wrapped, public_key)
            .ok_or(CryptoError::UnwrapFailed)?;
        let seed: &[u8; 32] = seed
            .as_slice()
            .try_into()
            .map_err(|_| CryptoError::UnwrapFailed)?;
        let keys = SigningKeys {
            key: ed25519_dalek::SigningKey::from_bytes(seed),
        };
        if &keys.public_key() != public_key {
            return Err(CryptoError::UnwrapFailed);
        }
        Ok(keys)
    }
}

fn wrapping_cipher(export_key: &[u8]) -> chacha20poly1305::XChaCha20Poly1305 {
    derived_cipher(export_key, SIGNING_WRAP_INFO)
}

/// Checks an uploader's signature on a manifest.
pub fn verify_manifest(
    signer_public_key: &[u8; 32],
    manifest: &Manifest,
    signature: &[u8],
) -> Result<(), CryptoError> {
    let key = ed25519_dalek::VerifyingKey::from_bytes(signer_public_key)
        .map_err(|_| CryptoError::InvalidKey)?;
    let signature =
        ed25519_dalek::Signature::from_slice(signature).map_err(|_| CryptoError::ContentBroken)?;
    key.verify_strict(&manifest.signed_bytes(), &signature)
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
        assert_eq!(verify_manifest(&uploader.public_key(), &m, &sig), Ok(()));

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
                verify_manifest(&uploader.public_key(), &changed, &sig),
                Err(CryptoError::ContentBroken)
            );
        }
        // Signed by someone else.
        let other = SigningKeys::generate();
        assert!(verify_manifest(&other.public_key(), &m, &sig).is_err());
        let mut bad_sig = sig;
        bad_sig[10] ^= 1;
        assert!(verify_manifest(&uploader.public_key(), &m, &bad_sig).is_err());
    }

    #[test]
    fn the_signing_key_is_wrapped_under_the_export_key() {
        let keys = SigningKeys::generate();
        let export = [9u8; 64];
        let wrapped = keys.wrap(&export);
        let back = SigningKeys::unwrap(&wrapped, &export, &keys.public_key()).unwrap();
        assert_eq!(back.public_key(), keys.public_key());
        assert!(SigningKeys::unwrap(&wrapped, &[8u8; 64], &keys.public_key()).is_err());
        let other = SigningKeys::generate();
        assert!(SigningKeys::unwrap(&wrapped, &export, &other.public_key()).is_err());
    }
}
