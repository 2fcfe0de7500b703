//! CRY-4 in the worker: a box or folder gets a new identity after someone's
//! access to it ended. The new identity is wrapped to whoever held the old
//! one and keeps it (the parent, or a box's owner, and each remaining
//! permit holder, whose permits are signed again on the same terms); what
//! is directly in it is wrapped and sealed again under the new key. No
//! file is re-encrypted: the work grows with the children and the holders,
//! never with the bytes. Whoever was removed keeps only the old key, which
//! nothing stored from now on opens with.

use coffer_crypto::{CryptoError, MemberKeys, NodeKey, PermitStatement, SigningKeys};
use coffer_shared::files::SigningKey;
use coffer_shared::sharing::{Keeper, Rekeyed, RenewedPermit, Rotation, RotationPlan};
use coffer_shared::types::Bytes;
use coffer_shared::worker::{Answer, KeyStep, SealedNode};

use crate::nodes::walk;
use crate::permits::unless_pinned;

/// The rotation, unless a key the new identity would be wrapped to is not
/// the one this member pinned for that person (BOX-9): then nothing is
/// made, and the page names them.
pub fn renew_identity(
    secret: &str,
    signing: &SigningKey,
    me: &str,
    plan: &RotationPlan,
) -> Result<Answer, CryptoError> {
    let member = MemberKeys::from_secret_text(secret)?;
    for k in plan.owner.iter().chain(&plan.keepers) {
        // Their own key, when it is this member's permit, is known here.
        if k.account_id.as_str() == me && k.public_key != member.public_key() {
            return Err(CryptoError::InvalidKey);
        }
        let pin = k.pin.as_ref().map(|b| &b.0[..]);
        if let Some(stop) = unless_pinned(&member, k.account_id.as_str(), pin, &k.public_key) {
            return Ok(stop);
        }
    }
    rotate(secret, signing, me, plan).map(Answer::Rotated)
}

pub fn rotate(
    secret: &str,
    signing: &SigningKey,
    me: &str,
    plan: &RotationPlan,
) -> Result<Rotation, CryptoError> {
    let member = MemberKeys::from_secret_text(secret)?;
    let (node, above) = plan.path.split_last().ok_or(CryptoError::InvalidKey)?;
    let steps: Vec<KeyStep> = plan.path.iter().map(KeyStep::from).collect();
    let old = walk(&member, &steps)?.ok_or(CryptoError::InvalidKey)?;
    let parent = walk(&member, &steps[..above.len()])?;
    let plain = match (&parent, node.parent_id.is_none()) {
        (Some(parent), false) => parent.open(&node.id, &node.public_key, &node.sealed_meta.0)?,
        (None, true) => old.open(&node.id, &node.public_key, &node.sealed_meta.0)?,
        // A folder whose parent this member cannot open: its record is
        // sealed there, so someone above renews it.
        _ => return Err(CryptoError::InvalidKey),
    };
    let new = NodeKey::generate();
    let public_key = new.public_key();
    let (wrapped_key, sealed_meta) = match &parent {
        Some(parent) => (
            new.wrap_to(&parent.public_key())?,
            parent.seal(&node.id, &public_key, &plain),
        ),
        None => {
            let owner = plan.owner.as_ref().ok_or(CryptoError::InvalidKey)?;
            (
                new.wrap_to(&owner.public_key)?,
                new.seal(&node.id, &public_key, &plain),
            )
        }
    };
    let children = plan
        .children
        .iter()
        .map(|child| rekey(&old, &new, child))
        .collect::<Result<_, _>>()?;
    let signer = SigningKeys::unwrap(&signing.wrapped.0, &member, &signing.public_key)?;
    let permits = plan
        .keepers
        .iter()
        .map(|k| renew(&new, &signer, me, node.id.as_str(), &plain, k))
        .collect::<Result<_, _>>()?;
    Ok(Rotation {
        node_id: node.id.clone(),
        old_public_key: node.public_key.clone(),
        public_key,
        wrapped_key: Bytes(wrapped_key),
        sealed_meta: Bytes(sealed_meta),
        children,
        permits,
    })
}

/// A child's own identity (unchanged) wrapped to the new key, and its
/// record sealed under it.
fn rekey(old: &NodeKey, new: &NodeKey, child: &SealedNode) -> Result<Rekeyed, CryptoError> {
    let key = NodeKey::unwrap(&child.step.wrapped.0, old, &child.step.public_key)?;
    let record = old.open(&child.id, &child.step.public_key, &child.sealed.0)?;
    Ok(Rekeyed {
        id: child.id.clone().into(),
        wrapped_key: Bytes(key.wrap_to(&new.public_key())?),
        sealed_meta: Bytes(new.seal(&child.id, &child.step.public_key, &record)),
    })
}

/// A keeper's permit on the same terms, for the new key.
fn renew(
    new: &NodeKey,
    signer: &SigningKeys,
    me: &str,
    node_id: &str,
    record: &[u8],
    keeper: &Keeper,
) -> Result<RenewedPermit, CryptoError> {
    let public_key = new.public_key();
    let statement = PermitStatement {
        node_id: node_id.to_string(),
        node_public_key: public_key.clone(),
        grantee_account_id: keeper.account_id.to_string(),
        grantee_public_key: keeper.public_key.clone(),
        permission: keeper.permission,
        window: keeper.window,
        granter_account_id: me.to_string(),
    };
    Ok(RenewedPermit {
        account_id: keeper.account_id.clone(),
        wrapped_key: Bytes(new.wrap_to(&keeper.public_key)?),
        sealed_meta: Bytes(new.seal(node_id, &public_key, record)),
        signature: Bytes(statement.sign(signer).to_vec()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::make_signing_key;
    use crate::nodes::{make, read};
    use crate::permits::check;
    use coffer_shared::boxes::{NewNode, NodeKind, NodeRecord, NodeView};
    use coffer_shared::ids::AccountId;
    use coffer_shared::sharing::{Permission, PermitProof, Window};

    fn rec(name: &str) -> NodeRecord {
        NodeRecord {
            name: name.into(),
            created_at_ms: 1,
            modified_at_ms: 2,
            file: None,
        }
    }

    fn view(n: &NewNode, parent: Option<&NewNode>) -> NodeView {
        NodeView {
            id: n.id.clone(),
            kind: NodeKind::Folder,
            parent_id: parent.map(|p| p.id.clone()),
            public_key: n.public_key.clone(),
            wrapped_key: n.wrapped_key.clone(),
            sealed_meta: n.sealed_meta.clone(),
            created_at_ms: 1,
            updated_at_ms: 1,
            trashed_at_ms: None,
            created_by: None,
            label: None,
        }
    }

    fn keeper(id: &str, keys: &MemberKeys, permission: Permission) -> Keeper {
        Keeper {
            account_id: AccountId::from(id.to_string()),
            public_key: keys.public_key(),
            permission,
            window: Window::default(),
            email: format!("{id}@acme.test"),
            pin: None,
        }
    }

    /// BOX-9: a keeper's key other than the one the renewing member pinned
    /// stops the renewal before anything is wrapped to it; so does a key
    /// given as the renewing owner's own that is not theirs.
    #[test]
    fn a_key_other_than_the_pinned_one_stops_the_renewal() {
        let lia = MemberKeys::generate();
        let secret = lia.secret_text();
        let signing = make_signing_key(&secret).unwrap();
        let the_box = make(&secret, &[], &rec("Deals")).unwrap();
        let ann = MemberKeys::generate();
        let substituted = MemberKeys::generate();
        let plan = |ann_key: &MemberKeys, owner_key: &MemberKeys| {
            let mut ann = keeper("ann", ann_key, Permission::View);
            ann.pin = Some(Bytes(lia.seal_pin("ann", &ann_key.public_key())));
            RotationPlan {
                path: vec![view(&the_box, None)],
                children: vec![],
                owner: Some(keeper("lia", owner_key, Permission::Manage)),
                keepers: vec![ann],
            }
        };
        // Pinned as given: renewed.
        let fine = renew_identity(&secret, &signing, "lia", &plan(&ann, &lia)).unwrap();
        assert!(matches!(fine, Answer::Rotated(_)));
        // The server gives another key for Ann than Lia pinned.
        let mut swapped = plan(&ann, &lia);
        swapped.keepers[0].public_key = substituted.public_key();
        assert_eq!(
            renew_identity(&secret, &signing, "lia", &swapped).unwrap(),
            Answer::KeyChanged {
                who: "ann".into(),
                pinned: Some(coffer_crypto::fingerprint(&ann.public_key())),
                now: coffer_crypto::fingerprint(&substituted.public_key()),
            }
        );
        // Lia's own permit with a key that is not hers.
        assert!(renew_identity(&secret, &signing, "lia", &plan(&ann, &substituted)).is_err());
    }

    /// Lia's box holds two folders; Ann and Bob keep their permits, Carl
    /// (whose access ended) is not among them.
    #[test]
    fn a_renewed_box_opens_for_those_who_keep_it_and_not_with_the_old_key() {
        let lia = MemberKeys::generate();
        let secret = lia.secret_text();
        let signing = make_signing_key(&secret).unwrap();
        let the_box = make(&secret, &[], &rec("Deals")).unwrap();
        let box_step = KeyStep::from(&view(&the_box, None));
        let a = make(&secret, std::slice::from_ref(&box_step), &rec("A")).unwrap();
        let b = make(&secret, std::slice::from_ref(&box_step), &rec("B")).unwrap();
        let inner = make(
            &secret,
            &[box_step.clone(), SealedNode::from(&a).step],
            &rec("Inner"),
        )
        .unwrap();
        let (ann, bob) = (MemberKeys::generate(), MemberKeys::generate());
        let plan = RotationPlan {
            path: vec![view(&the_box, None)],
            children: vec![SealedNode::from(&a), SealedNode::from(&b)],
            owner: Some(keeper("lia", &lia, Permission::Manage)),
            keepers: vec![
                keeper("ann", &ann, Permission::Manage),
                keeper("bob", &bob, Permission::View),
            ],
        };
        let r = rotate(&secret, &signing, "lia", &plan).unwrap();
        assert_ne!(r.public_key, the_box.public_key);
        assert_eq!(r.old_public_key, the_box.public_key);

        // The owner's way in: the new key, with the box's record sealed by it.
        let renewed_box = SealedNode {
            id: the_box.id.to_string(),
            step: KeyStep {
                public_key: r.public_key.clone(),
                wrapped: r.wrapped_key.clone(),
            },
            sealed: r.sealed_meta.clone(),
        };
        assert_eq!(
            read(&secret, &[], std::slice::from_ref(&renewed_box)).unwrap(),
            [Some(rec("Deals"))]
        );
        // Old children, wrapped again, open under it; what is below them
        // (their own keys unchanged) still opens too.
        let children: Vec<SealedNode> = plan
            .children
            .iter()
            .zip(&r.children)
            .map(|(c, k)| SealedNode {
                id: c.id.clone(),
                step: KeyStep {
                    public_key: c.step.public_key.clone(),
                    wrapped: k.wrapped_key.clone(),
                },
                sealed: k.sealed_meta.clone(),
            })
            .collect();
        assert_eq!(
            read(&secret, std::slice::from_ref(&renewed_box.step), &children).unwrap(),
            [Some(rec("A")), Some(rec("B"))]
        );
        assert_eq!(
            read(
                &secret,
                &[renewed_box.step.clone(), children[0].step.clone()],
                &[SealedNode::from(&inner)]
            )
            .unwrap(),
            [Some(rec("Inner"))]
        );
        // Under the old key the children no longer open: a new item
        // wrapped to the new key cannot be reached from the old one.
        assert!(read(&secret, std::slice::from_ref(&box_step), &children)
            .unwrap()
            .iter()
            .all(Option::is_none));
        let new_child = make(
            &secret,
            std::slice::from_ref(&renewed_box.step),
            &rec("New"),
        )
        .unwrap();
        assert!(read(
            &secret,
            std::slice::from_ref(&box_step),
            &[SealedNode::from(&new_child)]
        )
        .unwrap()[0]
            .is_none());

        // Ann's and Bob's permits are signed by Lia for the new key; each
        // opens with its holder's key and passes the holder's check.
        for ((who, keys), p) in [("ann", &ann), ("bob", &bob)].into_iter().zip(&r.permits) {
            assert_eq!(p.account_id.as_str(), who);
            let held = SealedNode {
                id: the_box.id.to_string(),
                step: KeyStep {
                    public_key: r.public_key.clone(),
                    wrapped: p.wrapped_key.clone(),
                },
                sealed: p.sealed_meta.clone(),
            };
            let keeper = plan
                .keepers
                .iter()
                .find(|k| k.account_id.as_str() == who)
                .unwrap();
            let proof = PermitProof {
                grantee_public_key: keys.public_key(),
                permission: keeper.permission,
                window: keeper.window,
                granted_by: AccountId::from("lia".to_string()),
                granter_signing_key: signing.public_key.clone(),
                signature: p.signature.clone(),
            };
            let theirs = keys.secret_text();
            assert_eq!(
                check(&theirs, who, &[(held.clone(), proof)]).unwrap(),
                [true]
            );
            assert_eq!(read(&theirs, &[], &[held]).unwrap(), [Some(rec("Deals"))]);
        }
    }

    /// A folder's new key is wrapped to its parent and its record sealed
    /// there; someone whose way in is the folder itself cannot renew it.
    #[test]
    fn a_renewed_folder_hangs_under_its_parent() {
        let lia = MemberKeys::generate();
        let secret = lia.secret_text();
        let signing = make_signing_key(&secret).unwrap();
        let the_box = make(&secret, &[], &rec("Deals")).unwrap();
        let box_step = KeyStep::from(&view(&the_box, None));
        let folder = make(&secret, std::slice::from_ref(&box_step), &rec("Board")).unwrap();
        let file = make(
            &secret,
            &[box_step.clone(), SealedNode::from(&folder).step],
            &rec("minutes.txt"),
        )
        .unwrap();
        let plan = RotationPlan {
            path: vec![view(&the_box, None), view(&folder, Some(&the_box))],
            children: vec![SealedNode::from(&file)],
            owner: None,
            keepers: vec![],
        };
        let r = rotate(&secret, &signing, "lia", &plan).unwrap();
        let renewed = SealedNode {
            id: folder.id.to_string(),
            step: KeyStep {
                public_key: r.public_key.clone(),
                wrapped: r.wrapped_key.clone(),
            },
            sealed: r.sealed_meta.clone(),
        };
        assert_eq!(
            read(
                &secret,
                std::slice::from_ref(&box_step),
                std::slice::from_ref(&renewed)
            )
            .unwrap(),
            [Some(rec("Board"))]
        );
        let child = SealedNode {
            id: file.id.to_string(),
            step: KeyStep {
                public_key: file.public_key.clone(),
                wrapped: r.children[0].wrapped_key.clone(),
            },
            sealed: r.children[0].sealed_meta.clone(),
        };
        assert_eq!(
            read(&secret, &[box_step, renewed.step], &[child]).unwrap(),
            [Some(rec("minutes.txt"))]
        );

        // Reached from the folder itself (a permit on it): refused.
        let ann = MemberKeys::generate();
        let ann_secret = ann.secret_text();
        let key = NodeKey::unwrap(
            &r.wrapped_key.0,
            &lia_box_key(&secret, &the_box),
            &r.public_key,
        )
        .unwrap();
        let mut own = view(&folder, Some(&the_box));
        own.public_key = r.public_key.clone();
        own.wrapped_key = Bytes(key.wrap_to(&ann.public_key()).unwrap());
        let from_inside = RotationPlan {
            path: vec![own],
            ..plan
        };
        let ann_signing = make_signing_key(&ann_secret).unwrap();
        assert!(rotate(&ann_secret, &ann_signing, "ann", &from_inside).is_err());
    }

    fn lia_box_key(secret: &str, the_box: &NewNode) -> NodeKey {
        let member = MemberKeys::from_secret_text(secret).unwrap();
        NodeKey::unwrap(&the_box.wrapped_key.0, &member, &the_box.public_key).unwrap()
    }
}
