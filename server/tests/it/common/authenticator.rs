//! A software passkey for the integration tests: what a platform
//! authenticator and the browser together send to the server, built from
//! the WebAuthn data formats with P-256 signatures (the `p256` crate) and
//! CBOR (`ciborium`). It answers the options the server sent, for any
//! origin the test names, so tests can also answer wrongly on purpose.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use ciborium::Value as Cbor;
use p256::ecdsa::{signature::Signer, DerSignature, SigningKey};
use rand::RngCore;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const UP: u8 = 0x01;
const UV: u8 = 0x04;
const AT: u8 = 0x40;

pub struct SoftPasskey {
    key: SigningKey,
    pub credential_id: Vec<u8>,
    user_handle: Vec<u8>,
    rp_id: String,
    counter: u32,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .expect("base64url from the server")
}

fn cbor(value: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).unwrap();
    out
}

fn client_data(kind: &str, challenge: &str, origin: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "type": kind,
        "challenge": challenge,
        "origin": origin,
        "crossOrigin": false,
    }))
    .unwrap()
}

impl SoftPasskey {
    /// Answers `options` (a `CreationChallengeResponse` as JSON) as a
    /// browser at `origin` would; returns the passkey and the
    /// `RegisterPublicKeyCredential` JSON.
    pub fn create(options: &Value, origin: &str) -> (SoftPasskey, Value) {
        let pk = &options["publicKey"];
        let rp_id = pk["rp"]["id"].as_str().unwrap().to_string();
        let user_handle = unb64(pk["user"]["id"].as_str().unwrap());
        let challenge = pk["challenge"].as_str().unwrap();
        let mut credential_id = vec![0u8; 32];
        rand::thread_rng().fill_bytes(&mut credential_id);
        let key = SigningKey::random(&mut rand::thread_rng());
        let passkey = SoftPasskey {
            key,
            credential_id,
            user_handle,
            rp_id,
            counter: 0,
        };
        let point = passkey.key.verifying_key().to_encoded_point(false);
        let cose_key = Cbor::Map(vec![
            (Cbor::Integer(1.into()), Cbor::Integer(2.into())),
            (Cbor::Integer(3.into()), Cbor::Integer((-7).into())),
            (Cbor::Integer((-1).into()), Cbor::Integer(1.into())),
            (
                Cbor::Integer((-2).into()),
                Cbor::Bytes(point.x().unwrap().to_vec()),
            ),
            (
                Cbor::Integer((-3).into()),
                Cbor::Bytes(point.y().unwrap().to_vec()),
            ),
        ]);
        let mut auth_data = passkey.auth_data_head(UP | UV | AT, 0);
        auth_data.extend_from_slice(&[0u8; 16]); // AAGUID: none
        auth_data.extend_from_slice(&(passkey.credential_id.len() as u16).to_be_bytes());
        auth_data.extend_from_slice(&passkey.credential_id);
        auth_data.extend_from_slice(&cbor(&cose_key));
        let attestation = Cbor::Map(vec![
            (Cbor::Text("fmt".into()), Cbor::Text("none".into())),
            (Cbor::Text("attStmt".into()), Cbor::Map(vec![])),
            (Cbor::Text("authData".into()), Cbor::Bytes(auth_data)),
        ]);
        let response = json!({
            "id": b64(&passkey.credential_id),
            "rawId": b64(&passkey.credential_id),
            "response": {
                "attestationObject": b64(&cbor(&attestation)),
                "clientDataJSON": b64(&client_data("webauthn.create", challenge, origin)),
            },
            "type": "public-key",
            "extensions": {},
        });
        (passkey, response)
    }

    fn auth_data_head(&self, flags: u8, counter: u32) -> Vec<u8> {
        let mut data = Sha256::digest(self.rp_id.as_bytes()).to_vec();
        data.push(flags);
        data.extend_from_slice(&counter.to_be_bytes());
        data
    }

    /// Answers `options` (a `RequestChallengeResponse` as JSON) as a browser
    /// at `origin` would: a signed assertion with user verification.
    pub fn assert(&mut self, options: &Value, origin: &str) -> Value {
        self.assert_with(options, origin, UP | UV)
    }

    /// The same without user verification (a tap, no PIN or biometric).
    pub fn assert_without_verification(&mut self, options: &Value, origin: &str) -> Value {
        self.assert_with(options, origin, UP)
    }

    fn assert_with(&mut self, options: &Value, origin: &str, flags: u8) -> Value {
        let challenge = options["publicKey"]["challenge"].as_str().unwrap();
        self.counter += 1;
        let auth_data = self.auth_data_head(flags, self.counter);
        let client_data = client_data("webauthn.get", challenge, origin);
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(&client_data));
        let signature: DerSignature = self.key.sign(&signed);
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "response": {
                "authenticatorData": b64(&auth_data),
                "clientDataJSON": b64(&client_data),
                "signature": b64(signature.as_bytes()),
                "userHandle": b64(&self.user_handle),
            },
            "type": "public-key",
            "extensions": {},
        })
    }
}
