//! BOX-1, CRY-1, CRY-3 boxes and folders over HTTP on SQLite and
//! PostgreSQL: keys made, wrapped and names sealed on the client (here with
//! coffer-crypto, as the browser's worker does), stored as they are, read
//! back and opened; who may do what; bad key material refused.

use crate::common::*;
use coffer_api::ApiError;
use coffer_crypto::{KeyHolder, MemberKeys, NodeKey};
use coffer_shared::boxes::{
    BoxError, FolderView, NewNode, NodeRecord, NodeView, Rewrapped, TrashItem,
};
use coffer_shared::errors::{AuthError, Refusal};
use coffer_shared::types::{Bytes, Role};

pub(crate) fn record(name: &str) -> Vec<u8> {
    serde_json::to_vec(&NodeRecord {
        name: name.into(),
        created_at_ms: 1,
        modified_at_ms: 1,
        file: None,
    })
    .unwrap()
}

/// A new node as the browser makes it: its key wrapped to `holder`, its
/// name sealed by `sealer` (the parent's key, or for a box its own).
pub(crate) fn make(holder: &str, sealer: Option<&NodeKey>, name: &str) -> (NodeKey, NewNode) {
    let key = NodeKey::generate();
    let id = uuid::Uuid::new_v4().to_string();
    let sealed = sealer
        .unwrap_or(&key)
        .seal(&id, &key.public_key(), &record(name));
    let node = NewNode {
        id: id.into(),
        public_key: key.public_key(),
        wrapped_key: Bytes(key.wrap_to(holder).unwrap()),
        sealed_meta: Bytes(sealed),
        under: holder.to_string(),
    };
    (key, node)
}

pub(crate) fn name_of(sealer: &NodeKey, node: &NodeView) -> String {
    let plain = sealer
        .open(&node.id, &node.public_key, &node.sealed_meta.0)
        .expect("the sealed record opens");
    serde_json::from_slice::<NodeRecord>(&plain).unwrap().name
}

pub(crate) fn open(holder: &impl KeyHolder, node: &NodeView) -> NodeKey {
    NodeKey::unwrap(&node.wrapped_key.0, holder, &node.public_key).expect("the key opens")
}

pub(crate) async fn create_box(
    b: &Browser,
    org: &str,
    node: &NewNode,
) -> Result<NodeView, ApiError> {
    b.run(coffer_api::CreateBox {
        organisation_id: org.into(),
        node: node.clone(),
    })
    .await
}

pub(crate) async fn create_folder(
    b: &Browser,
    org: &str,
    parent: &str,
    node: &NewNode,
) -> Result<NodeView, ApiError> {
    b.run(coffer_api::CreateFolder {
        organisation_id: org.into(),
        parent_id: parent.into(),
        node: node.clone(),
    })
    .await
}

pub(crate) async fn folder(b: &Browser, org: &str, node: &str) -> Result<FolderView, ApiError> {
    b.run(coffer_api::OpenFolder {
        organisation_id: org.into(),
        node_id: node.into(),
    })
    .await
}

pub(crate) async fn boxes(b: &Browser, org: &str) -> Result<Vec<NodeView>, ApiError> {
    b.run(coffer_api::ListBoxes {
        organisation_id: org.into(),
    })
    .await
}

async fn rename(
    b: &Browser,
    org: &str,
    node: &str,
    sealed: Vec<u8>,
    under: &str,
) -> Result<(), ApiError> {
    b.run(coffer_api::RenameNode {
        organisation_id: org.into(),
        node_id: node.into(),
        sealed_meta: Bytes(sealed),
        under: under.into(),
    })
    .await
}

/// Signs in again to have the member's keys as the browser unlocks them.
pub(crate) async fn keys_of(b: &Browser, email: &str, password: &str) -> MemberKeys {
    let me = b.sign_in(email, password).await.unwrap();
    MemberKeys::from_secret_text(&me.keys().secret_text()).unwrap()
}

/// An instance with Acme, its Liaison (an Originator) signed in, and her
/// keys as her browser unlocks them.
pub(crate) struct Owner {
    pub server: TestServer,
    pub admin: Browser,
    pub lia: Browser,
    pub org: String,
    pub keys: MemberKeys,
}

pub(crate) async fn owner(backend: Backend) -> Owner {
    owner_with(backend, |_| {}).await
}

/// The same, with the server's settings changed first.
pub(crate) async fn owner_with(
    backend: Backend,
    tweak: impl FnOnce(&mut coffer_core::Config),
) -> Owner {
    let (server, admin) = instance_with(backend, tweak).await;
    let lia = member(&server, &admin, "Acme", "lia@acme.test", "liaison password").await;
    let org = organisation_id(&lia).await;
    let keys = keys_of(&lia, "lia@acme.test", "liaison password").await;
    Owner {
        server,
        admin,
        lia,
        org,
        keys,
    }
}

/// Otto, another Originator of the owner's organisation, who holds no
/// permit on her boxes.
pub(crate) async fn colleague(server: &TestServer, lia: &Browser, org: &str) -> Browser {
    let (_, otto) = active_member(
        server,
        lia,
        org,
        "otto@acme.test",
        "originator password",
        Role::Originator,
        false,
    )
    .await;
    otto
}

/// A box of the owner's, made as her browser makes one.
pub(crate) async fn her_box(
    lia: &Browser,
    org: &str,
    keys: &MemberKeys,
    name: &str,
) -> (NodeKey, NodeView) {
    let (key, node) = make(&keys.public_key(), None, name);
    (key, create_box(lia, org, &node).await.unwrap())
}

async fn boxes_and_folders(backend: Backend) {
    let Owner {
        server,
        lia,
        org,
        keys: mine,
        ..
    } = owner(backend).await;

    // A box: its key wrapped to the owner, its name sealed by itself.
    let (box_key, new_box) = make(&mine.public_key(), None, "Quarterly reports");
    let made = create_box(&lia, &org, &new_box).await.unwrap();
    let listed = boxes(&lia, &org).await.unwrap();
    assert_eq!(listed.len(), 1);
    let opened = open(&mine, &listed[0]);
    assert_eq!(opened.public_key(), box_key.public_key());
    assert_eq!(name_of(&opened, &listed[0]), "Quarterly reports");
    assert_eq!(listed[0].id, made.id);

    // A folder in it, and one in that: each key wrapped to its parent's.
    let (drafts_key, drafts) = make(&box_key.public_key(), Some(&box_key), "Drafts");
    create_folder(&lia, &org, &made.id, &drafts).await.unwrap();
    let (_, old) = make(&drafts_key.public_key(), Some(&drafts_key), "Old");
    create_folder(&lia, &org, &drafts.id, &old).await.unwrap();

    let inside = folder(&lia, &org, &made.id).await.unwrap();
    assert_eq!(inside.path.len(), 1);
    assert_eq!(inside.children.len(), 1);
    assert_eq!(name_of(&opened, &inside.children[0]), "Drafts");

    // Walking down from the member's key alone, as the browser does.
    let deep = folder(&lia, &org, &drafts.id).await.unwrap();
    let ids: Vec<_> = deep.path.iter().map(|n| n.id.to_string()).collect();
    assert_eq!(ids, [made.id.to_string(), drafts.id.to_string()]);
    let box_again = open(&mine, &deep.path[0]);
    let drafts_again = open(&box_again, &deep.path[1]);
    assert_eq!(name_of(&box_again, &deep.path[1]), "Drafts");
    assert_eq!(name_of(&drafts_again, &deep.children[0]), "Old");

    // Renaming seals a new record under the same key.
    let renamed = box_key.seal(&drafts.id, &drafts.public_key, &record("Drafts 2027"));
    rename(&lia, &org, &drafts.id, renamed, &box_key.public_key())
        .await
        .unwrap();
    let inside = folder(&lia, &org, &made.id).await.unwrap();
    assert_eq!(name_of(&opened, &inside.children[0]), "Drafts 2027");

    // CRY-1: no name anywhere the server writes.
    let db = server.db().await;
    let blobs: Vec<(Vec<u8>, Option<Vec<u8>>)> =
        sqlx::query_as("SELECT sealed_meta, wrapped_key FROM nodes")
            .fetch_all(&db)
            .await
            .unwrap();
    let permits: Vec<(Vec<u8>,)> = sqlx::query_as("SELECT wrapped_key FROM permits")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(blobs.len(), 3);
    assert_eq!(permits.len(), 1);
    for name in ["Quarterly", "Drafts", "Old"] {
        let hit = blobs
            .iter()
            .flat_map(|(a, b)| [Some(a), b.as_ref()])
            .flatten()
            .chain(permits.iter().map(|(p,)| p))
            .any(|bytes| bytes.windows(name.len()).any(|w| w == name.as_bytes()));
        assert!(!hit, "{name} in a stored blob");
        let logged = server
            .count(&format!(
                "SELECT COUNT(*) FROM audit_events WHERE target LIKE '%{name}%' OR details LIKE '%{name}%'"
            ))
            .await;
        assert_eq!(logged, 0, "{name} in the audit log");
    }
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM audit_events WHERE action LIKE 'box.%'")
            .await,
        4,
        "box created, two folders created, one renamed"
    );
}

async fn who_may_do_what(backend: Backend) {
    use AuthError::{Forbidden, NotSignedIn};
    let Owner {
        server,
        admin,
        lia,
        org,
        keys: mine,
        ..
    } = owner(backend).await;
    let (box_key, the_box) = her_box(&lia, &org, &mine, "Legal").await;
    let colleague = colleague(&server, &lia, &org).await;
    let (_, helper) = active_member(
        &server,
        &lia,
        &org,
        "cole@acme.test",
        "collaborator password",
        Role::Collaborator,
        false,
    )
    .await;
    let bea = member(&server, &admin, "Bravo", "bea@bravo.test", "bravo password").await;
    let anonymous = server.browser();

    let unknown = Refusal::Box(BoxError::Unknown);
    let refused = |e: ApiError| refusal(e);
    // Who × (list, open the box, make a folder in it, rename it, make a box).
    let table: [(&str, &Browser, [Option<Refusal>; 5]); 6] = [
        ("owner", &lia, [None, None, None, None, None]),
        (
            "Originator without a permit",
            &colleague,
            [
                None,
                Some(unknown.clone()),
                Some(unknown.clone()),
                Some(unknown.clone()),
                None,
            ],
        ),
        (
            "Collaborator",
            &helper,
            [
                None,
                Some(unknown.clone()),
                Some(unknown.clone()),
                Some(unknown.clone()),
                Some(Refusal::Box(BoxError::OriginatorsOnly)),
            ],
        ),
        (
            "administrator of another organisation",
            &bea,
            [const { Some(Refusal::Auth(Forbidden)) }; 5],
        ),
        (
            "instance administrator",
            &admin,
            [const { Some(Refusal::Auth(Forbidden)) }; 5],
        ),
        (
            "anonymous",
            &anonymous,
            [const { Some(Refusal::Auth(NotSignedIn)) }; 5],
        ),
    ];
    for (who, b, want) in table {
        let (_, folder_node) = make(&box_key.public_key(), Some(&box_key), "By someone");
        let (_, their_box) = make(&mine.public_key(), None, "Theirs");
        let sealed = box_key.seal(&the_box.id, &the_box.public_key, &record("Renamed"));
        let got = [
            boxes(b, &org).await.err().map(refused),
            folder(b, &org, &the_box.id).await.err().map(refused),
            create_folder(b, &org, &the_box.id, &folder_node)
                .await
                .err()
                .map(refused),
            rename(b, &org, &the_box.id, sealed, &the_box.public_key)
                .await
                .err()
                .map(refused),
            create_box(b, &org, &their_box).await.err().map(refused),
        ];
        assert_eq!(got, want, "{who}");
    }
    // The Originator without a permit lists only the box they made.
    assert_eq!(boxes(&colleague, &org).await.unwrap().len(), 1);
    assert_eq!(boxes(&helper, &org).await.unwrap().len(), 0);
}

async fn bad_key_material_changes_nothing(backend: Backend) {
    let Owner {
        server,
        lia,
        org,
        keys: mine,
        ..
    } = owner(backend).await;
    let (box_key, the_box) = her_box(&lia, &org, &mine, "Box").await;
    let before = server.count("SELECT COUNT(*) FROM nodes").await;

    let invalid = Refusal::Box(BoxError::InvalidKeyMaterial);
    let variant = |change: &dyn Fn(&mut NewNode)| {
        let (_, mut n) = make(&box_key.public_key(), Some(&box_key), "Folder");
        change(&mut n);
        n
    };
    let cases: Vec<(&str, NewNode, Refusal)> = vec![
        (
            "an id that is not a UUID",
            variant(&|n| n.id = "../../etc".into()),
            invalid.clone(),
        ),
        (
            "a public key that is not one",
            variant(&|n| n.public_key = "age1nope".into()),
            invalid.clone(),
        ),
        (
            "a wrapped key that is not an age file",
            variant(&|n| n.wrapped_key = Bytes(b"plain".to_vec())),
            invalid.clone(),
        ),
        (
            "a sealed record cut short",
            variant(&|n| n.sealed_meta.0.truncate(20)),
            invalid.clone(),
        ),
        (
            "a sealed record far too long",
            variant(&|n| n.sealed_meta = Bytes(vec![1; 5000])),
            invalid.clone(),
        ),
        (
            "an id already used",
            variant(&|n| n.id = the_box.id.clone()),
            Refusal::Box(BoxError::IdTaken),
        ),
    ];
    for (what, node, want) in cases {
        let err = create_folder(&lia, &org, &the_box.id, &node)
            .await
            .unwrap_err();
        assert_eq!(refusal(err), want, "{what}");
    }
    let (_, orphan) = make(&box_key.public_key(), Some(&box_key), "Orphan");
    let missing = uuid::Uuid::new_v4().to_string();
    assert_eq!(
        refusal(
            create_folder(&lia, &org, &missing, &orphan)
                .await
                .unwrap_err()
        ),
        Refusal::Box(BoxError::Unknown)
    );
    assert_eq!(
        refusal(
            rename(&lia, &org, &the_box.id, vec![1, 2, 3], "")
                .await
                .unwrap_err()
        ),
        Refusal::Box(BoxError::InvalidKeyMaterial)
    );
    assert_eq!(server.count("SELECT COUNT(*) FROM nodes").await, before);
    let listed = boxes(&lia, &org).await.unwrap();
    assert_eq!(name_of(&open(&mine, &listed[0]), &listed[0]), "Box");
}

pub(crate) async fn trash_node(b: &Browser, org: &str, node: &str) -> Result<(), ApiError> {
    b.run(coffer_api::TrashNode {
        organisation_id: org.into(),
        node_id: node.into(),
    })
    .await
}

pub(crate) async fn restore_node(b: &Browser, org: &str, node: &str) -> Result<(), ApiError> {
    b.run(coffer_api::RestoreNode {
        organisation_id: org.into(),
        node_id: node.into(),
    })
    .await
}

async fn trash(b: &Browser, org: &str, the_box: &str) -> Result<Vec<TrashItem>, ApiError> {
    b.run(coffer_api::ListTrash {
        organisation_id: org.into(),
        box_id: the_box.into(),
    })
    .await
}

/// BOX-10: a deleted folder leaves the listing with everything in it, waits
/// in its box's trash with the way to it, and comes back; restoring
/// something whose folder is still in the trash is refused.
async fn trash_and_restore(backend: Backend) {
    let Owner {
        server,
        admin,
        lia,
        org,
        keys: mine,
        ..
    } = owner(backend).await;
    let (box_key, the_box) = her_box(&lia, &org, &mine, "Projects").await;
    let (alpha_key, alpha) = make(&box_key.public_key(), Some(&box_key), "Alpha");
    create_folder(&lia, &org, &the_box.id, &alpha)
        .await
        .unwrap();
    let (_, inner) = make(&alpha_key.public_key(), Some(&alpha_key), "Inner");
    create_folder(&lia, &org, &alpha.id, &inner).await.unwrap();

    assert_eq!(
        refusal(restore_node(&lia, &org, &alpha.id).await.unwrap_err()),
        Refusal::Box(BoxError::NotInTrash)
    );
    trash_node(&lia, &org, &inner.id).await.unwrap();
    trash_node(&lia, &org, &alpha.id).await.unwrap();
    assert!(folder(&lia, &org, &the_box.id)
        .await
        .unwrap()
        .children
        .is_empty());
    // Inside a trashed folder nothing opens or is added.
    assert_eq!(
        refusal(folder(&lia, &org, &alpha.id).await.unwrap_err()),
        Refusal::Box(BoxError::Unknown)
    );
    let (_, late) = make(&alpha_key.public_key(), Some(&alpha_key), "Late");
    assert_eq!(
        refusal(
            create_folder(&lia, &org, &alpha.id, &late)
                .await
                .unwrap_err()
        ),
        Refusal::Box(BoxError::Unknown)
    );
    assert_eq!(
        refusal(trash_node(&lia, &org, &alpha.id).await.unwrap_err()),
        Refusal::Box(BoxError::Unknown)
    );

    // The trash lists both, each with its way from the box.
    let mut items = trash(&lia, &org, &the_box.id).await.unwrap();
    items.sort_by_key(|i| i.path.len());
    let ways: Vec<Vec<String>> = items
        .iter()
        .map(|i| i.path.iter().map(|n| n.id.to_string()).collect())
        .collect();
    assert_eq!(
        ways,
        [
            vec![the_box.id.to_string(), alpha.id.to_string()],
            vec![
                the_box.id.to_string(),
                alpha.id.to_string(),
                inner.id.to_string()
            ],
        ]
    );
    assert!(items
        .iter()
        .all(|i| i.path.last().unwrap().trashed_at_ms.is_some()));
    let opened_box = open(&mine, &items[0].path[0]);
    assert_eq!(name_of(&opened_box, &items[0].path[1]), "Alpha");

    // Inner's folder is still in the trash: Alpha first, then Inner.
    assert_eq!(
        refusal(restore_node(&lia, &org, &inner.id).await.unwrap_err()),
        Refusal::Box(BoxError::ParentInTrash)
    );
    restore_node(&lia, &org, &alpha.id).await.unwrap();
    restore_node(&lia, &org, &inner.id).await.unwrap();
    assert!(trash(&lia, &org, &the_box.id).await.unwrap().is_empty());
    let back = folder(&lia, &org, &alpha.id).await.unwrap();
    assert_eq!(back.children.len(), 1);
    assert_eq!(name_of(&alpha_key, &back.children[0]), "Inner");

    // Someone without the permit can neither delete, look, nor restore.
    let otto = colleague(&server, &lia, &org).await;
    let unknown = Refusal::Box(BoxError::Unknown);
    assert_eq!(
        refusal(trash_node(&otto, &org, &alpha.id).await.unwrap_err()),
        unknown
    );
    assert_eq!(
        refusal(trash(&otto, &org, &the_box.id).await.unwrap_err()),
        unknown
    );
    assert_eq!(
        refusal(restore_node(&otto, &org, &alpha.id).await.unwrap_err()),
        unknown
    );
    assert_eq!(
        refusal(trash(&admin, &org, &the_box.id).await.unwrap_err()),
        Refusal::Auth(AuthError::Forbidden)
    );
    assert_eq!(
        server
            .count(
                "SELECT COUNT(*) FROM audit_events WHERE action IN ('box.trashed', 'box.restored')"
            )
            .await,
        4
    );

    // Emptying the trash deletes the trashed folder and what is inside it,
    // for good, and nothing else; only a permit holder may.
    let (_, other) = make(&box_key.public_key(), Some(&box_key), "Other");
    create_folder(&lia, &org, &the_box.id, &other)
        .await
        .unwrap();
    trash_node(&lia, &org, &alpha.id).await.unwrap();
    assert_eq!(
        refusal(empty(&otto, &org, &the_box.id).await.unwrap_err()),
        unknown
    );
    assert_eq!(
        refusal(empty(&lia, &org, &alpha.id).await.unwrap_err()),
        Refusal::Box(BoxError::Unknown),
        "only a box has a trash"
    );
    assert_eq!(empty(&lia, &org, &the_box.id).await.unwrap(), 2);
    assert!(trash(&lia, &org, &the_box.id).await.unwrap().is_empty());
    assert_eq!(
        server.count("SELECT COUNT(*) FROM nodes").await,
        2,
        "the box and Other"
    );
    let left = folder(&lia, &org, &the_box.id).await.unwrap();
    assert_eq!(left.children.len(), 1);
    assert_eq!(name_of(&box_key, &left.children[0]), "Other");
    assert_eq!(empty(&lia, &org, &the_box.id).await.unwrap(), 0);
}

async fn empty(b: &Browser, org: &str, the_box: &str) -> Result<u64, ApiError> {
    b.run(coffer_api::EmptyTrash {
        organisation_id: org.into(),
        box_id: the_box.into(),
    })
    .await
}

async fn move_to(
    b: &Browser,
    org: &str,
    node: &str,
    parent: &str,
    rewrapped: Rewrapped,
) -> Result<(), ApiError> {
    b.run(coffer_api::MoveNode {
        organisation_id: org.into(),
        node_id: node.into(),
        new_parent_id: parent.into(),
        rewrapped,
    })
    .await
}

/// What the worker does for a move: the node's key opened with its old
/// parent's, wrapped to the new parent, its record sealed by the new one.
fn rewrapped(node: &NodeView, from: &NodeKey, to: &NodeKey) -> Rewrapped {
    let key = open(from, node);
    let plain = from
        .open(&node.id, &node.public_key, &node.sealed_meta.0)
        .unwrap();
    Rewrapped {
        wrapped_key: Bytes(key.wrap_to(&to.public_key()).unwrap()),
        sealed_meta: Bytes(to.seal(&node.id, &node.public_key, &plain)),
        under: to.public_key(),
    }
}

/// BOX-1 move: one identity wrapped again; what is below comes along
/// untouched. Not into itself, not to another box, not the box itself.
async fn moving_rewraps_one_node(backend: Backend) {
    let Owner {
        server,
        lia,
        org,
        keys: mine,
        ..
    } = owner(backend).await;
    let (box_key, the_box) = her_box(&lia, &org, &mine, "Projects").await;
    let (a_key, a) = make(&box_key.public_key(), Some(&box_key), "A");
    let (b_key, b) = make(&box_key.public_key(), Some(&box_key), "B");
    create_folder(&lia, &org, &the_box.id, &a).await.unwrap();
    create_folder(&lia, &org, &the_box.id, &b).await.unwrap();
    let (inner_key, inner) = make(&a_key.public_key(), Some(&a_key), "Inner");
    let inner = create_folder(&lia, &org, &a.id, &inner).await.unwrap();
    let (_, deep) = make(&inner_key.public_key(), Some(&inner_key), "Deep");
    create_folder(&lia, &org, &inner.id, &deep).await.unwrap();

    move_to(
        &lia,
        &org,
        &inner.id,
        &b.id,
        rewrapped(&inner, &a_key, &b_key),
    )
    .await
    .unwrap();
    let in_b = folder(&lia, &org, &b.id).await.unwrap();
    assert_eq!(name_of(&b_key, &in_b.children[0]), "Inner");
    // What was inside came along, opening down the new path.
    let opened = open(&b_key, &in_b.children[0]);
    let below = folder(&lia, &org, &inner.id).await.unwrap();
    assert_eq!(name_of(&opened, &below.children[0]), "Deep");
    assert_eq!(below.path.len(), 3);
    assert!(folder(&lia, &org, &a.id).await.unwrap().children.is_empty());

    let moved = below.path[2].clone();
    let into_itself = Refusal::Box(BoxError::MoveIntoItself);
    let b_view = in_b.path[1].clone();
    assert_eq!(
        move_to(
            &lia,
            &org,
            &b.id,
            &inner.id,
            rewrapped(&b_view, &box_key, &opened)
        )
        .await
        .err()
        .map(refusal),
        Some(into_itself.clone())
    );
    assert_eq!(
        move_to(
            &lia,
            &org,
            &inner.id,
            &inner.id,
            rewrapped(&moved, &b_key, &opened)
        )
        .await
        .err()
        .map(refusal),
        Some(into_itself)
    );
    let (other_key, other_box) = her_box(&lia, &org, &mine, "Elsewhere").await;
    assert_eq!(
        move_to(
            &lia,
            &org,
            &inner.id,
            &other_box.id,
            rewrapped(&moved, &b_key, &other_key)
        )
        .await
        .err()
        .map(refusal),
        Some(Refusal::Box(BoxError::MoveAcrossBoxes))
    );
    assert_eq!(
        move_to(
            &lia,
            &org,
            &the_box.id,
            &b.id,
            rewrapped(&moved, &b_key, &a_key)
        )
        .await
        .err()
        .map(refusal),
        Some(Refusal::Box(BoxError::Unknown))
    );
    let mut bad = rewrapped(&moved, &b_key, &a_key);
    bad.wrapped_key = Bytes(b"not age".to_vec());
    assert_eq!(
        move_to(&lia, &org, &inner.id, &a.id, bad)
            .await
            .err()
            .map(refusal),
        Some(Refusal::Box(BoxError::InvalidKeyMaterial))
    );
    // Someone without a permit cannot move it.
    let colleague = colleague(&server, &lia, &org).await;
    assert_eq!(
        move_to(
            &colleague,
            &org,
            &inner.id,
            &a.id,
            rewrapped(&moved, &b_key, &a_key)
        )
        .await
        .err()
        .map(refusal),
        Some(Refusal::Box(BoxError::Unknown))
    );
    // Still in B after the refusals.
    assert_eq!(folder(&lia, &org, &b.id).await.unwrap().children.len(), 1);
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM audit_events WHERE action = 'box.moved'")
            .await,
        1
    );
}

on_both!(
    boxes_and_folders,
    who_may_do_what,
    bad_key_material_changes_nothing,
    trash_and_restore,
    moving_rewraps_one_node
);
