//! BOX-5 outside recipients over HTTP on SQLite and PostgreSQL: sharing to
//! an address with no account invites them (an External member, Ad hoc,
//! taking a seat only if Configuration says so) and keeps the share
//! waiting; a second waiting share of the same item is refused; once they
//! set a password (becoming a Collaborator) the granter's browser completes
//! the share as a permit, and the wait ends; a waiting share can be
//! withdrawn. Bad input changes nothing.

use crate::boxes::{create_folder, folder, her_box, make, owner, Owner};
use crate::common::*;
use crate::files::{download, prepare, upload};
use crate::sharing::{grant, granter, permit, person, refused, shared_with_me, unshare, word};
use coffer_api::ApiError;
use coffer_crypto::MemberKeys;
use coffer_shared::errors::Refusal;
use coffer_shared::ids::NodeId;
use coffer_shared::members::MemberError;
use coffer_shared::sharing::{Access, OutsideShare, Permission, ReadyShare, SharingError, Window};

async fn invite(
    b: &Browser,
    org: &str,
    node: &NodeId,
    email: &str,
    permission: Permission,
    window: Window,
) -> Result<(), ApiError> {
    b.run(coffer_api::ShareWithOutsider {
        organisation_id: org.into(),
        share: OutsideShare {
            node_id: node.clone(),
            email: email.into(),
            permission,
            window,
        },
    })
    .await
}

async fn ready(b: &Browser, org: &str) -> Vec<ReadyShare> {
    b.run(coffer_api::ReadyShares {
        organisation_id: org.into(),
    })
    .await
    .unwrap()
}

async fn access(b: &Browser, org: &str, node: &NodeId) -> Vec<Access> {
    b.run(coffer_api::AccessList {
        organisation_id: org.into(),
        node_id: node.clone(),
    })
    .await
    .unwrap()
}

async fn outside_recipients(backend: Backend) {
    let Owner {
        server,
        lia,
        org,
        keys: mine,
        ..
    } = owner(backend).await;
    let g = granter(&lia, "lia@acme.test", "liaison password").await;
    person(&server, &lia, &org, "ann@acme.test").await;
    let (box_key, the_box) = her_box(&lia, &org, &mine, "Deals").await;
    let (board_key, board) = make(&box_key.public_key(), Some(&box_key), "Board");
    create_folder(&lia, &org, &the_box.id, &board)
        .await
        .unwrap();
    let (other_key, other) = make(&box_key.public_key(), Some(&box_key), "Other");
    create_folder(&lia, &org, &the_box.id, &other)
        .await
        .unwrap();
    let file = prepare(&board_key, &g.signer, "minutes.txt", b"the minutes");
    upload(&lia, &org, &board.id, &file).await.unwrap();
    let waiting = "SELECT COUNT(*) FROM pending_shares";
    let dl = Permission::Download;
    let always = Window::default();

    // Bad input: refused with its reason, nothing waits, nobody invited.
    let backwards = Window {
        not_before_ms: Some(20),
        not_after_ms: Some(10),
    };
    for (email, window, want) in [
        ("olga@outside", always, SharingError::InvalidEmail),
        (
            "olga@outside.test",
            backwards,
            SharingError::WindowBackwards,
        ),
        ("ann@acme.test", always, SharingError::MemberNotOutsider),
    ] {
        assert_eq!(
            refused(invite(&lia, &org, &board.id, email, dl, window).await),
            Refusal::Sharing(want),
            "{email}"
        );
    }
    assert_eq!(server.count(waiting).await, 0);
    assert!(subjects_to(&server, "olga@outside.test").is_empty());

    // Olga is invited; the share waits, and the panel shows it.
    invite(&lia, &org, &board.id, "olga@outside.test", dl, always)
        .await
        .unwrap();
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM memberships m JOIN accounts a ON a.id = m.account_id \
                    WHERE a.email = 'olga@outside.test' AND m.role = 'adhoc' AND m.account_type = 'external'")
            .await,
        1
    );
    let listed = access(&lia, &org, &board.id).await;
    let olga_row = listed
        .iter()
        .find(|a| a.email == "olga@outside.test")
        .unwrap();
    assert!(olga_row.pending);
    assert_eq!(olga_row.permission, dl);
    // A second waiting share of the same item is refused; another item
    // may wait for her too, without a second invitation.
    assert_eq!(
        refused(invite(&lia, &org, &board.id, "olga@outside.test", dl, always).await),
        Refusal::Sharing(SharingError::AlreadyPending)
    );
    invite(
        &lia,
        &org,
        &other.id,
        "olga@outside.test",
        Permission::View,
        always,
    )
    .await
    .unwrap();
    assert_eq!(server.count(waiting).await, 2);
    server.settle_mail().await;
    assert_eq!(subjects_to(&server, "olga@outside.test").len(), 1);
    // Nothing to complete before she has keys.
    assert!(ready(&lia, &org).await.is_empty());

    // Seats: outside recipients take none unless Configuration says so.
    sqlx::query("UPDATE organisations SET licence_seats = member_count WHERE id = $1")
        .bind(&org)
        .execute(&server.db().await)
        .await
        .unwrap();
    invite(
        &lia,
        &org,
        &board.id,
        "pat@outside.test",
        Permission::View,
        always,
    )
    .await
    .unwrap();
    let mut settings = lia
        .run(coffer_api::OrganisationSettings {
            organisation_id: org.clone().into(),
        })
        .await
        .unwrap();
    settings.outsiders_take_seats = true;
    lia.run(coffer_api::UpdateOrganisationSettings {
        organisation_id: org.clone().into(),
        settings,
    })
    .await
    .unwrap();
    assert_eq!(
        refused(invite(&lia, &org, &board.id, "quinn@outside.test", dl, always).await),
        Refusal::Member(MemberError::NoLicencesAvailable)
    );
    // Pat's waiting share is withdrawn; no key was ever given, so nothing
    // is due a new one.
    let pat = access(&lia, &org, &board.id)
        .await
        .into_iter()
        .find(|a| a.email == "pat@outside.test")
        .unwrap();
    unshare(&lia, &org, &board.id, &pat.account_id)
        .await
        .unwrap();
    assert_eq!(server.count(waiting).await, 2);
    assert_eq!(server.count("SELECT COUNT(*) FROM rotations_due").await, 0);

    // Olga follows the link and sets a password: a Collaborator with keys.
    let token = server
        .invitation_tokens("olga@outside.test")
        .into_iter()
        .next()
        .unwrap();
    let olga = server.browser();
    olga.accept_invitation(&token, "olgas own password")
        .await
        .unwrap();
    let me = olga
        .sign_in("olga@outside.test", "olgas own password")
        .await
        .unwrap();
    let olga_keys = MemberKeys::from_secret_text(&me.keys().secret_text()).unwrap();
    assert_eq!(
        server
            .count(
                "SELECT COUNT(*) FROM memberships m JOIN accounts a ON a.id = m.account_id \
                    WHERE a.email = 'olga@outside.test' AND m.role = 'collaborator'"
            )
            .await,
        1
    );
    assert!(shared_with_me(&olga, &org).await.is_empty());

    // Lia's browser completes both: permits as for any member.
    let to_complete = ready(&lia, &org).await;
    assert_eq!(to_complete.len(), 2);
    for r in &to_complete {
        assert_eq!(r.to.public_key, olga_keys.public_key());
        let node = r.path.last().unwrap();
        let key = if node.id == board.id {
            &board_key
        } else {
            &other_key
        };
        grant(
            &lia,
            &org,
            &permit(&g, &node.id, key, &r.to, r.permission, r.window),
        )
        .await
        .unwrap();
    }
    assert_eq!(server.count(waiting).await, 0);
    assert!(ready(&lia, &org).await.is_empty());
    assert_eq!(shared_with_me(&olga, &org).await.len(), 2);
    assert_eq!(word(folder(&olga, &org, &board.id).await), "ok");
    assert_eq!(
        download(&olga, &org, &file.node.id, &olga_keys)
            .await
            .unwrap(),
        b"the minutes"
    );
}

on_both!(outside_recipients);
