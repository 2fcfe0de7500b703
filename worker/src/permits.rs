//! BOX-2 in the worker: making a permit (the node's key wrapped to the
//! grantee, its record sealed under its own key, the statement signed)
//! and checking the permits the server says one holds.

use coffer_crypto::{
    fingerprint, verify_permit, CryptoError, MemberKeys, NodeKey, PermitStatement, PinCheck,
    SigningKeys,
};
use coffer_shared::files::SigningKey;
use coffer_shared::sharing::PermitProof;
use coffer_shared::types::Bytes;
use coffer_shared::worker::{Answer, KeyStep, PermitTerms, SealedNode};

use crate::nodes::walk;

/// `path` runs from the granter's way in down to the node shared.
pub fn make(
    secret: &str,
    signing: &SigningKey,
    path: &[SealedNode],
    terms: &PermitTerms,
) -> Result<Answer, CryptoError> {
    let member = MemberKeys::from_secret_text(secret)?;
    // BOX-9: a key other than the one pinned is used only once the
    // granter has compared fingerprints.
    let seen = &terms.grantee_public_key;
    let pin = match member.check_pin(
        &terms.grantee,
        terms.pinned.as_ref().map(|b| &b.0[..]),
        seen,
    ) {
        PinCheck::Same => None,
        PinCheck::Changed(pinned)
            if terms.trusted.as_deref() != Some(fingerprint(seen).as_str()) =>
        {
            return Ok(key_changed(&terms.grantee, pinned.as_deref(), seen));
        }
        PinCheck::First | PinCheck::Changed(_) => {
            Some(Bytes(member.seal_pin(&terms.grantee, seen)))
        }
    };
    let (node, above) = path.split_last().ok_or(CryptoError::InvalidKey)?;
    let steps: Vec<KeyStep> = path.iter().map(|n| n.step.clone()).collect();
    let key = walk(&member, &steps)?.ok_or(CryptoError::InvalidKey)?;
    let plain = match walk(&member, &steps[..above.len()])? {
        Some(parent) => parent.open(&node.id, &node.step.public_key, &node.sealed.0)?,
        // The first of the path is sealed by itself.
        None => key.open(&node.id, &node.step.public_key, &node.sealed.0)?,
    };
    let signer = SigningKeys::unwrap(&signing.wrapped.0, &member, &signing.public_key)?;
    let statement = PermitStatement {
        node_id: node.id.clone(),
        node_public_key: node.step.public_key.clone(),
        grantee_account_id: terms.grantee.clone(),
        grantee_public_key: terms.grantee_public_key.clone(),
        permission: terms.permission,
        window: terms.window,
        granter_account_id: terms.granter.clone(),
    };
    Ok(Answer::Permit {
        wrapped_key: Bytes(key.wrap_to(&terms.grantee_public_key)?),
        sealed_meta: Bytes(key.seal(&node.id, &node.step.public_key, &plain)),
        signature: Bytes(statement.sign(&signer).to_vec()),
        pin,
    })
}

/// BOX-9: nothing was made, because the key of `who` given now (`seen`)
/// is not the one this member pinned (`pinned`; none: the pin did not
/// open).
fn key_changed(who: &str, pinned: Option<&str>, seen: &str) -> Answer {
    Answer::KeyChanged {
        who: who.to_string(),
        pinned: pinned.map(fingerprint),
        now: fingerprint(seen),
    }
}

/// BOX-9: for work that wraps to a key the server gave for `who` without
/// asking the member (key renewal, transfer): the answer to give instead
/// when this member's pin of their key names another.
pub(crate) fn unless_pinned(
    member: &MemberKeys,
    who: &str,
    pin: Option<&[u8]>,
    seen: &str,
) -> Option<Answer> {
    match member.check_pin(who, pin, seen) {
        PinCheck::Changed(pinned) => Some(key_changed(who, pinned.as_deref(), seen)),
        PinCheck::First | PinCheck::Same => None,
    }
}

/// Each permit holds only when its granter signed it for this node (id and
/// key) and this member's own key, with these terms.
pub fn check(
    secret: &str,
    me: &str,
    permits: &[(SealedNode, PermitProof)],
) -> Result<Vec<bool>, CryptoError> {
    let member = MemberKeys::from_secret_text(secret)?;
    let mine = member.public_key();
    Ok(permits
        .iter()
        .map(|(node, proof)| {
            let statement = PermitStatement {
                node_id: node.id.clone(),
                node_public_key: node.step.public_key.clone(),
                grantee_account_id: me.to_string(),
                grantee_public_key: mine.clone(),
                permission: proof.permission,
                window: proof.window,
                granter_account_id: proof.granted_by.to_string(),
            };
            verify_permit(&proof.granter_signing_key, &statement, &proof.signature.0).is_ok()
                // The key in it must open with this member's and be the node's.
                && NodeKey::unwrap(&node.step.wrapped.0, &member, &node.step.public_key).is_ok()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::make_signing_key;
    use crate::nodes::{make as make_node, read};
    use coffer_shared::boxes::NodeRecord;
    use coffer_shared::ids::AccountId;
    use coffer_shared::sharing::{Permission, Window};

    fn rec(name: &str) -> NodeRecord {
        NodeRecord {
            name: name.into(),
            created_at_ms: 1,
            modified_at_ms: 2,
            file: None,
        }
    }

    fn sealed(n: &coffer_shared::boxes::NewNode) -> SealedNode {
        SealedNode::from(n)
    }

    /// The owner shares a folder of her box with Ann; what the server then
    /// hands Ann is the permit's key and record, with its proof.
    #[test]
    fn a_permit_opens_for_its_grantee_and_forgeries_are_refused() {
        let owner = MemberKeys::generate();
        let secret = owner.secret_text();
        let signing = make_signing_key(&secret).unwrap();
        let the_box = make_node(&secret, &[], &rec("Deals")).unwrap();
        let box_step = sealed(&the_box).step;
        let folder = make_node(&secret, std::slice::from_ref(&box_step), &rec("Board")).unwrap();
        let ann = MemberKeys::generate();
        let terms = PermitTerms {
            grantee: "ann".into(),
            grantee_public_key: ann.public_key(),
            permission: Permission::View,
            window: Window {
                not_before_ms: None,
                not_after_ms: Some(9_000_000_000_000),
            },
            granter: "owner".into(),
            pinned: None,
            trusted: None,
        };
        let path = [sealed(&the_box), sealed(&folder)];
        let Answer::Permit {
            wrapped_key,
            sealed_meta,
            signature,
            ..
        } = make(&secret, &signing, &path, &terms).unwrap()
        else {
            panic!("a permit");
        };
        let held = SealedNode {
            id: folder.id.to_string(),
            step: KeyStep {
                public_key: folder.public_key.clone(),
                wrapped: wrapped_key,
            },
            sealed: sealed_meta,
        };
        let proof = PermitProof {
            grantee_public_key: ann.public_key(),
            permission: Permission::View,
            window: terms.window,
            granted_by: AccountId::from("owner".to_string()),
            granter_signing_key: signing.public_key.clone(),
            signature,
        };
        let ann_secret = ann.secret_text();
        // Ann opens the folder's name with her key alone.
        let names = read(&ann_secret, &[], std::slice::from_ref(&held)).unwrap();
        assert_eq!(names[0].as_ref().map(|r| r.name.as_str()), Some("Board"));
        let genuine = (held.clone(), proof.clone());
        assert_eq!(
            check(&ann_secret, "ann", std::slice::from_ref(&genuine)).unwrap(),
            [true]
        );

        let mut forged = Vec::new();
        // Checked against another key than the one that signed it.
        let mut p = genuine.clone();
        p.1.granter_signing_key = make_signing_key(&secret).unwrap().public_key;
        forged.push(p);
        // The signature of this permit on another node.
        let mut p = genuine.clone();
        p.0.id = the_box.id.to_string();
        forged.push(p);
        // More than was signed.
        let mut p = genuine.clone();
        p.1.permission = Permission::Manage;
        forged.push(p);
        // A key the server wrapped to Ann itself (for a node it made).
        let mut p = genuine.clone();
        let other = make_node(&ann_secret, &[], &rec("Bait")).unwrap();
        p.0.step = sealed(&other).step;
        forged.push(p);
        assert_eq!(check(&ann_secret, "ann", &forged).unwrap(), [false; 4]);
        // Meant for Ann: someone else (another id, another key) is refused.
        assert_eq!(
            check(&ann_secret, "bob", std::slice::from_ref(&genuine)).unwrap(),
            [false]
        );
        let bob = MemberKeys::generate().secret_text();
        assert_eq!(check(&bob, "ann", &[genuine]).unwrap(), [false]);
    }

    /// BOX-9: the first share pins the grantee's key; another key later
    /// stops the share until the granter trusts it, and then it is pinned.
    #[test]
    fn a_key_other_than_the_pinned_one_stops_the_share() {
        let owner = MemberKeys::generate();
        let secret = owner.secret_text();
        let signing = make_signing_key(&secret).unwrap();
        let the_box = make_node(&secret, &[], &rec("Deals")).unwrap();
        let path = [sealed(&the_box)];
        let ann = MemberKeys::generate().public_key();
        let substituted = MemberKeys::generate().public_key();
        let terms = |key: &str, pinned: Option<Bytes>, trusted: Option<String>| PermitTerms {
            grantee: "ann".into(),
            grantee_public_key: key.into(),
            permission: Permission::View,
            window: Window::default(),
            granter: "owner".into(),
            pinned,
            trusted,
        };
        let pin_of = |answer: Answer| match answer {
            Answer::Permit { pin, .. } => pin,
            other => panic!("a permit, not {other:?}"),
        };
        let first = pin_of(make(&secret, &signing, &path, &terms(&ann, None, None)).unwrap())
            .expect("the first share pins");
        assert_eq!(owner.open_pin("ann", &first.0), Some(ann.clone()));
        let same = make(
            &secret,
            &signing,
            &path,
            &terms(&ann, Some(first.clone()), None),
        );
        assert_eq!(pin_of(same.unwrap()), None, "the same key keeps its pin");
        assert_eq!(
            make(
                &secret,
                &signing,
                &path,
                &terms(&substituted, Some(first.clone()), None)
            )
            .unwrap(),
            Answer::KeyChanged {
                who: "ann".into(),
                pinned: Some(fingerprint(&ann)),
                now: fingerprint(&substituted),
            }
        );
        // A pin the server made itself does not open: it stops the share too.
        let foreign = Bytes(MemberKeys::generate().seal_pin("ann", &substituted));
        assert_eq!(
            make(
                &secret,
                &signing,
                &path,
                &terms(&substituted, Some(foreign), None)
            )
            .unwrap(),
            Answer::KeyChanged {
                who: "ann".into(),
                pinned: None,
                now: fingerprint(&substituted),
            }
        );
        // Trusting one fingerprint does not trust another key.
        let third = MemberKeys::generate().public_key();
        let shown = Some(fingerprint(&substituted));
        assert!(matches!(
            make(
                &secret,
                &signing,
                &path,
                &terms(&third, Some(first.clone()), shown.clone())
            )
            .unwrap(),
            Answer::KeyChanged { .. }
        ));
        let trusted = make(
            &secret,
            &signing,
            &path,
            &terms(&substituted, Some(first), shown),
        );
        let again = pin_of(trusted.unwrap()).expect("a trusted key is pinned");
        assert_eq!(owner.open_pin("ann", &again.0), Some(substituted));
    }
}
