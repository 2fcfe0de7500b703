//! ORG-5: a removed member's boxes become folders of a new box of the
//! recipient's, named "<email> <date>": each box identity wrapped again to
//! the new box's key and its record sealed again by it. Nothing inside a
//! box is touched; no file is re-encrypted.

use coffer_crypto::{new_node_id, CryptoError, MemberKeys, NodeKey};
use coffer_shared::boxes::{NewNode, NodeRecord};
use coffer_shared::transfers::{MovedBox, RecoveryOpen, Transferred};
use coffer_shared::types::Bytes;
use coffer_shared::worker::{Answer, SealedNode};

/// The keys that open the boxes: the removed member's, out of the
/// recovery copy (a Liaison), or this member's own (the recipient).
fn opener(secret: &str, recovery: Option<&RecoveryOpen>) -> Result<MemberKeys, CryptoError> {
    match recovery {
        None => MemberKeys::from_secret_text(secret),
        Some(r) => crate::recovery::escrowed(
            secret,
            &r.wrapped.0,
            &r.recovery_public_key,
            &r.escrow.0,
            &r.member_public_key,
        ),
    }
}

/// Whom the new box is for: their account, the key the server gave for
/// them, and this member's pin of it (BOX-9).
pub struct Recipient<'a> {
    pub id: &'a str,
    pub public_key: &'a str,
    pub pin: Option<&'a [u8]>,
}

/// The transfer, unless the recipient's key is not theirs as far as this
/// browser can tell: a recipient moving boxes to themselves must be given
/// their own key, and this member's pin of the recipient's key, if any,
/// must name it (else the page names them and nothing is made).
pub fn carry_out(
    secret: &str,
    recovery: Option<&RecoveryOpen>,
    boxes: &[SealedNode],
    to: &Recipient<'_>,
    folder_name: &str,
    now_ms: i64,
) -> Result<Answer, CryptoError> {
    let member = MemberKeys::from_secret_text(secret)?;
    if recovery.is_none() && to.public_key != member.public_key() {
        return Err(CryptoError::InvalidKey);
    }
    if let Some(stop) = crate::permits::unless_pinned(&member, to.id, to.pin, to.public_key) {
        return Ok(stop);
    }
    transfer(secret, recovery, boxes, to.public_key, folder_name, now_ms).map(Answer::Transferred)
}

pub fn transfer(
    secret: &str,
    recovery: Option<&RecoveryOpen>,
    boxes: &[SealedNode],
    recipient_public_key: &str,
    folder_name: &str,
    now_ms: i64,
) -> Result<Transferred, CryptoError> {
    let opener = opener(secret, recovery)?;
    let key = NodeKey::generate();
    let id = new_node_id();
    let record = NodeRecord {
        name: folder_name.to_string(),
        created_at_ms: now_ms,
        modified_at_ms: now_ms,
        file: None,
    };
    let plain = serde_json::to_vec(&record).map_err(|_| CryptoError::Malformed)?;
    let new_box = NewNode {
        sealed_meta: Bytes(key.seal(&id, &key.public_key(), &plain)),
        wrapped_key: Bytes(key.wrap_to(recipient_public_key)?),
        public_key: key.public_key(),
        id: id.into(),
        under: recipient_public_key.to_string(),
    };
    let moved = boxes
        .iter()
        .map(|b| {
            let old = NodeKey::unwrap(&b.step.wrapped.0, &opener, &b.step.public_key)?;
            // A box's record is sealed by the box itself.
            let plain = old.open(&b.id, &b.step.public_key, &b.sealed.0)?;
            Ok(MovedBox {
                id: b.id.clone().into(),
                wrapped_key: Bytes(old.wrap_to(&key.public_key())?),
                sealed_meta: Bytes(key.seal(&b.id, &b.step.public_key, &plain)),
            })
        })
        .collect::<Result<_, CryptoError>>()?;
    Ok(Transferred { new_box, moved })
}

#[cfg(test)]
mod tests {
    use super::*;
    use coffer_shared::worker::KeyStep;

    fn a_box(owner: &MemberKeys, name: &str) -> (NodeKey, SealedNode) {
        let key = NodeKey::generate();
        let id = new_node_id();
        let plain = serde_json::to_vec(&NodeRecord {
            name: name.into(),
            created_at_ms: 1,
            modified_at_ms: 1,
            file: None,
        })
        .unwrap();
        let sealed = key.seal(&id, &key.public_key(), &plain);
        let node = SealedNode {
            id,
            step: KeyStep {
                public_key: key.public_key(),
                wrapped: Bytes(key.wrap_to(&owner.public_key()).unwrap()),
            },
            sealed: Bytes(sealed),
        };
        (key, node)
    }

    /// Recovery on: `holder` (a Liaison) opens `member`'s escrowed keys.
    fn through_recovery(holder: &MemberKeys, member: &MemberKeys) -> RecoveryOpen {
        let recovery = NodeKey::generate();
        RecoveryOpen {
            wrapped: Bytes(recovery.wrap_to(&holder.public_key()).unwrap()),
            recovery_public_key: recovery.public_key(),
            escrow: Bytes(member.wrap_to(&recovery.public_key()).unwrap()),
            member_public_key: member.public_key(),
        }
    }

    #[test]
    fn boxes_land_as_folders_of_a_new_box_the_recipient_opens() {
        let (ann, lia, bob) = (
            MemberKeys::generate(),
            MemberKeys::generate(),
            MemberKeys::generate(),
        );
        let open = through_recovery(&lia, &ann);
        let (old, node) = a_box(&ann, "Deals");
        let done = transfer(
            &lia.secret_text(),
            Some(&open),
            std::slice::from_ref(&node),
            &bob.public_key(),
            "ann@acme.test 2026-12-05",
            7,
        )
        .unwrap();
        // Bob opens the new box, its name, and the old box inside it.
        let new =
            NodeKey::unwrap(&done.new_box.wrapped_key.0, &bob, &done.new_box.public_key).unwrap();
        let name: NodeRecord = serde_json::from_slice(
            &new.open(
                done.new_box.id.as_str(),
                &new.public_key(),
                &done.new_box.sealed_meta.0,
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(name.name, "ann@acme.test 2026-12-05");
        let moved = &done.moved[0];
        let inner = NodeKey::unwrap(&moved.wrapped_key.0, &new, &old.public_key()).unwrap();
        assert_eq!(inner.public_key(), old.public_key());
        let record: NodeRecord = serde_json::from_slice(
            &new.open(&node.id, &old.public_key(), &moved.sealed_meta.0)
                .unwrap(),
        )
        .unwrap();
        assert_eq!(record.name, "Deals");
        // Without the recovery copy, Lia opens nothing of Ann's.
        assert!(transfer(
            &lia.secret_text(),
            None,
            std::slice::from_ref(&node),
            &bob.public_key(),
            "x",
            7
        )
        .is_err());
        // The recipient opens what was shared with them, on their own key.
        let (_, shared) = a_box(&bob, "Shared");
        assert!(transfer(
            &bob.secret_text(),
            None,
            &[shared],
            &bob.public_key(),
            "x",
            7
        )
        .is_ok());
    }

    /// BOX-9: the recipient moving boxes to themselves must be given their
    /// own key; a Liaison's pin of the recipient's key must name the key
    /// given, else nothing is made and the page names them.
    #[test]
    fn a_recipient_key_other_than_known_stops_the_transfer() {
        let (ann, lia, bob, stand_in) = (
            MemberKeys::generate(),
            MemberKeys::generate(),
            MemberKeys::generate(),
            MemberKeys::generate(),
        );
        let (_, shared) = a_box(&bob, "Shared");
        fn run(
            secret: &str,
            recovery: Option<&RecoveryOpen>,
            boxes: &[SealedNode],
            public_key: &str,
            pin: Option<&[u8]>,
        ) -> Result<Answer, CryptoError> {
            let to = Recipient {
                id: "bob",
                public_key,
                pin,
            };
            carry_out(secret, recovery, boxes, &to, "x", 7)
        }
        let boxes = std::slice::from_ref(&shared);
        // Bob's own path: his key, or nothing.
        assert!(matches!(
            run(&bob.secret_text(), None, boxes, &bob.public_key(), None),
            Ok(Answer::Transferred(_))
        ));
        assert!(run(
            &bob.secret_text(),
            None,
            boxes,
            &stand_in.public_key(),
            None
        )
        .is_err());
        // A Liaison who pinned Bob's key: another key stops it.
        let open = through_recovery(&lia, &ann);
        let pin = lia.seal_pin("bob", &bob.public_key());
        assert_eq!(
            run(
                &lia.secret_text(),
                Some(&open),
                boxes,
                &stand_in.public_key(),
                Some(&pin)
            )
            .unwrap(),
            Answer::KeyChanged {
                who: "bob".into(),
                pinned: Some(coffer_crypto::fingerprint(&bob.public_key())),
                now: coffer_crypto::fingerprint(&stand_in.public_key()),
            }
        );
    }
}
