//! What the server must read back or compute itself (an authenticator app's
//! secret, the audit chain's MAC key), under keys derived from its
//! file-kept secret, so the database alone reveals and allows nothing.

use chacha20poly1305::XChaCha20Poly1305;
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::envelope::{self, derived_cipher};
use crate::{CryptoError, ServerSecret};

impl ServerSecret {
    /// Encrypts a secret the server must be able to read back (a TOTP
    /// secret) under a key derived from this file-kept secret, so the
    /// database alone does not reveal it. `aad` binds it to its row.
    pub fn seal_at_rest(&self, purpose: &str, aad: &[u8], plain: &[u8]) -> Vec<u8> {
        envelope::seal(&self.at_rest_cipher(purpose), plain, aad)
    }

    pub fn open_at_rest(
        &self,
        purpose: &str,
        aad: &[u8],
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        envelope::open(&self.at_rest_cipher(purpose), sealed, aad).ok_or(CryptoError::UnwrapFailed)
    }

    /// A 256-bit key for `purpose` (HKDF-SHA-256 of this file-kept secret),
    /// for what the server must compute and a database writer must not
    /// (the audit chain's MAC).
    pub fn derive_key(&self, purpose: &str) -> Zeroizing<[u8; 32]> {
        let mut key = Zeroizing::new([0u8; 32]);
        Hkdf::<Sha256>::new(None, &self.to_bytes())
            .expand(format!("coffer/v1/key/{purpose}").as_bytes(), key.as_mut())
            .expect("32 bytes is a valid HKDF-SHA-256 output length");
        key
    }

    fn at_rest_cipher(&self, purpose: &str) -> XChaCha20Poly1305 {
        derived_cipher(
            &self.to_bytes(),
            format!("coffer/v1/at-rest/{purpose}").as_bytes(),
        )
    }
}
