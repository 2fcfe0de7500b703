//! OPAQUE (RFC 9807 draft 16, via `opaque-ke`) and the wrapping of each
//! member's X25519 (age) private key under a key derived from OPAQUE's export
//! key. The client half runs in the browser; the server half in `coffer-core`.
//! No primitive is implemented here: this only composes audited crates.

use age::secrecy::ExposeSecret;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use opaque_ke::{
    ClientLogin, ClientLoginFinishParameters, ClientRegistration,
    ClientRegistrationFinishParameters, CredentialFinalization, CredentialRequest,
    CredentialResponse, RegistrationRequest, RegistrationResponse, RegistrationUpload, ServerLogin,
    ServerLoginStartParameters, ServerRegistration, ServerSetup,
};
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Ristretto255 OPRF and 3DH key exchange; Argon2id (m=19 MiB, t=2, p=1, the
/// OWASP baseline) stretches the password on the client.
pub struct Suite;

impl opaque_ke::CipherSuite for Suite {
    type OprfCs = opaque_ke::Ristretto255;
    type KeGroup = opaque_ke::Ristretto255;
    type KeyExchange = opaque_ke::key_exchange::tripledh::TripleDh;
    type Ksf = argon2::Argon2<'static>;
}

/// RFC 9807's application context, bound into every key exchange, so a
/// transcript of Coffer's OPAQUE can be mistaken for no other protocol's.
const OPAQUE_CONTEXT: &[u8] = b"coffer/v1";
/// The server identity bound into every envelope and key exchange (RFC 9807
/// recommends one). A fixed application name rather than a host name, so
/// moving the instance to another address does not invalidate passwords;
/// the server's own public key is bound in any case.
const OPAQUE_SERVER_ID: &[u8] = b"coffer";

fn identifiers() -> opaque_ke::Identifiers<'static> {
    opaque_ke::Identifiers {
        client: None,
        server: Some(OPAQUE_SERVER_ID),
    }
}

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
}

/// Key derived from OPAQUE's export key; never leaves the browser.
pub type ExportKey = Zeroizing<Vec<u8>>;

// ---------------------------------------------------------------- client side

pub struct ClientRegistrationState(ClientRegistration<Suite>);

pub fn client_registration_start(
    password: &str,
) -> Result<(ClientRegistrationState, Vec<u8>), CryptoError> {
    let r = ClientRegistration::<Suite>::start(&mut OsRng, password.as_bytes())
        .map_err(|_| CryptoError::Malformed)?;
    Ok((
        ClientRegistrationState(r.state),
        r.message.serialize().to_vec(),
    ))
}

/// Returns the upload for the server and the export key.
pub fn client_registration_finish(
    state: ClientRegistrationState,
    password: &str,
    response: &[u8],
) -> Result<(Vec<u8>, ExportKey), CryptoError> {
    let response =
        RegistrationResponse::<Suite>::deserialize(response).map_err(|_| CryptoError::Malformed)?;
    let r = state
        .0
        .finish(
            &mut OsRng,
            password.as_bytes(),
            response,
            ClientRegistrationFinishParameters {
                identifiers: identifiers(),
                ksf: None,
            },
        )
        .map_err(|_| CryptoError::Malformed)?;
    Ok((
        r.message.serialize().to_vec(),
        Zeroizing::new(r.export_key.to_vec()),
    ))
}

pub struct ClientLoginState(ClientLogin<Suite>);

pub fn client_login_start(password: &str) -> Result<(ClientLoginState, Vec<u8>), CryptoError> {
    let r = ClientLogin::<Suite>::start(&mut OsRng, password.as_bytes())
        .map_err(|_| CryptoError::Malformed)?;
    Ok((ClientLoginState(r.state), r.message.serialize().to_vec()))
}

/// Returns the finalization for the server and the export key, or
/// `AuthenticationFailed` when the password is wrong or the account unknown.
pub fn client_login_finish(
    state: ClientLoginState,
    password: &str,
    response: &[u8],
) -> Result<(Vec<u8>, ExportKey), CryptoError> {
    let response =
        CredentialResponse::<Suite>::deserialize(response).map_err(|_| CryptoError::Malformed)?;
    let r = state
        .0
        .finish(
            password.as_bytes(),
            response,
            ClientLoginFinishParameters {
                context: Some(OPAQUE_CONTEXT),
                identifiers: identifiers(),
                ksf: None,
            },
        )
        .map_err(|_| CryptoError::AuthenticationFailed)?;
    Ok((
        r.message.serialize().to_vec(),
        Zeroizing::new(r.export_key.to_vec()),
    ))
}

// ---------------------------------------------------------------- server side

/// The server's long-term OPAQUE secret (OPRF seed and key-exchange key pair).
pub struct ServerSecret(ServerSetup<Suite>);

impl ServerSecret {
    pub fn generate() -> Self {
        ServerSecret(ServerSetup::<Suite>::new(&mut OsRng))
    }
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.0.serialize().to_vec())
    }
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        ServerSetup::<Suite>::deserialize(bytes)
            .map(ServerSecret)
            .map_err(|_| CryptoError::InvalidKey)
    }

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

    pub fn registration_response(
        &self,
        request: &[u8],
        credential_id: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let request = RegistrationRequest::<Suite>::deserialize(request)
            .map_err(|_| CryptoError::Malformed)?;
        let r = ServerRegistration::<Suite>::start(&self.0, request, credential_id)
            .map_err(|_| CryptoError::Malformed)?;
        Ok(r.message.serialize().to_vec())
    }

    /// Starts a login. With no password file (unknown account) OPAQUE answers
    /// with a response indistinguishable from a real one.
    /// Returns (server state to keep, response for the client).
    pub fn login_start(
        &self,
        password_file: Option<&[u8]>,
        request: &[u8],
        credential_id: &[u8],
    ) -> Result<(Vec<u8>, Vec<u8>), CryptoError> {
        let file = match password_file {
            Some(b) => Some(
                ServerRegistration::<Suite>::deserialize(b).map_err(|_| CryptoError::InvalidKey)?,
            ),
            None => None,
        };
        let request =
            CredentialRequest::<Suite>::deserialize(request).map_err(|_| CryptoError::Malformed)?;
        let r = ServerLogin::start(
            &mut OsRng,
            &self.0,
            file,
            request,
            credential_id,
            ServerLoginStartParameters {
                context: Some(OPAQUE_CONTEXT),
                identifiers: identifiers(),
            },
        )
        .map_err(|_| CryptoError::Malformed)?;
        Ok((r.state.serialize().to_vec(), r.message.serialize().to_vec()))
    }
}

/// Turns the client's registration upload into the password file to store.
pub fn server_registration_finish(upload: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let upload =
        RegistrationUpload::<Suite>::deserialize(upload).map_err(|_| CryptoError::Malformed)?;
    Ok(ServerRegistration::finish(upload).serialize().to_vec())
}

/// Succeeds only if the client proved knowledge of the password.
pub fn server_login_finish(state: &[u8], finalization: &[u8]) -> Result<(), CryptoError> {
    let state = ServerLogin::<Suite>::deserialize(state).map_err(|_| CryptoError::Malformed)?;
    let fin = CredentialFinalization::<Suite>::deserialize(finalization)
        .map_err(|_| CryptoError::Malformed)?;
    state
        .finish(fin)
        .map(|_| ())
        .map_err(|_| CryptoError::AuthenticationFailed)
}

// ---------------------------------------------------------------- member keys

/// An unwrapped member identity (age X25519), held only in the browser.
pub struct MemberKeys {
    identity: age::x25519::Identity,
}

const WRAP_VERSION: u8 = 1;
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

    fn wrap_with(&self, cipher: &XChaCha20Poly1305) -> Vec<u8> {
        let mut nonce = [0u8; 24];
        OsRng.fill_bytes(&mut nonce);
        let secret = self.secret_text();
        let aad = self.public_key();
        let ct = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: secret.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 encryption of a short message cannot fail");
        let mut out = Vec::with_capacity(1 + 24 + ct.len());
        out.push(WRAP_VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    fn unwrap_with(
        wrapped: &[u8],
        cipher: &XChaCha20Poly1305,
        public_key: &str,
    ) -> Result<Self, CryptoError> {
        if wrapped.len() < 1 + 24 + 16 || wrapped[0] != WRAP_VERSION {
            return Err(CryptoError::UnwrapFailed);
        }
        let plain = Zeroizing::new(
            cipher
                .decrypt(
                    XNonce::from_slice(&wrapped[1..25]),
                    Payload {
                        msg: &wrapped[25..],
                        aad: public_key.as_bytes(),
                    },
                )
                .map_err(|_| CryptoError::UnwrapFailed)?,
        );
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

fn derived_cipher(ikm: &[u8], info: &[u8]) -> XChaCha20Poly1305 {
    let hk = Hkdf::<Sha256>::new(None, ikm);
    let mut key = Zeroizing::new([0u8; 32]);
    hk.expand(info, key.as_mut())
        .expect("32 bytes is a valid HKDF-SHA256 length");
    XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(&key[..]))
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
    fn fingerprint_is_stable_and_readable() {
        let f = fingerprint("age1example");
        assert_eq!(f, fingerprint("age1example"));
        assert_eq!(f.split(' ').count(), 10);
        assert_ne!(f, fingerprint("age1other"));
        assert!(!is_valid_public_key("age1example"));
    }
}
