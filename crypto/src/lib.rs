//! Every composition of cryptographic primitives Coffer uses, compiled
//! natively (the server, the tests) and to WebAssembly (the browser's crypto
//! worker). No primitive is implemented here: this only composes audited
//! crates.
//!
//! - `opaque`: OPAQUE (RFC 9807, via `opaque-ke`), the client's and the
//!   server's halves.
//! - `member_keys`: each member's X25519 (age) identity and its wrappings
//!   under keys derived from OPAQUE's export key or a passkey's PRF output.
//! - `at_rest`: what the server seals under its own file-kept secret.
//! - `nodes`: each box's, folder's and file's own identity, wrapped to its
//!   holder, and the sealed name-and-metadata record.
//! - `content`: a file's age encryption, its header kept apart from the
//!   payload, and the exact payload size.
//! - `manifest`: each member's Ed25519 signing key and the manifest an
//!   uploader signs.
//! - `permits`: what a granter signs when they share a node (BOX-2).
//! - `export`: the passphrase-sealed key file of a BOX-8 export.

mod at_rest;
mod content;
mod envelope;
mod export;
mod manifest;
mod member_keys;
mod nodes;
mod opaque;
mod parts;
mod permits;
mod pins;

pub use content::{
    decrypt_file, payload_size, sha256, ContentHash, FileDecryptor, FileEncryptor, CHUNK, TAG,
};
pub use export::{seal_with_passphrase, EXPORT_WORK_FACTOR};
pub use manifest::{is_valid_signing_key, verify_manifest, Manifest, SigningKeys};
pub use nodes::{new_node_id, KeyHolder, NodeKey};
pub use parts::{
    hashes_from_hex, Cut, FileReader, FileWriter, Finished, Part, PartChecker, Unsigned,
    PART_BYTES, PART_CHUNKS,
};
pub use permits::{verify_permit, PermitStatement};
pub use pins::PinCheck;

pub use member_keys::{fingerprint, is_valid_public_key, passkey_prf_input, MemberKeys};
pub use opaque::{
    client_login_finish, client_login_start, client_registration_finish, client_registration_start,
    server_login_finish, server_registration_finish, ClientLoginState, ClientRegistrationState,
    ServerSecret, Suite,
};

use zeroize::Zeroizing;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    /// Wrong password, unknown account, or a tampered message: OPAQUE does
    /// not (and must not) say which.
    #[error("authentication failed")]
    AuthenticationFailed,
    #[error("malformed protocol message")]
    Malformed,
    #[error("the wrapped key could not be opened")]
    UnwrapFailed,
    #[error("not a valid key")]
    InvalidKey,
    /// A sealed name or metadata record was altered, moved to another
    /// node, or written without the key.
    #[error("the sealed record does not open")]
    SealBroken,
    /// A file's content, header or manifest does not match what was
    /// signed and encrypted.
    #[error("the content was changed")]
    ContentBroken,
}

/// Key derived from OPAQUE's export key; never leaves the browser.
pub type ExportKey = Zeroizing<Vec<u8>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_at_rest_opens_only_with_the_same_secret_purpose_and_row() {
        let server = ServerSecret::generate();
        let sealed = server.seal_at_rest("totp", b"account-1", b"JBSWY3DPEHPK3PXP");
        assert!(!sealed.windows(4).any(|w| w == b"JBSW"));
        assert_eq!(
            &server.open_at_rest("totp", b"account-1", &sealed).unwrap()[..],
            b"JBSWY3DPEHPK3PXP"
        );
        assert!(server.open_at_rest("totp", b"account-2", &sealed).is_err());
        assert!(server.open_at_rest("other", b"account-1", &sealed).is_err());
        assert!(ServerSecret::generate()
            .open_at_rest("totp", b"account-1", &sealed)
            .is_err());
    }

    fn register(server: &ServerSecret, id: &[u8], password: &str) -> (Vec<u8>, ExportKey) {
        let (state, req) = client_registration_start(password).unwrap();
        let resp = server.registration_response(&req, id).unwrap();
        let (upload, export) = client_registration_finish(state, password, &resp).unwrap();
        (server_registration_finish(&upload).unwrap(), export)
    }

    fn login(
        server: &ServerSecret,
        file: Option<&[u8]>,
        id: &[u8],
        password: &str,
    ) -> Result<ExportKey, CryptoError> {
        let (state, req) = client_login_start(password).unwrap();
        let (server_state, resp) = server.login_start(file, &req, id).unwrap();
        let (fin, export) = client_login_finish(state, password, &resp)?;
        server_login_finish(&server_state, &fin)?;
        Ok(export)
    }

    #[test]
    fn opaque_round_trip_gives_the_same_export_key() {
        let server = ServerSecret::from_bytes(&ServerSecret::generate().to_bytes()).unwrap();
        let (file, export_at_registration) = register(&server, b"ann@example.com", "correct horse");
        let export = login(&server, Some(&file), b"ann@example.com", "correct horse").unwrap();
        assert_eq!(*export, *export_at_registration);
    }

    #[test]
    fn opaque_refuses_wrong_password_and_unknown_account_alike() {
        let server = ServerSecret::generate();
        let (file, _) = register(&server, b"ann@example.com", "correct horse");
        assert_eq!(
            login(&server, Some(&file), b"ann@example.com", "wrong horse").err(),
            Some(CryptoError::AuthenticationFailed)
        );
        assert_eq!(
            login(&server, None, b"nobody@example.com", "correct horse").err(),
            Some(CryptoError::AuthenticationFailed)
        );
    }

    #[test]
    fn server_refuses_a_forged_finalization() {
        let server = ServerSecret::generate();
        let (file, _) = register(&server, b"ann@example.com", "correct horse");
        let (_, req) = client_login_start("correct horse").unwrap();
        let (server_state, _) = server
            .login_start(Some(&file), &req, b"ann@example.com")
            .unwrap();
        let forged = vec![7u8; 64];
        assert!(server_login_finish(&server_state, &forged).is_err());
        assert_eq!(
            server.registration_response(b"junk", b"x").err(),
            Some(CryptoError::Malformed)
        );
    }

    #[test]
    fn key_wrap_round_trip_and_tamper_detection() {
        let keys = MemberKeys::generate();
        let pk = keys.public_key();
        assert!(is_valid_public_key(&pk));
        let export = [9u8; 64];
        let mut wrapped = keys.wrap(&export);
        let back = MemberKeys::unwrap(&wrapped, &export, &pk).unwrap();
        assert_eq!(back.public_key(), pk);
        assert!(
            MemberKeys::unwrap(&wrapped, &[8u8; 64], &pk).is_err(),
            "wrong key"
        );
        let other = MemberKeys::generate().public_key();
        assert!(
            MemberKeys::unwrap(&wrapped, &export, &other).is_err(),
            "wrong public key"
        );
        let last = wrapped.len() - 1;
        wrapped[last] ^= 1;
        assert!(
            MemberKeys::unwrap(&wrapped, &export, &pk).is_err(),
            "tampered"
        );
        // The wrapped form does not contain the secret in the clear.
        let secret = keys.secret_text();
        assert!(!wrapped
            .windows(10)
            .any(|w| secret.as_bytes().windows(10).any(|s| s == w)));
    }

    #[test]
    fn passkey_wrapping_opens_only_with_the_same_prf_output() {
        let keys = MemberKeys::generate();
        let prf = [7u8; 32];
        let wrapped = keys.wrap_for_passkey(&prf);
        let back = MemberKeys::unwrap_with_passkey(&wrapped, &prf, &keys.public_key()).unwrap();
        assert_eq!(back.public_key(), keys.public_key());
        assert!(MemberKeys::unwrap_with_passkey(&wrapped, &[8u8; 32], &keys.public_key()).is_err());
        // Domain separation: the PRF output is not usable as an export key.
        assert!(MemberKeys::unwrap(&wrapped, &prf, &keys.public_key()).is_err());
    }

    #[test]
    fn the_page_s_prf_input_is_the_hash_it_claims() {
        assert_eq!(
            passkey_prf_input(),
            coffer_shared::worker::PASSKEY_PRF_INPUT
        );
    }

    #[test]
    fn fingerprint_is_stable_and_readable() {
        let f = fingerprint("age1example");
        assert_eq!(f, fingerprint("age1example"));
        assert_eq!(f.split(' ').count(), 10);
        assert_ne!(f, fingerprint("age1other"));
        assert!(!is_valid_public_key("age1example"));
    }
}
