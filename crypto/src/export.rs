//! BOX-8: an export opens with `age` alone. Its files are stored exactly
//! as Coffer keeps them (each an age file to its own node key); the node
//! identities go in one key file sealed with age's scrypt recipient under
//! a passphrase the member types, so `age -d` asks for it.

use age::secrecy::SecretString;

use crate::nodes::encrypt_with;
use crate::CryptoError;

/// scrypt's work factor (log2 N) for the key file: set explicitly because
/// age's own calibration needs a clock the worker may not have, and within
/// what `age -d` accepts.
pub const EXPORT_WORK_FACTOR: u8 = 18;

/// `plain` as an age file that only `passphrase` opens.
pub fn seal_with_passphrase(plain: &[u8], passphrase: &str) -> Result<Vec<u8>, CryptoError> {
    seal_with_work_factor(plain, passphrase, EXPORT_WORK_FACTOR)
}

fn seal_with_work_factor(
    plain: &[u8],
    passphrase: &str,
    log_n: u8,
) -> Result<Vec<u8>, CryptoError> {
    if passphrase.is_empty() {
        return Err(CryptoError::InvalidKey);
    }
    let mut recipient = age::scrypt::Recipient::new(SecretString::from(passphrase.to_string()));
    recipient.set_work_factor(log_n);
    // scrypt must be the only recipient of its file (age refuses others).
    encrypt_with(&recipient, plain)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn open(file: &[u8], passphrase: &str) -> Option<Vec<u8>> {
        let identity = age::scrypt::Identity::new(SecretString::from(passphrase.to_string()));
        let decryptor = age::Decryptor::new_buffered(file).ok()?;
        let mut reader = decryptor
            .decrypt(std::iter::once(&identity as &dyn age::Identity))
            .ok()?;
        let mut plain = Vec::new();
        reader.read_to_end(&mut plain).ok()?;
        Some(plain)
    }

    #[test]
    fn only_the_passphrase_opens_the_key_file() {
        // A low work factor keeps the test quick; the factor is a parameter
        // of the same code path.
        let file = seal_with_work_factor(b"AGE-SECRET-KEY-1XYZ\n", "correct horse", 10).unwrap();
        assert_eq!(
            open(&file, "correct horse").as_deref(),
            Some(&b"AGE-SECRET-KEY-1XYZ\n"[..])
        );
        assert_eq!(open(&file, "wrong horse"), None);
        assert_eq!(
            seal_with_work_factor(b"x", "", 10),
            Err(CryptoError::InvalidKey)
        );
    }
}
