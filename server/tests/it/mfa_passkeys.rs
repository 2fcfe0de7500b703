//! MFA-4 and MFA-5 through the real server functions, on SQLite and
//! PostgreSQL, with a software passkey (`common::authenticator`): register,
//! list, rename and remove; sign in with the passkey alone and unlock the
//! keys through the PRF wrapping, or with the password when there is none;
//! the passkey as the second step after the password; ceremonies answered
//! from the wrong origin, replayed, with an unknown credential or without
//! user verification are refused; and who may call what.

use crate::common::authenticator::SoftPasskey;
use crate::common::*;
use coffer_crypto::{self as crypto, MemberKeys};
use coffer_shared::accounts::SignInError;
use coffer_shared::accounts::*;
use coffer_shared::errors::AuthError;
use coffer_shared::members::*;
use coffer_shared::mfa::*;
use coffer_shared::mfa::{MfaError, PasskeyError};
use coffer_shared::types::*;
use coffer_shared::Refusal;
use serde_json::{json, Value};

const PW: &str = "member password for passkeys";
/// Stands in for the PRF output a real authenticator computes.
const PRF: [u8; 32] = [42; 32];

async fn refused(b: &Browser, endpoint: &str, body: Value) -> Refusal {
    refusal(
        b.call::<Value>(endpoint, body)
            .await
            .expect_err(&format!("{endpoint} must be refused")),
    )
}

/// Lia administers Acme; Ann, an Originator there, is signed in with her
/// keys unlocked.
struct Acme {
    lia: Browser,
    org: String,
    ann: Browser,
    unlocked: Unlocked,
}

async fn acme(server: &TestServer, admin: &Browser) -> Acme {
    let lia = member(server, admin, "Acme", "lia@acme.test", PW).await;
    let org = organisation_id(&lia).await;
    add_member(&lia, &org, "ann@acme.test", Role::Originator, false).await;
    let token = server.invitation_tokens("ann@acme.test")[0].clone();
    let ann = server.browser();
    ann.accept_invitation(&token, PW).await.unwrap();
    let unlocked = ann
        .sign_in("ann@acme.test", PW)
        .await
        .expect("Ann signs in");
    Acme {
        lia,
        org,
        ann,
        unlocked,
    }
}

async fn ann_row(acme: &Acme) -> MemberRow {
    let page: MemberPage = acme
        .lia
        .run(coffer_api::ListMembers {
            organisation_id: acme.org.to_string().into(),
            query: MemberQuery {
                page_size: 10,
                ..MemberQuery::default()
            },
        })
        .await
        .unwrap();
    page.rows
        .into_iter()
        .find(|r| r.email == "ann@acme.test")
        .unwrap()
}

/// Registers a software passkey; with `keys`, also the PRF wrapping.
async fn register(
    server: &TestServer,
    b: &Browser,
    name: &str,
    keys: Option<&MemberKeys>,
) -> (SoftPasskey, PasskeyView) {
    let start = as_json(
        b.run(coffer_api::PasskeyRegisterStart { setup_token: None })
            .await
            .unwrap(),
    );
    let (passkey, credential) = SoftPasskey::create(&start["options"], server.url());
    let view: PasskeyView = b
        .call(
            "passkey_register_finish",
            json!({
                "ceremony_id": start["ceremony_id"],
                "name": name,
                "credential": credential,
                "prf_wrapped_key": keys.map(|k| Bytes(k.wrap_for_passkey(&PRF))),
            }),
        )
        .await
        .unwrap();
    (passkey, view)
}

async fn passkey_sign_in(
    server: &TestServer,
    passkey: &mut SoftPasskey,
) -> (Browser, Result<PasskeySignIn, Refusal>) {
    let b = server.browser();
    let start = as_json(b.run(coffer_api::PasskeySignInStart {}).await.unwrap());
    let answer = passkey.assert(&start["options"], server.url());
    let result = b
        .call(
            "passkey_sign_in_finish",
            json!({ "ceremony_id": start["ceremony_id"], "credential": answer }),
        )
        .await
        .map_err(refusal);
    (b, result)
}

async fn register_sign_in_unlock_rename_and_remove(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let acme = acme(&server, &admin).await;
    let (ann, unlocked) = (&acme.ann, &acme.unlocked);

    let start = as_json(
        ann.run(coffer_api::PasskeyRegisterStart { setup_token: None })
            .await
            .unwrap(),
    );
    let selection = &start["options"]["publicKey"]["authenticatorSelection"];
    assert_eq!(selection["residentKey"], "required", "{start}");
    assert_eq!(selection["userVerification"], "required", "{start}");
    assert_eq!(
        start["options"]["publicKey"]["rp"]["id"], "localhost",
        "a loopback server is named localhost, which browsers accept"
    );

    let (mut laptop, view) = register(&server, ann, "Work laptop", Some(unlocked.keys())).await;
    assert_eq!(view.name, "Work laptop");
    assert!(view.unlocks_keys);
    assert_eq!(view.last_used_at_ms, None);
    let status: TwoStepStatus = ann.run(coffer_api::GetTwoStepStatus {}).await.unwrap();
    assert_eq!(status.passkeys, 1);

    // MFA-4 + MFA-5: nothing typed; the keys open with the PRF output.
    let (bob_phone, result) = passkey_sign_in(&server, &mut laptop).await;
    let signed = result.expect("the passkey signs in");
    assert_eq!(signed.signed_in.account.email, "ann@acme.test");
    assert_eq!(signed.passkey_id, view.id);
    let keys = MemberKeys::unwrap_with_passkey(
        &signed
            .prf_wrapped_key
            .expect("the PRF wrapping comes back")
            .0,
        &PRF,
        &signed.signed_in.account.public_key,
    )
    .expect("the PRF output unwraps the private key");
    assert_eq!(keys.public_key(), unlocked.keys().public_key());
    let me: SignedIn = bob_phone.run(coffer_api::Me {}).await.unwrap();
    assert_eq!(me.account.email, "ann@acme.test");

    let listed: Vec<PasskeyView> = ann.run(coffer_api::ListPasskeys {}).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].last_used_at_ms.is_some(), "last use is shown");

    // Several passkeys; names can change, but not to nothing.
    let (_phone, phone_view) = register(&server, ann, "Phone", None).await;
    assert!(!phone_view.unlocks_keys);
    ann.run(coffer_api::PasskeyRename {
        passkey_id: phone_view.id.clone(),
        name: "  Old phone ".into(),
    })
    .await
    .unwrap();
    assert_eq!(
        refused(
            ann,
            "passkey_rename",
            json!({ "passkey_id": phone_view.id, "name": "   " })
        )
        .await,
        PasskeyError::BadName.into()
    );
    let listed: Vec<PasskeyView> = ann.run(coffer_api::ListPasskeys {}).await.unwrap();
    let names: Vec<_> = listed.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Work laptop", "Old phone"]);

    // The same authenticator cannot register the same credential twice: the
    // server names the existing ones to exclude.
    let again = as_json(
        ann.run(coffer_api::PasskeyRegisterStart { setup_token: None })
            .await
            .unwrap(),
    );
    let excluded = again["options"]["publicKey"]["excludeCredentials"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(excluded, 2);

    // Removed: it no longer signs in.
    ann.run(coffer_api::PasskeyRemove {
        passkey_id: view.id.clone(),
    })
    .await
    .unwrap();
    let (_, result) = passkey_sign_in(&server, &mut laptop).await;
    assert_eq!(result.unwrap_err(), PasskeyError::NotRecognised.into());
    assert_eq!(
        refused(ann, "passkey_remove", json!({ "passkey_id": view.id })).await,
        PasskeyError::NotFound.into()
    );

    let history = ann_history(&acme).await;
    for action in [
        "mfa.passkey_added",
        "mfa.passkey_renamed",
        "mfa.passkey_removed",
    ] {
        assert!(
            history.contains(&action.to_string()),
            "{action} in {history:?}"
        );
    }
}

/// The actions in Ann's history as her administrator sees it.
async fn ann_history(acme: &Acme) -> Vec<String> {
    let row = ann_row(acme).await;
    let history: Vec<HistoryEntry> = acme
        .lia
        .run(coffer_api::MemberHistory {
            organisation_id: acme.org.to_string().into(),
            account_id: row.account_id.clone(),
        })
        .await
        .unwrap();
    history.into_iter().map(|e| e.action).collect()
}

async fn wrong_origin_replay_unknown_and_unverified_are_refused(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let acme = acme(&server, &admin).await;
    let (ann, unlocked) = (&acme.ann, &acme.unlocked);
    let (mut passkey, _) = register(&server, ann, "Key", Some(unlocked.keys())).await;
    let b = server.browser();

    // Answered from another site's page.
    let start = as_json(b.run(coffer_api::PasskeySignInStart {}).await.unwrap());
    let phished = passkey.assert(&start["options"], "http://coffer.evil.test");
    let r = refused(
        &b,
        "passkey_sign_in_finish",
        json!({ "ceremony_id": start["ceremony_id"], "credential": phished }),
    )
    .await;
    assert_eq!(r, PasskeyError::NotVerified.into());

    // A good answer, then the same answer again: the challenge is spent.
    let start = as_json(b.run(coffer_api::PasskeySignInStart {}).await.unwrap());
    let answer = passkey.assert(&start["options"], server.url());
    let body = json!({ "ceremony_id": start["ceremony_id"], "credential": answer });
    b.call::<PasskeySignIn>("passkey_sign_in_finish", body.clone())
        .await
        .unwrap();
    assert_eq!(
        refused(&b, "passkey_sign_in_finish", body).await,
        PasskeyError::CeremonyExpired.into()
    );
    // The old answer against a fresh challenge does not verify either.
    let fresh = as_json(b.run(coffer_api::PasskeySignInStart {}).await.unwrap());
    assert_eq!(
        refused(
            &b,
            "passkey_sign_in_finish",
            json!({ "ceremony_id": fresh["ceremony_id"], "credential": answer }),
        )
        .await,
        PasskeyError::NotVerified.into()
    );

    // A credential Coffer never registered.
    let other_start = as_json(
        ann.run(coffer_api::PasskeyRegisterStart { setup_token: None })
            .await
            .unwrap(),
    );
    let (mut stranger, _) = SoftPasskey::create(&other_start["options"], server.url());
    let (_, result) = passkey_sign_in(&server, &mut stranger).await;
    assert_eq!(result.unwrap_err(), PasskeyError::NotRecognised.into());

    // A tap without PIN or biometric is one factor only.
    let start = as_json(b.run(coffer_api::PasskeySignInStart {}).await.unwrap());
    let tap = passkey.assert_without_verification(&start["options"], server.url());
    assert_eq!(
        refused(
            &b,
            "passkey_sign_in_finish",
            json!({ "ceremony_id": start["ceremony_id"], "credential": tap }),
        )
        .await,
        PasskeyError::NotVerified.into()
    );

    // A registration answered from another origin is not kept.
    let start = as_json(
        ann.run(coffer_api::PasskeyRegisterStart { setup_token: None })
            .await
            .unwrap(),
    );
    let (_, credential) = SoftPasskey::create(&start["options"], "http://coffer.evil.test");
    assert_eq!(
        refused(
            ann,
            "passkey_register_finish",
            json!({ "ceremony_id": start["ceremony_id"], "name": "Evil", "credential": credential }),
        )
        .await,
        PasskeyError::NotVerified.into()
    );
    let listed: Vec<PasskeyView> = ann.run(coffer_api::ListPasskeys {}).await.unwrap();
    assert_eq!(listed.len(), 1, "nothing was added");
}

async fn without_prf_the_password_unlocks_the_keys(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let acme = acme(&server, &admin).await;
    let (ann, unlocked) = (&acme.ann, &acme.unlocked);
    let (mut passkey, _) = register(&server, ann, "Old key", None).await;

    let (b, result) = passkey_sign_in(&server, &mut passkey).await;
    let signed = result.unwrap();
    assert!(signed.prf_wrapped_key.is_none(), "nothing to unwrap with");

    // The password proved inside the session gives the export key.
    let (state, request) = crypto::client_login_start(PW).unwrap();
    let challenge: LoginChallenge = b
        .run(coffer_api::PasswordProofStart {
            credential_request: Bytes(request),
        })
        .await
        .unwrap();
    let (finalization, export) =
        crypto::client_login_finish(state, PW, &challenge.credential_response.0).unwrap();
    b.run(coffer_api::PasswordProofFinish {
        login_id: challenge.login_id.to_string(),
        finalization: Bytes(finalization),
    })
    .await
    .unwrap();
    let envelope = signed.signed_in.keys.as_ref().unwrap();
    let keys = MemberKeys::unwrap(
        &envelope.wrapped_private_key.0,
        &export,
        &envelope.public_key,
    )
    .unwrap();
    assert_eq!(keys.public_key(), unlocked.keys().public_key());

    // The browser may add the wrapping afterwards (a second PRF request).
    let view: PasskeyView = b
        .run(coffer_api::PasskeySetKey {
            passkey_id: signed.passkey_id.clone(),
            prf_wrapped_key: Bytes(keys.wrap_for_passkey(&PRF)),
        })
        .await
        .unwrap();
    assert!(view.unlocks_keys);
    assert_eq!(
        refused(
            &b,
            "passkey_set_key",
            json!({ "passkey_id": signed.passkey_id, "prf_wrapped_key": Bytes(vec![1; 8]) }),
        )
        .await,
        PasskeyError::BadWrappedKey.into()
    );
}

async fn a_passkey_is_the_second_step_after_the_password(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let acme = acme(&server, &admin).await;
    let ann = &acme.ann;
    let (mut passkey, _) = register(&server, ann, "Key", None).await;

    let b = server.browser();
    let (step, export) = b.sign_in_password("ann@acme.test", PW).await.unwrap();
    let SignInStep::SecondFactor(prompt) = step else {
        panic!("a passkey makes the password one step of two");
    };
    assert!(prompt.passkey && !prompt.totp);
    assert_eq!(
        refused(&b, "me", json!({})).await,
        AuthError::NotSignedIn.into()
    );
    // No code to type: there is no authenticator app.
    assert_eq!(
        refused(
            &b,
            "sign_in_second_factor",
            json!({ "ticket": prompt.ticket, "code": "123456" })
        )
        .await,
        MfaError::NotOn.into()
    );
    let start = as_json(
        b.run(coffer_api::PasskeySecondFactorStart {
            ticket: prompt.ticket.to_string(),
        })
        .await
        .unwrap(),
    );
    let answer = passkey.assert(&start["options"], server.url());
    // Another sign-in's ticket does not take this ceremony.
    assert_eq!(
        refused(
            &b,
            "passkey_second_factor_finish",
            json!({ "ticket": "not-a-ticket", "ceremony_id": start["ceremony_id"], "credential": answer }),
        )
        .await,
        SignInError::AttemptExpired.into()
    );
    let signed: SignedIn = b
        .call(
            "passkey_second_factor_finish",
            json!({ "ticket": prompt.ticket, "ceremony_id": start["ceremony_id"], "credential": answer }),
        )
        .await
        .unwrap();
    let envelope = signed.keys.as_ref().unwrap();
    MemberKeys::unwrap(
        &envelope.wrapped_private_key.0,
        &export,
        &envelope.public_key,
    )
    .expect("the password's export key unlocks as usual");
    let me: SignedIn = b.run(coffer_api::Me {}).await.unwrap();
    assert_eq!(me.account.email, "ann@acme.test");
    // The ticket is spent.
    assert_eq!(
        refused(
            &b,
            "passkey_second_factor_start",
            json!({ "ticket": prompt.ticket })
        )
        .await,
        SignInError::AttemptExpired.into()
    );

    // The Users page's MFA column counts the passkey.
    assert!(ann_row(&acme).await.two_step);
}

async fn refusals_and_reseed(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let acme = acme(&server, &admin).await;
    let ann = &acme.ann;
    let (_, view) = register(&server, ann, "Key", None).await;
    let anonymous = server.browser();
    for (endpoint, body) in [
        ("passkeys", json!({})),
        ("passkey_register_start", json!({})),
        (
            "passkey_rename",
            json!({ "passkey_id": view.id, "name": "x" }),
        ),
        ("passkey_remove", json!({ "passkey_id": view.id })),
        (
            "passkey_set_key",
            json!({ "passkey_id": view.id, "prf_wrapped_key": Bytes(vec![1; 64]) }),
        ),
        (
            "password_proof_finish",
            json!({ "login_id": "x", "finalization": Bytes(vec![1]) }),
        ),
    ] {
        assert_eq!(
            refused(&anonymous, endpoint, body).await,
            AuthError::NotSignedIn.into(),
            "{endpoint}"
        );
    }

    // Another member cannot see or touch Ann's passkeys.
    add_member(
        &acme.lia,
        &acme.org,
        "bea@acme.test",
        Role::Originator,
        false,
    )
    .await;
    let token = server.invitation_tokens("bea@acme.test")[0].clone();
    let bea = server.browser();
    bea.accept_invitation(&token, PW).await.unwrap();
    bea.sign_in("bea@acme.test", PW).await.unwrap();
    let hers: Vec<PasskeyView> = bea.run(coffer_api::ListPasskeys {}).await.unwrap();
    assert!(hers.is_empty());
    for (endpoint, body) in [
        (
            "passkey_rename",
            json!({ "passkey_id": view.id, "name": "mine" }),
        ),
        ("passkey_remove", json!({ "passkey_id": view.id })),
        (
            "passkey_set_key",
            json!({ "passkey_id": view.id, "prf_wrapped_key": Bytes(vec![1; 64]) }),
        ),
    ] {
        assert_eq!(
            refused(&bea, endpoint, body).await,
            PasskeyError::NotFound.into(),
            "{endpoint}"
        );
    }
    // A registration ceremony belongs to the member who started it.
    let start = as_json(
        ann.run(coffer_api::PasskeyRegisterStart { setup_token: None })
            .await
            .unwrap(),
    );
    let (_, credential) = SoftPasskey::create(&start["options"], server.url());
    assert_eq!(
        refused(
            &bea,
            "passkey_register_finish",
            json!({ "ceremony_id": start["ceremony_id"], "name": "Stolen", "credential": credential }),
        )
        .await,
        PasskeyError::CeremonyExpired.into()
    );
    let listed: Vec<PasskeyView> = ann.run(coffer_api::ListPasskeys {}).await.unwrap();
    assert_eq!(listed.len(), 1);

    // MFA-3: a re-seed removes the passkeys too.
    let ann_id = ann_row(&acme).await.account_id;
    acme.lia
        .run(coffer_api::ReseedSecondFactor {
            organisation_id: acme.org.to_string().into(),
            account_id: ann_id.clone(),
        })
        .await
        .unwrap();
    let listed: Vec<PasskeyView> = ann
        .run(coffer_api::ListPasskeys {})
        .await
        .unwrap_or_default();
    assert!(listed.is_empty(), "{listed:?}");
    let b = server.browser();
    let (step, _) = b.sign_in_password("ann@acme.test", PW).await.unwrap();
    let SignInStep::SignedIn(s) = step else {
        panic!("after a re-seed the password alone opens a set-up session");
    };
    assert!(s.account.setup_second_factor);

    // That session may add a passkey as the new second factor, with the
    // mailed set-up link, and is then a full session.
    let without_link = b
        .run(coffer_api::PasskeyRegisterStart { setup_token: None })
        .await
        .unwrap_err();
    assert!(
        matches!(refusal(without_link), Refusal::Link(_)),
        "the password alone does not bind a new passkey"
    );
    assert_eq!(
        refused(&b, "passkeys", json!({})).await,
        AuthError::SecondFactorSetupRequired.into()
    );
    let token = server.link_tokens("ann@acme.test", "two-step-setup")[0].clone();
    let start = as_json(
        b.run(coffer_api::PasskeyRegisterStart {
            setup_token: Some(token.clone()),
        })
        .await
        .unwrap(),
    );
    let (_, credential) = SoftPasskey::create(&start["options"], server.url());
    let _: PasskeyView = b
        .call(
            "passkey_register_finish",
            json!({ "ceremony_id": start["ceremony_id"], "name": "New phone", "credential": credential }),
        )
        .await
        .unwrap();
    let me: SignedIn = b.run(coffer_api::Me {}).await.unwrap();
    assert!(!me.account.setup_second_factor);
    let listed: Vec<PasskeyView> = b.run(coffer_api::ListPasskeys {}).await.unwrap();
    assert_eq!(listed.len(), 1);
    // The link is spent.
    let again = b
        .run(coffer_api::PasskeyRegisterStart {
            setup_token: Some(token),
        })
        .await;
    assert!(again.is_ok(), "a full session needs no link");
}

async fn a_password_reset_keeps_the_passkey_but_not_its_key_wrapping(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let acme = acme(&server, &admin).await;
    let (mut passkey, _) = register(&server, &acme.ann, "Key", Some(acme.unlocked.keys())).await;
    let ann_id = ann_row(&acme).await.account_id;
    acme.lia
        .run(coffer_api::ResetMemberPassword {
            organisation_id: acme.org.to_string().into(),
            account_id: ann_id.clone(),
        })
        .await
        .unwrap();
    let token = server.link_tokens("ann@acme.test", "reset")[0].clone();
    let new_public_key = server
        .browser()
        .reset_password(&token, "", "ann's password after the reset")
        .await
        .unwrap();
    // A reset makes new keys: the old wrapping would open the old key.
    let (_, result) = passkey_sign_in(&server, &mut passkey).await;
    let signed = result.expect("the passkey still signs in");
    assert_eq!(signed.signed_in.keys.unwrap().public_key, new_public_key);
    assert!(signed.prf_wrapped_key.is_none());
}

/// Adding or removing a passkey and binding an authenticator app need a
/// password proved in the last `reauthentication_seconds`; terminating all
/// sessions may remove the passkeys too, under the same rule.
async fn factor_changes_need_a_recent_proof(backend: Backend) {
    let (server, admin) = instance_with(backend, |c| c.reauthentication_seconds = 2).await;
    let acme = acme(&server, &admin).await;
    let ann = &acme.ann;
    // Just signed in: fresh.
    let (_, first) = register(&server, ann, "Laptop", Some(acme.unlocked.keys())).await;
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    let stale = Refusal::Auth(AuthError::ReauthenticationRequired);
    assert_eq!(
        refused(ann, "passkey_register_start", json!({})).await,
        stale
    );
    assert_eq!(
        refused(ann, "passkey_remove", json!({ "passkey_id": first.id })).await,
        stale
    );
    assert_eq!(
        refused(ann, "totp_begin", json!({ "setup_token": null })).await,
        stale
    );
    assert_eq!(
        refused(
            ann,
            "terminate_all_sessions",
            json!({ "remove_passkeys": true })
        )
        .await,
        stale
    );
    let kept: Vec<PasskeyView> = ann.run(coffer_api::ListPasskeys {}).await.unwrap();
    assert_eq!(kept.len(), 1, "nothing was removed");
    // Renaming is no factor change; ending sessions alone needs no proof.
    let _: () = ann
        .run(coffer_api::PasskeyRename {
            passkey_id: first.id.clone(),
            name: "Old laptop".into(),
        })
        .await
        .unwrap();
    // The password again, and the changes go through.
    ann.prove_password(PW).await.unwrap();
    let (_, second) = register(&server, ann, "Phone", None).await;
    let _: () = ann
        .run(coffer_api::PasskeyRemove {
            passkey_id: second.id.clone(),
        })
        .await
        .unwrap();
    let _: TotpSetup = ann
        .run(coffer_api::TotpBegin { setup_token: None })
        .await
        .unwrap();
    let _: u64 = ann
        .run(coffer_api::TerminateAllSessions {
            remove_passkeys: Some(true),
        })
        .await
        .unwrap();
    let again = server.browser();
    again.sign_in("ann@acme.test", PW).await.unwrap();
    let left: Vec<PasskeyView> = again.run(coffer_api::ListPasskeys {}).await.unwrap();
    assert!(
        left.is_empty(),
        "terminating with removal took the passkeys"
    );
}

/// A lockout for guessing passwords blocks passwords, not passkeys (which
/// cannot be guessed) and not the owner's open sessions; the owner is
/// mailed once per lock, however many guesses follow.
async fn a_password_lockout_leaves_passkeys_working(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let acme = acme(&server, &admin).await;
    let (mut passkey, _) = register(&server, &acme.ann, "Key", Some(acme.unlocked.keys())).await;
    let guesser = server.browser();
    for _ in 0..15 {
        assert!(matches!(
            guesser.sign_in("ann@acme.test", "a guess").await,
            Err(None)
        ));
    }
    assert!(ann_row(&acme).await.locked);
    let locked_mails = subjects_to(&server, "ann@acme.test")
        .iter()
        .filter(|s| *s == "Your Coffer account is locked")
        .count();
    assert_eq!(locked_mails, 1, "one mail per lock, not per guess");
    assert!(
        matches!(
            server.browser().sign_in("ann@acme.test", PW).await,
            Err(None)
        ),
        "the right password is refused while locked"
    );
    let (b, result) = passkey_sign_in(&server, &mut passkey).await;
    result.expect("the passkey still signs Ann in");
    let _: SignedIn = b.run(coffer_api::Me {}).await.unwrap();
    let _: SignedIn = acme
        .ann
        .run(coffer_api::Me {})
        .await
        .expect("Ann's open session goes on");
    assert!(ann_row(&acme).await.locked, "passwords stay locked");
}

on_both!(
    factor_changes_need_a_recent_proof,
    a_password_lockout_leaves_passkeys_working,
    a_password_reset_keeps_the_passkey_but_not_its_key_wrapping,
    register_sign_in_unlock_rename_and_remove,
    wrong_origin_replay_unknown_and_unverified_are_refused,
    without_prf_the_password_unlocks_the_keys,
    a_passkey_is_the_second_step_after_the_password,
    refusals_and_reseed,
);
