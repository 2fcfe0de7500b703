//! What the server must read back or compute itself (an authenticator app's
//! secret, the audit chain's MAC key), under keys derived from its
//! file-kept secret, so the database alone reveals and allows nothing.

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::member_keys::{derived_cipher, WRAP_VERSION};
use crate::{CryptoError, ServerSecret};

impl ServerSecret {
    /// Encrypts a secret the server must be able to read back (a TOTP
    /// secret) under a key derived from this file-kept secret, so the
    /// database alone does not reveal it. `aad` binds it to its row.
    pub fn seal_at_rest(&self, purpose: &str, aad: &[u8], plain: &[u8]) -> Vec<u8> {
        let cipher = self.at_rest_cipher(purpose);
        let mut nonce = [0u8; 24];
        OsRng.fill_bytes(&mut nonce);
        let ct = cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad })
            .expect("XChaCha20-Poly1305 encryption of a short message cannot fail");
        let mut out = Vec::with_capacity(1 + 24 + ct.len());
        out.push(WRAP_VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    pub fn open_at_rest(
        &self,
        purpose: &str,
        aad: &[u8],
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        if sealed.len() < 1 + 24 + 16 || sealed[0] != WRAP_VERSION {
            return Err(CryptoError::UnwrapFailed);
        }
        self.at_rest_cipher(purpose)
            .decrypt(
                XNonce::from_slice(&sealed[1..25]),
                Payload {
                    msg: &sealed[25..],
                    aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| CryptoError::UnwrapFailed)
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
