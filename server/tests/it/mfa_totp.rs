//! MFA-1 through the real server functions, on SQLite and PostgreSQL: an
//! authenticator app set up and confirmed, sign-in asking for its code,
//! replayed and wrong codes refused, recovery codes working once, wrong
//! codes running into the lockout, turning it off, and who may call what.
//! Codes come from Debian's `oathtool`.

use crate::common::*;
use coffer_crypto::ExportKey;
use coffer_shared::accounts::SignInError;
use coffer_shared::accounts::*;
use coffer_shared::errors::AuthError;
use coffer_shared::members::*;
use coffer_shared::mfa::MfaError;
use coffer_shared::mfa::*;
use coffer_shared::types::*;
use coffer_shared::Refusal;
use serde_json::json;

const PW: &str = "member password for mfa";

/// Sets up and confirms an authenticator app; returns its secret and the
/// recovery codes.
async fn turn_on(b: &Browser) -> (String, Vec<String>) {
    let setup: TotpSetup = b
        .run(coffer_api::TotpBegin { setup_token: None })
        .await
        .unwrap();
    let codes: Vec<String> = b
        .run(coffer_api::TotpConfirm {
            code: oathtool_code(&setup.secret, 0),
        })
        .await
        .unwrap();
    (setup.secret, codes)
}

async fn password_step(server: &TestServer, email: &str) -> (Browser, String, ExportKey) {
    let b = server.browser();
    match b.sign_in_password(email, PW).await.unwrap() {
        (SignInStep::SecondFactor(p), export) => {
            assert!(p.totp);
            (b, p.ticket, export)
        }
        (SignInStep::SignedIn(_), _) => panic!("signed in without the second factor"),
    }
}

async fn set_up_confirm_sign_in_replay_and_recovery(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let ann = member(&server, &admin, "Acme", "ann@acme.test", PW).await;
    let off: TwoStepStatus = ann.run(coffer_api::GetTwoStepStatus {}).await.unwrap();
    assert_eq!(off, TwoStepStatus::default());

    let setup: TotpSetup = ann
        .run(coffer_api::TotpBegin { setup_token: None })
        .await
        .unwrap();
    assert!(
        setup
            .uri
            .starts_with("otpauth://totp/Coffer:ann%40acme.test?")
            && setup.uri.contains(&format!("secret={}", setup.secret))
            && setup.uri.contains("issuer=Coffer"),
        "{}",
        setup.uri
    );
    assert!(setup.qr_svg.contains("<svg"), "the QR code is drawn here");
    assert_eq!(setup.secret.len(), 32, "160-bit secret in base32");
    // The database holds it sealed under the server secret file's key.
    let stored: String = sqlx::query_scalar("SELECT secret FROM totp_factors")
        .fetch_one(&server.db().await)
        .await
        .unwrap();
    assert!(
        stored.starts_with("sealed:") && !stored.contains(&setup.secret),
        "{stored}"
    );
    // A wrong code does not turn it on.
    let right = oathtool_code(&setup.secret, 0);
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    let err = ann
        .run(coffer_api::TotpConfirm {
            code: wrong.to_string(),
        })
        .await
        .unwrap_err();
    assert_eq!(refusal(err), Refusal::Mfa(MfaError::WrongCode));
    let still: TwoStepStatus = ann.run(coffer_api::GetTwoStepStatus {}).await.unwrap();
    assert!(!still.totp);
    // Until confirmed, sign-in is unchanged.
    server
        .browser()
        .sign_in("ann@acme.test", PW)
        .await
        .expect("no second factor yet");

    let codes: Vec<String> = ann
        .run(coffer_api::TotpConfirm {
            code: right.to_string(),
        })
        .await
        .unwrap();
    assert_eq!(codes.len(), 10);
    let on: TwoStepStatus = ann.run(coffer_api::GetTwoStepStatus {}).await.unwrap();
    assert_eq!(
        on,
        TwoStepStatus {
            totp: true,
            recovery_codes_left: 10,
            passkeys: 0,
        }
    );
    // ORG-1's MFA column shows it, and sorts by it.
    let org = organisation_id(&ann).await;
    assert!(
        member_row(&ann, &org, "ann@acme.test")
            .await
            .unwrap()
            .two_step
    );
    let page: MemberPage = ann
        .run(coffer_api::ListMembers {
            organisation_id: org.to_string().into(),
            query: MemberQuery {
                sort: MemberColumn::Mfa,
                descending: true,
                page_size: 10,
                ..MemberQuery::default()
            },
        })
        .await
        .unwrap();
    assert_eq!(page.rows[0].email, "ann@acme.test");
    let again = ann
        .run(coffer_api::TotpBegin { setup_token: None })
        .await
        .unwrap_err();
    assert_eq!(refusal(again), Refusal::Mfa(MfaError::AlreadyOn));

    // The password alone no longer opens a session or hands out the keys.
    let (b, ticket, export) = password_step(&server, "ann@acme.test").await;
    let me = b.run(coffer_api::Me {}).await.unwrap_err();
    assert_eq!(refusal(me), Refusal::Auth(AuthError::NotSignedIn));
    let err = b.second_factor(&ticket, wrong, &export).await.unwrap_err();
    assert_eq!(refusal(err), Refusal::Mfa(MfaError::WrongCode));
    // The code that confirmed the app was used: it does not work again.
    let err = b.second_factor(&ticket, &right, &export).await.unwrap_err();
    assert_eq!(refusal(err), Refusal::Mfa(MfaError::CodeAlreadyUsed));
    let next = oathtool_code(&setup.secret, 30);
    let unlocked = b
        .second_factor(&ticket, &next, &export)
        .await
        .expect("the next code signs in");
    assert_eq!(unlocked.signed_in.account.email, "ann@acme.test");
    let _: SignedIn = b.run(coffer_api::Me {}).await.unwrap();
    // The ticket is spent; and the same code in another sign-in is a replay.
    let err = b.second_factor(&ticket, &next, &export).await.unwrap_err();
    assert_eq!(refusal(err), Refusal::SignIn(SignInError::AttemptExpired));
    let (b2, ticket2, export2) = password_step(&server, "ann@acme.test").await;
    let err = b2
        .second_factor(&ticket2, &next, &export2)
        .await
        .unwrap_err();
    assert_eq!(refusal(err), Refusal::Mfa(MfaError::CodeAlreadyUsed));

    // A recovery code works once, typed any way.
    let typed = format!(" {} ", codes[0].to_lowercase());
    b2.second_factor(&ticket2, &typed, &export2)
        .await
        .expect("a recovery code signs in");
    let (b3, ticket3, export3) = password_step(&server, "ann@acme.test").await;
    let err = b3
        .second_factor(&ticket3, &codes[0], &export3)
        .await
        .unwrap_err();
    assert_eq!(refusal(err), Refusal::Mfa(MfaError::WrongCode));
    let left: TwoStepStatus = ann.run(coffer_api::GetTwoStepStatus {}).await.unwrap();
    assert_eq!(left.recovery_codes_left, 9);

    // New recovery codes replace the old ones.
    let fresh: Vec<String> = ann
        .run(coffer_api::RecoveryCodesRenew {
            code: codes[1].to_string(),
        })
        .await
        .unwrap();
    assert_eq!(fresh.len(), 10);
    let err = b3
        .second_factor(&ticket3, &codes[2], &export3)
        .await
        .unwrap_err();
    assert_eq!(
        refusal(err),
        Refusal::Mfa(MfaError::WrongCode),
        "old codes are void"
    );
    // Turning it off takes a code; a wrong one changes nothing.
    let err = ann
        .run(coffer_api::TotpDisable {
            code: "ZZZZ-ZZZZ-ZZZZ-ZZZZ".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(refusal(err), Refusal::Mfa(MfaError::WrongCode));
    let err = ann
        .run(coffer_api::TotpDisable { code: "  ".into() })
        .await
        .unwrap_err();
    assert_eq!(refusal(err), Refusal::Mfa(MfaError::MissingCode));
    let _: () = ann
        .run(coffer_api::TotpDisable {
            code: fresh[0].to_string(),
        })
        .await
        .unwrap();
    assert_eq!(
        ann.run(coffer_api::GetTwoStepStatus {}).await.unwrap(),
        TwoStepStatus::default()
    );
    server
        .browser()
        .sign_in("ann@acme.test", PW)
        .await
        .expect("the password alone works again");
    assert!(
        !member_row(&ann, &org, "ann@acme.test")
            .await
            .unwrap()
            .two_step
    );

    // The factor changes are in the member's history and the audit log.
    let db = server.db().await;
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_events WHERE target = 'ann@acme.test' AND action LIKE 'mfa.%' ORDER BY id",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(
        actions,
        [
            "mfa.totp_enabled",
            "mfa.recovery_codes_renewed",
            "mfa.totp_disabled"
        ]
    );
    let second: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE target = 'ann@acme.test' AND action = 'session.signed_in' \
         AND details LIKE '%recovery code%'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(second, 1, "the sign-in record names the factor used");
}

async fn wrong_codes_spend_the_attempt_and_lock_the_account(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let ann = member(&server, &admin, "Acme", "ann@acme.test", PW).await;
    let (secret, _) = turn_on(&ann).await;
    let wrong = |n: u32| {
        let right = oathtool_code(&secret, 0);
        let w = format!("{:06}", (right.parse::<u32>().unwrap() + 1 + n) % 1_000_000);
        assert_ne!(w, right);
        w
    };
    // Five wrong codes spend one sign-in.
    let (b, ticket, export) = password_step(&server, "ann@acme.test").await;
    for n in 0..4 {
        let err = b
            .second_factor(&ticket, &wrong(n), &export)
            .await
            .unwrap_err();
        assert_eq!(refusal(err), Refusal::Mfa(MfaError::WrongCode));
    }
    let err = b
        .second_factor(&ticket, &wrong(4), &export)
        .await
        .unwrap_err();
    assert_eq!(refusal(err), Refusal::Mfa(MfaError::TooManyAttempts));
    let right = oathtool_code(&secret, 0);
    let err = b.second_factor(&ticket, &right, &export).await.unwrap_err();
    assert_eq!(refusal(err), Refusal::SignIn(SignInError::AttemptExpired));
    // A right password does not clear the count: the next wrong codes lock
    // the account (threshold 10: 2 password steps + 5 + 3 wrong codes).
    let (b, ticket, export) = password_step(&server, "ann@acme.test").await;
    for n in 0..3 {
        let _ = b
            .second_factor(&ticket, &wrong(n), &export)
            .await
            .unwrap_err();
    }
    let db = server.db().await;
    let locked: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM accounts WHERE email = 'ann@acme.test' AND locked_at IS NOT NULL",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(locked, 1, "wrong codes count towards the lockout");
    let err = b.second_factor(&ticket, &right, &export).await.unwrap_err();
    assert_eq!(refusal(err), Refusal::SignIn(SignInError::AttemptExpired));
    assert!(subjects_to(&server, "ann@acme.test")
        .iter()
        .any(|s| s.contains("locked")));
}

async fn guessing_codes_to_turn_it_off_runs_into_the_lockout(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let ann = member(&server, &admin, "Acme", "ann@acme.test", PW).await;
    let (secret, _) = turn_on(&ann).await;
    // Default threshold 10: the tenth wrong code locks the account.
    for n in 0..10 {
        let err = ann
            .run(coffer_api::TotpDisable {
                code: format!("XXXX-XXXX-XXXX-XX{n:02}"),
            })
            .await
            .unwrap_err();
        assert_eq!(refusal(err), Refusal::Mfa(MfaError::WrongCode), "guess {n}");
    }
    let right = oathtool_code(&secret, 30);
    for call in ["totp_disable", "recovery_codes_renew"] {
        let err = ann
            .call::<serde_json::Value>(call, json!({ "code": right }))
            .await
            .unwrap_err();
        assert_eq!(
            refusal(err),
            Refusal::SignIn(SignInError::AccountLocked),
            "{call}"
        );
    }
    let on: TwoStepStatus = ann.run(coffer_api::GetTwoStepStatus {}).await.unwrap();
    assert!(on.totp, "still on");
    assert!(subjects_to(&server, "ann@acme.test")
        .iter()
        .any(|s| s.contains("locked")));
}

/// The browser's half of proving the password inside a session; `None`
/// when OPAQUE says it is wrong (the server never learns which).
async fn prove_password(b: &Browser, password: &str) -> Option<(String, Bytes)> {
    let (state, request) = coffer_crypto::client_login_start(password).unwrap();
    let challenge: LoginChallenge = b
        .run(coffer_api::PasswordProofStart {
            credential_request: Bytes(request),
        })
        .await
        .unwrap();
    coffer_crypto::client_login_finish(state, password, &challenge.credential_response.0)
        .ok()
        .map(|(fin, _)| (challenge.login_id, Bytes(fin)))
}

async fn turning_it_off_with_the_password(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let ann = member(&server, &admin, "Acme", "ann@acme.test", PW).await;
    turn_on(&ann).await;
    assert!(prove_password(&ann, "not my password").await.is_none());
    let (login_id, fin) = prove_password(&ann, PW).await.unwrap();
    let _: () = ann
        .run(coffer_api::TotpDisableWithPassword {
            login_id: login_id.to_string(),
            finalization: fin.clone(),
        })
        .await
        .unwrap();
    let off: TwoStepStatus = ann.run(coffer_api::GetTwoStepStatus {}).await.unwrap();
    assert!(!off.totp);
    // A proof is single-use and only for its own account.
    let err = ann
        .run(coffer_api::TotpDisableWithPassword {
            login_id: login_id.to_string(),
            finalization: fin.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(refusal(err), Refusal::SignIn(SignInError::AttemptExpired));
    // Guessing the password this way runs into the lockout: each start
    // counts until a finish proves it (threshold 10).
    turn_on(&ann).await;
    for _ in 0..10 {
        assert!(prove_password(&ann, "a guess").await.is_none());
    }
    let (_, request) = coffer_crypto::client_login_start(PW).unwrap();
    let err = ann
        .run(coffer_api::PasswordProofStart {
            credential_request: Bytes(request),
        })
        .await
        .unwrap_err();
    assert_eq!(refusal(err), Refusal::SignIn(SignInError::AccountLocked));
}

async fn who_may_call_what(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let ann = member(&server, &admin, "Acme", "ann@acme.test", PW).await;
    let anonymous = server.browser();
    for (call, args) in [
        ("two_step_status", json!({})),
        ("totp_begin", json!({})),
        ("totp_confirm", json!({ "code": "123456" })),
        ("totp_disable", json!({ "code": "123456" })),
        ("recovery_codes_renew", json!({ "code": "123456" })),
        (
            "password_proof_start",
            json!({ "credential_request": Bytes(vec![1; 32]) }),
        ),
        (
            "totp_disable_with_password",
            json!({ "login_id": "x", "finalization": Bytes(vec![1; 32]) }),
        ),
    ] {
        let err = anonymous
            .call::<serde_json::Value>(call, args)
            .await
            .unwrap_err();
        assert_eq!(
            refusal(err),
            Refusal::Auth(AuthError::NotSignedIn),
            "{call}"
        );
    }
    // Nothing to turn off or confirm before set-up.
    let err = ann
        .run(coffer_api::TotpDisable {
            code: "123456".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(refusal(err), Refusal::Mfa(MfaError::NotOn));
    let err = ann
        .run(coffer_api::TotpConfirm {
            code: "123456".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(refusal(err), Refusal::Mfa(MfaError::NoSetupStarted));
    // A made-up ticket, or a password-step id, is not a second-factor ticket.
    let err = anonymous
        .run(coffer_api::SignInSecondFactor {
            ticket: "made-up".into(),
            code: "123456".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(refusal(err), Refusal::SignIn(SignInError::AttemptExpired));
    let (_, request) = coffer_crypto::client_login_start(PW).unwrap();
    let challenge: LoginChallenge = anonymous
        .run(coffer_api::SignInStart {
            identifier: "ann@acme.test".into(),
            credential_request: Bytes(request),
        })
        .await
        .unwrap();
    let err = anonymous
        .run(coffer_api::SignInSecondFactor {
            ticket: challenge.login_id.to_string(),
            code: "123456".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(refusal(err), Refusal::SignIn(SignInError::AttemptExpired));
    // One member's factor is theirs alone: Bob's set-up leaves Ann's sign-in as it was.
    let (_, bob) = active_member(
        &server,
        &ann,
        &organisation_id(&ann).await,
        "bob@acme.test",
        PW,
        Role::Collaborator,
        false,
    )
    .await;
    turn_on(&bob).await;
    server
        .browser()
        .sign_in("ann@acme.test", PW)
        .await
        .expect("Ann has no second factor");
}

on_both!(
    set_up_confirm_sign_in_replay_and_recovery,
    wrong_codes_spend_the_attempt_and_lock_the_account,
    guessing_codes_to_turn_it_off_runs_into_the_lockout,
    turning_it_off_with_the_password,
    who_may_call_what
);
