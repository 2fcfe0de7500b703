//! BOX-1, CRY-1, CRY-3 in the worker: making a box's or folder's key and
//! sealed record, and opening the records the server sends back. Every key
//! is reached from the member's own down the path the server gives; a step
//! that does not open is refused, a record whose seal does not open is
//! reported as such (the page says it was changed outside Coffer).

use coffer_crypto::{new_node_id, CryptoError, MemberKeys, NodeKey};
use coffer_shared::boxes::{NewNode, NodeRecord};
use coffer_shared::types::Bytes;
use coffer_shared::worker::{KeyStep, SealedNode};

/// One step down: the key opened with the one above it, or with the
/// member's own for the first.
fn down(
    member: &MemberKeys,
    above: Option<&NodeKey>,
    step: &KeyStep,
) -> Result<NodeKey, CryptoError> {
    match above {
        None => NodeKey::unwrap(&step.wrapped.0, member, &step.public_key),
        Some(parent) => NodeKey::unwrap(&step.wrapped.0, parent, &step.public_key),
    }
}

/// The key of the last step of `path`, opened from the member's key down.
pub(crate) fn walk(member: &MemberKeys, path: &[KeyStep]) -> Result<Option<NodeKey>, CryptoError> {
    let mut above: Option<NodeKey> = None;
    for step in path {
        above = Some(down(member, above.as_ref(), step)?);
    }
    Ok(above)
}

fn record(sealer: &NodeKey, node: &SealedNode) -> Option<NodeRecord> {
    let plain = sealer
        .open(&node.id, &node.step.public_key, &node.sealed.0)
        .ok()?;
    serde_json::from_slice(&plain).ok()
}

pub fn make(secret: &str, path: &[KeyStep], rec: &NodeRecord) -> Result<NewNode, CryptoError> {
    let member = MemberKeys::from_secret_text(secret)?;
    let parent = walk(&member, path)?;
    let key = NodeKey::generate();
    let id = new_node_id();
    let plain = serde_json::to_vec(rec).map_err(|_| CryptoError::Malformed)?;
    let (wrapped, sealed, under) = match &parent {
        None => (
            key.wrap_to(&member.public_key())?,
            key.seal(&id, &key.public_key(), &plain),
            member.public_key(),
        ),
        Some(parent) => (
            key.wrap_to(&parent.public_key())?,
            parent.seal(&id, &key.public_key(), &plain),
            parent.public_key(),
        ),
    };
    Ok(NewNode {
        id: id.into(),
        public_key: key.public_key(),
        wrapped_key: Bytes(wrapped),
        sealed_meta: Bytes(sealed),
        under,
    })
}

pub fn reseal(
    secret: &str,
    path: &[KeyStep],
    id: &str,
    public_key: &str,
    rec: &NodeRecord,
) -> Result<Vec<u8>, CryptoError> {
    let member = MemberKeys::from_secret_text(secret)?;
    let sealer = walk(&member, path)?.ok_or(CryptoError::InvalidKey)?;
    let plain = serde_json::to_vec(rec).map_err(|_| CryptoError::Malformed)?;
    Ok(sealer.seal(id, public_key, &plain))
}

/// BOX-1 move: one identity wrapped again and one record sealed again,
/// by the new parent; what is below the node is untouched.
pub fn rewrap(
    secret: &str,
    from: &[KeyStep],
    node: &SealedNode,
    to: &[KeyStep],
) -> Result<coffer_shared::boxes::Rewrapped, CryptoError> {
    let member = MemberKeys::from_secret_text(secret)?;
    let old_parent = walk(&member, from)?.ok_or(CryptoError::InvalidKey)?;
    let new_parent = walk(&member, to)?.ok_or(CryptoError::InvalidKey)?;
    let key = NodeKey::unwrap(&node.step.wrapped.0, &old_parent, &node.step.public_key)?;
    let plain = old_parent.open(&node.id, &node.step.public_key, &node.sealed.0)?;
    Ok(coffer_shared::boxes::Rewrapped {
        wrapped_key: Bytes(key.wrap_to(&new_parent.public_key())?),
        sealed_meta: Bytes(new_parent.seal(&node.id, &node.step.public_key, &plain)),
        under: new_parent.public_key(),
    })
}

pub fn read(
    secret: &str,
    path: &[KeyStep],
    nodes: &[SealedNode],
) -> Result<Vec<Option<NodeRecord>>, CryptoError> {
    let member = MemberKeys::from_secret_text(secret)?;
    Ok(match walk(&member, path)? {
        Some(sealer) => nodes.iter().map(|n| record(&sealer, n)).collect(),
        // Boxes: each opens with the member's key and seals itself.
        None => nodes
            .iter()
            .map(|n| {
                NodeKey::unwrap(&n.step.wrapped.0, &member, &n.step.public_key)
                    .ok()
                    .and_then(|own| record(&own, n))
            })
            .collect(),
    })
}

pub fn read_path(
    secret: &str,
    path: &[SealedNode],
) -> Result<Vec<Option<NodeRecord>>, CryptoError> {
    let member = MemberKeys::from_secret_text(secret)?;
    let mut records = Vec::with_capacity(path.len());
    let mut above: Option<NodeKey> = None;
    for node in path {
        let key = down(&member, above.as_ref(), &node.step)?;
        records.push(record(above.as_ref().unwrap_or(&key), node));
        above = Some(key);
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(name: &str) -> NodeRecord {
        NodeRecord {
            name: name.into(),
            created_at_ms: 5,
            modified_at_ms: 6,
            file: None,
        }
    }

    fn sealed(n: &coffer_shared::boxes::NewNode) -> SealedNode {
        SealedNode::from(n)
    }

    #[test]
    fn boxes_and_folders_are_made_and_read_down_the_key_tree() {
        let member = MemberKeys::generate();
        let secret = member.secret_text();
        let the_box = make(&secret, &[], &rec("Quarterly")).unwrap();
        let box_step = sealed(&the_box).step;
        let folder = make(&secret, std::slice::from_ref(&box_step), &rec("Drafts")).unwrap();
        let inner = make(
            &secret,
            &[box_step.clone(), sealed(&folder).step],
            &rec("Old"),
        )
        .unwrap();

        assert_eq!(
            read(&secret, &[], &[sealed(&the_box)]).unwrap(),
            vec![Some(rec("Quarterly"))]
        );
        assert_eq!(
            read(&secret, std::slice::from_ref(&box_step), &[sealed(&folder)]).unwrap(),
            vec![Some(rec("Drafts"))]
        );
        assert_eq!(
            read_path(
                &secret,
                &[sealed(&the_box), sealed(&folder), sealed(&inner)]
            )
            .unwrap(),
            vec![
                Some(rec("Quarterly")),
                Some(rec("Drafts")),
                Some(rec("Old"))
            ]
        );

        // Renamed: a box seals its own record, a folder's is sealed by
        // its parent.
        let renamed = reseal(
            &secret,
            std::slice::from_ref(&box_step),
            &the_box.id,
            &the_box.public_key,
            &rec("Q4"),
        )
        .unwrap();
        let mut after = sealed(&the_box);
        after.sealed = Bytes(renamed);
        assert_eq!(read(&secret, &[], &[after]).unwrap(), vec![Some(rec("Q4"))]);
        let renamed = reseal(
            &secret,
            std::slice::from_ref(&box_step),
            &folder.id,
            &folder.public_key,
            &rec("Final"),
        )
        .unwrap();
        let mut after = sealed(&folder);
        after.sealed = Bytes(renamed);
        assert_eq!(
            read(&secret, std::slice::from_ref(&box_step), &[after]).unwrap(),
            vec![Some(rec("Final"))]
        );

        // A record moved onto another node does not open.
        let mut moved = sealed(&folder);
        moved.id = inner.id.to_string();
        assert_eq!(
            read(&secret, std::slice::from_ref(&box_step), &[moved]).unwrap(),
            vec![None]
        );
        // Someone else's keys open nothing on the way down.
        let stranger = MemberKeys::generate().secret_text();
        assert!(read(
            &stranger,
            std::slice::from_ref(&box_step),
            &[sealed(&folder)]
        )
        .is_err());
        assert_eq!(
            read(&stranger, &[], &[sealed(&the_box)]).unwrap(),
            vec![None]
        );
    }

    #[test]
    fn a_move_rewraps_one_key_and_reseals_one_record() {
        let member = MemberKeys::generate();
        let secret = member.secret_text();
        let the_box = make(&secret, &[], &rec("Box")).unwrap();
        let box_step = sealed(&the_box).step;
        let a = make(&secret, std::slice::from_ref(&box_step), &rec("A")).unwrap();
        let b = make(&secret, std::slice::from_ref(&box_step), &rec("B")).unwrap();
        let inside = make(
            &secret,
            &[box_step.clone(), sealed(&a).step],
            &rec("Inside"),
        )
        .unwrap();
        let to = [box_step.clone(), sealed(&b).step];
        let from = [box_step.clone(), sealed(&a).step];
        let moved = rewrap(&secret, &from, &sealed(&inside), &to).unwrap();
        let mut after = sealed(&inside);
        after.step.wrapped = moved.wrapped_key;
        after.sealed = moved.sealed_meta;
        assert_eq!(
            read(&secret, &to, &[after.clone()]).unwrap(),
            vec![Some(rec("Inside"))]
        );
        // Under its old parent it no longer opens.
        assert_eq!(read(&secret, &from, &[after]).unwrap(), vec![None]);
    }
}
