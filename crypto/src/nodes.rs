//! Node keys (CRY-1, CRY-3; the Proton Drive model): every box, folder and
//! file has its own X25519 (age) identity, made in the browser. A node's
//! identity is stored only as a small age file encrypted to its holder: the
//! parent node's public key, or for a box its owner's (and later each permit
//! holder's) member key. Holding a node's identity opens its subtree; moving
//! a node re-wraps one identity.
//!
//! Names and metadata are one record sealed under a key derived from the
//! sealing node's identity (a child's record under its parent's, a box's
//! under its own), bound to the node's id and public key. age alone does
//! not authenticate the sender (anyone can encrypt to a public key); this
//! seal is what stops a server from swapping a name, or a node's key,
//! unnoticed.

use std::io::{Read, Write};
use std::str::FromStr;

use age::secrecy::ExposeSecret;
use zeroize::Zeroizing;

use crate::envelope::{self, derived_cipher};
use crate::{CryptoError, MemberKeys};

const SEAL_INFO: &[u8] = b"coffer/v1/sealed-metadata";

/// A new node's id, chosen in the browser (the sealed record is bound to
/// it): a random (version 4) UUID.
pub fn new_node_id() -> String {
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string()
}

/// What can open a wrapped node identity: a member's keys or a node's.
pub trait KeyHolder {
    fn age_identity(&self) -> &age::x25519::Identity;
}

impl KeyHolder for MemberKeys {
    fn age_identity(&self) -> &age::x25519::Identity {
        self.identity()
    }
}

/// One node's identity, unwrapped: only ever in the browser.
pub struct NodeKey {
    identity: age::x25519::Identity,
}

impl KeyHolder for NodeKey {
    fn age_identity(&self) -> &age::x25519::Identity {
        &self.identity
    }
}

impl NodeKey {
    /// A fresh identity from the platform's secure random source.
    pub fn generate() -> Self {
        NodeKey {
            identity: age::x25519::Identity::generate(),
        }
    }

    /// The age recipient (`age1…`) the server stores beside the node.
    pub fn public_key(&self) -> String {
        self.identity.to_public().to_string()
    }

    /// The identity as an age file to `holder_public_key` (the parent
    /// node's, or a member's); the server stores these bytes.
    pub fn wrap_to(&self, holder_public_key: &str) -> Result<Vec<u8>, CryptoError> {
        let recipient = recipient(holder_public_key)?;
        let secret = self.identity.to_string();
        encrypt_to(&recipient, secret.expose_secret().as_bytes())
    }

    /// Opens a wrapped identity with its holder's key, and refuses it unless
    /// it is the identity of `public_key` (a server that swapped the wrapped
    /// key for one it made is caught here, or by the seal).
    pub fn unwrap(
        wrapped: &[u8],
        holder: &impl KeyHolder,
        public_key: &str,
    ) -> Result<Self, CryptoError> {
        let plain = decrypt_with(holder.age_identity(), wrapped)?;
        let text = std::str::from_utf8(&plain).map_err(|_| CryptoError::UnwrapFailed)?;
        let identity =
            age::x25519::Identity::from_str(text).map_err(|_| CryptoError::UnwrapFailed)?;
        let key = NodeKey { identity };
        if key.public_key() != public_key {
            return Err(CryptoError::UnwrapFailed);
        }
        Ok(key)
    }

    /// The identity as age writes it (`AGE-SECRET-KEY-1…`): for the key
    /// file of an export (BOX-8), which Debian's `age -d -i` reads.
    pub fn identity_text(&self) -> Zeroizing<String> {
        Zeroizing::new(self.identity.to_string().expose_secret().to_string())
    }

    /// Seals `record` (the node's name and metadata) for the node `node_id`
    /// whose public key is `node_public_key`: only holders of this key can
    /// read it or write another that opens.
    pub fn seal(&self, node_id: &str, node_public_key: &str, record: &[u8]) -> Vec<u8> {
        envelope::seal(
            &self.sealing_cipher(),
            record,
            &binding(node_id, node_public_key),
        )
    }

    /// Opens a sealed record; a record altered, moved to another node, or
    /// paired with another node key is refused.
    pub fn open(
        &self,
        node_id: &str,
        node_public_key: &str,
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        envelope::open(
            &self.sealing_cipher(),
            sealed,
            &binding(node_id, node_public_key),
        )
        .ok_or(CryptoError::SealBroken)
    }

    fn sealing_cipher(&self) -> chacha20poly1305::XChaCha20Poly1305 {
        let secret = self.identity.to_string();
        derived_cipher(secret.expose_secret().as_bytes(), SEAL_INFO)
    }
}

/// Length-prefixed, so no two (id, key) pairs give the same bytes.
fn binding(node_id: &str, node_public_key: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(8 + node_id.len() + node_public_key.len());
    for part in [node_id, node_public_key] {
        aad.extend_from_slice(&(part.len() as u32).to_be_bytes());
        aad.extend_from_slice(part.as_bytes());
    }
    aad
}

pub(crate) fn recipient(public_key: &str) -> Result<age::x25519::Recipient, CryptoError> {
    age::x25519::Recipient::from_str(public_key).map_err(|_| CryptoError::InvalidKey)
}

pub(crate) fn encrypt_to(
    recipient: &age::x25519::Recipient,
    plain: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    encrypt_with(recipient, plain)
}

/// `plain` as an age file to one recipient.
pub(crate) fn encrypt_with(
    recipient: &dyn age::Recipient,
    plain: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let encryptor = age::Encryptor::with_recipients(std::iter::once(recipient))
        .map_err(|_| CryptoError::InvalidKey)?;
    let mut out = Vec::with_capacity(plain.len() + 256);
    let mut writer = encryptor
        .wrap_output(&mut out)
        .expect("writing to memory cannot fail");
    writer
        .write_all(plain)
        .and_then(|()| writer.finish().map(drop))
        .expect("writing to memory cannot fail");
    Ok(out)
}

pub(crate) fn decrypt_with(
    identity: &age::x25519::Identity,
    age_file: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let decryptor =
        age::Decryptor::new_buffered(age_file).map_err(|_| CryptoError::UnwrapFailed)?;
    let mut reader = decryptor
        .decrypt(std::iter::once(identity as &dyn age::Identity))
        .map_err(|_| CryptoError::UnwrapFailed)?;
    let mut plain = Zeroizing::new(Vec::new());
    reader
        .read_to_end(&mut plain)
        .map_err(|_| CryptoError::UnwrapFailed)?;
    Ok(plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_key_opens_with_its_holder_only() {
        let member = MemberKeys::generate();
        let boxed = NodeKey::generate();
        let wrapped = boxed.wrap_to(&member.public_key()).unwrap();
        let opened = NodeKey::unwrap(&wrapped, &member, &boxed.public_key()).unwrap();
        assert_eq!(opened.public_key(), boxed.public_key());

        // A folder under the box: its key is wrapped to the box's key.
        let folder = NodeKey::generate();
        let wrapped_folder = folder.wrap_to(&boxed.public_key()).unwrap();
        assert!(NodeKey::unwrap(&wrapped_folder, &opened, &folder.public_key()).is_ok());

        // Someone else's keys open nothing.
        let stranger = MemberKeys::generate();
        assert_eq!(
            NodeKey::unwrap(&wrapped, &stranger, &boxed.public_key()).err(),
            Some(CryptoError::UnwrapFailed)
        );
        assert_eq!(
            NodeKey::unwrap(&wrapped_folder, &member, &folder.public_key()).err(),
            Some(CryptoError::UnwrapFailed)
        );
        // A byte flipped in the wrapped key.
        let mut flipped = wrapped.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert!(NodeKey::unwrap(&flipped, &member, &boxed.public_key()).is_err());
    }

    #[test]
    fn a_wrapped_key_the_server_made_is_refused() {
        // Anyone can encrypt to a public key: the server can make a key and
        // wrap it to the member. It is not the node's key, so it is refused.
        let member = MemberKeys::generate();
        let real = NodeKey::generate();
        let forged = NodeKey::generate();
        let forged_wrapped = forged.wrap_to(&member.public_key()).unwrap();
        assert_eq!(
            NodeKey::unwrap(&forged_wrapped, &member, &real.public_key()).err(),
            Some(CryptoError::UnwrapFailed)
        );
        // Swapping the public key too leaves the sealed record unopenable.
        let parent = NodeKey::generate();
        let sealed = parent.seal("file-1", &real.public_key(), b"{\"name\":\"a.txt\"}");
        assert_eq!(
            parent.open("file-1", &forged.public_key(), &sealed).err(),
            Some(CryptoError::SealBroken)
        );
    }

    #[test]
    fn sealed_metadata_round_trips_and_refuses_forgery() {
        let parent = NodeKey::generate();
        let node = NodeKey::generate();
        let record = br#"{"name":"Budget 2027.xlsx","size":1234}"#;
        let sealed = parent.seal("n1", &node.public_key(), record);
        assert_eq!(
            parent
                .open("n1", &node.public_key(), &sealed)
                .unwrap()
                .as_slice(),
            record
        );
        // The name is not in the sealed bytes.
        assert!(!sealed.windows(6).any(|w| w == b"Budget"));

        // Moved to another node.
        assert_eq!(
            parent.open("n2", &node.public_key(), &sealed).err(),
            Some(CryptoError::SealBroken)
        );
        // One byte flipped anywhere.
        for i in [0, 1, 30, sealed.len() - 1] {
            let mut forged = sealed.clone();
            forged[i] ^= 0x20;
            assert!(parent.open("n1", &node.public_key(), &forged).is_err());
        }
        // Written by someone who does not hold the parent's key.
        let outsider = NodeKey::generate();
        let forged = outsider.seal("n1", &node.public_key(), b"{\"name\":\"evil\"}");
        assert_eq!(
            parent.open("n1", &node.public_key(), &forged).err(),
            Some(CryptoError::SealBroken)
        );
        // Cut short.
        assert!(parent
            .open("n1", &node.public_key(), &sealed[..20])
            .is_err());
    }
}
