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

/// A part cut from the payload before its hash is known: the browser's
/// worker hashes it with WebCrypto (native SHA-256, off the WebAssembly
/// thread) and hands the hash back with `hashed`.
pub struct Cut {
    pub n: u32,
    pub bytes: Vec<u8>,
}

impl From<Cut> for Part {
    /// The part, hashed here (natively, or in WebAssembly).
    fn from(cut: Cut) -> Part {
        Part {
            n: cut.n,
            sha256: sha256(&cut.bytes),
            bytes: cut.bytes,
        }
    }
}

/// Records part `n`'s hash (ignored for a part that was never cut).
fn record_hash(part_hashes: &mut [Option<[u8; 32]>], n: u32, sha256: [u8; 32]) {
    if let Some(slot) = part_hashes.get_mut(n as usize) {
        *slot = Some(sha256);
    }
}

/// A file whose every part is cut: once each part's hash is in, `sign`
/// gives the content hash and the signature on the manifest.
#[derive(Clone)]
pub struct Unsigned {
    file_id: String,
    plain_size: u64,
    header_sha256: [u8; 32],
    part_hashes: Vec<Option<[u8; 32]>>,
    content_sha256: String,
}

impl Unsigned {
    /// The hash of part `n`, cut earlier.
    pub fn hashed(&mut self, n: u32, sha256: [u8; 32]) {
        record_hash(&mut self.part_hashes, n, sha256);
    }

    /// The content hash and `signer`'s signature on the manifest; refused
    /// while any part's hash is missing.
    pub fn sign(self, signer: &SigningKeys) -> Result<(String, [u8; 64]), CryptoError> {
        let part_sha256 = self
            .part_hashes
            .into_iter()
            .collect::<Option<Vec<_>>>()
            .ok_or(CryptoError::Malformed)?;
        let manifest = Manifest {
            file_id: self.file_id,
            plain_size: self.plain_size,
            header_sha256: self.header_sha256,
            part_sha256,
        };
        Ok((self.content_sha256, signer.sign(&manifest)))
    }
}

/// Encrypts a file to its node's key and cuts the payload into parts.
pub struct FileWriter {
    file_id: String,
    encryptor: FileEncryptor,
    hash: ContentHash,
    pending: Vec<u8>,
    plain_size: u64,
    part_hashes: Vec<Option<[u8; 32]>>,
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

    /// Takes more plaintext; answers the parts it completed, hashed.
    pub fn push(&mut self, plain: &[u8]) -> Vec<Part> {
        let parts: Vec<Part> = self.cut(plain).into_iter().map(Part::from).collect();
        for p in &parts {
            self.hashed(p.n, p.sha256);
        }
        parts
    }

    /// Takes more plaintext; answers the parts it completed, for the
    /// caller to hash (`hashed`).
    pub fn cut(&mut self, plain: &[u8]) -> Vec<Cut> {
        self.hash.update(plain);
        self.plain_size += plain.len() as u64;
        let out = self.encryptor.push(plain);
        self.pending.extend_from_slice(&out);
        let mut cuts = Vec::new();
        // Keep at least one byte back: the last part is cut by `finish`.
        while self.pending.len() as u64 > PART_BYTES {
            let rest = self.pending.split_off(PART_BYTES as usize);
            let bytes = std::mem::replace(&mut self.pending, rest);
            cuts.push(self.next_cut(bytes));
        }
        cuts
    }

    /// The hash of part `n`, cut earlier.
    pub fn hashed(&mut self, n: u32, sha256: [u8; 32]) {
        record_hash(&mut self.part_hashes, n, sha256);
    }

    fn next_cut(&mut self, bytes: Vec<u8>) -> Cut {
        next_cut(&mut self.part_hashes, bytes)
    }

    /// The last part, and the manifest signed with `signer`.
    pub fn finish(self, signer: &SigningKeys) -> Finished {
        let (cuts, mut unsigned) = self.cut_last();
        let parts: Vec<Part> = cuts.into_iter().map(Part::from).collect();
        for p in &parts {
            unsigned.hashed(p.n, p.sha256);
        }
        let (content_sha256, signature) = unsigned
            .sign(signer)
            .expect("every part was hashed as it was cut");
        Finished {
            parts,
            content_sha256,
            signature,
        }
    }

    /// The last parts (for the caller to hash), and what signs once
    /// every part's hash is in.
    pub fn cut_last(self) -> (Vec<Cut>, Unsigned) {
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
        let mut cuts = Vec::new();
        loop {
            let rest = if pending.len() as u64 > PART_BYTES {
                pending.split_off(PART_BYTES as usize)
            } else {
                Vec::new()
            };
            let bytes = std::mem::replace(&mut pending, rest);
            cuts.push(next_cut(&mut part_hashes, bytes));
            if pending.is_empty() {
                break;
            }
        }
        let unsigned = Unsigned {
            file_id,
            plain_size,
            header_sha256,
            part_hashes,
            content_sha256: hash.hex(),
        };
        (cuts, unsigned)
    }
}

/// The next part, its hash still to come.
fn next_cut(part_hashes: &mut Vec<Option<[u8; 32]>>, bytes: Vec<u8>) -> Cut {
    let n = part_hashes.len() as u32;
    part_hashes.push(None);
    Cut { n, bytes }
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
        self.check_hash(&sha256(bytes))
    }

    /// `check`, for a part the caller hashed (with WebCrypto, in the
    /// browser).
    pub fn check_hash(&mut self, sha256: &[u8; 32]) -> Result<bool, CryptoError> {
        let Some(expected) = self.part_sha256.get(self.next as usize) else {
            return Err(CryptoError::ContentBroken);
        };
        if sha256 != expected {
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

    /// `part`, for bytes whose SHA-256 the caller has (WebCrypto's in the
    /// browser): the hash must be the manifest's, then age checks every
    /// chunk's tag as it decrypts.
    pub fn part_hashed(&mut self, bytes: &[u8], sha256: &[u8; 32]) -> Result<Vec<u8>, CryptoError> {
        let last = self.checker.check_hash(sha256)?;
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
    fn parts_hashed_by_the_caller_sign_and_check_as_the_writers_own() {
        let key = NodeKey::generate();
        let signer = SigningKeys::generate();
        let plain: Vec<u8> = (0..(PART_CHUNKS * CHUNK + 9))
            .map(|i| (i % 13) as u8)
            .collect();
        let mut w = FileWriter::new("f-1", &key.public_key()).unwrap();
        let header = w.header().to_vec();
        let mut cuts = w.cut(&plain);
        for c in &cuts {
            w.hashed(c.n, sha256(&c.bytes));
        }
        let (last, mut unsigned) = w.cut_last();
        // The last part's hash is not in yet: nothing is signed.
        assert!(unsigned.clone().sign(&signer).is_err());
        for c in &last {
            unsigned.hashed(c.n, sha256(&c.bytes));
        }
        let (content, signature) = unsigned.sign(&signer).unwrap();
        assert_eq!(content, hex::encode(sha256(&plain)));
        cuts.extend(last);
        assert_eq!(cuts.len(), 2);
        let hashes: Vec<[u8; 32]> = cuts.iter().map(|c| sha256(&c.bytes)).collect();
        let manifest = Manifest {
            file_id: "f-1".into(),
            plain_size: plain.len() as u64,
            header_sha256: sha256(&header),
            part_sha256: hashes.clone(),
        };
        let open = || {
            FileReader::new(
                &key,
                manifest.clone(),
                &header,
                &signer.public_key_hex(),
                &signature,
            )
            .unwrap()
        };
        let mut reader = open();
        let mut back = Vec::new();
        for (c, h) in cuts.iter().zip(&hashes) {
            back.extend(reader.part_hashed(&c.bytes, h).unwrap());
        }
        assert_eq!(back, plain);
        // A hash that is not the manifest's is refused, and so are bytes
        // that are not what the hash was of (age's tags catch them).
        assert!(open().part_hashed(&cuts[0].bytes, &hashes[1]).is_err());
        let mut flipped = cuts[0].bytes.clone();
        flipped[100] ^= 1;
        assert!(open().part_hashed(&flipped, &hashes[0]).is_err());
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
