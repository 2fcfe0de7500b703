//! BOX-1, CRY-2, CRY-5 in the worker, in plain Rust (tested natively): a
//! new file's key, id, sealed record and age header; its parts and the
//! signed completion; a member's signing key; and opening a download (keys
//! down the path, the sealed record, the signature) before any part is
//! trusted. The fetching itself is in `transfer` (WebAssembly only).

use coffer_crypto::{
    hashes_from_hex, new_node_id, sha256, CryptoError, Cut, FileReader, FileWriter, KeyHolder,
    Manifest, MemberKeys, NodeKey, SigningKeys, Unsigned,
};
use coffer_shared::boxes::{FileFacts, NewNode, NodeRecord, NodeView};
use coffer_shared::files::{Completion, FileContent, NewUpload, SigningKey};
use coffer_shared::types::Bytes;
use coffer_shared::worker::KeyStep;

use crate::nodes::walk;

/// A file between `PrepareFile` and `SendFile`: its encryptor, and what
/// the final record needs.
pub struct Outgoing {
    writer: FileWriter,
    id: String,
    public_key: String,
    parent: NodeKey,
    record: NodeRecord,
}

impl Outgoing {
    pub fn size(&self) -> u64 {
        self.record.file.as_ref().map_or(0, |f| f.size)
    }

    /// More plaintext; the parts it completed, for the transfer to hash
    /// (`hashed`) and send.
    pub fn cut(&mut self, plain: &[u8]) -> Vec<Cut> {
        self.writer.cut(plain)
    }

    pub fn hashed(&mut self, n: u32, sha256: [u8; 32]) {
        self.writer.hashed(n, sha256);
    }

    /// The last parts, and what completes the upload once their hashes
    /// are in.
    pub fn cut_last(self) -> (Vec<Cut>, Closing) {
        let (cuts, unsigned) = self.writer.cut_last();
        let closing = Closing {
            unsigned,
            id: self.id,
            public_key: self.public_key,
            parent: self.parent,
            record: self.record,
        };
        (cuts, closing)
    }
}

#[cfg(test)]
impl Outgoing {
    /// The whole of `body` through `cut`, `hashed`, `cut_last` and
    /// `complete`, hashing natively where the transfer uses WebCrypto.
    pub fn sent_natively(
        mut self,
        body: &[u8],
        secret: &str,
        signing: &SigningKey,
    ) -> (Vec<coffer_crypto::Part>, Completion) {
        let mut parts: Vec<coffer_crypto::Part> =
            self.cut(body).into_iter().map(Into::into).collect();
        for p in &parts {
            self.hashed(p.n, p.sha256);
        }
        let (last, mut closing) = self.cut_last();
        for p in last.into_iter().map(coffer_crypto::Part::from) {
            closing.hashed(p.n, p.sha256);
            parts.push(p);
        }
        (parts, closing.complete(secret, signing).unwrap())
    }
}

/// A file whose parts are all cut, waiting for the last parts' hashes.
pub struct Closing {
    unsigned: Unsigned,
    id: String,
    public_key: String,
    parent: NodeKey,
    record: NodeRecord,
}

impl Closing {
    pub fn hashed(&mut self, n: u32, sha256: [u8; 32]) {
        self.unsigned.hashed(n, sha256);
    }

    /// What `complete_upload` takes: the record sealed again with the
    /// content's hash and the signer, and the signature on the manifest.
    pub fn complete(self, secret: &str, signing: &SigningKey) -> Result<Completion, CryptoError> {
        let member = MemberKeys::from_secret_text(secret)?;
        let signer = SigningKeys::unwrap(&signing.wrapped.0, &member, &signing.public_key)?;
        let (content_sha256, signature) = self.unsigned.sign(&signer)?;
        let mut record = self.record;
        if let Some(facts) = record.file.as_mut() {
            facts.sha256 = content_sha256;
            facts.signer = signer.public_key_hex();
        }
        let plain = serde_json::to_vec(&record).map_err(|_| CryptoError::Malformed)?;
        let sealed = self.parent.seal(&self.id, &self.public_key, &plain);
        Ok(Completion {
            sealed_meta: Bytes(sealed),
            signature: Bytes(signature.to_vec()),
        })
    }
}

/// A file node under the last of `path` (a box or folder), ready for
/// `create_upload`.
pub fn prepare(
    secret: &str,
    path: &[KeyStep],
    record: &NodeRecord,
) -> Result<(Outgoing, NewUpload), CryptoError> {
    let member = MemberKeys::from_secret_text(secret)?;
    let parent = walk(&member, path)?.ok_or(CryptoError::InvalidKey)?;
    let key = NodeKey::generate();
    let id = new_node_id();
    let public_key = key.public_key();
    let writer = FileWriter::new(&id, &public_key)?;
    let plain = serde_json::to_vec(record).map_err(|_| CryptoError::Malformed)?;
    let upload = NewUpload {
        node: NewNode {
            id: id.clone().into(),
            public_key: public_key.clone(),
            wrapped_key: Bytes(key.wrap_to(&parent.public_key())?),
            sealed_meta: Bytes(parent.seal(&id, &public_key, &plain)),
            under: parent.public_key(),
        },
        header: Bytes(writer.header().to_vec()),
        plain_size: record.file.as_ref().map_or(0, |f| f.size),
    };
    Ok((
        Outgoing {
            writer,
            id,
            public_key,
            parent,
            record: record.clone(),
        },
        upload,
    ))
}

/// CRY-5: a new signing key, its seed an age file to the member's key.
pub fn make_signing_key(secret: &str) -> Result<SigningKey, CryptoError> {
    let member = MemberKeys::from_secret_text(secret)?;
    let keys = SigningKeys::generate();
    Ok(SigningKey {
        public_key: keys.public_key_hex(),
        wrapped: Bytes(keys.wrap_to(&member.public_key())?),
    })
}

/// Opens a download: the keys down the path, the file's sealed record
/// (name, size, type, content hash, signer) and the signature on the
/// manifest. Any of them wrong is `ContentBroken`: the file was changed
/// outside Coffer.
pub fn open_download(
    secret: &str,
    content: &FileContent,
) -> Result<(FileReader, FileFacts), CryptoError> {
    let member = MemberKeys::from_secret_text(secret)?;
    let steps: Vec<KeyStep> = content.path.iter().map(KeyStep::from).collect();
    let Some((node, above)) = content.path.split_last() else {
        return Err(CryptoError::ContentBroken);
    };
    let stored = Stored {
        header: &content.header.0,
        plain_size: content.plain_size,
        part_sha256: &content.part_sha256,
        signature: &content.signature.0,
    };
    let opened = if above.is_empty() {
        // A file shared on its own: its key opens with the member's, and
        // its record (from the permit) is sealed by itself.
        open_file(&member, None, node, &stored)?
    } else {
        let parent = walk(&member, &steps[..above.len()])
            .map_err(|_| CryptoError::ContentBroken)?
            .ok_or(CryptoError::ContentBroken)?;
        open_file(&parent, Some(&parent), node, &stored)?
    };
    let reader = FileReader::new(
        &opened.key,
        opened.manifest,
        stored.header,
        &opened.record.signer,
        stored.signature,
    )?;
    Ok((reader, opened.record))
}

/// A stored file as the server describes it.
pub(crate) struct Stored<'a> {
    pub header: &'a [u8],
    pub plain_size: u64,
    pub part_sha256: &'a [String],
    pub signature: &'a [u8],
}

/// A file node opened with its holder's key (its parent's, or for a file
/// shared on its own the member's): its own key, its facts sealed by
/// `sealer` (the parent; none: by itself) and the manifest its uploader
/// must have signed.
pub(crate) struct Opened {
    pub key: NodeKey,
    pub name: String,
    pub modified_at_ms: i64,
    pub record: FileFacts,
    pub manifest: Manifest,
}

pub(crate) fn open_file(
    holder: &impl KeyHolder,
    sealer: Option<&NodeKey>,
    node: &NodeView,
    stored: &Stored<'_>,
) -> Result<Opened, CryptoError> {
    let broken = |_| CryptoError::ContentBroken;
    let key = NodeKey::unwrap(&node.wrapped_key.0, holder, &node.public_key).map_err(broken)?;
    let plain = sealer
        .unwrap_or(&key)
        .open(&node.id, &node.public_key, &node.sealed_meta.0)
        .map_err(broken)?;
    let record: NodeRecord =
        serde_json::from_slice(&plain).map_err(|_| CryptoError::ContentBroken)?;
    let facts = record.file.ok_or(CryptoError::ContentBroken)?;
    if facts.size != stored.plain_size {
        return Err(CryptoError::ContentBroken);
    }
    let manifest = Manifest {
        file_id: node.id.to_string(),
        plain_size: stored.plain_size,
        header_sha256: sha256(stored.header),
        part_sha256: hashes_from_hex(stored.part_sha256)?,
    };
    Ok(Opened {
        key,
        name: record.name,
        modified_at_ms: record.modified_at_ms,
        record: facts,
        manifest,
    })
}

/// Hex SHA-256 of the whole plaintext, checked against the sealed record
/// once the last part is decrypted.
pub fn content_matches(facts: &FileFacts, plain_sha256: &str) -> bool {
    facts.sha256 == plain_sha256
}

#[cfg(test)]
mod tests {
    use super::*;
    use coffer_shared::boxes::{NodeKind, NodeView};

    fn record(size: u64) -> NodeRecord {
        NodeRecord {
            name: "report.pdf".into(),
            created_at_ms: 1,
            modified_at_ms: 2,
            file: Some(FileFacts {
                size,
                mime: "application/pdf".into(),
                sha256: String::new(),
                signer: String::new(),
            }),
        }
    }

    fn view(node: &NewNode, kind: NodeKind) -> NodeView {
        NodeView {
            id: node.id.clone(),
            kind,
            parent_id: None,
            public_key: node.public_key.clone(),
            wrapped_key: node.wrapped_key.clone(),
            sealed_meta: node.sealed_meta.clone(),
            created_at_ms: 0,
            updated_at_ms: 0,
            trashed_at_ms: None,
            created_by: None,
            label: None,
        }
    }

    /// Up through the worker's functions, down again, as the page drives
    /// them with the server in between.
    #[test]
    fn a_file_goes_up_and_comes_down_through_the_worker() {
        let member = MemberKeys::generate();
        let secret = member.secret_text().to_string();
        let the_box = crate::nodes::make(&secret, &[], &record(0)).unwrap();
        let box_view = view(&the_box, NodeKind::Box);
        let path = vec![KeyStep::from(&box_view)];
        let signing = make_signing_key(&secret).unwrap();
        let body: Vec<u8> = (0..200_000u32).map(|i| (i % 13) as u8).collect();
        let (out, upload) = prepare(&secret, &path, &record(body.len() as u64)).unwrap();
        assert_eq!(upload.plain_size, 200_000);
        let (parts, completion) = out.sent_natively(&body, &secret, &signing);
        let mut file_view = view(&upload.node, NodeKind::File);
        file_view.sealed_meta = completion.sealed_meta.clone();
        let content = FileContent {
            organisation_id: "o".to_string().into(),
            path: vec![box_view.clone(), file_view.clone()],
            header: upload.header.clone(),
            plain_size: 200_000,
            part_sha256: parts
                .iter()
                .map(|p| hex::encode(sha256(&p.bytes)))
                .collect(),
            signature: completion.signature.clone(),
        };
        let (mut reader, facts) = open_download(&secret, &content).unwrap();
        assert_eq!(facts.mime, "application/pdf");
        let mut back = Vec::new();
        for p in &parts {
            back.extend(reader.part(&p.bytes).unwrap());
        }
        assert_eq!(back, body);
        assert!(content_matches(&facts, &hex::encode(sha256(&back))));

        // A record the server swapped for the first one (no hash, no
        // signer) does not verify.
        let mut stale = content.clone();
        stale.path[1].sealed_meta = upload.node.sealed_meta.clone();
        assert!(open_download(&secret, &stale).is_err());
        // Someone else's keys open nothing.
        let stranger = MemberKeys::generate().secret_text().to_string();
        assert!(open_download(&stranger, &content).is_err());
    }
}
