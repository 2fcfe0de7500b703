//! File content (CRY-2): the age format, one X25519 recipient (the file
//! node's public key). `Encryptor::wrap_output` writes the header and the
//! 16-byte payload nonce before it returns the stream writer: that prefix is
//! kept apart (in the database) and the STREAM payload (64 KiB chunks, each
//! with a 16-byte tag) goes to the blob store. Joined again, they are an
//! ordinary age file that Debian's `age -d` opens.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

use age::stream::StreamWriter;
use sha2::{Digest, Sha256};

use crate::nodes::{recipient, KeyHolder};
use crate::CryptoError;

/// Plaintext bytes per age STREAM chunk.
pub const CHUNK: u64 = 64 * 1024;
/// The Poly1305 tag each chunk carries.
pub const TAG: u64 = 16;

/// The exact payload size (what the blob store holds) of `plain` bytes:
/// each chunk gains a tag, and even an empty file has one (empty) chunk.
pub fn payload_size(plain: u64) -> u64 {
    plain + TAG * plain.div_ceil(CHUNK).max(1)
}

/// Collects what the stream writer produces, to be taken in pieces.
#[derive(Clone, Default)]
struct Collected(Arc<Mutex<Vec<u8>>>);

impl Collected {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().expect("not poisoned"))
    }
}

impl Write for Collected {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("not poisoned").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Encrypts one file as a stream: the header is ready at once, the payload
/// comes out as plaintext goes in, so memory stays bounded by what the
/// caller holds.
pub struct FileEncryptor {
    stream: StreamWriter<Collected>,
    out: Collected,
    header: Vec<u8>,
}

impl FileEncryptor {
    /// Starts a file for the node whose public key is `file_public_key`.
    pub fn new(file_public_key: &str) -> Result<Self, CryptoError> {
        let recipient = recipient(file_public_key)?;
        let encryptor = age::Encryptor::with_recipients(std::iter::once(&recipient as _))
            .map_err(|_| CryptoError::InvalidKey)?;
        let out = Collected::default();
        let stream = encryptor
            .wrap_output(out.clone())
            .expect("writing to memory cannot fail");
        // Everything written so far is the header and the payload nonce.
        let header = out.take();
        Ok(FileEncryptor {
            stream,
            out,
            header,
        })
    }

    /// The age header with the payload nonce: kept apart from the payload.
    pub fn header(&self) -> &[u8] {
        &self.header
    }

    /// Encrypts `plain`; answers the payload bytes that are complete (whole
    /// chunks; the rest waits for more input or `finish`).
    pub fn push(&mut self, plain: &[u8]) -> Vec<u8> {
        self.stream
            .write_all(plain)
            .expect("writing to memory cannot fail");
        self.out.take()
    }

    /// The last payload bytes (the final chunk).
    pub fn finish(self) -> Vec<u8> {
        let out = self.out.clone();
        self.stream.finish().expect("writing to memory cannot fail");
        out.take()
    }
}

/// Decrypts a whole file held in memory (previews; small files): the header
/// and payload are joined and read by age itself.
pub fn decrypt_file(
    holder: &impl KeyHolder,
    header: &[u8],
    payload: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let decryptor = age::Decryptor::new_buffered(header.chain(payload))
        .map_err(|_| CryptoError::ContentBroken)?;
    let mut reader = decryptor
        .decrypt(std::iter::once(holder.age_identity() as &dyn age::Identity))
        .map_err(|_| CryptoError::ContentBroken)?;
    let mut plain = Vec::new();
    reader
        .read_to_end(&mut plain)
        .map_err(|_| CryptoError::ContentBroken)?;
    Ok(plain)
}

/// Ciphertext handed over part by part, read by age's stream reader.
#[derive(Clone, Default)]
struct Queue(Arc<Mutex<(Vec<u8>, usize)>>);

impl Queue {
    fn push(&self, bytes: &[u8]) {
        let mut q = self.0.lock().expect("not poisoned");
        let (buf, pos) = &mut *q;
        buf.drain(..*pos);
        *pos = 0;
        buf.extend_from_slice(bytes);
    }
}

impl Read for Queue {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let mut q = self.0.lock().expect("not poisoned");
        let (buf, pos) = &mut *q;
        let n = out.len().min(buf.len() - *pos);
        out[..n].copy_from_slice(&buf[*pos..*pos + n]);
        *pos += n;
        Ok(n)
    }
}

impl std::io::BufRead for Queue {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        // Only age's header parser asks, and only before any part arrives:
        // the header comes first in the chain, so this is never reached
        // with bytes waiting. Answering "nothing yet" is correct then.
        Ok(&[])
    }
    fn consume(&mut self, amt: usize) {
        self.0.lock().expect("not poisoned").1 += amt;
    }
}

type PartReader = age::stream::StreamReader<std::io::Chain<std::io::Cursor<Vec<u8>>, Queue>>;

/// Decrypts a file part by part (downloads): each part, once its hash has
/// been checked against the manifest, goes in; its plaintext comes out.
/// age itself reads the header and every chunk; a part boundary is always
/// a chunk boundary, so every part but the last gives exactly its chunks'
/// plaintext and nothing waits for later input.
pub struct FileDecryptor {
    reader: PartReader,
    queue: Queue,
}

impl FileDecryptor {
    pub fn new(holder: &impl KeyHolder, header: &[u8]) -> Result<Self, CryptoError> {
        let queue = Queue::default();
        let input = std::io::Cursor::new(header.to_vec()).chain(queue.clone());
        let decryptor =
            age::Decryptor::new_buffered(input).map_err(|_| CryptoError::ContentBroken)?;
        let reader = decryptor
            .decrypt(std::iter::once(holder.age_identity() as &dyn age::Identity))
            .map_err(|_| CryptoError::ContentBroken)?;
        Ok(FileDecryptor { reader, queue })
    }

    /// The plaintext of one part; `last` for the final part, which must
    /// end the stream exactly.
    pub fn push(&mut self, part: &[u8], last: bool) -> Result<Vec<u8>, CryptoError> {
        self.queue.push(part);
        let mut plain = Vec::new();
        if last {
            self.reader
                .read_to_end(&mut plain)
                .map_err(|_| CryptoError::ContentBroken)?;
        } else {
            let chunks = part.len() as u64 / (CHUNK + TAG);
            if chunks * (CHUNK + TAG) != part.len() as u64 {
                return Err(CryptoError::ContentBroken);
            }
            plain.resize((chunks * CHUNK) as usize, 0);
            self.reader
                .read_exact(&mut plain)
                .map_err(|_| CryptoError::ContentBroken)?;
        }
        Ok(plain)
    }
}

/// SHA-256 over bytes that arrive in pieces (a file's plaintext while it
/// is encrypted), as hex.
#[derive(Default)]
pub struct ContentHash(Sha256);

impl ContentHash {
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
    pub fn hex(self) -> String {
        hex::encode(self.0.finalize())
    }
}

/// SHA-256 of some bytes (the header, each part), as the manifest lists them.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nodes::NodeKey;

    fn encrypt(key: &NodeKey, plain: &[u8], piece: usize) -> (Vec<u8>, Vec<u8>) {
        let mut enc = FileEncryptor::new(&key.public_key()).unwrap();
        let header = enc.header().to_vec();
        let mut payload = Vec::new();
        for part in plain.chunks(piece.max(1)) {
            payload.extend(enc.push(part));
        }
        payload.extend(enc.finish());
        (header, payload)
    }

    #[test]
    fn the_payload_has_exactly_the_announced_size() {
        let key = NodeKey::generate();
        for n in [0usize, 1, 65_536, 65_537, 8 * 1024 * 1024 + 1] {
            let plain: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
            let (header, payload) = encrypt(&key, &plain, 1_000_003);
            assert_eq!(payload.len() as u64, payload_size(n as u64), "{n} bytes");
            // The header ends with the 16-byte nonce after age's MAC line.
            assert!(header.starts_with(b"age-encryption.org/v1\n"));
            assert_eq!(decrypt_file(&key, &header, &payload).unwrap(), plain);
        }
        assert_eq!(payload_size(0), 16);
        assert_eq!(payload_size(65_536), 65_552);
        assert_eq!(payload_size(65_537), 65_569);
    }

    #[test]
    fn header_and_payload_joined_are_an_ordinary_age_file() {
        let key = NodeKey::generate();
        let plain = b"The quarterly figures, in confidence.".repeat(3000);
        let (header, payload) = encrypt(&key, &plain, 4096);
        let mut file = header.clone();
        file.extend_from_slice(&payload);
        // age's own reader on the joined bytes, not our helper.
        let decryptor = age::Decryptor::new_buffered(&file[..]).unwrap();
        let mut reader = decryptor
            .decrypt(std::iter::once(key.age_identity() as &dyn age::Identity))
            .unwrap();
        let mut back = Vec::new();
        reader.read_to_end(&mut back).unwrap();
        assert_eq!(back, plain);
    }

    #[test]
    fn part_by_part_decryption_gives_the_plaintext_back() {
        let key = NodeKey::generate();
        let part = 3 * (CHUNK + TAG) as usize;
        for n in [
            0usize,
            1,
            65_536,
            3 * 65_536,
            3 * 65_536 + 1,
            7 * 65_536 + 5,
        ] {
            let plain: Vec<u8> = (0..n).map(|i| (i % 253) as u8).collect();
            let (header, payload) = encrypt(&key, &plain, 10_000);
            let mut dec = FileDecryptor::new(&key, &header).unwrap();
            let pieces: Vec<&[u8]> = payload.chunks(part).collect();
            let mut back = Vec::new();
            for (i, piece) in pieces.iter().enumerate() {
                back.extend(dec.push(piece, i + 1 == pieces.len()).unwrap());
            }
            assert_eq!(back, plain, "{n} bytes");
        }
        // A part left out, or the parts swapped, is refused.
        let plain = vec![1u8; 7 * 65_536];
        let (header, payload) = encrypt(&key, &plain, 65_536);
        let pieces: Vec<&[u8]> = payload.chunks(part).collect();
        let mut dec = FileDecryptor::new(&key, &header).unwrap();
        assert!(dec.push(pieces[1], false).is_err());
        let mut dec = FileDecryptor::new(&key, &header).unwrap();
        dec.push(pieces[0], false).unwrap();
        assert!(dec.push(pieces[2], true).is_err());
        assert!(FileDecryptor::new(&NodeKey::generate(), &header).is_err());
    }

    #[test]
    fn altered_content_is_refused() {
        let key = NodeKey::generate();
        let plain = vec![7u8; 200_000];
        let (header, payload) = encrypt(&key, &plain, 65_536);
        let mut flipped = payload.clone();
        flipped[70_000] ^= 1;
        assert_eq!(
            decrypt_file(&key, &header, &flipped).err(),
            Some(CryptoError::ContentBroken)
        );
        let mut bad_header = header.clone();
        let i = bad_header.len() - 20;
        bad_header[i] ^= 1;
        assert!(decrypt_file(&key, &bad_header, &payload).is_err());
        // Cut off after the first chunk.
        let cut = &payload[..(CHUNK + TAG) as usize];
        assert!(decrypt_file(&key, &header, cut).is_err());
        // Another node's key.
        assert!(decrypt_file(&NodeKey::generate(), &header, &payload).is_err());
    }
}
