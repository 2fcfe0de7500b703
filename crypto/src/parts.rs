//! A file as it travels (BOX-1, CRY-2, CRY-5): the uploader's side cuts the
//! age payload into parts of 128 chunks, hashes each, hashes the plaintext
//! and signs the manifest; the downloader's side checks the signature
//! before it trusts anything, then each part's hash before it decrypts it.
//! The browser's worker and the server's tests both use these, so what the
//! tests prove is what the browser does.

use crate::content::{ContentHash, FileDecryptor, FileEncryptor, CHUNK, TAG};
use crate::manifest::{verify_manifest, Manifest, SigningKeys};
use crate::nodes::KeyHolder;
use crate::{sha256, CryptoError};

/// age chunks per part: 8 MiB of plaintext, above S3's 5 MiB minimum.
pub const PART_CHUNKS: u64 = 128;
/// Ciphertext bytes in every part but the last.
pub const PART_BYTES: u64 = PART_CHUNKS * (CHUNK + TAG);

/// One part, ready to send.
pub struct Part {
    pub n: u32,
    pub bytes: Vec<u8>,
    pub sha256: [u8; 32],
}

/// What the uploader has once the plaintext has all gone in: the parts
/// still to send (the last among them), the content hash for the sealed
/// record and the signature for `complete`.
pub struct Finished {
    pub parts: Vec<Part>,
    pub content_sha256: String,
    pub signature: [u8; 64],
}

/// Encrypts a file to its node's key and cuts the payload into parts.
pub struct FileWriter {
    file_id: String,
    encryptor: FileEncryptor,
    hash: ContentHash,
    pending: Vec<u8>,
    plain_size: u64,
    part_hashes: Vec<[u8; 32]>,
}

impl FileWriter {
    pub fn new(file_id: &str, file_public_key: &str) -> Result<Self, CryptoError> {
        Ok(FileWriter {
            file_id: file_id.to_string(),
            encryptor: FileEncryptor::new(file_public_key)?,
            hash: ContentHash::default(),
            pending: Vec::new(),
            plain_size: 0,
            part_hashes: Vec::new(),
        })
    }

    /// The age header with the payload nonce (goes with `create`).
    pub fn header(&self) -> &[u8] {
        self.encryptor.header()
    }

    /// Takes more plaintext; answers the parts it completed.
    pub fn push(&mut self, plain: &[u8]) -> Vec<Part> {
        self.hash.update(plain);
        self.plain_size += plain.len() as u64;
        let out = self.encryptor.push(plain);
        self.pending.extend_from_slice(&out);
        let mut parts = Vec::new();
        // Keep at least one byte back: the last part is cut by `finish`.
        while self.pending.len() as u64 > PART_BYTES {
            let rest = self.pending.split_off(PART_BYTES as usize);
            let bytes = std::mem::replace(&mut self.pending, rest);
            parts.push(self.part(bytes));
        }
        parts
    }

    fn part(&mut self, bytes: Vec<u8>) -> Part {
        let sha256 = sha256(&bytes);
        let n = self.part_hashes.len() as u32;
        self.part_hashes.push(sha256);
        Part { n, bytes, sha256 }
    }

    /// The last part, and the manifest signed with `signer`.
    pub fn finish(self, signer: &SigningKeys) -> Finished {
        let FileWriter {
            file_id,
            encryptor,
            hash,
            mut pending,
            plain_size,
            mut part_hashes,
        } = self;
        let header_sha256 = sha256(encryptor.header());
        pending.extend_from_slice(&encryptor.finish());
        // age holds the last chunk back until it knows it is the last, so
        // what is left may still be more than one part.
        let mut parts = Vec::new();
        loop {
            let rest = if pending.len() as u64 > PART_BYTES {
                pending.split_off(PART_BYTES as usize)
            } else {
                Vec::new()
            };
            let bytes = std::mem::replace(&mut pending, rest);
            let sha256 = sha256(&bytes);
            parts.push(Part {
                n: part_hashes.len() as u32,
                bytes,
                sha256,
            });
            part_hashes.push(sha256);
            if pending.is_empty() {
                break;
            }
        }
        let manifest = Manifest {
            file_id,
            plain_size,
            header_sha256,
            part_sha256: part_hashes,
        };
        Finished {
            parts,
            content_sha256: hash.hex(),
            signature: signer.sign(&manifest),
        }
    }
}

/// Checks a stored file part by part without opening it (BOX-8 exports
/// what is stored; a download also decrypts, through `FileReader`).
pub struct PartChecker {
    part_sha256: Vec<[u8; 32]>,
    next: u32,
}

impl PartChecker {
    /// Refuses at once unless `signature` is `signer`'s on the manifest of
    /// this file, size, header and part hashes (all from the server; the
    /// signer from the sealed record, which the server cannot forge).
    pub fn new(
        manifest: Manifest,
        header: &[u8],
        signer: &str,
        signature: &[u8],
    ) -> Result<Self, CryptoError> {
        if sha256(header) != manifest.header_sha256 {
            return Err(CryptoError::ContentBroken);
        }
        verify_manifest(signer, &manifest, signature).map_err(|_| CryptoError::ContentBroken)?;
        Ok(PartChecker {
            part_sha256: manifest.part_sha256,
            next: 0,
        })
    }

    pub fn parts(&self) -> u32 {
        self.part_sha256.len() as u32
    }

    /// Whether these are the bytes of the next part; `Ok(true)` for the
    /// last one.
    pub fn check(&mut self, bytes: &[u8]) -> Result<bool, CryptoError> {
        let Some(expected) = self.part_sha256.get(self.next as usize) else {
            return Err(CryptoError::ContentBroken);
        };
        if &sha256(bytes) != expected {
            return Err(CryptoError::ContentBroken);
        }
        self.next += 1;
        Ok(self.next == self.parts())
    }
}

/// Checks and decrypts a downloaded file part by part.
pub struct FileReader {
    checker: PartChecker,
    decryptor: FileDecryptor,
}

impl FileReader {
    /// The checks of `PartChecker::new`, then the header opened with the
    /// file's key.
    pub fn new(
        key: &impl KeyHolder,
        manifest: Manifest,
        header: &[u8],
        signer: &str,
        signature: &[u8],
    ) -> Result<Self, CryptoError> {
        Ok(FileReader {
            checker: PartChecker::new(manifest, header, signer, signature)?,
            decryptor: FileDecryptor::new(key, header)?,
        })
    }

    pub fn parts(&self) -> u32 {
        self.checker.parts()
    }

    /// The plaintext of the next part, if these are its bytes.
    pub fn part(&mut self, bytes: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let last = self.checker.check(bytes)?;
        self.decryptor.push(bytes, last)
    }
}

/// Parses hex SHA-256s (as the server lists them).
pub fn hashes_from_hex(hex_list: &[String]) -> Result<Vec<[u8; 32]>, CryptoError> {
    hex_list
        .iter()
        .map(|h| {
            hex::decode(h)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or(CryptoError::ContentBroken)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nodes::NodeKey;

    fn upload(
        key: &NodeKey,
        signer: &SigningKeys,
        plain: &[u8],
        piece: usize,
    ) -> (Vec<u8>, Vec<Part>, Finished) {
        let mut w = FileWriter::new("f-1", &key.public_key()).unwrap();
        let header = w.header().to_vec();
        let mut parts = Vec::new();
        for p in plain.chunks(piece.max(1)) {
            parts.extend(w.push(p));
        }
        let done = w.finish(signer);
        (header, parts, done)
    }

    #[test]
    fn part_sizes_agree_with_the_shared_protocol() {
        assert_eq!(PART_BYTES, coffer_shared::files::PART_CIPHER);
        assert_eq!(PART_CHUNKS * CHUNK, coffer_shared::files::PART_PLAIN);
    }

    #[test]
    fn a_file_goes_up_in_parts_and_comes_back_checked() {
        let key = NodeKey::generate();
        let signer = SigningKeys::generate();
        let plain: Vec<u8> = (0..(PART_CHUNKS * CHUNK * 2 + 5))
            .map(|i| (i % 241) as u8)
            .collect();
        let (header, mut parts, done) = upload(&key, &signer, &plain, 1 << 20);
        parts.extend(done.parts);
        assert_eq!(parts.len(), 3);
        assert!(parts[..2]
            .iter()
            .all(|p| p.bytes.len() as u64 == PART_BYTES));
        assert!(parts.iter().enumerate().all(|(i, p)| p.n == i as u32));
        let manifest = Manifest {
            file_id: "f-1".into(),
            plain_size: plain.len() as u64,
            header_sha256: sha256(&header),
            part_sha256: parts.iter().map(|p| p.sha256).collect(),
        };
        let signer_hex = signer.public_key_hex();
        let mut reader = FileReader::new(
            &key,
            manifest.clone(),
            &header,
            &signer_hex,
            &done.signature,
        )
        .unwrap();
        let mut back = Vec::new();
        for p in &parts {
            back.extend(reader.part(&p.bytes).unwrap());
        }
        assert_eq!(back, plain);
        assert_eq!(done.content_sha256, hex::encode(sha256(&plain)));

        // Swapped parts, a flipped byte, another signer, another file id:
        // refused before a byte of plaintext is given out.
        let mut reader = FileReader::new(
            &key,
            manifest.clone(),
            &header,
            &signer_hex,
            &done.signature,
        )
        .unwrap();
        assert!(reader.part(&parts[1].bytes).is_err());
        let mut flipped = parts[0].bytes.clone();
        flipped[9] ^= 1;
        let mut reader = FileReader::new(
            &key,
            manifest.clone(),
            &header,
            &signer_hex,
            &done.signature,
        )
        .unwrap();
        assert!(reader.part(&flipped).is_err());
        let other = SigningKeys::generate().public_key_hex();
        assert!(FileReader::new(&key, manifest.clone(), &header, &other, &done.signature).is_err());
        let mut renamed = manifest.clone();
        renamed.file_id = "f-2".into();
        assert!(FileReader::new(&key, renamed, &header, &signer_hex, &done.signature).is_err());
        let mut bad_header = header.clone();
        let i = bad_header.len() - 3;
        bad_header[i] ^= 1;
        assert!(
            FileReader::new(&key, manifest, &bad_header, &signer_hex, &done.signature).is_err()
        );
    }

    #[test]
    fn small_and_empty_files_are_one_part() {
        let key = NodeKey::generate();
        let signer = SigningKeys::generate();
        for n in [0usize, 1, 65_536, 65_537] {
            let plain = vec![3u8; n];
            let (header, parts, done) = upload(&key, &signer, &plain, 4096);
            assert!(parts.is_empty());
            let [last] = &done.parts[..] else {
                panic!("one part")
            };
            assert_eq!(last.n, 0);
            assert_eq!(last.bytes.len() as u64, crate::payload_size(n as u64));
            let manifest = Manifest {
                file_id: "f-1".into(),
                plain_size: n as u64,
                header_sha256: sha256(&header),
                part_sha256: vec![last.sha256],
            };
            let mut reader = FileReader::new(
                &key,
                manifest,
                &header,
                &signer.public_key_hex(),
                &done.signature,
            )
            .unwrap();
            assert_eq!(reader.part(&last.bytes).unwrap(), plain);
        }
    }
}
