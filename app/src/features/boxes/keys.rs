//! The boxes' cryptography, all of it in the worker: making a node's key
//! and sealed record, opening the records the server sends back. The page
//! hands over the member's unlocked key (kept in this tab) and the path of
//! wrapped keys from it.

use coffer_shared::boxes::{NewNode, NodeRecord, NodeView};
use coffer_shared::worker::{Answer, Job, KeyStep, SealedNode};

use crate::crypto_worker;
use crate::i18n::tr;
use crate::session::unlocked_keys;
use crate::ui::Problem;

pub(crate) fn secret() -> Result<String, Problem> {
    unlocked_keys().map(|k| k.secret).ok_or_else(|| {
        tr("Your keys are locked in this tab. Unlock them with your password first.").into()
    })
}

pub(crate) fn unexpected() -> Problem {
    tr("The encryption keys could not be opened in this browser.").into()
}

pub(crate) async fn ask(job: Job) -> Result<Answer, Problem> {
    match crypto_worker::run(job).await? {
        Answer::Failed(_) => Err(unexpected()),
        answer => Ok(answer),
    }
}

/// A new node under `path` (empty: a box), named `name`.
pub async fn make_node(path: Vec<KeyStep>, name: String) -> Result<NewNode, Problem> {
    let now = js_sys::Date::now() as i64;
    let record = NodeRecord {
        name,
        created_at_ms: now,
        modified_at_ms: now,
        file: None,
    };
    let secret = secret()?;
    match ask(Job::MakeNode {
        secret,
        path,
        record,
    })
    .await?
    {
        Answer::Node(node) => Ok(node),
        _ => Err(unexpected()),
    }
}

/// The records of `nodes`, sealed by the last of `path` (boxes: empty).
pub async fn records(
    path: Vec<KeyStep>,
    nodes: &[NodeView],
) -> Result<Vec<Option<NodeRecord>>, Problem> {
    let secret = secret()?;
    let nodes = nodes.iter().map(SealedNode::from).collect();
    match ask(Job::ReadNames {
        secret,
        path,
        nodes,
    })
    .await?
    {
        Answer::Records(r) => Ok(r),
        _ => Err(unexpected()),
    }
}

/// The records along a path from its box.
pub async fn path_records(path: &[NodeView]) -> Result<Vec<Option<NodeRecord>>, Problem> {
    let secret = secret()?;
    let path = path.iter().map(SealedNode::from).collect();
    match ask(Job::ReadPath { secret, path }).await? {
        Answer::Records(r) => Ok(r),
        _ => Err(unexpected()),
    }
}

/// A new name for `node`, sealed by the last of `path` (its parent, or a
/// box itself); the creation time is kept.
pub async fn reseal(
    path: Vec<KeyStep>,
    node: &NodeView,
    before: Option<NodeRecord>,
    name: String,
) -> Result<Vec<u8>, Problem> {
    let now = js_sys::Date::now() as i64;
    let record = NodeRecord {
        name,
        created_at_ms: before.as_ref().map_or(now, |r| r.created_at_ms),
        modified_at_ms: now,
        file: before.and_then(|r| r.file),
    };
    let secret = secret()?;
    match ask(Job::Reseal {
        secret,
        path,
        id: node.id.to_string(),
        public_key: node.public_key.clone(),
        record,
    })
    .await?
    {
        Answer::Sealed(sealed) => Ok(sealed.0),
        _ => Err(unexpected()),
    }
}

/// What a name that does not open shows instead (BOX-11).
pub fn changed() -> String {
    tr("This item was changed outside Coffer").into()
}

/// BOX-1 move: `node`'s key wrapped again to the last of `to`, its record
/// sealed again by it (it was sealed by the last of `from`).
pub async fn rewrap(
    from: Vec<KeyStep>,
    node: &NodeView,
    to: Vec<KeyStep>,
) -> Result<coffer_shared::boxes::Rewrapped, Problem> {
    let secret = secret()?;
    match ask(Job::Rewrap {
        secret,
        from,
        node: SealedNode::from(node),
        to,
    })
    .await?
    {
        Answer::Rewrapped(r) => Ok(r),
        _ => Err(unexpected()),
    }
}
