//! Integration tests of the foundation issue over HTTP, on SQLite and on
//! PostgreSQL: setup, invitations, sign-in, sessions, password change,
//! authorization refusals and malformed input.

use crate::common::*;
use coffer_api::ApiError;
use coffer_crypto as crypto;
use coffer_shared::accounts::*;
use coffer_shared::accounts::{InvitationError, SetupError, SignInError};
use coffer_shared::audit::*;
use coffer_shared::errors::{AuthError, InputError, Refusal};
use coffer_shared::organisations::*;
use coffer_shared::types::*;
use serde_json::json;

fn refused(e: &ApiError) -> &Refusal {
    match e {
        ApiError::Refused(r) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn count(server: &TestServer, sql: &'static str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(&server.db().await)
        .await
        .unwrap()
}

/// Twelve letters and digits in three groups of four.
fn regex_like_code(code: &str) -> bool {
    let groups: Vec<&str> = code.split('-').collect();
    groups.len() == 3
        && groups.iter().all(|g| {
            g.len() == 4
                && g.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        })
}

async fn setup_only_once(backend: Backend) {
    let server = TestServer::start(backend).await;
    let b = server.browser();
    let status: SetupStatus = b.run(coffer_api::GetSetupStatus {}).await.unwrap();
    assert!(status.needs_setup);
    // Bad input first: nothing is created.
    let err = b
        .setup("not-an-email", "long enough password")
        .await
        .unwrap_err();
    assert_eq!(refused(&err), &Refusal::Input(InputError::InvalidEmail));
    assert_eq!(count(&server, "SELECT COUNT(*) FROM accounts").await, 0);
    // Whoever finds a fresh instance first cannot claim it without the
    // code the server printed at start-up.
    let code = b
        .setup_code
        .clone()
        .expect("a fresh instance has a setup code");
    assert!(regex_like_code(&code), "{code}");
    for wrong in ["", "AAAA-BBBB-CCCC"] {
        let err = b
            .setup_with_code(ADMIN, wrong, ADMIN_PASSWORD)
            .await
            .unwrap_err();
        assert_eq!(refused(&err), &Refusal::Setup(SetupError::WrongCode));
    }
    assert_eq!(count(&server, "SELECT COUNT(*) FROM accounts").await, 0);
    // Typed in lower case without dashes, it still counts.
    let typed = code.replace('-', "").to_lowercase();
    b.setup_with_code(ADMIN, &typed, ADMIN_PASSWORD)
        .await
        .unwrap();
    assert!(
        !server.data.path().join("setup-code").exists(),
        "the spent code is gone"
    );

    let status: SetupStatus = b.run(coffer_api::GetSetupStatus {}).await.unwrap();
    assert!(!status.needs_setup);
    // A second setup, by anyone, is refused at either step.
    let other = server.browser();
    let err = other
        .setup("intruder@coffer.test", "another password")
        .await
        .unwrap_err();
    assert_eq!(refused(&err), &Refusal::Setup(SetupError::AlreadyDone));
    let (_, upload_req) = crypto::client_registration_start("x-password").unwrap();
    let err = other
        .call::<()>(
            "setup_finish",
            json!({ "email": "intruder@coffer.test", "setup_code": "", "registration_upload": Bytes(upload_req),
                    "keys": { "public_key": "age1x", "wrapped_private_key": "AAAA" } }),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(refused(&err), Refusal::Setup(_) | Refusal::Input(_)),
        "{err:?}"
    );
    assert_eq!(count(&server, "SELECT COUNT(*) FROM accounts").await, 1);
    assert_eq!(
        count(
            &server,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'instance.set_up'"
        )
        .await,
        1
    );
    // The administrator can sign in and sees their fingerprint material.
    let me = b.sign_in(ADMIN, ADMIN_PASSWORD).await.unwrap();
    assert!(me.signed_in.account.is_instance_admin);
    assert_eq!(me.keys().public_key(), me.signed_in.account.public_key);
}

async fn organisation_invitation_is_single_use_and_expires(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let org = admin
        .create_organisation("Acme", "ann@acme.test")
        .await
        .unwrap();
    assert_eq!(org.seats_used, 1);
    let orgs: Vec<OrganisationView> = admin.run(coffer_api::Organisations {}).await.unwrap();
    assert_eq!(orgs.len(), 1);
    let outbox: Vec<OutboxSummary> = admin.run(coffer_api::Outbox {}).await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].to, "ann@acme.test");
    let mail: OutboxMail = admin
        .run(coffer_api::ReadOutboxMail {
            id: outbox[0].id.to_string(),
        })
        .await
        .unwrap();
    assert!(mail.body.contains("/invite#"), "{}", mail.body);

    let token = server.invitation_tokens("ann@acme.test").remove(0);
    let ann = server.browser();
    let view: InvitationView = ann
        .run(coffer_api::Invitation {
            token: token.to_string(),
        })
        .await
        .unwrap();
    assert_eq!(view.email, "ann@acme.test");
    assert_eq!(view.organisation_name.as_deref(), Some("Acme"));
    ann.accept_invitation(&token, "ann's password")
        .await
        .unwrap();
    // Used once: a second acceptance is refused and changes nothing.
    let err = ann
        .accept_invitation(&token, "hijack password")
        .await
        .unwrap_err();
    assert_eq!(
        refused(&err),
        &Refusal::Invitation(InvitationError::AlreadyUsed)
    );
    let ann_in = ann
        .sign_in("ann@acme.test", "ann's password")
        .await
        .unwrap();
    assert_eq!(
        ann_in.signed_in.account.memberships[0].admin_tier,
        AdminTier::Liaison
    );
    assert!(ann
        .sign_in("ann@acme.test", "hijack password")
        .await
        .is_err());
    // Unknown tokens and expired ones get their own messages.
    let err = ann
        .run(coffer_api::Invitation {
            token: "nope".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        refused(&err),
        &Refusal::Invitation(InvitationError::Unknown)
    );
    admin
        .create_organisation("Bravo", "bob@bravo.test")
        .await
        .unwrap();
    let bob_token = server.invitation_tokens("bob@bravo.test").remove(0);
    sqlx::query("UPDATE invitations SET expires_at = 1 WHERE used_at IS NULL")
        .execute(&server.db().await)
        .await
        .unwrap();
    let bob = server.browser();
    let err = bob
        .accept_invitation(&bob_token, "bob's password")
        .await
        .unwrap_err();
    assert_eq!(
        refused(&err),
        &Refusal::Invitation(InvitationError::Expired)
    );
    assert_eq!(count(&server, "SELECT COUNT(*) FROM accounts WHERE email = 'bob@bravo.test' AND opaque_record IS NULL").await, 1);
}

async fn wrong_password_and_unknown_account_look_alike(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let _ann = member(&server, &admin, "Acme", "ann@acme.test", "ann's password").await;
    let b = server.browser();
    // Both fail in the client's OPAQUE step, before anything else is sent.
    assert!(matches!(
        b.sign_in("ann@acme.test", "wrong password").await,
        Err(None)
    ));
    assert!(matches!(
        b.sign_in("nobody@acme.test", "wrong password").await,
        Err(None)
    ));
    // The server's first answers have the same shape for both.
    let (_, req) = crypto::client_login_start("whatever").unwrap();
    let known: LoginChallenge = b
        .run(coffer_api::SignInStart {
            identifier: "ann@acme.test".into(),
            credential_request: Bytes(req.clone()),
        })
        .await
        .unwrap();
    let unknown: LoginChallenge = b
        .run(coffer_api::SignInStart {
            identifier: "nobody@acme.test".into(),
            credential_request: Bytes(req),
        })
        .await
        .unwrap();
    assert_eq!(
        known.credential_response.0.len(),
        unknown.credential_response.0.len()
    );
    // A client that skips the proof is refused by the server with the same words.
    let err = b
        .run(coffer_api::SignInFinish {
            login_id: known.login_id.to_string(),
            finalization: Bytes(vec![1; 64]),
        })
        .await
        .unwrap_err();
    assert_eq!(refused(&err), &Refusal::SignIn(SignInError::Failed));
    let err = b
        .run(coffer_api::SignInFinish {
            login_id: unknown.login_id.to_string(),
            finalization: Bytes(vec![1; 64]),
        })
        .await
        .unwrap_err();
    assert_eq!(refused(&err), &Refusal::SignIn(SignInError::Failed));
    // A login attempt is single-use.
    let err = b
        .run(coffer_api::SignInFinish {
            login_id: known.login_id.to_string(),
            finalization: Bytes(vec![1; 64]),
        })
        .await
        .unwrap_err();
    assert_eq!(refused(&err), &Refusal::SignIn(SignInError::AttemptExpired));
    assert!(
        count(
            &server,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'session.sign_in_failed'"
        )
        .await
            >= 1
    );
}

async fn sessions_list_and_terminate(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let phone = server.browser();
    phone.sign_in(ADMIN, ADMIN_PASSWORD).await.unwrap();
    let sessions: Vec<SessionView> = admin.run(coffer_api::Sessions {}).await.unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions.iter().filter(|s| s.current).count(), 1);
    assert_eq!(sessions[0].ip, "127.0.0.1");
    let n: u64 = phone
        .run(coffer_api::TerminateAllSessions {
            remove_passkeys: None,
        })
        .await
        .unwrap();
    assert_eq!(n, 2);
    // Every session is refused at once, the current one included.
    for b in [&admin, &phone] {
        let err = b.run(coffer_api::Me {}).await.unwrap_err();
        assert_eq!(refused(&err), &Refusal::Auth(AuthError::NotSignedIn));
        let err = b.run(coffer_api::Sessions {}).await.unwrap_err();
        assert_eq!(refused(&err), &Refusal::Auth(AuthError::NotSignedIn));
    }
    // Signing out ends only that session.
    admin.sign_in(ADMIN, ADMIN_PASSWORD).await.unwrap();
    phone.sign_in(ADMIN, ADMIN_PASSWORD).await.unwrap();
    phone.run(coffer_api::SignOut {}).await.unwrap();
    assert!(phone.run(coffer_api::Me {}).await.is_err());
    assert!(admin.run(coffer_api::Me {}).await.is_ok());
    assert!(
        count(
            &server,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'session.all_terminated'"
        )
        .await
            == 1
    );
    assert!(
        count(
            &server,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'session.signed_out'"
        )
        .await
            == 1
    );
}

async fn members_cannot_administer_the_instance(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let ann = member(&server, &admin, "Acme", "ann@acme.test", "ann's password").await;
    let anonymous = server.browser();
    for (who, expected) in [
        (&ann, AuthError::Forbidden),
        (&anonymous, AuthError::NotSignedIn),
    ] {
        let err = who
            .create_organisation("Evil", "eve@evil.test")
            .await
            .unwrap_err();
        assert_eq!(refused(&err), &Refusal::Auth(expected.clone()));
        let err = who.run(coffer_api::Organisations {}).await.unwrap_err();
        assert_eq!(refused(&err), &Refusal::Auth(expected.clone()));
        let err = who.run(coffer_api::Outbox {}).await.unwrap_err();
        assert_eq!(refused(&err), &Refusal::Auth(expected.clone()));
        let err = who
            .run(coffer_api::ReadOutboxMail { id: "1-x".into() })
            .await
            .unwrap_err();
        assert_eq!(refused(&err), &Refusal::Auth(expected.clone()));
    }
    for endpoint in ["me", "sessions", "terminate_all_sessions"] {
        let res = anonymous.raw(endpoint, json!({})).await;
        assert_eq!(res.status(), 401, "{endpoint}");
    }
    assert_eq!(
        count(&server, "SELECT COUNT(*) FROM organisations").await,
        1
    );
}

async fn password_change_keeps_keys(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let ann = member(&server, &admin, "Acme", "ann@acme.test", "first password").await;
    let before: SignedIn = ann.run(coffer_api::Me {}).await.unwrap();
    let other_device = server.browser();
    other_device
        .sign_in("ann@acme.test", "first password")
        .await
        .unwrap();

    let err = ann
        .change_password("not my password", "second password")
        .await
        .unwrap_err();
    assert_eq!(
        refused(&err),
        &Refusal::SignIn(SignInError::WrongCurrentPassword)
    );
    ann.change_password("first password", "second password")
        .await
        .unwrap();

    assert!(matches!(
        server
            .browser()
            .sign_in("ann@acme.test", "first password")
            .await,
        Err(None)
    ));
    let again = server
        .browser()
        .sign_in("ann@acme.test", "second password")
        .await
        .unwrap();
    assert_eq!(
        again.signed_in.account.public_key,
        before.account.public_key
    );
    assert_eq!(
        crypto::fingerprint(&again.keys().public_key()),
        crypto::fingerprint(&before.account.public_key)
    );
    // The session that changed it stays; the others end.
    assert!(ann.run(coffer_api::Me {}).await.is_ok());
    assert!(other_device.run(coffer_api::Me {}).await.is_err());
    assert_eq!(
        count(
            &server,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'account.password_changed'"
        )
        .await,
        1
    );
}

async fn bad_input_changes_nothing(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let cases = [
        (
            json!({ "name": "", "licence_seats": 5, "expiry_date": "2099-01-01", "administrator_email": "a@b.test" }),
            InputError::InvalidOrganisationName,
        ),
        (
            json!({ "name": "X", "licence_seats": 0, "expiry_date": "2099-01-01", "administrator_email": "a@b.test" }),
            InputError::InvalidLicenceSeats,
        ),
        (
            json!({ "name": "X", "licence_seats": 5, "expiry_date": "31/12/2099", "administrator_email": "a@b.test" }),
            InputError::InvalidExpiryDate,
        ),
        (
            json!({ "name": "X", "licence_seats": 5, "expiry_date": "2001-01-01", "administrator_email": "a@b.test" }),
            InputError::ExpiryInPast,
        ),
        (
            json!({ "name": "X", "licence_seats": 5, "expiry_date": "2099-01-01", "administrator_email": "a@@b" }),
            InputError::InvalidEmail,
        ),
    ];
    for (organisation, expected) in cases {
        let err = admin
            // Raw JSON: the typed struct could not carry some of these.
            .call::<OrganisationView>(
                "create_organisation",
                json!({ "organisation": organisation }),
            )
            .await
            .unwrap_err();
        assert_eq!(refused(&err), &Refusal::Input(expected));
    }
    admin
        .create_organisation("Acme", "ann@acme.test")
        .await
        .unwrap();
    let err = admin
        .create_organisation("ACME", "zed@acme.test")
        .await
        .unwrap_err();
    assert_eq!(
        refused(&err),
        &Refusal::Input(InputError::OrganisationNameTaken)
    );
    assert_eq!(
        count(&server, "SELECT COUNT(*) FROM organisations").await,
        1
    );
    assert_eq!(count(&server, "SELECT COUNT(*) FROM accounts").await, 2);
    assert_eq!(count(&server, "SELECT COUNT(*) FROM invitations").await, 1);

    // Malformed payloads: a clear request error, status 400, nothing created.
    let res = admin
        .raw(
            "create_organisation",
            json!({ "organisation": { "name": 5 } }),
        )
        .await;
    assert_eq!(res.status(), 400);
    let err: ApiError = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    assert!(matches!(err, ApiError::Request { .. }), "{err:?}");
    let res = admin
        .http
        .post(format!("{}/api/setup_start", server.url()))
        .header("Origin", server.url())
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let err = admin
        .call::<Bytes>(
            "sign_in_start",
            json!({ "identifier": ADMIN, "credential_request": "AAAA" }),
        )
        .await
        .unwrap_err();
    assert_eq!(
        refused(&err),
        &Refusal::Input(InputError::InvalidProtocolMessage)
    );
    let err = admin
        .call::<Bytes>(
            "sign_in_start",
            json!({ "identifier": "  ", "credential_request": "AAAA" }),
        )
        .await
        .unwrap_err();
    assert_eq!(
        refused(&err),
        &Refusal::Input(InputError::MissingIdentifier)
    );
    // Invitation finish with junk keys is refused and leaves the invitation usable.
    let token = server.invitation_tokens("ann@acme.test").remove(0);
    let (state, request) = crypto::client_registration_start("ann's password").unwrap();
    let b = server.browser();
    let response: Bytes = b
        .run(coffer_api::AcceptInvitationStart {
            token: token.to_string(),
            registration_request: Bytes(request),
        })
        .await
        .unwrap();
    let (upload, _) =
        crypto::client_registration_finish(state, "ann's password", &response.0).unwrap();
    let err = b
        .call::<()>(
            "accept_invitation_finish",
            json!({ "token": token, "registration_upload": Bytes(upload), "keys": { "public_key": "age1nope", "wrapped_private_key": "AAAA" } }),
        )
        .await
        .unwrap_err();
    assert_eq!(
        refused(&err),
        &Refusal::Input(InputError::InvalidKeyMaterial)
    );
    b.accept_invitation(&token, "ann's password").await.unwrap();
    // Oversized bodies are cut off before any work.
    let big = "x".repeat(coffer_server::web::API_BODY_LIMIT + 10);
    let res = admin
        .raw(
            "sign_in_start",
            json!({ "identifier": big, "credential_request": "" }),
        )
        .await;
    assert_eq!(res.status(), 413);
    assert_eq!(
        refusal_words(res).await,
        InputError::RequestTooLarge.to_string()
    );
}

async fn cross_origin_requests_are_refused(backend: Backend) {
    let (server, admin) = instance(backend).await;
    for origin in [Some("http://evil.test"), None] {
        let mut req = admin.http.post(format!("{}/api/create_organisation", server.url())).json(&json!({
            "organisation": { "name": "Evil", "licence_seats": 1, "expiry_date": "2099-01-01", "administrator_email": "e@evil.test" }
        }));
        if let Some(o) = origin {
            req = req.header("Origin", o);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 403);
        let err: ApiError = serde_json::from_str(&res.text().await.unwrap()).unwrap();
        assert_eq!(refused(&err), &Refusal::Auth(AuthError::CrossOrigin));
    }
    assert_eq!(
        count(&server, "SELECT COUNT(*) FROM organisations").await,
        0
    );
    // Security headers on every answer.
    let res = admin
        .http
        .get(format!("{}/health", server.url()))
        .send()
        .await
        .unwrap();
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{csp}"
    );
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
}

async fn session_cookie_is_locked_down(backend: Backend) {
    let (server, _admin) = instance(backend).await;
    let b = server.browser();
    let (state, request) = crypto::client_login_start(ADMIN_PASSWORD).unwrap();
    let challenge: LoginChallenge = b
        .run(coffer_api::SignInStart {
            identifier: ADMIN.to_string(),
            credential_request: Bytes(request),
        })
        .await
        .unwrap();
    let (fin, _) =
        crypto::client_login_finish(state, ADMIN_PASSWORD, &challenge.credential_response.0)
            .unwrap();
    let res = b
        .raw(
            "sign_in_finish",
            json!({ "login_id": challenge.login_id, "finalization": Bytes(fin) }),
        )
        .await;
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("coffer_session="), "{cookie}");
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attr), "{cookie} lacks {attr}");
    }
    // Only the token's hash is stored.
    let token = cookie
        .trim_start_matches("coffer_session=")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM sessions")
        .fetch_all(&server.db().await)
        .await
        .unwrap();
    assert!(!stored.is_empty());
    assert!(stored.iter().all(|h| h != &token && h.len() == 64));
}

/// ASVS level 2 sessions: the cookie is `__Host-` and Secure over https and
/// lasts no longer than a session may; a session ends after its idle time
/// or its maximum age, and at once when the account is locked out (not for
/// guessing, which would let anyone end it) or loses the Login permission.
async fn sessions_end_with_time_lock_and_permission(backend: Backend) {
    use coffer_shared::settings::{FeatureMode, OrgSettings, Permission};
    // Over https: the cookie's name and attributes.
    let secure = TestServer::start_with(backend, |c| {
        c.public_url = Some("https://localhost:1".into());
    })
    .await;
    let code = secure.running.coffer.setup_code().unwrap().to_string();
    let mut b = secure.browser();
    // The public URL names https; the test speaks plain HTTP to the port.
    b.base = format!("http://{}", secure.running.addr);
    let origin = |req: reqwest::RequestBuilder| req.header("Origin", "https://localhost:1");
    let (state, request) = crypto::client_registration_start(ADMIN_PASSWORD).unwrap();
    let res = origin(b.http.post(format!("{}/api/setup_start", b.base)))
        .json(
            &json!({ "email": ADMIN, "setup_code": code, "registration_request": Bytes(request) }),
        )
        .send()
        .await
        .unwrap();
    let response: Bytes = res.json().await.unwrap();
    let (upload, export) =
        crypto::client_registration_finish(state, ADMIN_PASSWORD, &response.0).unwrap();
    let keys = coffer_crypto::MemberKeys::generate();
    let envelope = KeyEnvelope {
        public_key: keys.public_key(),
        wrapped_private_key: Bytes(keys.wrap(&export)),
    };
    let res = origin(b.http.post(format!("{}/api/setup_finish", b.base)))
        .json(&json!({ "email": ADMIN, "setup_code": code, "registration_upload": Bytes(upload), "keys": envelope }))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let (state, request) = crypto::client_login_start(ADMIN_PASSWORD).unwrap();
    let challenge: LoginChallenge = origin(b.http.post(format!("{}/api/sign_in_start", b.base)))
        .json(&json!({ "identifier": ADMIN, "credential_request": Bytes(request) }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (fin, _) =
        crypto::client_login_finish(state, ADMIN_PASSWORD, &challenge.credential_response.0)
            .unwrap();
    let res = origin(b.http.post(format!("{}/api/sign_in_finish", b.base)))
        .json(&json!({ "login_id": challenge.login_id, "finalization": Bytes(fin) }))
        .send()
        .await
        .unwrap();
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("__Host-coffer_session="), "{cookie}");
    for attr in [
        "Secure",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/",
        "Max-Age=43200",
    ] {
        assert!(cookie.contains(attr), "{cookie} lacks {attr}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");

    // Idle time and maximum age, both from the configuration.
    let (server, admin) = instance_with(backend, |c| {
        c.session_idle_minutes = 30;
        c.session_max_hours = 12;
    })
    .await;
    let ann = member(&server, &admin, "Acme", "ann@acme.test", "ann's password").await;
    let org = organisation_id(&ann).await;
    let me = |b: &Browser| {
        let b = b.http.clone();
        let base = server.url().to_string();
        async move {
            b.post(format!("{base}/api/me"))
                .header("Origin", &base)
                .json(&json!({}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(me(&ann).await, 200);
    let db = server.db().await;
    let now = coffer_core::kernel::db::now_ms();
    sqlx::query("UPDATE sessions SET created_at = $1, last_seen_at = $1")
        .bind(now - 13 * 3_600_000)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(me(&ann).await, 401, "past the maximum age");
    assert_eq!(me(&admin).await, 401);
    ann.sign_in("ann@acme.test", "ann's password")
        .await
        .unwrap();
    sqlx::query("UPDATE sessions SET expires_at = $1")
        .bind(now - 1)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(me(&ann).await, 401, "idle too long");

    // A lock for guessing leaves the owner's session alone; a lock for
    // inactivity ends it at the next request.
    ann.sign_in("ann@acme.test", "ann's password")
        .await
        .unwrap();
    sqlx::query(
        "UPDATE accounts SET locked_at = 1, lock_reason = 'guessing' WHERE email = 'ann@acme.test'",
    )
    .execute(&db)
    .await
    .unwrap();
    assert_eq!(me(&ann).await, 200);
    sqlx::query("UPDATE accounts SET lock_reason = 'inactivity' WHERE email = 'ann@acme.test'")
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(me(&ann).await, 401);
    sqlx::query("UPDATE accounts SET locked_at = NULL, lock_reason = NULL")
        .execute(&db)
        .await
        .unwrap();

    // Withdrawing the Login permission ends the session at the next request.
    admin.sign_in(ADMIN, ADMIN_PASSWORD).await.unwrap();
    ann.sign_in("ann@acme.test", "ann's password")
        .await
        .unwrap();
    let mut settings: OrgSettings = admin
        .run(coffer_api::OrganisationSettings {
            organisation_id: org.to_string().into(),
        })
        .await
        .unwrap();
    for p in settings.permissions.iter_mut() {
        if p.permission == Permission::Login {
            p.mode = FeatureMode::Nobody;
        }
    }
    let _: OrgSettings = admin
        .run(coffer_api::UpdateOrganisationSettings {
            organisation_id: org.to_string().into(),
            settings: settings.clone(),
        })
        .await
        .unwrap();
    assert_eq!(me(&ann).await, 401, "no Login permission any more");
}

on_both!(
    setup_only_once,
    sessions_end_with_time_lock_and_permission,
    organisation_invitation_is_single_use_and_expires,
    wrong_password_and_unknown_account_look_alike,
    sessions_list_and_terminate,
    members_cannot_administer_the_instance,
    password_change_keeps_keys,
    bad_input_changes_nothing,
    cross_origin_requests_are_refused,
    session_cookie_is_locked_down,
);

/// The pages before sign-in come from the front door (`dist/front/`), the
/// rest from the full app; built files go out compressed when the browser
/// accepts it, and content-hashed ones are kept for a year.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_front_door_serves_the_pages_before_sign_in() {
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(site.path().join("front")).unwrap();
    std::fs::write(site.path().join("index.html"), "full app").unwrap();
    std::fs::write(site.path().join("front/index.html"), "front door").unwrap();
    std::fs::write(site.path().join("front/index.html.br"), b"br front door").unwrap();
    std::fs::write(
        site.path().join("coffer-app-0123456789abcdef_bg.wasm"),
        b"wasm",
    )
    .unwrap();
    std::fs::write(
        site.path().join("coffer-app-0123456789abcdef_bg.wasm.br"),
        b"br",
    )
    .unwrap();
    let dir = site.path().to_path_buf();
    let server = TestServer::start_with(Backend::Sqlite, move |c| c.site_dir = dir).await;
    let http = reqwest::Client::new();
    let get = |path: &'static str, encoding: Option<&'static str>| {
        let (http, base) = (http.clone(), server.url().to_string());
        async move {
            let mut req = http.get(format!("{base}{path}"));
            if let Some(e) = encoding {
                req = req.header("accept-encoding", e);
            }
            let res = req.send().await.unwrap();
            let header = |name: &str| {
                res.headers()
                    .get(name)
                    .map(|v| v.to_str().unwrap().to_string())
                    .unwrap_or_default()
            };
            let (encoding, cache) = (header("content-encoding"), header("cache-control"));
            (res.text().await.unwrap(), encoding, cache)
        }
    };
    for path in [
        "/",
        "/sign-in",
        "/setup",
        "/invite",
        "/reset",
        "/unlock",
        "/two-step-setup",
    ] {
        assert_eq!(get(path, None).await.0, "front door", "{path}");
    }
    for path in [
        "/account",
        "/users",
        "/organisations",
        "/outbox/x",
        "/no-such-page",
    ] {
        assert_eq!(get(path, None).await.0, "full app", "{path}");
    }
    let (body, encoding, cache) = get("/sign-in", Some("br")).await;
    assert_eq!((body.as_str(), encoding.as_str()), ("br front door", "br"));
    assert_eq!(cache, "no-store");
    let (body, encoding, cache) =
        get("/coffer-app-0123456789abcdef_bg.wasm", Some("gzip, br")).await;
    assert_eq!((body.as_str(), encoding.as_str()), ("br", "br"));
    assert_eq!(cache, "public, max-age=31536000, immutable");
    let (body, encoding, _) = get("/coffer-app-0123456789abcdef_bg.wasm", None).await;
    assert_eq!((body.as_str(), encoding.as_str()), ("wasm", ""));

    // Without a front door build, the full app serves every page.
    std::fs::remove_dir_all(site.path().join("front")).unwrap();
    let dir = site.path().to_path_buf();
    let server = TestServer::start_with(Backend::Sqlite, move |c| c.site_dir = dir).await;
    let res = reqwest::get(format!("{}/sign-in", server.url()))
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "full app");
}
