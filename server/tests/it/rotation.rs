//! CRY-4 over HTTP on SQLite and PostgreSQL: removing someone's access to
//! a box (a permit removed, a member removed from the organisation) makes
//! the box due a new identity, which the browser's own worker code makes
//! and the server swaps in one step. Afterwards the removed member, in
//! their old session or a new one, gets no key and no content; everyone
//! who keeps access reads old and new content; a rotation made from a
//! stale plan, or a page that still holds the old key, changes nothing.

use crate::boxes::{create_folder, folder, her_box, make, name_of, open, owner, Owner};
use crate::common::*;
use crate::files::{download, prepare, upload};
use crate::sharing::{
    grant, granter, permit, person, refused, shared_with_me, unshare, word, Granter,
};
use coffer_api::ApiError;
use coffer_crypto::{MemberKeys, NodeKey};
use coffer_shared::boxes::BoxError;
use coffer_shared::errors::Refusal;
use coffer_shared::files::SigningKey;
use coffer_shared::ids::{AccountId, NodeId};
use coffer_shared::members::MemberRemoval;
use coffer_shared::sharing::{Permission, Rotation, RotationPlan, SharingError, Window};
use coffer_shared::types::Bytes;
use coffer_shared::worker::{Answer, Job};
use coffer_worker::jobs::Worker;

pub(crate) async fn plan(b: &Browser, org: &str, node: &NodeId) -> Result<RotationPlan, ApiError> {
    b.run(coffer_api::PlanRotation {
        organisation_id: org.into(),
        node_id: node.clone(),
    })
    .await
}

async fn due(b: &Browser, org: &str) -> Result<Vec<NodeId>, ApiError> {
    b.run(coffer_api::RotationsDue {
        organisation_id: org.into(),
    })
    .await
}

async fn renew(b: &Browser, org: &str, rotation: &Rotation) -> Result<(), ApiError> {
    b.run(coffer_api::RenewKey {
        organisation_id: org.into(),
        rotation: rotation.clone(),
    })
    .await
}

/// What the member's browser makes from a plan: the worker's own job.
fn rotation(keys: &MemberKeys, g: &Granter, plan: RotationPlan) -> Rotation {
    let signing = SigningKey {
        public_key: g.signer.public_key_hex(),
        wrapped: Bytes(g.signer.wrap_to(&keys.public_key()).unwrap()),
    };
    match Worker::default().run(Job::Rotate {
        secret: keys.secret_text().to_string(),
        signing,
        me: g.account.clone(),
        plan,
    }) {
        Answer::Rotated(r) => r,
        other => panic!("{other:?}"),
    }
}

async fn public_key_of(server: &TestServer, node: &NodeId) -> String {
    sqlx::query_scalar("SELECT public_key FROM nodes WHERE id = $1")
        .bind(node.to_string())
        .fetch_one(&server.db().await)
        .await
        .unwrap()
}

async fn rotation_after_removal(backend: Backend) {
    let Owner {
        server,
        lia,
        org,
        keys: mine,
        ..
    } = owner(backend).await;
    let g = granter(&lia, "lia@acme.test", "liaison password").await;
    let (ann_b, ann_keys, ann) = person(&server, &lia, &org, "ann@acme.test").await;
    let (bob_b, bob_keys, bob) = person(&server, &lia, &org, "bob@acme.test").await;
    let (carl_b, carl_keys, carl) = person(&server, &lia, &org, "carl@acme.test").await;
    let (box_key, the_box) = her_box(&lia, &org, &mine, "Deals").await;
    let (_, board) = make(&box_key.public_key(), Some(&box_key), "Board");
    create_folder(&lia, &org, &the_box.id, &board)
        .await
        .unwrap();
    let old_file = prepare(&box_key, &g.signer, "old.txt", b"old content");
    upload(&lia, &org, &the_box.id, &old_file).await.unwrap();
    for (to, permission) in [
        (&ann, Permission::Manage),
        (&bob, Permission::View),
        (&carl, Permission::Download),
    ] {
        let p = permit(&g, &the_box.id, &box_key, to, permission, Window::default());
        grant(&lia, &org, &p).await.unwrap();
    }
    let carl_had = {
        let held = shared_with_me(&carl_b, &org).await;
        NodeKey::unwrap(
            &held[0].node.wrapped_key.0,
            &carl_keys,
            &held[0].node.public_key,
        )
        .unwrap()
    };
    assert_eq!(
        download(&carl_b, &org, &old_file.node.id, &carl_keys)
            .await
            .unwrap(),
        b"old content"
    );

    // Who may plan or make a rotation: Manage holders reached from above.
    let anonymous = server.browser();
    let sharing = |e: SharingError| Refusal::Sharing(e);
    assert!(matches!(
        refused(plan(&anonymous, &org, &the_box.id).await),
        Refusal::Auth(_)
    ));
    assert!(matches!(
        refused(due(&anonymous, &org).await),
        Refusal::Auth(_)
    ));
    assert_eq!(
        refused(plan(&bob_b, &org, &the_box.id).await),
        sharing(SharingError::NotPermitted)
    );
    assert_eq!(
        refused(plan(&lia, &org, &old_file.node.id).await),
        sharing(SharingError::FileKeepsItsKey)
    );
    let p = permit(
        &g,
        &board.id,
        &NodeKey::unwrap(&board.wrapped_key.0, &box_key, &board.public_key).unwrap(),
        &ann,
        Permission::Manage,
        Window::default(),
    );
    grant(&lia, &org, &p).await.unwrap();
    assert_eq!(
        refused(plan(&ann_b, &org, &board.id).await),
        sharing(SharingError::RotationFromAbove),
        "Ann's way into Board is her permit on it: the key above is not hers"
    );
    assert_eq!(plan(&lia, &org, &board.id).await.unwrap().keepers.len(), 1);

    // Carl's access is removed: the box is due a new identity, which Lia
    // and Ann (Manage, from the box) can give it, and Bob (View) cannot.
    unshare(&lia, &org, &the_box.id, &carl.account_id)
        .await
        .unwrap();
    assert_eq!(server.count("SELECT COUNT(*) FROM rotations_due").await, 1);
    assert_eq!(
        due(&lia, &org).await.unwrap(),
        std::slice::from_ref(&the_box.id)
    );
    assert_eq!(
        due(&ann_b, &org).await.unwrap(),
        std::slice::from_ref(&the_box.id)
    );
    assert!(due(&bob_b, &org).await.unwrap().is_empty());
    assert!(
        due(&carl_b, &org).await.unwrap().is_empty(),
        "Carl holds no permit on it or above"
    );
    // Bob sends one Lia's browser made: his View does not let him.
    let bob_rotation = rotation(&mine, &g, plan(&lia, &org, &the_box.id).await.unwrap());
    assert_eq!(
        refused(renew(&bob_b, &org, &bob_rotation).await),
        sharing(SharingError::NotPermitted)
    );

    // A rotation planned before a new item arrived is refused whole.
    let planned = plan(&lia, &org, &the_box.id).await.unwrap();
    assert_eq!(planned.children.len(), 2);
    assert_eq!(
        planned.owner.as_ref().map(|o| o.public_key.clone()),
        Some(mine.public_key())
    );
    let mut kept: Vec<&AccountId> = planned.keepers.iter().map(|k| &k.account_id).collect();
    kept.sort();
    let mut expected = vec![&ann.account_id, &bob.account_id];
    expected.sort();
    assert_eq!(kept, expected, "Carl is not among those who keep it");
    let stale = rotation(&mine, &g, planned);
    let (_, late) = make(&box_key.public_key(), Some(&box_key), "Late");
    create_folder(&lia, &org, &the_box.id, &late).await.unwrap();
    assert_eq!(
        refused(renew(&lia, &org, &stale).await),
        sharing(SharingError::RotationRaced)
    );
    assert_eq!(
        public_key_of(&server, &the_box.id).await,
        box_key.public_key()
    );
    assert_eq!(server.count("SELECT COUNT(*) FROM rotations_due").await, 1);

    // A rotation that leaves out someone who keeps access, or signs
    // something else than their terms, is refused whole.
    let fresh = plan(&lia, &org, &the_box.id).await.unwrap();
    let mut short = rotation(&mine, &g, fresh.clone());
    short.permits.pop();
    assert_eq!(
        refused(renew(&lia, &org, &short).await),
        sharing(SharingError::RotationRaced)
    );
    let mut raised = fresh.clone();
    raised
        .keepers
        .iter_mut()
        .for_each(|k| k.permission = Permission::Manage);
    assert_eq!(
        refused(renew(&lia, &org, &rotation(&mine, &g, raised)).await),
        sharing(SharingError::InvalidPermit)
    );
    assert_eq!(
        public_key_of(&server, &the_box.id).await,
        box_key.public_key()
    );

    // Lia's browser renews it.
    let done = rotation(&mine, &g, fresh);
    renew(&lia, &org, &done).await.unwrap();
    assert_eq!(public_key_of(&server, &the_box.id).await, done.public_key);
    assert_eq!(server.count("SELECT COUNT(*) FROM rotations_due").await, 0);
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM audit_events WHERE action = 'share.key_renewed'")
            .await,
        1
    );
    // Made again from the same plan: the key it replaces is gone.
    assert_eq!(
        refused(renew(&lia, &org, &done).await),
        sharing(SharingError::RotationRaced)
    );
    // A page still holding the old key cannot add under it.
    let (_, stale_folder) = make(&box_key.public_key(), Some(&box_key), "Stale");
    assert_eq!(
        refused(create_folder(&lia, &org, &the_box.id, &stale_folder).await),
        Refusal::Box(BoxError::KeyRenewed)
    );

    // New content under the new key.
    let listed = folder(&lia, &org, &the_box.id).await.unwrap();
    let new_key = open(&mine, &listed.path[0]);
    assert_eq!(new_key.public_key(), done.public_key);
    let new_file = prepare(&new_key, &g.signer, "new.txt", b"new content");
    upload(&lia, &org, &the_box.id, &new_file).await.unwrap();

    // Carl, in his old session and signed in afresh: no key, no content.
    let carl_again = server.browser();
    carl_again
        .sign_in("carl@acme.test", "member password")
        .await
        .unwrap();
    for b in [&carl_b, &carl_again] {
        assert!(shared_with_me(b, &org).await.is_empty());
        assert_eq!(word(folder(b, &org, &the_box.id).await), "unknown");
        for file in [&old_file.node.id, &new_file.node.id] {
            assert!(download(b, &org, file, &carl_keys).await.is_err());
        }
        assert!(plan(b, &org, &the_box.id).await.is_err());
    }
    // And what he kept opens nothing stored since: not the box's key, not
    // its children as they are wrapped now, not the new file.
    let inside = folder(&lia, &org, &the_box.id).await.unwrap();
    assert_eq!(inside.children.len(), 4);
    for child in &inside.children {
        assert!(NodeKey::unwrap(&child.wrapped_key.0, &carl_had, &child.public_key).is_err());
        assert!(carl_had
            .open(&child.id, &child.public_key, &child.sealed_meta.0)
            .is_err());
    }
    let wrapped: Vec<Vec<u8>> =
        sqlx::query_scalar("SELECT wrapped_key FROM permits WHERE node_id = $1")
            .bind(the_box.id.to_string())
            .fetch_all(&server.db().await)
            .await
            .unwrap();
    assert_eq!(wrapped.len(), 3);
    for w in &wrapped {
        assert!(NodeKey::unwrap(w, &carl_keys, &done.public_key).is_err());
    }

    // Those who keep access read old and new: names and contents.
    for (b, keys) in [(&lia, &mine), (&ann_b, &ann_keys), (&bob_b, &bob_keys)] {
        let seen = folder(b, &org, &the_box.id).await.unwrap();
        let key = open(keys, &seen.path[0]);
        assert_eq!(key.public_key(), done.public_key);
        let mut names: Vec<String> = seen.children.iter().map(|c| name_of(&key, c)).collect();
        names.sort();
        assert_eq!(names, ["Board", "Late", "new.txt", "old.txt"]);
        assert_eq!(
            download(b, &org, &old_file.node.id, keys).await.unwrap(),
            b"old content"
        );
        assert_eq!(
            download(b, &org, &new_file.node.id, keys).await.unwrap(),
            b"new content"
        );
    }
    // Bob's permit is now signed by Lia for the new key, on his terms.
    let bob_held = shared_with_me(&bob_b, &org).await;
    let proof = bob_held[0].proof.clone().unwrap();
    assert_eq!(proof.permission, Permission::View);
    assert_eq!(proof.granted_by.as_str(), g.account);
    let checks = Worker::default().run(Job::CheckPermits {
        secret: bob_keys.secret_text().to_string(),
        me: bob.account_id.to_string(),
        permits: vec![((&bob_held[0].node).into(), proof)],
    });
    assert_eq!(checks, Answer::Checks(vec![true]));

    // Bob leaves the organisation: the box is due again, and Ann (Manage
    // from the box) renews it from her browser; Lia still holds it.
    lia.run(coffer_api::RemoveMember {
        organisation_id: org.clone().into(),
        account_id: bob.account_id.clone(),
        removal: MemberRemoval::default(),
    })
    .await
    .unwrap();
    assert_eq!(
        due(&ann_b, &org).await.unwrap(),
        std::slice::from_ref(&the_box.id)
    );
    let ann_g = granter(&ann_b, "ann@acme.test", "member password").await;
    let by_ann = rotation(
        &ann_keys,
        &ann_g,
        plan(&ann_b, &org, &the_box.id).await.unwrap(),
    );
    renew(&ann_b, &org, &by_ann).await.unwrap();
    assert!(due(&lia, &org).await.unwrap().is_empty());
    for (b, keys) in [(&lia, &mine), (&ann_b, &ann_keys)] {
        assert_eq!(
            download(b, &org, &new_file.node.id, keys).await.unwrap(),
            b"new content"
        );
        let seen = folder(b, &org, &the_box.id).await.unwrap();
        assert_eq!(open(keys, &seen.path[0]).public_key(), by_ann.public_key);
    }
}

on_both!(rotation_after_removal);
