//! BOX-2, BOX-3, CRY-3 sharing over HTTP on SQLite and PostgreSQL: permits
//! made as the granter's browser makes them (key wrapped to the grantee,
//! record sealed under the node's own key, statement signed), checked by
//! the server on every call; the permission matrix; forged permits and bad
//! input refused with nothing half-shared.

use crate::boxes::{create_folder, folder, her_box, keys_of, make, owner, Owner};
use crate::common::*;
use crate::files::{prepare, signing_key, upload};
use coffer_api::ApiError;
use coffer_crypto::{MemberKeys, NodeKey, PermitStatement, SigningKeys};
use coffer_shared::boxes::{NodeRecord, Rewrapped};
use coffer_shared::errors::Refusal;
use coffer_shared::ids::{AccountId, NodeId};
use coffer_shared::sharing::{
    Access, NewPermit, Notices, Permission, Recipient, SharedItem, SharingError, Window,
};
use coffer_shared::types::{Bytes, Role};

/// The granter's side of a share, as their browser holds it: their
/// account id and their signing key.
pub(crate) struct Granter {
    pub account: String,
    pub signer: SigningKeys,
}

/// Signs in as the browser does, and makes and stores the signing key.
pub(crate) async fn granter(b: &Browser, email: &str, password: &str) -> Granter {
    let me = b.sign_in(email, password).await.unwrap();
    let keys = MemberKeys::from_secret_text(&me.keys().secret_text()).unwrap();
    Granter {
        account: me.signed_in.account.id.to_string(),
        signer: signing_key(b, &keys).await,
    }
}

pub(crate) fn record(name: &str) -> Vec<u8> {
    serde_json::to_vec(&NodeRecord {
        name: name.into(),
        created_at_ms: 1,
        modified_at_ms: 1,
        file: None,
    })
    .unwrap()
}

/// A permit for `node` (whose key is `key`) to `to`, made and signed as
/// the browser does.
pub(crate) fn permit(
    g: &Granter,
    node: &NodeId,
    key: &NodeKey,
    to: &Recipient,
    permission: Permission,
    window: Window,
) -> NewPermit {
    let statement = PermitStatement {
        node_id: node.to_string(),
        node_public_key: key.public_key(),
        grantee_account_id: to.account_id.to_string(),
        grantee_public_key: to.public_key.clone(),
        permission,
        window,
        granter_account_id: g.account.clone(),
    };
    NewPermit {
        node_id: node.clone(),
        account_id: to.account_id.clone(),
        permission,
        window,
        wrapped_key: Bytes(key.wrap_to(&to.public_key).unwrap()),
        sealed_meta: Bytes(key.seal(node, &key.public_key(), &record("Shared"))),
        signature: Bytes(statement.sign(&g.signer).to_vec()),
        pin: None,
    }
}

pub(crate) async fn recipient(b: &Browser, org: &str, email: &str) -> Result<Recipient, ApiError> {
    b.run(coffer_api::ShareRecipient {
        organisation_id: org.into(),
        email: email.into(),
    })
    .await
}

pub(crate) async fn grant(b: &Browser, org: &str, p: &NewPermit) -> Result<(), ApiError> {
    b.run(coffer_api::GrantPermit {
        organisation_id: org.into(),
        permit: p.clone(),
    })
    .await
}

async fn access(b: &Browser, org: &str, node: &NodeId) -> Result<Vec<Access>, ApiError> {
    b.run(coffer_api::AccessList {
        organisation_id: org.into(),
        node_id: node.clone(),
    })
    .await
}

pub(crate) async fn unshare(
    b: &Browser,
    org: &str,
    node: &NodeId,
    who: &AccountId,
) -> Result<(), ApiError> {
    b.run(coffer_api::Unshare {
        organisation_id: org.into(),
        node_id: node.clone(),
        account_id: who.clone(),
    })
    .await
}

pub(crate) async fn shared_with_me(b: &Browser, org: &str) -> Vec<SharedItem> {
    b.run(coffer_api::SharedWithMe {
        organisation_id: org.into(),
    })
    .await
    .unwrap()
}

pub(crate) fn refused<T: std::fmt::Debug>(r: Result<T, ApiError>) -> Refusal {
    refusal(r.unwrap_err())
}

pub(crate) fn word(r: Result<impl Sized, ApiError>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(e) => match refusal(e) {
            Refusal::Sharing(SharingError::NotPermitted) => "permission",
            Refusal::Box(coffer_shared::boxes::BoxError::Unknown)
            | Refusal::File(coffer_shared::files::FileError::UnknownFile) => "unknown",
            other => panic!("unexpected refusal {other:?}"),
        },
    }
}

/// A member with keys (an Originator may use boxes like anyone), their
/// browser and their keys.
pub(crate) async fn person(
    server: &TestServer,
    lia: &Browser,
    org: &str,
    email: &str,
) -> (Browser, MemberKeys, Recipient) {
    let (_, b) = active_member(
        server,
        lia,
        org,
        email,
        "member password",
        Role::Collaborator,
        false,
    )
    .await;
    let keys = keys_of(&b, email, "member password").await;
    let me = recipient(lia, org, email).await.unwrap();
    (b, keys, me)
}

const HOUR: i64 = 3_600_000;

/// Plays the clock: a permit's window as if it had been given so.
async fn set_window(server: &TestServer, node: &NodeId, who: &AccountId, w: Window) {
    sqlx::query(
        "UPDATE permits SET not_before = $1, not_after = $2 WHERE node_id = $3 AND account_id = $4",
    )
    .bind(w.not_before_ms)
    .bind(w.not_after_ms)
    .bind(node.to_string())
    .bind(who.to_string())
    .execute(&server.db().await)
    .await
    .unwrap();
}

/// Every permission (and none, and windows that do not hold) × every
/// action, held directly on a folder or inherited from its box.
async fn permission_matrix(backend: Backend) {
    let Owner {
        server,
        lia,
        org,
        keys: mine,
        ..
    } = owner(backend).await;
    let g = granter(&lia, "lia@acme.test", "liaison password").await;
    let (_, third_keys, third) = person(&server, &lia, &org, "third@acme.test").await;
    drop(third_keys);
    let now = coffer_core::kernel::db::now_ms();
    let cases: [(&str, Option<(Permission, Window)>); 9] = [
        ("none", None),
        ("view", Some((Permission::View, Window::default()))),
        ("download", Some((Permission::Download, Window::default()))),
        ("upload", Some((Permission::Upload, Window::default()))),
        ("modify", Some((Permission::Modify, Window::default()))),
        ("manage", Some((Permission::Manage, Window::default()))),
        (
            "expired",
            Some((
                Permission::Manage,
                Window {
                    not_before_ms: Some(now - 2 * HOUR),
                    not_after_ms: Some(now - HOUR),
                },
            )),
        ),
        (
            "not yet",
            Some((
                Permission::Manage,
                Window {
                    not_before_ms: Some(now + HOUR),
                    not_after_ms: None,
                },
            )),
        ),
        // BOX-4: the file in the folder carries a label they are not
        // cleared for: the grant is refused, so they hold nothing.
        (
            "label not cleared",
            Some((Permission::Manage, Window::default())),
        ),
    ];
    // What each case may do: list, open a file (preview), export
    // (download), add a folder (upload), rename, move, delete, share,
    // list access, unshare.
    let expected: [[&str; 10]; 9] = [
        ["unknown"; 10],
        [
            "ok",
            "ok",
            "permission",
            "permission",
            "permission",
            "permission",
            "permission",
            "permission",
            "permission",
            "permission",
        ],
        [
            "ok",
            "ok",
            "ok",
            "permission",
            "permission",
            "permission",
            "permission",
            "permission",
            "permission",
            "permission",
        ],
        [
            "ok",
            "ok",
            "ok",
            "ok",
            "permission",
            "permission",
            "permission",
            "permission",
            "permission",
            "permission",
        ],
        [
            "ok",
            "ok",
            "ok",
            "ok",
            "ok",
            "ok",
            "ok",
            "permission",
            "permission",
            "permission",
        ],
        ["ok"; 10],
        ["unknown"; 10],
        ["unknown"; 10],
        ["unknown"; 10],
    ];
    let legal = lia
        .run(coffer_api::AddLabel {
            organisation_id: org.clone().into(),
            name: "Legal".into(),
        })
        .await
        .unwrap();
    // One grantee throughout: each case is in a box of its own.
    let (them, _, to) = person(&server, &lia, &org, "them@acme.test").await;
    let them_g = granter(&them, "them@acme.test", "member password").await;
    for inherited in [false, true] {
        for ((case, grant_of), want) in cases.iter().zip(expected) {
            // The owner's box with a folder holding a file, a folder to
            // delete and a folder to move into.
            let (box_key, the_box) = her_box(&lia, &org, &mine, "Deals").await;
            let (board_key, board) = make(&box_key.public_key(), Some(&box_key), "Board");
            create_folder(&lia, &org, &the_box.id, &board)
                .await
                .unwrap();
            let (_, doomed) = make(&board_key.public_key(), Some(&board_key), "Old");
            create_folder(&lia, &org, &board.id, &doomed).await.unwrap();
            let (_, into) = make(&board_key.public_key(), Some(&board_key), "Into");
            create_folder(&lia, &org, &board.id, &into).await.unwrap();
            let file = prepare(&board_key, &g.signer, "minutes.txt", b"the minutes");
            let file = upload(&lia, &org, &board.id, &file).await.unwrap();
            let unlabelled = *case != "label not cleared";
            if !unlabelled {
                lia.run(coffer_api::SetItemLabel {
                    organisation_id: org.clone().into(),
                    node_id: file.id.clone(),
                    label_id: Some(legal.id.clone()),
                })
                .await
                .unwrap();
            }
            if let Some((permission, window)) = grant_of {
                let (node, key) = if inherited {
                    (&the_box.id, &box_key)
                } else {
                    (&board.id, &board_key)
                };
                // A window already over cannot be given: it is set after.
                let open = Window::default();
                let given = grant(&lia, &org, &permit(&g, node, key, &to, *permission, open)).await;
                if unlabelled {
                    given.unwrap();
                    set_window(&server, node, &to.account_id, *window).await;
                } else {
                    assert_eq!(
                        refused(given),
                        Refusal::Sharing(SharingError::LabelNotCleared)
                    );
                }
            }
            let (_, new_folder) = make(&board_key.public_key(), Some(&board_key), "New");
            let moved_wrap = Rewrapped {
                wrapped_key: Bytes(
                    NodeKey::generate()
                        .wrap_to(&board_key.public_key())
                        .unwrap(),
                ),
                sealed_meta: Bytes(board_key.seal(&doomed.id, &doomed.public_key, &record("x"))),
                under: doomed.public_key.clone(),
            };
            let got = [
                word(folder(&them, &org, &board.id).await),
                word(
                    them.run(coffer_api::OpenFile {
                        organisation_id: org.clone().into(),
                        node_id: file.id.clone(),
                    })
                    .await,
                ),
                word(
                    them.run(coffer_api::ExportItems {
                        organisation_id: org.clone().into(),
                        node_id: board.id.clone(),
                    })
                    .await,
                ),
                word(create_folder(&them, &org, &board.id, &new_folder).await),
                word(
                    them.run(coffer_api::RenameNode {
                        organisation_id: org.clone().into(),
                        node_id: file.id.clone(),
                        sealed_meta: Bytes(board_key.seal(
                            &file.id,
                            &file.public_key,
                            &record("renamed"),
                        )),
                        under: board_key.public_key(),
                    })
                    .await,
                ),
                word(
                    them.run(coffer_api::MoveNode {
                        organisation_id: org.clone().into(),
                        node_id: into.id.clone(),
                        new_parent_id: doomed.id.clone(),
                        rewrapped: moved_wrap,
                    })
                    .await,
                ),
                word(
                    them.run(coffer_api::TrashNode {
                        organisation_id: org.clone().into(),
                        node_id: doomed.id.clone(),
                    })
                    .await,
                ),
                word(
                    grant(
                        &them,
                        &org,
                        &permit(
                            &them_g,
                            &board.id,
                            &board_key,
                            &third,
                            Permission::View,
                            Window::default(),
                        ),
                    )
                    .await,
                ),
                word(access(&them, &org, &board.id).await),
                word(unshare(&them, &org, &board.id, &third.account_id).await),
            ];
            assert_eq!(got, want, "{case}, inherited: {inherited}");
            // An item one may not see is not in "Shared with me" either.
            let mut listed = shared_with_me(&them, &org).await;
            listed.retain(|item| item.node.id == the_box.id || item.node.id == board.id);
            let shown =
                grant_of.is_some() && !matches!(*case, "expired" | "not yet" | "label not cleared");
            assert_eq!(listed.len(), usize::from(shown), "{case}");
            if shown {
                assert_eq!(listed[0].owner, "lia@acme.test");
                assert_eq!(listed[0].permission, grant_of.unwrap().0);
            }
        }
    }
    // Housekeeping deletes the two permits whose window ended (the
    // not-yet ones stay) and records it.
    let expired = "SELECT COUNT(*) FROM permits WHERE not_after IS NOT NULL";
    assert_eq!(server.count(expired).await, 2);
    server.running.coffer.housekeeping().await.unwrap();
    assert_eq!(server.count(expired).await, 0);
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM permits WHERE not_before IS NOT NULL")
            .await,
        2
    );
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM audit_events WHERE action = 'share.expired'")
            .await,
        2
    );
}

/// Bad shares are refused with their reason and leave no permit behind.
async fn bad_shares_change_nothing(backend: Backend) {
    let Owner {
        server,
        admin,
        lia,
        org,
        keys: mine,
    } = owner(backend).await;
    let g = granter(&lia, "lia@acme.test", "liaison password").await;
    let (_, _, ann) = person(&server, &lia, &org, "ann@acme.test").await;
    let (box_key, the_box) = her_box(&lia, &org, &mine, "Deals").await;
    let file = prepare(&box_key, &g.signer, "a.txt", b"a");
    let file = upload(&lia, &org, &the_box.id, &file).await.unwrap();
    let file_key = NodeKey::generate();
    let permits = "SELECT COUNT(*) FROM permits";
    let before = server.count(permits).await;

    // Addresses: malformed, of no member here, of another organisation's
    // member, one's own, someone who has not set up their keys yet.
    assert_eq!(
        refused(recipient(&lia, &org, "not an address").await),
        SharingError::InvalidEmail.into()
    );
    assert_eq!(
        refused(recipient(&lia, &org, "nobody@acme.test").await),
        SharingError::NoSuchMember.into()
    );
    member(&server, &admin, "Other", "bob@other.test", "other password").await;
    assert_eq!(
        refused(recipient(&lia, &org, "bob@other.test").await),
        SharingError::NoSuchMember.into()
    );
    assert_eq!(
        refused(recipient(&lia, &org, "LIA@acme.test").await),
        SharingError::SelfShare.into()
    );
    add_member(&lia, &org, "new@acme.test", Role::Collaborator, false).await;
    assert_eq!(
        refused(recipient(&lia, &org, "new@acme.test").await),
        SharingError::RecipientWithoutKeys.into()
    );

    let good = permit(
        &g,
        &the_box.id,
        &box_key,
        &ann,
        Permission::View,
        Window::default(),
    );
    let backwards = Window {
        not_before_ms: Some(2_000),
        not_after_ms: Some(1_000),
    };
    let mut for_another_node = good.clone();
    for_another_node.node_id = file.id.clone();
    let mut another_key = ann.clone();
    another_key.public_key = MemberKeys::generate().public_key();
    let mut raised = good.clone();
    raised.permission = Permission::Manage;
    let mut torn = good.clone();
    torn.sealed_meta = Bytes(vec![1, 2, 3]);
    let over = Window {
        not_before_ms: None,
        not_after_ms: Some(coffer_core::kernel::db::now_ms() - 1),
    };
    let cases: Vec<(&str, NewPermit, Refusal)> = vec![
        (
            "a window that ends before it starts",
            permit(&g, &the_box.id, &box_key, &ann, Permission::View, backwards),
            SharingError::WindowBackwards.into(),
        ),
        (
            "a window already over",
            permit(&g, &the_box.id, &box_key, &ann, Permission::View, over),
            SharingError::WindowOver.into(),
        ),
        (
            "Upload on a file",
            permit(
                &g,
                &file.id,
                &file_key,
                &ann,
                Permission::Upload,
                Window::default(),
            ),
            SharingError::UploadOnFile.into(),
        ),
        (
            "a signature made for another node",
            for_another_node,
            SharingError::InvalidPermit.into(),
        ),
        (
            "a signature for a key the server did not give",
            permit(
                &g,
                &the_box.id,
                &box_key,
                &another_key,
                Permission::View,
                Window::default(),
            ),
            SharingError::InvalidPermit.into(),
        ),
        (
            "a permission the signature does not name",
            raised,
            SharingError::InvalidPermit.into(),
        ),
        (
            "a torn sealed record",
            torn,
            SharingError::InvalidPermit.into(),
        ),
    ];
    for (what, p, want) in cases {
        assert_eq!(refused(grant(&lia, &org, &p).await), want, "{what}");
    }
    assert_eq!(server.count(permits).await, before);

    // The owner keeps her access: no one changes or removes it.
    grant(
        &lia,
        &org,
        &permit(
            &g,
            &the_box.id,
            &box_key,
            &ann,
            Permission::Manage,
            Window::default(),
        ),
    )
    .await
    .unwrap();
    let listed = access(&lia, &org, &the_box.id).await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|a| (a.email.as_str(), a.owner, a.permission))
            .collect::<Vec<_>>(),
        [
            ("lia@acme.test", true, Permission::Manage),
            ("ann@acme.test", false, Permission::Manage)
        ]
    );
    let lia_as = Recipient {
        account_id: g.account.clone().into(),
        email: "lia@acme.test".into(),
        name: String::new(),
        public_key: mine.public_key(),
        pin: None,
    };
    let ann_b = server.browser();
    let ann_g = granter(&ann_b, "ann@acme.test", "member password").await;
    let ann_keys = keys_of(&ann_b, "ann@acme.test", "member password").await;
    // Ann's Manage ends in two hours: she shares further only until then.
    let (_, _, cat) = person(&server, &lia, &org, "cat@acme.test").await;
    let now = coffer_core::kernel::db::now_ms();
    let until = |end: Option<i64>| Window {
        not_before_ms: None,
        not_after_ms: end,
    };
    grant(
        &lia,
        &org,
        &permit(
            &g,
            &the_box.id,
            &box_key,
            &ann,
            Permission::Manage,
            until(Some(now + 2 * HOUR)),
        ),
    )
    .await
    .unwrap();
    for beyond in [None, Some(now + 3 * HOUR)] {
        let p = permit(
            &ann_g,
            &the_box.id,
            &box_key,
            &cat,
            Permission::View,
            until(beyond),
        );
        assert_eq!(
            refused(grant(&ann_b, &org, &p).await),
            SharingError::BeyondOwnWindow.into()
        );
    }
    let within = permit(
        &ann_g,
        &the_box.id,
        &box_key,
        &cat,
        Permission::View,
        until(Some(now + HOUR)),
    );
    grant(&ann_b, &org, &within).await.unwrap();
    assert_eq!(
        refused(
            grant(
                &ann_b,
                &org,
                &permit(
                    &ann_g,
                    &the_box.id,
                    &box_key,
                    &lia_as,
                    Permission::View,
                    Window::default()
                )
            )
            .await
        ),
        SharingError::OwnerAccess.into()
    );
    assert_eq!(
        refused(unshare(&ann_b, &org, &the_box.id, &lia_as.account_id).await),
        SharingError::OwnerAccess.into()
    );
    // Removing someone who holds nothing here says so.
    assert_eq!(
        refused(unshare(&lia, &org, &file.id, &ann.account_id).await),
        SharingError::NoSuchPermit.into()
    );
    // What Ann holds opens with her key; the box's name is sealed for her.
    let shared = shared_with_me(&ann_b, &org).await;
    assert_eq!(shared.len(), 1);
    let opened = NodeKey::unwrap(
        &shared[0].node.wrapped_key.0,
        &ann_keys,
        &shared[0].node.public_key,
    )
    .unwrap();
    assert_eq!(opened.public_key(), box_key.public_key());
    unshare(&lia, &org, &the_box.id, &ann.account_id)
        .await
        .unwrap();
    assert!(shared_with_me(&ann_b, &org).await.is_empty());
    assert_eq!(word(folder(&ann_b, &org, &the_box.id).await), "unknown");
}

/// AUD-3 notices by mail (shares, uploads into one's box by others, access
/// ending within a day), each as the member chose; BOX-9 contacts first
/// among the suggestions; a member with Upload adds a file to the owner's
/// box, charged to the owner.
async fn notices_and_contacts(backend: Backend) {
    let Owner {
        server,
        lia,
        org,
        keys: mine,
        ..
    } = owner(backend).await;
    let g = granter(&lia, "lia@acme.test", "liaison password").await;
    let (ann_b, ann_keys, ann) = person(&server, &lia, &org, "ann@acme.test").await;
    let (_, _, bob) = person(&server, &lia, &org, "bob@acme.test").await;
    let subjects = |to: &'static str| {
        let server = &server;
        async move {
            server.settle_mail().await;
            subjects_to(server, to)
        }
    };
    let (box_key, the_box) = her_box(&lia, &org, &mine, "Deals").await;

    // Nobody shared with yet: no contacts; typing finds the directory.
    let suggest = |prefix: &'static str| {
        lia.run(coffer_api::ShareSuggestions {
            organisation_id: org.clone().into(),
            prefix: prefix.into(),
        })
    };
    assert!(suggest("").await.unwrap().is_empty());
    let emails = |r: Vec<Recipient>| r.into_iter().map(|r| r.email).collect::<Vec<_>>();
    assert_eq!(emails(suggest("b").await.unwrap()), ["bob@acme.test"]);

    // Shared with Ann: she is told, and she is Lia's contact from now on.
    grant(
        &lia,
        &org,
        &permit(
            &g,
            &the_box.id,
            &box_key,
            &ann,
            Permission::Upload,
            Window::default(),
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        subjects("ann@acme.test").await.last().map(String::as_str),
        Some("lia@acme.test shared an item with you in Acme")
    );
    assert_eq!(emails(suggest("").await.unwrap()), ["ann@acme.test"]);
    assert_eq!(emails(suggest("a").await.unwrap()), ["ann@acme.test"]);

    // Ann uploads into Lia's box: Lia is told; the bytes count against
    // Lia's plan (the box's owner's).
    let ann_signer = signing_key(&ann_b, &ann_keys).await;
    let shared = shared_with_me(&ann_b, &org).await;
    let held = NodeKey::unwrap(
        &shared[0].node.wrapped_key.0,
        &ann_keys,
        &shared[0].node.public_key,
    )
    .unwrap();
    let file = prepare(&held, &ann_signer, "from-ann.txt", b"from Ann");
    upload(&ann_b, &org, &the_box.id, &file).await.unwrap();
    let uploaded = "ann@acme.test uploaded a file into one of your boxes";
    assert_eq!(
        subjects("lia@acme.test")
            .await
            .iter()
            .filter(|s| *s == uploaded)
            .count(),
        1
    );
    assert_eq!(
        server
            .count(&format!(
                "SELECT COUNT(*) FROM files f JOIN accounts a ON a.id = f.charged_to \
                 WHERE a.email = 'lia@acme.test' AND f.node_id = '{}'",
                file.node.id
            ))
            .await,
        1
    );
    // Lia no longer wants upload notices: the next upload tells nobody.
    let quiet = Notices {
        uploads: false,
        ..Notices::default()
    };
    lia.run(coffer_api::SetNotices { notices: quiet })
        .await
        .unwrap();
    assert_eq!(lia.run(coffer_api::MyNotices {}).await.unwrap(), quiet);
    let again = prepare(&held, &ann_signer, "again.txt", b"again");
    upload(&ann_b, &org, &the_box.id, &again).await.unwrap();
    assert_eq!(
        subjects("lia@acme.test")
            .await
            .iter()
            .filter(|s| *s == uploaded)
            .count(),
        1
    );

    // Bob's access ends in two hours: housekeeping tells him once.
    let soon = Window {
        not_before_ms: None,
        not_after_ms: Some(coffer_core::kernel::db::now_ms() + 2 * HOUR),
    };
    grant(
        &lia,
        &org,
        &permit(&g, &the_box.id, &box_key, &bob, Permission::View, soon),
    )
    .await
    .unwrap();
    let ending = "Your access to a shared item in Acme ends soon";
    server.running.coffer.housekeeping().await.unwrap();
    server.running.coffer.housekeeping().await.unwrap();
    assert_eq!(
        subjects("bob@acme.test")
            .await
            .iter()
            .filter(|s| *s == ending)
            .count(),
        1
    );
    // A member who turned share notices off is not told.
    ann_b
        .run(coffer_api::SetNotices {
            notices: Notices {
                shares: false,
                ..Notices::default()
            },
        })
        .await
        .unwrap();
    let (folder_key, folder_node) = make(&box_key.public_key(), Some(&box_key), "Board");
    create_folder(&lia, &org, &the_box.id, &folder_node)
        .await
        .unwrap();
    let before = subjects("ann@acme.test").await.len();
    grant(
        &lia,
        &org,
        &permit(
            &g,
            &folder_node.id,
            &folder_key,
            &ann,
            Permission::View,
            Window::default(),
        ),
    )
    .await
    .unwrap();
    assert_eq!(subjects("ann@acme.test").await.len(), before);
}

/// A folder shared on its own goes with a folder above it that goes to
/// the trash, and comes back with it.
async fn a_share_below_the_trash_is_gone(backend: Backend) {
    let Owner {
        server,
        lia,
        org,
        keys: mine,
        ..
    } = owner(backend).await;
    let g = granter(&lia, "lia@acme.test", "liaison password").await;
    let (ann_b, _, ann) = person(&server, &lia, &org, "ann@acme.test").await;
    let (box_key, the_box) = her_box(&lia, &org, &mine, "Deals").await;
    let (board_key, board) = make(&box_key.public_key(), Some(&box_key), "Board");
    create_folder(&lia, &org, &the_box.id, &board)
        .await
        .unwrap();
    let (inner_key, inner) = make(&board_key.public_key(), Some(&board_key), "Inner");
    create_folder(&lia, &org, &board.id, &inner).await.unwrap();
    let p = permit(
        &g,
        &inner.id,
        &inner_key,
        &ann,
        Permission::Modify,
        Window::default(),
    );
    grant(&lia, &org, &p).await.unwrap();
    assert_eq!(shared_with_me(&ann_b, &org).await.len(), 1);
    lia.run(coffer_api::TrashNode {
        organisation_id: org.clone().into(),
        node_id: board.id.clone(),
    })
    .await
    .unwrap();
    assert!(shared_with_me(&ann_b, &org).await.is_empty());
    assert_eq!(word(folder(&ann_b, &org, &inner.id).await), "unknown");
    let (_, late) = make(&inner_key.public_key(), Some(&inner_key), "Late");
    assert_eq!(
        word(create_folder(&ann_b, &org, &inner.id, &late).await),
        "unknown"
    );
    lia.run(coffer_api::RestoreNode {
        organisation_id: org.clone().into(),
        node_id: board.id.clone(),
    })
    .await
    .unwrap();
    assert_eq!(shared_with_me(&ann_b, &org).await.len(), 1);
    assert_eq!(word(folder(&ann_b, &org, &inner.id).await), "ok");
}

/// BOX-9: a granter's pin of a recipient's key comes back to that granter
/// only; a malformed pin is refused with its permit and changes nothing.
async fn pinned_keys(backend: Backend) {
    let Owner {
        server,
        lia,
        org,
        keys: mine,
        ..
    } = owner(backend).await;
    let g = granter(&lia, "lia@acme.test", "liaison password").await;
    let (ann_b, _, ann) = person(&server, &lia, &org, "ann@acme.test").await;
    let (bob_b, _, _) = person(&server, &lia, &org, "bob@acme.test").await;
    let (box_key, the_box) = her_box(&lia, &org, &mine, "Deals").await;
    let to_ann = |permission| {
        permit(
            &g,
            &the_box.id,
            &box_key,
            &ann,
            permission,
            Window::default(),
        )
    };
    async fn pin_for_ann(b: &Browser, org: &str) -> Option<Bytes> {
        recipient(b, org, "ann@acme.test").await.unwrap().pin
    }
    assert_eq!(pin_for_ann(&lia, &org).await, None);

    let mut bad = to_ann(Permission::View);
    bad.pin = Some(Bytes(vec![1; 10]));
    assert_eq!(
        refused(grant(&lia, &org, &bad).await),
        Refusal::Sharing(SharingError::InvalidPermit)
    );
    assert_eq!(server.count("SELECT COUNT(*) FROM key_pins").await, 0);
    assert!(shared_with_me(&ann_b, &org).await.is_empty());

    let pin = Bytes(mine.seal_pin(ann.account_id.as_str(), &ann.public_key));
    let mut first = to_ann(Permission::View);
    first.pin = Some(pin.clone());
    grant(&lia, &org, &first).await.unwrap();
    let kept = pin_for_ann(&lia, &org)
        .await
        .expect("Lia's pin of Ann's key");
    assert_eq!(kept, pin);
    assert_eq!(
        mine.open_pin(ann.account_id.as_str(), &kept.0),
        Some(ann.public_key.clone())
    );
    // Nobody else gets it, and the signed out get nothing.
    assert_eq!(pin_for_ann(&bob_b, &org).await, None);
    assert_eq!(
        recipient(&ann_b, &org, "lia@acme.test").await.unwrap().pin,
        None
    );
    assert!(matches!(
        refused(recipient(&server.browser(), &org, "ann@acme.test").await),
        Refusal::Auth(_)
    ));
    // A permit made again without a new pin (the same key) keeps it.
    grant(&lia, &org, &to_ann(Permission::Download))
        .await
        .unwrap();
    assert_eq!(pin_for_ann(&lia, &org).await, Some(pin.clone()));
    // A key renewal planned by Lia carries her pin for each keeper.
    let planned = crate::rotation::plan(&lia, &org, &the_box.id)
        .await
        .unwrap();
    let kept = &planned.keepers[0];
    assert_eq!(
        (kept.email.as_str(), kept.pin.clone()),
        ("ann@acme.test", Some(pin))
    );
    assert_eq!(planned.owner.and_then(|o| o.pin), None);
}

on_both!(
    pinned_keys,
    permission_matrix,
    bad_shares_change_nothing,
    notices_and_contacts,
    a_share_below_the_trash_is_gone
);
