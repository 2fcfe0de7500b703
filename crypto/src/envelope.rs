//! The one envelope every small secret in Coffer is kept in:
//! `version ‖ 24-byte nonce ‖ XChaCha20-Poly1305(message, associated data)`
//! under a key HKDF-SHA-256 derives for one purpose. The member's keys, the
//! signing key, sealed node records and the server's secrets at rest all
//! use it, each under its own label.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::Sha256;
use zeroize::Zeroizing;

const VERSION: u8 = 1;
const NONCE: usize = 24;
const TAG: usize = 16;

/// The AEAD keyed by HKDF-SHA-256(`ikm`, `info`).
pub(crate) fn derived_cipher(ikm: &[u8], info: &[u8]) -> XChaCha20Poly1305 {
    let hk = Hkdf::<Sha256>::new(None, ikm);
    let mut key = Zeroizing::new([0u8; 32]);
    hk.expand(info, key.as_mut())
        .expect("32 bytes is a valid HKDF-SHA256 length");
    XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(&key[..]))
}

pub(crate) fn seal(cipher: &XChaCha20Poly1305, msg: &[u8], aad: &[u8]) -> Vec<u8> {
    let mut nonce = [0u8; NONCE];
    OsRng.fill_bytes(&mut nonce);
    let ct = cipher
        .encrypt(XNonce::from_slice(&nonce), Payload { msg, aad })
        .expect("XChaCha20-Poly1305 encryption in memory cannot fail");
    let mut out = Vec::with_capacity(1 + NONCE + ct.len());
    out.push(VERSION);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    out
}

/// The message, or `None` when the envelope is not one, was altered, or
/// belongs to another key or associated data.
pub(crate) fn open(
    cipher: &XChaCha20Poly1305,
    sealed: &[u8],
    aad: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    if sealed.len() < 1 + NONCE + TAG || sealed[0] != VERSION {
        return None;
    }
    cipher
        .decrypt(
            XNonce::from_slice(&sealed[1..1 + NONCE]),
            Payload {
                msg: &sealed[1 + NONCE..],
                aad,
            },
        )
        .ok()
        .map(Zeroizing::new)
}
