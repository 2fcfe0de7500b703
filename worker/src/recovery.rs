//! CRY-6 / ACC-7: the organisation's recovery key, members' escrows, and
//! the handover of a member's kept keys after a password reset.

use coffer_crypto::{CryptoError, MemberKeys, NodeKey};
use coffer_shared::recovery::{HolderWrap, Keyholder, WaitingReset};
use coffer_shared::types::Bytes;

/// A fresh recovery identity, wrapped to each holder.
pub fn make(holders: &[Keyholder]) -> Result<(String, Vec<HolderWrap>), CryptoError> {
    let key = NodeKey::generate();
    Ok((key.public_key(), wrap_to_all(&key, holders)?))
}

/// The recovery identity this Liaison holds, wrapped to more holders.
pub fn share(
    secret: &str,
    wrapped: &[u8],
    recovery_public_key: &str,
    holders: &[Keyholder],
) -> Result<Vec<HolderWrap>, CryptoError> {
    let key = open(secret, wrapped, recovery_public_key)?;
    wrap_to_all(&key, holders)
}

/// The member's identity as an age file to the recovery key.
pub fn escrow(secret: &str, recovery_public_key: &str) -> Result<Vec<u8>, CryptoError> {
    MemberKeys::from_secret_text(secret)?.wrap_to(recovery_public_key)
}

/// Opens a waiting reset's escrow and hands the identity inside it (which
/// must be the member's escrowed key) over to the reset's one-off key.
pub fn hand_over(
    secret: &str,
    wrapped: &[u8],
    recovery_public_key: &str,
    reset: &WaitingReset,
) -> Result<Vec<u8>, CryptoError> {
    let member = escrowed(
        secret,
        wrapped,
        recovery_public_key,
        &reset.escrow.0,
        &reset.member_public_key,
    )?;
    member.wrap_to(&reset.handover_public_key)
}

/// The member's keys out of a handover, opened by its one-off key.
pub fn take(
    one_off: &MemberKeys,
    handed_over: &[u8],
    member_public_key: &str,
) -> Result<MemberKeys, CryptoError> {
    MemberKeys::unwrap_from(handed_over, one_off, member_public_key)
}

/// A member's keys out of their escrow, through the recovery identity this
/// Liaison holds (`wrapped` to them); refused unless they are the keys of
/// `member_public_key`.
pub(crate) fn escrowed(
    secret: &str,
    wrapped: &[u8],
    recovery_public_key: &str,
    escrow: &[u8],
    member_public_key: &str,
) -> Result<MemberKeys, CryptoError> {
    let key = open(secret, wrapped, recovery_public_key)?;
    MemberKeys::unwrap_from(escrow, &key, member_public_key)
}

fn open(secret: &str, wrapped: &[u8], recovery_public_key: &str) -> Result<NodeKey, CryptoError> {
    let me = MemberKeys::from_secret_text(secret)?;
    NodeKey::unwrap(wrapped, &me, recovery_public_key)
}

fn wrap_to_all(key: &NodeKey, holders: &[Keyholder]) -> Result<Vec<HolderWrap>, CryptoError> {
    holders
        .iter()
        .map(|h| {
            Ok(HolderWrap {
                account_id: h.account_id.clone(),
                public_key: h.public_key.clone(),
                wrapped: Bytes(key.wrap_to(&h.public_key)?),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use coffer_shared::ids::AccountId;

    fn holder(keys: &MemberKeys) -> Keyholder {
        Keyholder {
            account_id: AccountId::new("liaison".to_string()),
            email: "lia@example.test".into(),
            public_key: keys.public_key(),
        }
    }

    #[test]
    fn a_reset_hands_the_same_keys_over_through_any_holder() {
        let (lia, leo) = (MemberKeys::generate(), MemberKeys::generate());
        let (public_key, wraps) = make(&[holder(&lia)]).unwrap();
        let more = share(
            &lia.secret_text(),
            &wraps[0].wrapped.0,
            &public_key,
            &[holder(&leo)],
        )
        .unwrap();
        let ann = MemberKeys::generate();
        let reset_key = MemberKeys::generate();
        let reset = WaitingReset {
            account_id: AccountId::new("ann".to_string()),
            email: "ann@example.test".into(),
            member_public_key: ann.public_key(),
            escrow: Bytes(escrow(&ann.secret_text(), &public_key).unwrap()),
            handover_public_key: reset_key.public_key(),
            requested_at_ms: 0,
        };
        // Leo, who got the key from Lia, restores Ann.
        let handed =
            hand_over(&leo.secret_text(), &more[0].wrapped.0, &public_key, &reset).unwrap();
        let back = take(&reset_key, &handed, &ann.public_key()).unwrap();
        assert_eq!(back.public_key(), ann.public_key());
        // Only the reset's one-off key takes it.
        assert!(take(&MemberKeys::generate(), &handed, &ann.public_key()).is_err());
        // A Liaison without the recovery identity cannot hand over.
        assert!(hand_over(&ann.secret_text(), &more[0].wrapped.0, &public_key, &reset).is_err());
        // An escrow of other keys than the reset names is refused.
        let forged = WaitingReset {
            escrow: Bytes(escrow(&MemberKeys::generate().secret_text(), &public_key).unwrap()),
            ..reset
        };
        assert!(hand_over(
            &lia.secret_text(),
            &wraps[0].wrapped.0,
            &public_key,
            &forged
        )
        .is_err());
    }
}
