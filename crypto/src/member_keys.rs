//! Each member's X25519 (age) identity, held unwrapped only in the browser,
//! and its wrappings: under a key derived from OPAQUE's export key, and
//! under one derived from a passkey's PRF output (MFA-5), and (CRY-6) as
//! an age file to the organisation's recovery key or a reset's handover key.

use age::secrecy::ExposeSecret;
use chacha20poly1305::XChaCha20Poly1305;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::envelope::{self, derived_cipher};
use crate::CryptoError;

/// An unwrapped member identity (age X25519), held only in the browser.
pub struct MemberKeys {
    identity: age::x25519::Identity,
}

const WRAP_INFO: &[u8] = b"coffer/v1/member-key-wrap";
const PRF_WRAP_INFO: &[u8] = b"coffer/v1/member-key-wrap/passkey-prf";

/// MFA-5: the input every passkey's PRF is evaluated on. One for the whole
/// app, because a passkey-only sign-in does not know the credential before
/// the authenticator answers; the authenticator's per-credential secret
/// makes the outputs differ anyway.
pub fn passkey_prf_input() -> [u8; 32] {
    Sha256::digest(b"coffer/v1/passkey-prf-input").into()
}

impl MemberKeys {
    /// Fresh key pair from the platform's secure random source (Web Crypto
    /// `getRandomValues` in the browser).
    pub fn generate() -> Self {
        MemberKeys {
            identity: age::x25519::Identity::generate(),
        }
    }

    pub fn public_key(&self) -> String {
        self.identity.to_public().to_string()
    }

    pub(crate) fn identity(&self) -> &age::x25519::Identity {
        &self.identity
    }

    pub fn secret_text(&self) -> Zeroizing<String> {
        Zeroizing::new(self.identity.to_string().expose_secret().to_string())
    }

    pub fn from_secret_text(text: &str) -> Result<Self, CryptoError> {
        text.parse::<age::x25519::Identity>()
            .map(|identity| MemberKeys { identity })
            .map_err(|_| CryptoError::InvalidKey)
    }

    /// `version ‖ nonce ‖ XChaCha20-Poly1305(identity)`; the public key is
    /// bound as associated data so a wrapped key cannot be paired with
    /// another account's public key unnoticed.
    pub fn wrap(&self, export_key: &[u8]) -> Vec<u8> {
        self.wrap_with(&wrapping_cipher(export_key))
    }

    /// MFA-5: the second wrapping, under a key derived from a passkey's PRF
    /// output (which only the browser ever sees).
    pub fn wrap_for_passkey(&self, prf_output: &[u8]) -> Vec<u8> {
        self.wrap_with(&derived_cipher(prf_output, PRF_WRAP_INFO))
    }

    pub fn unwrap(
        wrapped: &[u8],
        export_key: &[u8],
        public_key: &str,
    ) -> Result<Self, CryptoError> {
        Self::unwrap_with(wrapped, &wrapping_cipher(export_key), public_key)
    }

    pub fn unwrap_with_passkey(
        wrapped: &[u8],
        prf_output: &[u8],
        public_key: &str,
    ) -> Result<Self, CryptoError> {
        Self::unwrap_with(
            wrapped,
            &derived_cipher(prf_output, PRF_WRAP_INFO),
            public_key,
        )
    }

    /// CRY-6: the identity as an age file to another key: the
    /// organisation's recovery key (the escrow), or the one-off key a
    /// password reset made (the handover).
    pub fn wrap_to(&self, recipient_public_key: &str) -> Result<Vec<u8>, CryptoError> {
        let secret = self.secret_text();
        crate::nodes::encrypt_to(
            &crate::nodes::recipient(recipient_public_key)?,
            secret.as_bytes(),
        )
    }

    /// Opens what `wrap_to` made, and refuses it unless it is the identity
    /// of `public_key` (a server that substituted one it made is caught).
    pub fn unwrap_from(
        wrapped: &[u8],
        holder: &impl crate::KeyHolder,
        public_key: &str,
    ) -> Result<Self, CryptoError> {
        let plain = crate::nodes::decrypt_with(holder.age_identity(), wrapped)?;
        let text = std::str::from_utf8(&plain).map_err(|_| CryptoError::UnwrapFailed)?;
        let keys = MemberKeys::from_secret_text(text).map_err(|_| CryptoError::UnwrapFailed)?;
        if keys.public_key() != public_key {
            return Err(CryptoError::UnwrapFailed);
        }
        Ok(keys)
    }

    fn wrap_with(&self, cipher: &XChaCha20Poly1305) -> Vec<u8> {
        let secret = self.secret_text();
        envelope::seal(cipher, secret.as_bytes(), self.public_key().as_bytes())
    }

    fn unwrap_with(
        wrapped: &[u8],
        cipher: &XChaCha20Poly1305,
        public_key: &str,
    ) -> Result<Self, CryptoError> {
        let plain = envelope::open(cipher, wrapped, public_key.as_bytes())
            .ok_or(CryptoError::UnwrapFailed)?;
        let text = std::str::from_utf8(&plain).map_err(|_| CryptoError::UnwrapFailed)?;
        let keys = MemberKeys::from_secret_text(text)?;
        if keys.public_key() != public_key {
            return Err(CryptoError::UnwrapFailed);
        }
        Ok(keys)
    }
}

fn wrapping_cipher(export_key: &[u8]) -> XChaCha20Poly1305 {
    derived_cipher(export_key, WRAP_INFO)
}

/// Checks that text is an age X25519 recipient (what the server stores).
pub fn is_valid_public_key(text: &str) -> bool {
    text.parse::<age::x25519::Recipient>().is_ok()
}

/// Human-comparable fingerprint of a public key: the first 20 bytes of its
/// SHA-256, as ten groups of four hex digits.
pub fn fingerprint(public_key: &str) -> String {
    let digest = Sha256::digest(public_key.as_bytes());
    digest[..20]
        .chunks(2)
        .map(|c| format!("{:02X}{:02X}", c[0], c[1]))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NodeKey;

    #[test]
    fn an_escrow_opens_only_with_the_recovery_key_and_only_as_that_member() {
        let member = MemberKeys::generate();
        let recovery = NodeKey::generate();
        let escrow = member.wrap_to(&recovery.public_key()).unwrap();
        let opened = MemberKeys::unwrap_from(&escrow, &recovery, &member.public_key()).unwrap();
        assert_eq!(opened.public_key(), member.public_key());
        let other = NodeKey::generate();
        assert_eq!(
            MemberKeys::unwrap_from(&escrow, &other, &member.public_key()).err(),
            Some(CryptoError::UnwrapFailed)
        );
        // An escrow of someone else's keys, passed off as this member's.
        let stranger = MemberKeys::generate();
        let swapped = stranger.wrap_to(&recovery.public_key()).unwrap();
        assert_eq!(
            MemberKeys::unwrap_from(&swapped, &recovery, &member.public_key()).err(),
            Some(CryptoError::UnwrapFailed)
        );
    }
}
