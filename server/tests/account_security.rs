//! ACC-6 lockout and unlock, ACC-7 administrator password reset, ACC-5
//! security question — through the real server functions.

mod common;

use coffer_shared::errors::{AuthError, LinkError, MemberError, Refusal, SettingsError};
use coffer_shared::types::*;
use common::*;
use serde_json::json;

const ANN_PASSWORD: &str = "ann's long password";

async fn wrong_sign_ins(b: &Browser, email: &str, n: usize) {
    for _ in 0..n {
        assert!(matches!(
            b.sign_in(email, "not the password").await,
            Err(None)
        ));
    }
}

async fn history_actions(b: &Browser, org: &str, account_id: &str) -> Vec<String> {
    let h: Vec<HistoryEntry> = b
        .call(
            "member_history",
            json!({ "organisation_id": org, "account_id": account_id }),
        )
        .await
        .unwrap();
    h.into_iter().map(|e| e.action).collect()
}

async fn ten_wrong_passwords_lock_and_unlock_restores(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let lia = member(&server, &admin, "Acme", "lia@acme.test", "liaison password").await;
    let org = organisation_id(&lia).await;
    let (ann, _) = active_member(
        &server,
        &lia,
        &org,
        "ann@acme.test",
        ANN_PASSWORD,
        Role::Originator,
        false,
    )
    .await;
    let guesser = server.browser();

    // Nine wrong, then right: the count starts again.
    wrong_sign_ins(&guesser, "ann@acme.test", 9).await;
    guesser
        .sign_in("ann@acme.test", ANN_PASSWORD)
        .await
        .expect("ninth failure does not lock");
    wrong_sign_ins(&guesser, "ann@acme.test", 9).await;
    assert!(
        !member_row(&lia, &org, "ann@acme.test")
            .await
            .unwrap()
            .locked
    );

    // The tenth consecutive failure locks, mails an unlock link, and from
    // then on even the right password does not open the account.
    wrong_sign_ins(&guesser, "ann@acme.test", 1).await;
    assert!(
        member_row(&lia, &org, "ann@acme.test")
            .await
            .unwrap()
            .locked
    );
    assert!(subjects_to(&server, "ann@acme.test")
        .contains(&"Your Coffer account is locked".to_string()));
    assert!(matches!(
        guesser.sign_in("ann@acme.test", ANN_PASSWORD).await,
        Err(None)
    ));
    assert!(history_actions(&lia, &org, &ann.account_id)
        .await
        .contains(&"account.locked".to_string()));

    // An administrator unlocks; the lock and the unlock are in the history.
    lia.call::<()>(
        "unlock_member",
        json!({ "organisation_id": org, "account_id": ann.account_id }),
    )
    .await
    .unwrap();
    assert!(
        !member_row(&lia, &org, "ann@acme.test")
            .await
            .unwrap()
            .locked
    );
    guesser
        .sign_in("ann@acme.test", ANN_PASSWORD)
        .await
        .expect("unlocked");
    let actions = history_actions(&lia, &org, &ann.account_id).await;
    let unlocked = actions
        .iter()
        .position(|a| a == "account.unlocked")
        .unwrap();
    let locked = actions.iter().position(|a| a == "account.locked").unwrap();
    assert!(unlocked < locked, "newest first: {actions:?}");
    // Unlocking an unlocked account says so.
    let again = lia
        .call::<()>(
            "unlock_member",
            json!({ "organisation_id": org, "account_id": ann.account_id }),
        )
        .await
        .unwrap_err();
    assert_eq!(refusal(again), Refusal::Member(MemberError::NotLocked));

    // A client that never reports failures is caught at the next start, and
    // the owner unlocks through the emailed link, once.
    for _ in 0..10 {
        let (_, request) = coffer_shared::crypto::client_login_start("guess").unwrap();
        let _: LoginChallenge = guesser
            .call(
                "sign_in_start",
                json!({ "identifier": "ann@acme.test", "credential_request": Bytes(request) }),
            )
            .await
            .unwrap();
    }
    assert!(matches!(
        guesser.sign_in("ann@acme.test", ANN_PASSWORD).await,
        Err(None)
    ));
    assert!(
        member_row(&lia, &org, "ann@acme.test")
            .await
            .unwrap()
            .locked
    );
    let token = server
        .link_tokens("ann@acme.test", "unlock")
        .into_iter()
        .next()
        .unwrap();
    let owner = server.browser();
    let email: String = owner
        .call("unlock_with_link", json!({ "token": token }))
        .await
        .unwrap();
    assert_eq!(email, "ann@acme.test");
    owner
        .sign_in("ann@acme.test", ANN_PASSWORD)
        .await
        .expect("unlocked by link");
    let reused = owner
        .call::<String>("unlock_with_link", json!({ "token": token }))
        .await
        .unwrap_err();
    assert_eq!(refusal(reused), Refusal::Link(LinkError::AlreadyUsed));
    let bogus = owner
        .call::<String>("unlock_with_link", json!({ "token": "nonsense" }))
        .await
        .unwrap_err();
    assert_eq!(refusal(bogus), Refusal::Link(LinkError::Unknown));
}

async fn reset_password_makes_new_keys_and_asks_the_security_question(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let lia = member(&server, &admin, "Acme", "lia@acme.test", "liaison password").await;
    let org = organisation_id(&lia).await;
    let (ann, ann_browser) = active_member(
        &server,
        &lia,
        &org,
        "ann@acme.test",
        ANN_PASSWORD,
        Role::Originator,
        false,
    )
    .await;
    let (bob, bob_browser) = active_member(
        &server,
        &lia,
        &org,
        "bob@acme.test",
        "bob's long password",
        Role::Originator,
        true,
    )
    .await;
    let old_key = ann_browser
        .sign_in("ann@acme.test", ANN_PASSWORD)
        .await
        .unwrap()
        .keys
        .public_key();

    // ACC-5: Ann sets a security question; bad input is named and changes nothing.
    let bad = ann_browser
        .call::<()>(
            "set_security_question",
            json!({ "question": "Pet?", "answer": "Fluffy" }),
        )
        .await
        .unwrap_err();
    assert_eq!(
        refusal(bad),
        Refusal::Settings(SettingsError::InvalidQuestion)
    );
    let short = ann_browser
        .call::<()>(
            "set_security_question",
            json!({ "question": "First pet's name?", "answer": " x " }),
        )
        .await
        .unwrap_err();
    assert_eq!(
        refusal(short),
        Refusal::Settings(SettingsError::AnswerTooShort)
    );
    ann_browser
        .call::<()>(
            "set_security_question",
            json!({ "question": "First pet's name?", "answer": "Fluffy the Cat" }),
        )
        .await
        .unwrap();
    let q: String = ann_browser
        .call("security_question", json!({}))
        .await
        .unwrap();
    assert_eq!(q, "First pet's name?");
    let stored: String = sqlx::query_scalar(
        "SELECT security_answer_hash FROM accounts WHERE email = 'ann@acme.test'",
    )
    .fetch_one(&server.db().await)
    .await
    .unwrap();
    assert!(stored.starts_with("$argon2") && !stored.to_lowercase().contains("fluffy"));

    // Refusals: one's own password, an administrator by a mere Admin.
    let own = lia
        .call::<()>(
            "reset_member_password",
            json!({ "organisation_id": org, "account_id": organisation_self(&lia).await }),
        )
        .await
        .unwrap_err();
    assert_eq!(refusal(own), Refusal::Member(MemberError::ResetOwnPassword));
    let (_, carl_browser) = active_member(
        &server,
        &lia,
        &org,
        "carl@acme.test",
        "carl's long password",
        Role::Originator,
        true,
    )
    .await;
    let by_admin = carl_browser
        .call::<()>(
            "reset_member_password",
            json!({ "organisation_id": org, "account_id": bob.account_id }),
        )
        .await
        .unwrap_err();
    assert_eq!(
        refusal(by_admin),
        Refusal::Member(MemberError::OnlyLiaisonManagesAdmins)
    );
    let invited = add_member(&lia, &org, "dora@acme.test", Role::Collaborator, false).await;
    let not_active = lia
        .call::<()>(
            "reset_member_password",
            json!({ "organisation_id": org, "account_id": invited.account_id }),
        )
        .await
        .unwrap_err();
    assert_eq!(
        refusal(not_active),
        Refusal::Member(MemberError::NotActivated)
    );
    let by_member = ann_browser
        .call::<()>(
            "reset_member_password",
            json!({ "organisation_id": org, "account_id": bob.account_id }),
        )
        .await
        .unwrap_err();
    assert_eq!(refusal(by_member), Refusal::Auth(AuthError::Forbidden));
    drop(bob_browser);

    // The Admin resets Ann (a plain member): a mailed single-use link.
    carl_browser
        .call::<()>(
            "reset_member_password",
            json!({ "organisation_id": org, "account_id": ann.account_id }),
        )
        .await
        .unwrap();
    assert!(
        subjects_to(&server, "ann@acme.test").contains(&"Reset your Coffer password".to_string())
    );
    let token = server
        .link_tokens("ann@acme.test", "reset")
        .into_iter()
        .next()
        .unwrap();
    let page = server.browser();
    let view: ResetView = page
        .call("reset_view", json!({ "token": token }))
        .await
        .unwrap();
    assert_eq!(
        (view.email.as_str(), view.security_question.as_str()),
        ("ann@acme.test", "First pet's name?")
    );
    // The old password still works until the reset is done.
    ann_browser
        .sign_in("ann@acme.test", ANN_PASSWORD)
        .await
        .expect("old password until reset");

    let wrong = page
        .reset_password(&token, "Rex", "ann's brand new password")
        .await
        .unwrap_err();
    assert_eq!(refusal(wrong), Refusal::Link(LinkError::WrongAnswer));
    let new_key = page
        .reset_password(&token, "  FLUFFY the   cat", "ann's brand new password")
        .await
        .expect("answer is case-insensitive");
    assert_ne!(new_key, old_key, "a reset makes new keys");
    // Every session ended; the old password is dead; the new one opens the new keys.
    let gone = ann_browser
        .call::<SignedIn>("me", json!({}))
        .await
        .unwrap_err();
    assert_eq!(refusal(gone), Refusal::Auth(AuthError::NotSignedIn));
    assert!(matches!(
        page.sign_in("ann@acme.test", ANN_PASSWORD).await,
        Err(None)
    ));
    let again = page
        .sign_in("ann@acme.test", "ann's brand new password")
        .await
        .unwrap();
    assert_eq!(again.keys.public_key(), new_key);
    let reused = page
        .reset_password(&token, "fluffy the cat", "yet another password")
        .await
        .unwrap_err();
    assert_eq!(refusal(reused), Refusal::Link(LinkError::AlreadyUsed));
    let actions = history_actions(&lia, &org, &ann.account_id).await;
    assert!(
        actions.contains(&"account.password_reset".to_string())
            && actions.contains(&"account.password_reset_sent".to_string())
    );

    // Five wrong answers void a link.
    lia.call::<()>(
        "reset_member_password",
        json!({ "organisation_id": org, "account_id": ann.account_id }),
    )
    .await
    .unwrap();
    let token = server
        .link_tokens("ann@acme.test", "reset")
        .into_iter()
        .next()
        .unwrap();
    for _ in 0..4 {
        let e = page
            .reset_password(&token, "wrong", "whatever password")
            .await
            .unwrap_err();
        assert_eq!(refusal(e), Refusal::Link(LinkError::WrongAnswer));
    }
    let e = page
        .reset_password(&token, "wrong", "whatever password")
        .await
        .unwrap_err();
    assert_eq!(refusal(e), Refusal::Link(LinkError::TooManyAnswers));
    let e = page
        .reset_password(&token, "fluffy the cat", "whatever password")
        .await
        .unwrap_err();
    assert_eq!(refusal(e), Refusal::Link(LinkError::AlreadyUsed));
    page.sign_in("ann@acme.test", "ann's brand new password")
        .await
        .expect("password unchanged");
}

async fn organisation_self(b: &Browser) -> String {
    let me: SignedIn = b.call("me", json!({})).await.unwrap();
    me.account.id
}

/// The change-password form proves the current password with OPAQUE, so the
/// browser learns a wrong guess on its own: every attempt counts until the
/// finish proves it, and the account locks at the threshold.
async fn guessing_the_current_password_locks(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let ann = member(&server, &admin, "Acme", "ann@acme.test", "ann's password").await;
    for _ in 0..3 {
        assert_eq!(
            refusal(
                ann.change_password("a guess", "a new password of ann")
                    .await
                    .unwrap_err()
            ),
            Refusal::SignIn(coffer_shared::errors::SignInError::WrongCurrentPassword)
        );
    }
    // A right one clears the count.
    ann.change_password("ann's password", "ann's second password")
        .await
        .unwrap();
    for _ in 0..10 {
        let _ = ann
            .change_password("a guess", "a new password of ann")
            .await;
    }
    assert_eq!(
        refusal(
            ann.change_password("ann's second password", "a third one for ann")
                .await
                .unwrap_err()
        ),
        Refusal::SignIn(coffer_shared::errors::SignInError::AccountLocked)
    );
    assert!(subjects_to(&server, "ann@acme.test")
        .iter()
        .any(|s| s.contains("locked")));
}

on_both!(
    guessing_the_current_password_locks,
    ten_wrong_passwords_lock_and_unlock_restores,
    reset_password_makes_new_keys_and_asks_the_security_question
);
