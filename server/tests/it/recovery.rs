//! CRY-6 organisation key recovery and the ACC-7 reset, over HTTP on SQLite
//! and PostgreSQL. Without recovery a reset says what it loses and loses
//! it. With recovery on (a key pair made "in a Liaison's browser", here by
//! the crypto crate as the worker uses it), a member's escrowed keys come
//! back after a reset: the same fingerprint, the same items. Who may call
//! what is a table; bad input changes nothing.

use crate::boxes::{her_box, owner, Owner};
use crate::common::*;
use crate::files::{download, prepare, signing_key, upload};
use crate::sharing::{grant, granter, permit, person, recipient, refused, shared_with_me};
use coffer_api::ApiError;
use coffer_crypto::{fingerprint, MemberKeys, NodeKey};
use coffer_shared::accounts::{ResetView, SignInStep};
use coffer_shared::errors::{AuthError, InputError, Refusal};
use coffer_shared::ids::{AccountId, OrganisationId};
use coffer_shared::recovery::{HolderWrap, Keyholder, RecoveryError, RecoveryView, SharedLoss};
use coffer_shared::sharing::{Permission, Recipient, Window};
use coffer_shared::types::Bytes;
use coffer_shared::worker::{Answer, Job};
use coffer_worker::jobs::Worker;

fn org_id(org: &str) -> OrganisationId {
    org.to_string().into()
}

async fn view(b: &Browser, org: &str) -> Result<RecoveryView, ApiError> {
    b.run(coffer_api::GetRecovery {
        organisation_id: org_id(org),
    })
    .await
}

async fn enable(
    b: &Browser,
    org: &str,
    public_key: &str,
    wraps: Vec<HolderWrap>,
) -> Result<(), ApiError> {
    b.run(coffer_api::EnableRecovery {
        organisation_id: org_id(org),
        public_key: public_key.into(),
        wraps,
    })
    .await
}

async fn disable(b: &Browser, org: &str) -> Result<(), ApiError> {
    b.run(coffer_api::DisableRecovery {
        organisation_id: org_id(org),
    })
    .await
}

async fn hand_over(
    b: &Browser,
    org: &str,
    who: &AccountId,
    bytes: Vec<u8>,
) -> Result<(), ApiError> {
    b.run(coffer_api::HandOverKeys {
        organisation_id: org_id(org),
        account_id: who.clone(),
        handed_over: Bytes(bytes),
    })
    .await
}

pub(crate) async fn escrow(
    b: &Browser,
    org: &str,
    recovery: &str,
    me: &MemberKeys,
) -> Result<(), ApiError> {
    b.run(coffer_api::EscrowKeys {
        organisation_id: org_id(org),
        recovery_public_key: recovery.into(),
        member_public_key: me.public_key(),
        escrow: Bytes(me.wrap_to(recovery).unwrap()),
    })
    .await
}

async fn reset_view(server: &TestServer, token: &str) -> ResetView {
    server
        .browser()
        .run(coffer_api::GetResetView {
            token: token.into(),
        })
        .await
        .unwrap()
}

/// An administrator's reset of Ann, and the token mailed to her.
async fn reset_link(server: &TestServer, lia: &Browser, org: &str, ann: &AccountId) -> String {
    lia.run(coffer_api::ResetMemberPassword {
        organisation_id: org_id(org),
        account_id: ann.clone(),
    })
    .await
    .unwrap();
    server
        .link_tokens("ann@acme.test", "reset")
        .into_iter()
        .next()
        .unwrap()
}

/// Recovery turned on by the organisation's only Liaison, as her browser
/// does; answers the recovery public key.
pub(crate) async fn turn_on(lia: &Browser, org: &str, lia_keys: &MemberKeys) -> String {
    let recovery = NodeKey::generate();
    let holder = Keyholder {
        account_id: view(lia, org).await.unwrap().unwrapped_liaisons[0]
            .account_id
            .clone(),
        email: "lia@acme.test".into(),
        public_key: lia_keys.public_key(),
    };
    enable(
        lia,
        org,
        &recovery.public_key(),
        vec![wrap_for(&holder, &recovery)],
    )
    .await
    .unwrap();
    recovery.public_key()
}

fn wrap_for(holder: &Keyholder, key: &NodeKey) -> HolderWrap {
    HolderWrap {
        account_id: holder.account_id.clone(),
        public_key: holder.public_key.clone(),
        wrapped: Bytes(key.wrap_to(&holder.public_key).unwrap()),
    }
}

async fn organisation_key_recovery(backend: Backend) {
    let Owner {
        server,
        admin,
        lia,
        org,
        keys: lia_keys,
    } = owner(backend).await;
    let g = granter(&lia, "lia@acme.test", "liaison password").await;
    let (ann, ann_keys, ann_to) = person(&server, &lia, &org, "ann@acme.test").await;
    let ann_id = ann_to.account_id.clone();
    let (box_key, the_box) = her_box(&lia, &org, &lia_keys, "Deals").await;
    let file = prepare(&box_key, &g.signer, "minutes.txt", b"the minutes");
    upload(&lia, &org, &the_box.id, &file).await.unwrap();
    grant(
        &lia,
        &org,
        &permit(
            &g,
            &the_box.id,
            &box_key,
            &ann_to,
            Permission::Download,
            Window::default(),
        ),
    )
    .await
    .unwrap();
    let signed_out = server.browser();

    // Who may do what, while recovery is off: only the Liaison.
    let off = view(&lia, &org).await.unwrap();
    assert_eq!(off.public_key, None);
    assert_eq!(off.unwrapped_liaisons.len(), 1);
    let lia_holder = off.unwrapped_liaisons[0].clone();
    assert_eq!(lia_holder.public_key, lia_keys.public_key());
    for (who, b, want) in [
        (
            "signed out",
            &signed_out,
            Refusal::Auth(AuthError::NotSignedIn),
        ),
        ("a member", &ann, Refusal::Auth(AuthError::Forbidden)),
        (
            "the instance administrator",
            &admin,
            Refusal::Auth(AuthError::Forbidden),
        ),
    ] {
        let key = NodeKey::generate();
        let wraps = vec![wrap_for(&lia_holder, &key)];
        assert_eq!(refused(view(b, &org).await), want, "{who}: view");
        assert_eq!(
            refused(enable(b, &org, &key.public_key(), wraps).await),
            want,
            "{who}: enable"
        );
        assert_eq!(refused(disable(b, &org).await), want, "{who}: disable");
        assert_eq!(
            refused(hand_over(b, &org, &ann_id, vec![1; 32]).await),
            want,
            "{who}: hand over"
        );
    }

    // Without recovery: a reset says what it will lose, and may not keep.
    let token = reset_link(&server, &lia, &org, &ann_id).await;
    let before = reset_view(&server, &token).await;
    assert!(!before.keeps_keys);
    assert_eq!(before.losses.boxes, 0);
    assert_eq!(
        before.losses.shared,
        vec![SharedLoss {
            by: "lia@acme.test".into(),
            items: 1
        }]
    );
    assert_eq!(
        refused(
            server
                .browser()
                .reset_password_keeping(&token, "", "ann's new password")
                .await
        ),
        Refusal::Recovery(RecoveryError::NoEscrow)
    );
    // Nothing changed: the old password still opens the old keys.
    let still = server.browser();
    let me = still
        .sign_in("ann@acme.test", "member password")
        .await
        .unwrap();
    assert_eq!(me.keys().public_key(), ann_keys.public_key());

    // Turning it on: the key goes to every Liaison with keys, and only them.
    let recovery = NodeKey::generate();
    let wrong_key = Keyholder {
        public_key: ann_keys.public_key(),
        ..lia_holder.clone()
    };
    let to_ann = Keyholder {
        account_id: ann_id.clone(),
        email: "ann@acme.test".into(),
        public_key: ann_keys.public_key(),
    };
    for (what, public_key, wraps, want) in [
        (
            "nobody",
            recovery.public_key(),
            vec![],
            RecoveryError::HoldersMismatch,
        ),
        (
            "another key",
            recovery.public_key(),
            vec![wrap_for(&wrong_key, &recovery)],
            RecoveryError::HoldersMismatch,
        ),
        (
            "a member who is no Liaison",
            recovery.public_key(),
            vec![
                wrap_for(&lia_holder, &recovery),
                wrap_for(&to_ann, &recovery),
            ],
            RecoveryError::HoldersMismatch,
        ),
    ] {
        assert_eq!(
            refused(enable(&lia, &org, &public_key, wraps).await),
            Refusal::Recovery(want),
            "{what}"
        );
    }
    assert_eq!(
        refused(
            enable(
                &lia,
                &org,
                "not a key",
                vec![wrap_for(&lia_holder, &recovery)]
            )
            .await
        ),
        Refusal::Input(InputError::InvalidKeyMaterial)
    );
    assert_eq!(server.count("SELECT COUNT(*) FROM recovery_keys").await, 0);
    enable(
        &lia,
        &org,
        &recovery.public_key(),
        vec![wrap_for(&lia_holder, &recovery)],
    )
    .await
    .unwrap();
    assert_eq!(
        refused(
            enable(
                &lia,
                &org,
                &recovery.public_key(),
                vec![wrap_for(&lia_holder, &recovery)]
            )
            .await
        ),
        Refusal::Recovery(RecoveryError::AlreadyOn)
    );
    let on = view(&lia, &org).await.unwrap();
    assert_eq!(on.fingerprint, Some(fingerprint(&recovery.public_key())));
    assert_eq!((on.escrowed, on.members), (0, 2));
    assert!(on.unwrapped_liaisons.is_empty() && on.waiting.is_empty());
    let mine = on.my_wrap.clone().unwrap();
    assert_eq!(
        NodeKey::unwrap(&mine.0, &lia_keys, &recovery.public_key())
            .unwrap()
            .public_key(),
        recovery.public_key()
    );

    // Ann is told at her next sign-in, and her browser escrows her keys.
    let due = ann.run(coffer_api::KeysToEscrow {}).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].fingerprint, fingerprint(&recovery.public_key()));
    let stale = NodeKey::generate();
    assert_eq!(
        refused(escrow(&ann, &org, &stale.public_key(), &ann_keys).await),
        Refusal::Recovery(RecoveryError::KeyChanged)
    );
    assert_eq!(
        refused(escrow(&ann, &org, &recovery.public_key(), &MemberKeys::generate()).await),
        Refusal::Recovery(RecoveryError::MemberKeyChanged)
    );
    assert_eq!(
        refused(escrow(&signed_out, &org, &recovery.public_key(), &ann_keys).await),
        Refusal::Auth(AuthError::NotSignedIn)
    );
    escrow(&ann, &org, &recovery.public_key(), &ann_keys)
        .await
        .unwrap();
    assert!(ann
        .run(coffer_api::KeysToEscrow {})
        .await
        .unwrap()
        .is_empty());
    assert_eq!(view(&lia, &org).await.unwrap().escrowed, 1);

    // The reset now keeps her keys: the link, the mail and the page say so.
    let token = reset_link(&server, &lia, &org, &ann_id).await;
    assert!(reset_view(&server, &token).await.keeps_keys);
    let page = server.browser();
    let one_off_public = page
        .reset_password_keeping(&token, "", "ann's new password")
        .await
        .unwrap();
    // Until a Liaison hands them over she cannot sign in, with either
    // password; turning recovery off would strand her, so it is refused.
    assert_eq!(
        refused_sign_in(
            server
                .browser()
                .sign_in_password("ann@acme.test", "ann's new password")
                .await
        ),
        Refusal::Recovery(RecoveryError::KeysAwaitLiaison)
    );
    assert!(server
        .browser()
        .sign_in_password("ann@acme.test", "member password")
        .await
        .is_err());
    assert_eq!(
        refused(disable(&lia, &org).await),
        Refusal::Recovery(RecoveryError::ResetsWaiting)
    );
    server.settle_mail().await;
    assert!(subjects_to(&server, "lia@acme.test")
        .iter()
        .any(|s| s.contains("ann@acme.test waits for their keys")));

    // Lia's browser opens the escrow and hands Ann's keys to the one-off key.
    let waiting = view(&lia, &org).await.unwrap().waiting;
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].handover_public_key, one_off_public);
    assert_eq!(waiting[0].member_public_key, ann_keys.public_key());
    let opened = MemberKeys::unwrap_from(
        &waiting[0].escrow.0,
        &NodeKey::unwrap(&mine.0, &lia_keys, &recovery.public_key()).unwrap(),
        &ann_keys.public_key(),
    )
    .unwrap();
    let handed = opened.wrap_to(&one_off_public).unwrap();
    assert_eq!(
        refused(hand_over(&admin, &org, &ann_id, handed.clone()).await),
        Refusal::Auth(AuthError::Forbidden)
    );
    assert_eq!(
        refused(hand_over(&lia, &org, &ann_id, vec![]).await),
        Refusal::Input(InputError::InvalidKeyMaterial)
    );
    hand_over(&lia, &org, &ann_id, handed.clone())
        .await
        .unwrap();
    assert_eq!(
        refused(hand_over(&lia, &org, &ann_id, handed).await),
        Refusal::Recovery(RecoveryError::NotWaiting)
    );
    server.settle_mail().await;
    assert!(subjects_to(&server, "ann@acme.test")
        .iter()
        .any(|s| s == "Your Coffer keys are restored"));

    // Ann signs in: her browser takes the handover with the one-off key
    // (kept under her new password) and wraps the same keys again.
    let back = server.browser();
    let (step, export) = back
        .sign_in_password("ann@acme.test", "ann's new password")
        .await
        .unwrap();
    let SignInStep::SignedIn(signed_in) = step else {
        panic!("no second factor here");
    };
    let handover = signed_in.handover.clone().unwrap();
    let one_off =
        MemberKeys::unwrap(&handover.wrapped_secret.0, &export, &handover.public_key).unwrap();
    let keys =
        MemberKeys::unwrap_from(&handover.handed_over.0, &one_off, &ann_keys.public_key()).unwrap();
    back.run(coffer_api::RestoreKeys {
        wrapped_private_key: Bytes(keys.wrap(&export)),
    })
    .await
    .unwrap();
    assert_eq!(
        refused(
            back.run(coffer_api::RestoreKeys {
                wrapped_private_key: Bytes(vec![1; 40])
            })
            .await
        ),
        Refusal::Recovery(RecoveryError::NotWaiting)
    );
    // The same fingerprint, the same items, from a plain sign-in.
    let again = server.browser();
    let me = again
        .sign_in("ann@acme.test", "ann's new password")
        .await
        .unwrap();
    assert_eq!(
        fingerprint(&me.keys().public_key()),
        fingerprint(&ann_keys.public_key())
    );
    assert!(me.signed_in.handover.is_none());
    assert_eq!(shared_with_me(&again, &org).await.len(), 1);
    let kept = MemberKeys::from_secret_text(&me.keys().secret_text()).unwrap();
    assert_eq!(
        download(&again, &org, &file.node.id, &kept).await.unwrap(),
        b"the minutes"
    );

    // Ann, given Manage on a box of Lia's, shares it on with Cat, signed
    // with her signing key: that permit must still verify for Cat after
    // Ann's keys are replaced below.
    let ann_g = granter(&again, "ann@acme.test", "ann's new password").await;
    let (cat, cat_keys, cat_to) = person(&server, &lia, &org, "cat@acme.test").await;
    let (plans_key, plans) = her_box(&lia, &org, &lia_keys, "Plans").await;
    let plans_to = |who: &Recipient, permission| {
        permit(
            &g,
            &plans.id,
            &plans_key,
            who,
            permission,
            Window::default(),
        )
    };
    grant(&lia, &org, &plans_to(&ann_to, Permission::Manage))
        .await
        .unwrap();
    let ann_to_cat = permit(
        &ann_g,
        &plans.id,
        &plans_key,
        &cat_to,
        Permission::View,
        Window::default(),
    );
    grant(&again, &org, &ann_to_cat).await.unwrap();

    // Off again: every copy goes; the next reset loses what it says.
    disable(&lia, &org).await.unwrap();
    assert_eq!(
        refused(disable(&lia, &org).await),
        Refusal::Recovery(RecoveryError::Off)
    );
    for table in [
        "recovery_keys",
        "recovery_holders",
        "recovery_escrows",
        "key_handovers",
    ] {
        assert_eq!(
            server.count(&format!("SELECT COUNT(*) FROM {table}")).await,
            0,
            "{table}"
        );
    }
    let token = reset_link(&server, &lia, &org, &ann_id).await;
    let lossy = reset_view(&server, &token).await;
    assert!(!lossy.keeps_keys);
    assert_eq!(lossy.losses.shared.len(), 1);
    let new_public = server
        .browser()
        .reset_password(&token, "", "ann's third password")
        .await
        .unwrap();
    assert_ne!(new_public, ann_keys.public_key());
    let after = server.browser();
    after
        .sign_in("ann@acme.test", "ann's third password")
        .await
        .unwrap();
    assert!(shared_with_me(&after, &org).await.is_empty());
    assert_eq!(
        server
            .count(&format!(
                "SELECT COUNT(*) FROM permits WHERE account_id = '{ann_id}'"
            ))
            .await,
        0
    );
    // Her signing key was wrapped to the old keys: it went with them. Given
    // Modify on Plans again, her browser makes a new one and she uploads.
    let fresh = after
        .sign_in("ann@acme.test", "ann's third password")
        .await
        .unwrap();
    let fresh_keys = MemberKeys::from_secret_text(&fresh.keys().secret_text()).unwrap();
    let ann_now = recipient(&lia, &org, "ann@acme.test").await.unwrap();
    assert_eq!(ann_now.public_key, new_public);
    grant(&lia, &org, &plans_to(&ann_now, Permission::Modify))
        .await
        .unwrap();
    let fresh_signer = signing_key(&after, &fresh_keys).await;
    assert_ne!(fresh_signer.public_key_hex(), ann_g.signer.public_key_hex());
    let note = prepare(&plans_key, &fresh_signer, "fresh.txt", b"after the reset");
    let uploaded = upload(&after, &org, plans.id.as_str(), &note)
        .await
        .unwrap();
    assert_eq!(
        download(&lia, &org, uploaded.id.as_str(), &lia_keys)
            .await
            .unwrap(),
        b"after the reset"
    );
    // What she signed before still verifies for Cat, with the key she
    // signed it with.
    let cat_held = shared_with_me(&cat, &org).await;
    assert_eq!(cat_held.len(), 1);
    let proof = cat_held[0].proof.clone().unwrap();
    assert_eq!(proof.granted_by.as_str(), ann_id.as_str());
    assert_eq!(proof.granter_signing_key, ann_g.signer.public_key_hex());
    assert_eq!(
        Worker::default().run(Job::CheckPermits {
            secret: cat_keys.secret_text().to_string(),
            me: cat_to.account_id.to_string(),
            permits: vec![((&cat_held[0].node).into(), proof)],
        }),
        Answer::Checks(vec![true])
    );

    // Lia's own box is untouched.
    assert_eq!(
        download(&lia, &org, &file.node.id, &lia_keys)
            .await
            .unwrap(),
        b"the minutes"
    );
}

fn refused_sign_in<T>(r: Result<T, Option<ApiError>>) -> Refusal {
    match r {
        Err(Some(ApiError::Refused(refusal))) => refusal,
        Err(other) => panic!("expected a refusal, got {other:?}"),
        Ok(_) => panic!("expected a refusal, it was allowed"),
    }
}

on_both!(organisation_key_recovery);
