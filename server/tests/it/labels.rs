//! BOX-4 labels and clearances over HTTP on SQLite and PostgreSQL: who may
//! define labels and clear members; a share is refused unless the member
//! is cleared for every label on the item, above it and inside it; a label
//! is refused on an item someone uncleared can reach; a clearance taken
//! away removes the permits it no longer covers (the item then due a new
//! key); a label removed stops restricting.

use crate::boxes::{create_folder, her_box, make, owner, Owner};
use crate::common::*;
use crate::sharing::{grant, granter, permit, person, refused};
use coffer_api::ApiError;
use coffer_crypto::NodeKey;
use coffer_shared::errors::Refusal;
use coffer_shared::ids::{AccountId, LabelId, NodeId};
use coffer_shared::labels::{LabelError, LabelView};
use coffer_shared::members::MemberRemoval;
use coffer_shared::sharing::{Permission, SharingError, Window};

async fn add(b: &Browser, org: &str, name: &str) -> Result<LabelView, ApiError> {
    b.run(coffer_api::AddLabel {
        organisation_id: org.into(),
        name: name.into(),
    })
    .await
}

async fn list(b: &Browser, org: &str) -> Result<Vec<LabelView>, ApiError> {
    b.run(coffer_api::ListLabels {
        organisation_id: org.into(),
    })
    .await
}

async fn label(
    b: &Browser,
    org: &str,
    node: &NodeId,
    label: Option<&LabelId>,
) -> Result<(), ApiError> {
    b.run(coffer_api::SetItemLabel {
        organisation_id: org.into(),
        node_id: node.clone(),
        label_id: label.cloned(),
    })
    .await
}

async fn clear(
    b: &Browser,
    org: &str,
    who: &AccountId,
    labels: &[&LabelId],
) -> Result<u64, ApiError> {
    b.run(coffer_api::SetClearances {
        organisation_id: org.into(),
        account_id: who.clone(),
        labels: labels.iter().map(|l| (*l).clone()).collect(),
    })
    .await
}

async fn clearances(b: &Browser, org: &str, who: &AccountId) -> Result<Vec<LabelId>, ApiError> {
    b.run(coffer_api::MemberClearances {
        organisation_id: org.into(),
        account_id: who.clone(),
    })
    .await
}

async fn labels_and_clearances(backend: Backend) {
    let Owner {
        server,
        lia,
        org,
        keys: mine,
        ..
    } = owner(backend).await;
    let g = granter(&lia, "lia@acme.test", "liaison password").await;
    let (ann_b, _, ann) = person(&server, &lia, &org, "ann@acme.test").await;
    let permits = "SELECT COUNT(*) FROM permits WHERE owner = 0";

    // Defined by administrators; named once, 1 to 40 characters.
    let legal = add(&lia, &org, " Legal ").await.unwrap();
    assert_eq!(legal.name, "Legal");
    let secret = add(&lia, &org, "Confidential").await.unwrap();
    assert_eq!(
        refused(add(&lia, &org, "legal").await),
        Refusal::Label(LabelError::NameTaken)
    );
    assert_eq!(
        refused(add(&lia, &org, " ").await),
        Refusal::Label(LabelError::InvalidName)
    );
    assert_eq!(
        refused(add(&lia, &org, &"x".repeat(41)).await),
        Refusal::Label(LabelError::InvalidName)
    );
    // Who may do what: members read the labels; only administrators
    // define them and clear people; nobody signed out does anything.
    let anonymous = server.browser();
    let no = |r: Refusal| matches!(r, Refusal::Auth(_));
    assert!(no(refused(list(&anonymous, &org).await)));
    assert!(no(refused(add(&anonymous, &org, "X").await)));
    assert_eq!(list(&ann_b, &org).await.unwrap().len(), 2);
    assert!(no(refused(add(&ann_b, &org, "Mine").await)));
    assert!(no(refused(
        clear(&ann_b, &org, &ann.account_id, &[&legal.id]).await
    )));
    assert!(no(refused(clearances(&ann_b, &org, &ann.account_id).await)));
    assert!(no(refused(
        ann_b
            .run(coffer_api::RemoveLabel {
                organisation_id: org.clone().into(),
                label_id: legal.id.clone(),
            })
            .await
    )));
    assert_eq!(
        refused(clear(&lia, &org, &ann.account_id, &[&LabelId::new("nope")]).await),
        Refusal::Label(LabelError::Unknown)
    );

    // Lia's box, a folder in it labelled Legal (by its Manage holder).
    let (box_key, the_box) = her_box(&lia, &org, &mine, "Deals").await;
    let (board_key, board) = make(&box_key.public_key(), Some(&box_key), "Board");
    create_folder(&lia, &org, &the_box.id, &board)
        .await
        .unwrap();
    label(&lia, &org, &board.id, Some(&legal.id)).await.unwrap();
    assert_eq!(
        refused(label(&lia, &org, &board.id, Some(&LabelId::new("nope"))).await),
        Refusal::Label(LabelError::Unknown)
    );
    let listed = crate::boxes::folder(&lia, &org, &the_box.id).await.unwrap();
    assert_eq!(listed.children[0].label.as_deref(), Some("Legal"));

    // Not cleared: neither the folder nor the box that holds it.
    let to_board = permit(
        &g,
        &board.id,
        &board_key,
        &ann,
        Permission::Manage,
        Window::default(),
    );
    let to_box = permit(
        &g,
        &the_box.id,
        &box_key,
        &ann,
        Permission::View,
        Window::default(),
    );
    for p in [&to_board, &to_box] {
        assert_eq!(
            refused(grant(&lia, &org, p).await),
            Refusal::Sharing(SharingError::LabelNotCleared)
        );
    }
    assert_eq!(server.count(permits).await, 0);

    // Cleared for Legal: the folder may be shared with her.
    assert_eq!(
        clear(&lia, &org, &ann.account_id, &[&legal.id])
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        clearances(&lia, &org, &ann.account_id).await.unwrap(),
        std::slice::from_ref(&legal.id)
    );
    grant(&lia, &org, &to_board).await.unwrap();
    // A label she is not cleared for cannot go on what she reaches: the
    // box above her folder, or something inside it.
    let (_, inner) = make(&board_key.public_key(), Some(&board_key), "Inner");
    create_folder(&lia, &org, &board.id, &inner).await.unwrap();
    for node in [&the_box.id, &inner.id] {
        assert_eq!(
            refused(label(&lia, &org, node, Some(&secret.id)).await),
            Refusal::Label(LabelError::HoldersNotCleared)
        );
    }
    // She manages the folder, but a label is for those who may: with
    // Manage she may label inside it with what she is cleared for.
    label(&ann_b, &org, &inner.id, Some(&legal.id))
        .await
        .unwrap();
    assert_eq!(
        refused(label(&ann_b, &org, &the_box.id, Some(&legal.id)).await),
        Refusal::Box(coffer_shared::boxes::BoxError::Unknown)
    );

    // Her clearance taken away: her share goes, the folder is due a new
    // key, and the audit log says why.
    assert_eq!(clear(&lia, &org, &ann.account_id, &[]).await.unwrap(), 1);
    assert_eq!(server.count(permits).await, 0);
    assert_eq!(
        server
            .count(&format!(
                "SELECT COUNT(*) FROM rotations_due WHERE node_id = '{}'",
                board.id
            ))
            .await,
        1
    );
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM audit_events WHERE action = 'share.removed' AND details LIKE '%clearance%'")
            .await,
        1
    );
    assert_eq!(
        crate::sharing::word(crate::boxes::folder(&ann_b, &org, &board.id).await),
        "unknown"
    );

    // The label removed: it no longer restricts, and is off every item.
    lia.run(coffer_api::RemoveLabel {
        organisation_id: org.clone().into(),
        label_id: legal.id.clone(),
    })
    .await
    .unwrap();
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM nodes WHERE label_id IS NOT NULL")
            .await,
        0
    );
    let key_now = crate::boxes::folder(&lia, &org, &the_box.id)
        .await
        .unwrap()
        .children
        .into_iter()
        .find(|c| c.id == board.id)
        .map(|c| NodeKey::unwrap(&c.wrapped_key.0, &box_key, &c.public_key).unwrap())
        .unwrap();
    let again = permit(
        &g,
        &board.id,
        &key_now,
        &ann,
        Permission::View,
        Window::default(),
    );
    grant(&lia, &org, &again).await.unwrap();

    // Clearances end with the membership.
    clear(&lia, &org, &ann.account_id, &[&secret.id])
        .await
        .unwrap();
    lia.run(coffer_api::RemoveMember {
        organisation_id: org.clone().into(),
        account_id: ann.account_id.clone(),
        removal: MemberRemoval::default(),
    })
    .await
    .unwrap();
    assert_eq!(server.count("SELECT COUNT(*) FROM clearances").await, 0);
    assert_eq!(
        list(&lia, &org)
            .await
            .unwrap()
            .iter()
            .map(|l| (l.name.as_str(), l.cleared))
            .collect::<Vec<_>>(),
        [("Confidential", 0)]
    );
}

on_both!(labels_and_clearances);
