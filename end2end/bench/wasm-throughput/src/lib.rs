//! Entry points Node times (run.js): each works through `mib` MiB.

use chacha20poly1305::aead::AeadInPlace;
use chacha20poly1305::{ChaCha20Poly1305, KeyInit};
use coffer_crypto::{sha256, FileReader, FileWriter, Manifest, NodeKey, Part, SigningKeys};
use wasm_bindgen::prelude::wasm_bindgen;

fn plain(mib: usize) -> Vec<u8> {
    (0..mib << 20).map(|i| (i % 251) as u8).collect()
}

/// SHA-256 alone (the part hashes and the content hash).
#[wasm_bindgen]
pub fn sha256_only(mib: usize) -> u8 {
    sha256(&plain(mib))[0]
}

/// ChaCha20-Poly1305 alone, in age's 64 KiB chunks.
#[wasm_bindgen]
pub fn chacha_only(mib: usize) -> u8 {
    let mut data = plain(mib);
    let cipher = ChaCha20Poly1305::new(&[7u8; 32].into());
    let mut folded = 0;
    for chunk in data.chunks_mut(64 * 1024) {
        let tag = cipher
            .encrypt_in_place_detached(&[0u8; 12].into(), b"", chunk)
            .expect("in memory");
        folded ^= tag[0];
    }
    folded
}

/// What the upload does to a file: encrypt, cut into parts, hash both.
#[wasm_bindgen]
pub struct Upload {
    key: NodeKey,
    signer: SigningKeys,
    plain: Vec<u8>,
    header: Vec<u8>,
    parts: Vec<Part>,
    signature: Vec<u8>,
}

#[wasm_bindgen]
impl Upload {
    #[wasm_bindgen(constructor)]
    pub fn new(mib: usize) -> Upload {
        Upload {
            key: NodeKey::generate(),
            signer: SigningKeys::generate(),
            plain: plain(mib),
            header: Vec::new(),
            parts: Vec::new(),
            signature: Vec::new(),
        }
    }

    /// The upload's side: `FileWriter`, fed 4 MiB at a time as the worker is.
    pub fn write(&mut self) -> usize {
        let mut writer = FileWriter::new("f", &self.key.public_key()).expect("a key");
        self.header = writer.header().to_vec();
        let mut parts = Vec::new();
        for slice in self.plain.chunks(4 << 20) {
            parts.extend(writer.push(slice));
        }
        let done = writer.finish(&self.signer);
        parts.extend(done.parts);
        self.signature = done.signature.to_vec();
        self.parts = parts;
        self.parts.len()
    }

    /// The download's side: `FileReader` over what `write` made.
    pub fn read(&self) -> usize {
        let manifest = Manifest {
            file_id: "f".into(),
            plain_size: self.plain.len() as u64,
            header_sha256: sha256(&self.header),
            part_sha256: self.parts.iter().map(|p| p.sha256).collect(),
        };
        let mut reader = FileReader::new(
            &self.key,
            manifest,
            &self.header,
            &self.signer.public_key_hex(),
            &self.signature,
        )
        .expect("what write made");
        self.parts
            .iter()
            .map(|p| reader.part(&p.bytes).expect("intact").len())
            .sum()
    }
}
