//! ORG-5 carried out, over HTTP on SQLite and PostgreSQL. With recovery on,
//! a Liaison's browser (the worker's own job) moves every box of a removed
//! member into a new box of the recipient's named "<email> <date>"; without
//! a recovery copy, the recipient's browser moves the boxes shared with
//! them and the rest stay behind. Who may carry out what, and a swap that
//! does not match, are refused with nothing changed.

use crate::boxes::{boxes, create_box, create_folder, folder, make, name_of, open, owner, Owner};
use crate::common::*;
use crate::files::{download, prepare, signing_key, upload};
use crate::recovery::{escrow, turn_on};
use crate::sharing::{grant, permit, recipient, refused, Granter};
use coffer_api::ApiError;
use coffer_crypto::MemberKeys;
use coffer_shared::errors::{AuthError, Refusal};
use coffer_shared::members::MemberRemoval;
use coffer_shared::sharing::{Permission, Window};
use coffer_shared::transfers::{TransferDue, TransferError, Transferred};
use coffer_shared::types::Role;
use coffer_shared::worker::{Answer, Job};
use coffer_worker::jobs::Worker;

async fn due(b: &Browser, org: &str) -> Result<Vec<TransferDue>, ApiError> {
    b.run(coffer_api::DueTransfers {
        organisation_id: org.to_string().into(),
    })
    .await
}

async fn complete(b: &Browser, org: &str, id: &str, done: &Transferred) -> Result<(), ApiError> {
    b.run(coffer_api::CompleteTransfer {
        organisation_id: org.to_string().into(),
        removal_id: id.into(),
        done: done.clone(),
    })
    .await
}

/// What the browser of the member whose keys are `keys` makes.
fn carry_out(keys: &MemberKeys, t: &TransferDue) -> Transferred {
    match Worker::default().run(Job::TransferBoxes {
        secret: keys.secret_text().to_string(),
        recovery: t.recovery.clone(),
        boxes: t.boxes.clone(),
        recipient_public_key: t.recipient_public_key.clone(),
        recipient_id: t.recipient_id.clone(),
        recipient_pin: t.recipient_pin.clone(),
        folder_name: t.folder_name.clone(),
        now_ms: 1,
    }) {
        Answer::Transferred(done) => done,
        other => panic!("the worker answered {other:?}"),
    }
}

async fn originator(
    server: &TestServer,
    lia: &Browser,
    org: &str,
    email: &str,
) -> (Browser, MemberKeys, String) {
    let (row, b) = active_member(
        server,
        lia,
        org,
        email,
        "originator password",
        Role::Originator,
        false,
    )
    .await;
    let me = b.sign_in(email, "originator password").await.unwrap();
    let keys = MemberKeys::from_secret_text(&me.keys().secret_text()).unwrap();
    (b, keys, row.account_id.to_string())
}

async fn remove_to(lia: &Browser, org: &str, who: &str, to: &str) {
    lia.run(coffer_api::RemoveMember {
        organisation_id: org.to_string().into(),
        account_id: who.to_string().into(),
        removal: MemberRemoval {
            transfer_to: Some(to.to_string().into()),
        },
    })
    .await
    .unwrap();
}

async fn transfer_after_removal(backend: Backend) {
    let Owner {
        server,
        admin,
        lia,
        org,
        keys: lia_keys,
    } = owner(backend).await;
    let (bob, bob_keys, bob_id) = originator(&server, &lia, &org, "bob@acme.test").await;
    let (ann, ann_keys, ann_id) = originator(&server, &lia, &org, "ann@acme.test").await;
    let (dan, dan_keys, dan_id) = originator(&server, &lia, &org, "dan@acme.test").await;

    // Recovery on; Ann's keys are escrowed, Dan's are not (he never came back).
    let recovery = turn_on(&lia, &org, &lia_keys).await;
    escrow(&ann, &org, &recovery, &ann_keys).await.unwrap();

    // Ann: two boxes, one with a folder and a file.
    let ann_signer = Granter {
        account: ann_id.clone(),
        signer: signing_key(&ann, &ann_keys).await,
    };
    let (deals_key, deals) = make(&ann_keys.public_key(), None, "Ann Deals");
    let deals = create_box(&ann, &org, &deals).await.unwrap();
    let (board_key, board) = make(&deals_key.public_key(), Some(&deals_key), "Board");
    create_folder(&ann, &org, &deals.id, &board).await.unwrap();
    let file = prepare(
        &board_key,
        &ann_signer.signer,
        "minutes.txt",
        b"the minutes",
    );
    upload(&ann, &org, &board.id, &file).await.unwrap();
    let (_, old) = make(&ann_keys.public_key(), None, "Ann Old");
    create_box(&ann, &org, &old).await.unwrap();

    remove_to(&lia, &org, &ann_id, &bob_id).await;

    // Only a Liaison holding the recovery key can carry it out; Bob waits.
    assert!(due(&bob, &org).await.unwrap().is_empty());
    assert_eq!(
        refused(due(&server.browser(), &org).await),
        Refusal::Auth(AuthError::NotSignedIn)
    );
    assert_eq!(
        refused(due(&admin, &org).await),
        Refusal::Auth(AuthError::Forbidden)
    );
    let mut todo = due(&lia, &org).await.unwrap();
    assert_eq!(todo.len(), 1);
    let t = todo.pop().unwrap();
    assert!(t.recovery.is_some());
    assert_eq!((t.boxes.len(), t.left), (2, 0));
    // Lia never shared with Bob: she holds no pin of his key.
    assert_eq!(
        (t.recipient_id.as_str(), t.recipient_pin.clone()),
        (bob_id.as_str(), None)
    );
    // "<email> <date>", the date as YYYY-MM-DD.
    let date = t
        .folder_name
        .strip_prefix("ann@acme.test ")
        .unwrap()
        .to_string();
    assert!(
        date.len() == 10 && date.chars().filter(|c| *c == '-').count() == 2,
        "{date}"
    );
    let done = carry_out(&lia_keys, &t);
    assert_eq!(
        refused(complete(&bob, &org, &t.removal_id, &done).await),
        Refusal::Transfer(TransferError::NotDue)
    );
    // A swap that leaves a box out, or names another recipient key, is
    // refused whole.
    let short = Transferred {
        moved: done.moved[..1].to_vec(),
        ..done.clone()
    };
    assert_eq!(
        refused(complete(&lia, &org, &t.removal_id, &short).await),
        Refusal::Transfer(TransferError::Changed)
    );
    let wrong = carry_out(
        &lia_keys,
        &TransferDue {
            recipient_public_key: lia_keys.public_key(),
            ..t.clone()
        },
    );
    assert_eq!(
        refused(complete(&lia, &org, &t.removal_id, &wrong).await),
        Refusal::Transfer(TransferError::Changed)
    );
    assert!(boxes(&bob, &org).await.unwrap().is_empty());

    complete(&lia, &org, &t.removal_id, &done).await.unwrap();
    assert_eq!(
        refused(complete(&lia, &org, &t.removal_id, &done).await),
        Refusal::Transfer(TransferError::NotDue)
    );
    assert!(due(&lia, &org).await.unwrap().is_empty());

    // Bob finds "ann@acme.test <date>" with both boxes in it as folders,
    // and the file opens with his own keys.
    let listed = boxes(&bob, &org).await.unwrap();
    assert_eq!(listed.len(), 1);
    let new_key = open(&bob_keys, &listed[0]);
    assert_eq!(
        name_of(&new_key, &listed[0]),
        format!("ann@acme.test {date}")
    );
    let inside = folder(&bob, &org, &listed[0].id).await.unwrap();
    let mut names: Vec<_> = inside
        .children
        .iter()
        .map(|c| name_of(&new_key, c))
        .collect();
    names.sort();
    assert_eq!(names, ["Ann Deals", "Ann Old"]);
    assert_eq!(
        download(&bob, &org, &file.node.id, &bob_keys)
            .await
            .unwrap(),
        b"the minutes"
    );
    assert!(
        server
            .count(&format!(
                "SELECT COUNT(*) FROM memberships WHERE account_id = '{bob_id}' AND used_bytes > 0"
            ))
            .await
            == 1
    );
    assert_eq!(
        server
            .count(&format!(
                "SELECT COUNT(*) FROM recovery_escrows WHERE account_id = '{ann_id}'"
            ))
            .await,
        0
    );
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM audit_events WHERE action = 'member.items_transferred'")
            .await,
        1
    );

    // Dan, without a recovery copy: one box shared with Bob, one not.
    let dan_signer = Granter {
        account: dan_id.clone(),
        signer: signing_key(&dan, &dan_keys).await,
    };
    let (shared_key, shared) = make(&dan_keys.public_key(), None, "Dan Shared");
    let shared = create_box(&dan, &org, &shared).await.unwrap();
    let (_, private) = make(&dan_keys.public_key(), None, "Dan Private");
    create_box(&dan, &org, &private).await.unwrap();
    let to_bob = recipient(&dan, &org, "bob@acme.test").await.unwrap();
    grant(
        &dan,
        &org,
        &permit(
            &dan_signer,
            &shared.id,
            &shared_key,
            &to_bob,
            Permission::View,
            Window::default(),
        ),
    )
    .await
    .unwrap();
    remove_to(&lia, &org, &dan_id, &bob_id).await;
    assert!(due(&lia, &org).await.unwrap().is_empty());
    let t = due(&bob, &org).await.unwrap().pop().unwrap();
    assert!(t.recovery.is_none());
    assert_eq!((t.boxes.len(), t.left), (1, 1));
    complete(&bob, &org, &t.removal_id, &carry_out(&bob_keys, &t))
        .await
        .unwrap();
    let listed = boxes(&bob, &org).await.unwrap();
    assert_eq!(listed.len(), 2);
    let dans = listed
        .iter()
        .find(|b| name_of(&open(&bob_keys, b), b) == format!("dan@acme.test {date}"))
        .unwrap();
    let key = open(&bob_keys, dans);
    let inside = folder(&bob, &org, &dans.id).await.unwrap();
    assert_eq!(inside.children.len(), 1);
    assert_eq!(name_of(&key, &inside.children[0]), "Dan Shared");

    // Eve's items are deleted permanently: her box, its file and its blob.
    let (eve, eve_keys, eve_id) = originator(&server, &lia, &org, "eve@acme.test").await;
    let eve_signer = signing_key(&eve, &eve_keys).await;
    let (eve_key, eve_box) = make(&eve_keys.public_key(), None, "Eve Box");
    let eve_box = create_box(&eve, &org, &eve_box).await.unwrap();
    let eve_file = prepare(&eve_key, &eve_signer, "notes.txt", b"eve's notes");
    upload(&eve, &org, &eve_box.id, &eve_file).await.unwrap();
    let eve_nodes = format!("SELECT COUNT(*) FROM nodes WHERE box_id = '{}'", eve_box.id);
    assert_eq!(server.count(&eve_nodes).await, 2);
    lia.run(coffer_api::RemoveMember {
        organisation_id: org.to_string().into(),
        account_id: eve_id.clone().into(),
        removal: MemberRemoval::default(),
    })
    .await
    .unwrap();
    assert_eq!(server.count(&eve_nodes).await, 0);
    assert_eq!(
        server
            .count(&format!(
                "SELECT COUNT(*) FROM files WHERE node_id = '{}'",
                eve_file.node.id
            ))
            .await,
        0
    );
    assert_eq!(
        server
            .count(&format!(
                "SELECT COUNT(*) FROM member_removals WHERE account_id = '{eve_id}' AND done_at IS NOT NULL"
            ))
            .await,
        1
    );
}

on_both!(transfer_after_removal);
