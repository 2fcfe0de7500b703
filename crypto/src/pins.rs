//! BOX-9: the member key a member last shared with, kept for each person
//! they share with. The server stores the pin but it is sealed under a key
//! derived from the member's own identity, so the server can neither read
//! which key it names nor write one: a key the server substitutes later
//! differs from the pin, and the browser stops to ask. (The server can only
//! drop a pin, which makes the next share trust the key it sees again.)

use chacha20poly1305::XChaCha20Poly1305;

use crate::envelope::{self, derived_cipher};
use crate::{is_valid_public_key, MemberKeys};

const PIN_INFO: &[u8] = b"coffer/v1/key-pin";

/// What the sealed pin opened to, held against the key seen now.
#[derive(Debug, PartialEq, Eq)]
pub enum PinCheck {
    /// No pin yet: the key seen now is trusted, and pinned.
    First,
    /// The pin names the key seen now.
    Same,
    /// The pin names another key (`None`: the pin does not open: it was
    /// made for someone else, or by someone else than this member).
    Changed(Option<String>),
}

impl MemberKeys {
    /// `subject_public_key` pinned for `subject_id`.
    pub fn seal_pin(&self, subject_id: &str, subject_public_key: &str) -> Vec<u8> {
        envelope::seal(
            &self.pin_cipher(),
            subject_public_key.as_bytes(),
            subject_id.as_bytes(),
        )
    }

    /// The key pinned for `subject_id`, if `sealed` is this member's pin
    /// for them.
    pub fn open_pin(&self, subject_id: &str, sealed: &[u8]) -> Option<String> {
        let plain = envelope::open(&self.pin_cipher(), sealed, subject_id.as_bytes())?;
        let key = String::from_utf8(plain.to_vec()).ok()?;
        is_valid_public_key(&key).then_some(key)
    }

    fn pin_cipher(&self) -> XChaCha20Poly1305 {
        derived_cipher(self.secret_text().as_bytes(), PIN_INFO)
    }

    pub fn check_pin(&self, subject_id: &str, sealed: Option<&[u8]>, seen: &str) -> PinCheck {
        match sealed.map(|s| self.open_pin(subject_id, s)) {
            None => PinCheck::First,
            Some(Some(pinned)) if pinned == seen => PinCheck::Same,
            Some(pinned) => PinCheck::Changed(pinned),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_opens_only_for_its_member_and_subject() {
        let lia = MemberKeys::generate();
        let ann = MemberKeys::generate().public_key();
        let other = MemberKeys::generate().public_key();
        let pin = lia.seal_pin("ann", &ann);
        assert_eq!(lia.open_pin("ann", &pin), Some(ann.clone()));
        assert_eq!(lia.check_pin("ann", Some(&pin), &ann), PinCheck::Same);
        assert_eq!(
            lia.check_pin("ann", Some(&pin), &other),
            PinCheck::Changed(Some(ann.clone()))
        );
        assert_eq!(lia.check_pin("ann", None, &other), PinCheck::First);
        // Moved to another person, made by another member (the server
        // holds no member's secret), or altered: it does not open.
        assert_eq!(lia.open_pin("bob", &pin), None);
        let forged = MemberKeys::generate().seal_pin("ann", &other);
        assert_eq!(
            lia.check_pin("ann", Some(&forged), &other),
            PinCheck::Changed(None)
        );
        let mut altered = pin.clone();
        *altered.last_mut().unwrap() ^= 1;
        assert_eq!(lia.open_pin("ann", &altered), None);
        // Only a member key is pinned.
        assert_eq!(lia.open_pin("ann", &lia.seal_pin("ann", "not a key")), None);
    }
}
