//! ACC-6 lockout and unlock, ACC-7 administrator password reset, ACC-5
//! security question — through the real server functions.

use crate::common::*;
use coffer_shared::accounts::*;
use coffer_shared::accounts::{InvitationError, LinkError};
use coffer_shared::errors::{AuthError, Refusal};
use coffer_shared::members::MemberError;
use coffer_shared::members::*;
use coffer_shared::organisations::SettingsError;
use coffer_shared::types::*;
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
        .run(coffer_api::MemberHistory {
            organisation_id: org.to_string().into(),
            account_id: account_id.to_string().into(),
        })
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
    lia.run(coffer_api::UnlockMember {
        organisation_id: org.to_string().into(),
        account_id: ann.account_id.clone(),
    })
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
        .run(coffer_api::UnlockMember {
            organisation_id: org.to_string().into(),
            account_id: ann.account_id.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(refusal(again), Refusal::Member(MemberError::NotLocked));

    // A client that never reports failures is caught at the next start, and
    // the owner unlocks through the emailed link, once.
    for _ in 0..10 {
        let (_, request) = coffer_crypto::client_login_start("guess").unwrap();
        let _: LoginChallenge = guesser
            .run(coffer_api::SignInStart {
                identifier: "ann@acme.test".into(),
                credential_request: Bytes(request),
            })
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
        .run(coffer_api::UnlockWithLink {
            token: token.to_string(),
        })
        .await
        .unwrap();
    assert_eq!(email, "ann@acme.test");
    owner
        .sign_in("ann@acme.test", ANN_PASSWORD)
        .await
        .expect("unlocked by link");
    let reused = owner
        .run(coffer_api::UnlockWithLink {
            token: token.to_string(),
        })
        .await
        .unwrap_err();
    assert_eq!(refusal(reused), Refusal::Link(LinkError::AlreadyUsed));
    let bogus = owner
        .run(coffer_api::UnlockWithLink {
            token: "nonsense".into(),
        })
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
        .keys()
        .public_key();

    // ACC-5: Ann sets a security question; bad input is named and changes nothing.
    let bad = ann_browser
        .run(coffer_api::SetSecurityQuestion {
            question: "Pet?".into(),
            answer: "Fluffy".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        refusal(bad),
        Refusal::Settings(SettingsError::InvalidQuestion)
    );
    let short = ann_browser
        .run(coffer_api::SetSecurityQuestion {
            question: "First pet's name?".into(),
            answer: " x ".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        refusal(short),
        Refusal::Settings(SettingsError::AnswerTooShort)
    );
    ann_browser
        .run(coffer_api::SetSecurityQuestion {
            question: "First pet's name?".into(),
            answer: "Fluffy the Cat".into(),
        })
        .await
        .unwrap();
    let q: String = ann_browser
        .run(coffer_api::GetSecurityQuestion {})
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
        .run(coffer_api::ResetMemberPassword {
            organisation_id: org.to_string().into(),
            account_id: organisation_self(&lia).await.to_string().into(),
        })
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
        .run(coffer_api::ResetMemberPassword {
            organisation_id: org.to_string().into(),
            account_id: bob.account_id.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        refusal(by_admin),
        Refusal::Member(MemberError::OnlyLiaisonManagesAdmins)
    );
    let invited = add_member(&lia, &org, "dora@acme.test", Role::Collaborator, false).await;
    let not_active = lia
        .run(coffer_api::ResetMemberPassword {
            organisation_id: org.to_string().into(),
            account_id: invited.account_id.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        refusal(not_active),
        Refusal::Member(MemberError::NotActivated)
    );
    let by_member = ann_browser
        .run(coffer_api::ResetMemberPassword {
            organisation_id: org.to_string().into(),
            account_id: bob.account_id.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(refusal(by_member), Refusal::Auth(AuthError::Forbidden));
    drop(bob_browser);

    // The Admin resets Ann (a plain member): a mailed single-use link.
    carl_browser
        .run(coffer_api::ResetMemberPassword {
            organisation_id: org.to_string().into(),
            account_id: ann.account_id.clone(),
        })
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
        .run(coffer_api::GetResetView {
            token: token.to_string(),
        })
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
    let gone = ann_browser.run(coffer_api::Me {}).await.unwrap_err();
    assert_eq!(refusal(gone), Refusal::Auth(AuthError::NotSignedIn));
    assert!(matches!(
        page.sign_in("ann@acme.test", ANN_PASSWORD).await,
        Err(None)
    ));
    let again = page
        .sign_in("ann@acme.test", "ann's brand new password")
        .await
        .unwrap();
    assert_eq!(again.keys().public_key(), new_key);
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
    lia.run(coffer_api::ResetMemberPassword {
        organisation_id: org.to_string().into(),
        account_id: ann.account_id.clone(),
    })
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

/// Each emailed link opens only its own flow: a reset, unlock or two-step
/// set-up link is no invitation (it would replace the password and keys
/// without the security question), an invitation is no reset or unlock
/// link, and an invitation for an account that is already set up is
/// refused.
async fn each_link_opens_only_its_own_flow(backend: Backend) {
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
    lia.run(coffer_api::ResetMemberPassword {
        organisation_id: org.to_string().into(),
        account_id: ann.account_id.clone(),
    })
    .await
    .unwrap();
    wrong_sign_ins(&server.browser(), "ann@acme.test", 10).await;
    let mut settings: coffer_shared::settings::OrgSettings = lia
        .run(coffer_api::OrganisationSettings {
            organisation_id: org.to_string().into(),
        })
        .await
        .unwrap();
    settings.enforce_mfa = true;
    let _: coffer_shared::settings::OrgSettings = lia
        .run(coffer_api::UpdateOrganisationSettings {
            organisation_id: org.to_string().into(),
            settings: settings.clone(),
        })
        .await
        .unwrap();
    let first = |page: &str| {
        server
            .link_tokens("ann@acme.test", page)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("a {page} link was mailed"))
    };
    let attacker = server.browser();
    for page in ["reset", "unlock", "two-step-setup"] {
        let token = first(page);
        let e = attacker
            .run(coffer_api::Invitation {
                token: token.to_string(),
            })
            .await
            .unwrap_err();
        assert_eq!(
            refusal(e),
            Refusal::Invitation(InvitationError::Unknown),
            "{page}"
        );
        let e = attacker
            .accept_invitation(&token, "the attacker's password")
            .await
            .unwrap_err();
        assert_eq!(
            refusal(e),
            Refusal::Invitation(InvitationError::Unknown),
            "{page}"
        );
    }
    let accepted = server
        .count(
            "SELECT COUNT(*) FROM audit_events \
             WHERE action = 'invitation.accepted' AND target = 'ann@acme.test'",
        )
        .await;
    assert_eq!(accepted, 1, "only Ann's own invitation was ever accepted");

    // An unaccepted invitation is neither a reset nor an unlock link.
    add_member(&lia, &org, "bob@acme.test", Role::Collaborator, false).await;
    let invite = server.invitation_tokens("bob@acme.test").remove(0);
    for (endpoint, body) in [
        ("reset_view", json!({ "token": invite })),
        ("unlock_with_link", json!({ "token": invite })),
    ] {
        let e = attacker.raw(endpoint, body).await;
        let e: coffer_api::ApiError = e.json().await.unwrap();
        assert_eq!(refusal(e), Refusal::Link(LinkError::Unknown), "{endpoint}");
    }
    let e = attacker
        .reset_password(&invite, "", "the attacker's password")
        .await
        .unwrap_err();
    assert_eq!(refusal(e), Refusal::Link(LinkError::Unknown));

    // Bob invited by a second organisation holds two invitations; once he
    // accepted one, the other is refused.
    let zed = member(&server, &admin, "Zed", "zoe@zed.test", "zoe's password").await;
    let zed_org = organisation_id(&zed).await;
    add_member(&zed, &zed_org, "bob@acme.test", Role::Collaborator, false).await;
    let tokens = server.invitation_tokens("bob@acme.test");
    assert_eq!(tokens.len(), 2);
    server
        .browser()
        .accept_invitation(&tokens[0], "bob's own password")
        .await
        .unwrap();
    let e = attacker
        .accept_invitation(&tokens[1], "the attacker's password")
        .await
        .unwrap_err();
    assert_eq!(
        refusal(e),
        Refusal::Invitation(InvitationError::AccountAlreadySetUp)
    );
    server
        .browser()
        .sign_in("bob@acme.test", "bob's own password")
        .await
        .expect("Bob's password still works");
}

/// Account-wide security belongs to the account's home organisation (the one
/// that enrolled it) and the instance administrator; another organisation
/// that re-used the account manages only its membership there and sees only
/// its own records.
async fn another_organisation_manages_only_its_membership(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let lia = member(&server, &admin, "Acme", "lia@acme.test", "liaison password").await;
    let acme = organisation_id(&lia).await;
    let (ann, ann_browser) = active_member(
        &server,
        &lia,
        &acme,
        "ann@acme.test",
        ANN_PASSWORD,
        Role::Originator,
        false,
    )
    .await;
    ann_browser
        .run(coffer_api::SetSecurityQuestion {
            question: "First pet's name?".into(),
            answer: "fluffy the cat".into(),
        })
        .await
        .unwrap();
    let zoe = member(&server, &admin, "Zed", "zoe@zed.test", "zoe's password").await;
    let zed = organisation_id(&zoe).await;
    add_member(&zoe, &zed, "ann@acme.test", Role::Collaborator, false).await;

    // Zed may not reset, unlock or re-seed Ann's account.
    for endpoint in [
        "reset_member_password",
        "unlock_member",
        "reseed_second_factor",
    ] {
        let e = zoe
            .call::<()>(
                endpoint,
                json!({ "organisation_id": zed, "account_id": ann.account_id }),
            )
            .await
            .unwrap_err();
        assert_eq!(
            refusal(e),
            Refusal::Member(MemberError::AccountOfAnotherOrganisation),
            "{endpoint}"
        );
    }
    // Zed sees only its own records of Ann; Acme sees the account's too.
    let zed_sees = history_actions(&zoe, &zed, &ann.account_id).await;
    assert_eq!(zed_sees, vec!["member.added".to_string()], "{zed_sees:?}");
    let acme_sees = history_actions(&lia, &acme, &ann.account_id).await;
    assert!(
        acme_sees.contains(&"account.security_question_set".to_string()),
        "{acme_sees:?}"
    );

    // Zed's lockout threshold and inactivity limit do not reach Ann.
    let mut z: coffer_shared::settings::OrgSettings = zoe
        .run(coffer_api::OrganisationSettings {
            organisation_id: zed.to_string().into(),
        })
        .await
        .unwrap();
    z.lockout_threshold = 1;
    z.inactivity_lock_days = 1;
    let _: coffer_shared::settings::OrgSettings = zoe
        .run(coffer_api::UpdateOrganisationSettings {
            organisation_id: zed.to_string().into(),
            settings: z.clone(),
        })
        .await
        .unwrap();
    wrong_sign_ins(&server.browser(), "ann@acme.test", 3).await;
    sqlx::query("UPDATE accounts SET last_sign_in_at = 1 WHERE email = 'ann@acme.test'")
        .execute(&server.db().await)
        .await
        .unwrap();
    server
        .running
        .coffer
        .lock_inactive_accounts(coffer_core::kernel::db::now_ms())
        .await
        .unwrap();
    server
        .browser()
        .sign_in("ann@acme.test", ANN_PASSWORD)
        .await
        .expect("neither Zed's threshold nor its inactivity limit locked Ann");

    // When Acme removes Ann, Zed becomes her home and may reset her.
    lia.run(coffer_api::RemoveMember {
        organisation_id: acme.to_string().into(),
        account_id: ann.account_id.clone(),
        removal: MemberRemoval::default(),
    })
    .await
    .unwrap();
    zoe.run(coffer_api::ResetMemberPassword {
        organisation_id: zed.to_string().into(),
        account_id: ann.account_id.clone(),
    })
    .await
    .expect("Zed is Ann's home now");
}

/// Anonymous endpoints are throttled per client address (300 parallel
/// passkey sign-in starts: the first `rate_limit_per_address` pass, the rest
/// get 429 with Retry-After and write nothing) and sign-in starts per
/// identifier; behind a proxy the address comes from the trusted header.
async fn anonymous_calls_are_rate_limited(backend: Backend) {
    let (server, _) = instance_with(backend, |c| {
        c.rate_limit_per_address = 40;
        c.rate_limit_per_identifier = 10;
        c.trusted_proxy_header = Some("x-real-ip".into());
    })
    .await;
    let pending =
        || server.count("SELECT COUNT(*) FROM pending_logins WHERE purpose = 'passkey_sign_in'");
    let before = pending().await;
    let b = server.browser();
    let calls = (0..300).map(|_| {
        b.http
            .post(format!("{}/api/passkey_sign_in_start", b.base))
            .header("Origin", &b.base)
            .header("x-real-ip", "198.51.100.7")
            .json(&json!({}))
            .send()
    });
    let answers = futures::future::join_all(calls).await;
    let mut passed = 0;
    for res in answers {
        let res = res.unwrap();
        match res.status().as_u16() {
            200 => passed += 1,
            429 => {
                let wait: u64 = res.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!((1..=60).contains(&wait), "{wait}");
                let err: coffer_api::ApiError = res.json().await.unwrap();
                assert!(
                    matches!(refusal(err), Refusal::RateLimit(_)),
                    "429 names the limit"
                );
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert!((1..=40).contains(&passed), "{passed} passed");
    assert_eq!(
        pending().await - before,
        passed,
        "refused calls wrote nothing"
    );
    // Another address (as the trusted proxy reports it) has its own quota.
    let res = b
        .http
        .post(format!("{}/api/passkey_sign_in_start", b.base))
        .header("Origin", &b.base)
        .header("x-real-ip", "198.51.100.8")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // Per identifier: a burst of starts for one address, then 429, whoever
    // sends them; another identifier is not held up.
    let start = |who: &'static str, ip: &'static str| {
        let b = &b;
        async move {
            let (_, request) = coffer_crypto::client_login_start("guess").unwrap();
            b.http
                .post(format!("{}/api/sign_in_start", b.base))
                .header("Origin", &b.base)
                .header("x-real-ip", ip)
                .json(&json!({ "identifier": who, "credential_request": Bytes(request) }))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let mut statuses = Vec::new();
    for i in 0..8 {
        statuses.push(start("ann@acme.test", ["203.0.113.1", "203.0.113.2"][i % 2]).await);
    }
    assert_eq!(statuses[..5], [200; 5], "{statuses:?}");
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");
    assert_eq!(start("bob@acme.test", "203.0.113.1").await, 200);
}

/// Twenty sign-in starts at once against a threshold of ten: the count is
/// read and raised in one statement, so at most ten of them get the real
/// record (which the right password opens); the rest meet the lock.
async fn parallel_starts_cannot_pass_the_lockout(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let lia = member(&server, &admin, "Acme", "lia@acme.test", "liaison password").await;
    let org = organisation_id(&lia).await;
    active_member(
        &server,
        &lia,
        &org,
        "ann@acme.test",
        ANN_PASSWORD,
        Role::Originator,
        false,
    )
    .await;
    let b = server.browser();
    let starts = (0..20).map(|_| async {
        let (state, request) = coffer_crypto::client_login_start(ANN_PASSWORD).unwrap();
        let challenge: LoginChallenge = b
            .run(coffer_api::SignInStart {
                identifier: "ann@acme.test".into(),
                credential_request: Bytes(request),
            })
            .await
            .unwrap();
        // Only the real record opens with the right password.
        coffer_crypto::client_login_finish(state, ANN_PASSWORD, &challenge.credential_response.0)
            .is_ok()
    });
    let real = futures::future::join_all(starts)
        .await
        .into_iter()
        .filter(|opened| *opened)
        .count();
    assert!(real <= 10, "{real} starts got past a threshold of 10");
    assert!(
        member_row(&lia, &org, "ann@acme.test")
            .await
            .unwrap()
            .locked
    );
}

/// A reset link sent before the owner changed the password no longer works,
/// and no delivered mail (with the link's token) stays in the queue.
async fn a_reset_link_dies_when_the_password_changes(backend: Backend) {
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
    lia.run(coffer_api::ResetMemberPassword {
        organisation_id: org.to_string().into(),
        account_id: ann.account_id.clone(),
    })
    .await
    .unwrap();
    let token = server.link_tokens("ann@acme.test", "reset").remove(0);
    assert_eq!(
        server.count("SELECT COUNT(*) FROM mail_queue").await,
        0,
        "delivered mail leaves the queue, tokens and all"
    );
    ann_browser
        .change_password(ANN_PASSWORD, "ann's own new password")
        .await
        .unwrap();
    let e = server
        .browser()
        .run(coffer_api::GetResetView {
            token: token.to_string(),
        })
        .await
        .unwrap_err();
    assert_eq!(refusal(e), Refusal::Link(LinkError::AlreadyUsed));
    server
        .browser()
        .sign_in("ann@acme.test", "ann's own new password")
        .await
        .expect("the owner's change stands");
}

async fn organisation_self(b: &Browser) -> String {
    let me: SignedIn = b.run(coffer_api::Me {}).await.unwrap();
    me.account.id.to_string()
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
            Refusal::SignIn(coffer_shared::accounts::SignInError::WrongCurrentPassword)
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
        Refusal::SignIn(coffer_shared::accounts::SignInError::AccountLocked)
    );
    assert!(subjects_to(&server, "ann@acme.test")
        .iter()
        .any(|s| s.contains("locked")));
}

on_both!(
    a_reset_link_dies_when_the_password_changes,
    anonymous_calls_are_rate_limited,
    parallel_starts_cannot_pass_the_lockout,
    another_organisation_manages_only_its_membership,
    each_link_opens_only_its_own_flow,
    guessing_the_current_password_locks,
    ten_wrong_passwords_lock_and_unlock_restores,
    reset_password_makes_new_keys_and_asks_the_security_question
);
