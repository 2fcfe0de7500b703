//! ORG-5 removal and re-adding, ORG-11 history, ORG-12 configuration,
//! ORG-8 plans and ORG-10 logo — through the real server functions and
//! routes, on both engines.

use crate::common::*;
use coffer_shared::accounts::SignInError;
use coffer_shared::accounts::*;
use coffer_shared::errors::Refusal;
use coffer_shared::ids::Assignment;
use coffer_shared::members::MemberError;
use coffer_shared::members::*;
use coffer_shared::organisations::*;
use coffer_shared::organisations::{LogoError, PlanError, SettingsError};
use coffer_shared::settings::{FeatureMode, OrgSettings, Permission};
use coffer_shared::types::*;
use futures::StreamExt as _;
use serde_json::json;
use sqlx::Row;

const PW: &str = "a long enough password";

async fn remove(b: &Browser, org: &str, account_id: &str, to: Option<&str>) -> Result<(), Refusal> {
    b.run(coffer_api::RemoveMember {
        organisation_id: org.to_string().into(),
        account_id: account_id.to_string().into(),
        removal: MemberRemoval {
            transfer_to: to.map(Into::into),
        },
    })
    .await
    .map_err(refusal)
}

async fn history(b: &Browser, org: &str, account_id: &str) -> Vec<HistoryEntry> {
    b.run(coffer_api::MemberHistory {
        organisation_id: org.to_string().into(),
        account_id: account_id.to_string().into(),
    })
    .await
    .unwrap()
}

async fn removal_and_re_adding(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let lia = member(&server, &admin, "Acme", "lia@acme.test", PW).await;
    let org = organisation_id(&lia).await;
    let lia_id = organisation_self(&lia).await;
    let ann = add_member(&lia, &org, "ann@acme.test", Role::Originator, false).await;
    let carl = add_member(&lia, &org, "carl@acme.test", Role::Collaborator, false).await;
    let (dora, dora_browser) = active_member(
        &server,
        &lia,
        &org,
        "dora@acme.test",
        PW,
        Role::Originator,
        true,
    )
    .await;

    // Nobody removes themself; the target must be an Originator of the org.
    assert_eq!(
        remove(&lia, &org, &lia_id, None).await,
        Err(Refusal::Member(MemberError::RemoveSelf))
    );
    assert_eq!(
        remove(&lia, &org, &ann.account_id, Some(&carl.account_id)).await,
        Err(Refusal::Member(MemberError::TransferTargetNotOriginator))
    );
    assert_eq!(
        remove(&lia, &org, &ann.account_id, Some(&ann.account_id)).await,
        Err(Refusal::Member(MemberError::TransferTargetNotOriginator))
    );
    // An Admin does not remove a fellow administrator; only a Liaison does.
    assert_eq!(
        remove(&dora_browser, &org, &lia_id, None).await,
        Err(Refusal::Member(MemberError::OnlyLiaisonManagesAdmins))
    );
    assert!(member_row(&lia, &org, "ann@acme.test").await.is_some());

    // Dora (an Admin) removes Ann, transferring to Lia.
    remove(&dora_browser, &org, &ann.account_id, Some(&lia_id))
        .await
        .unwrap();
    assert!(member_row(&lia, &org, "ann@acme.test").await.is_none());
    let pool = server.db().await;
    let rec = sqlx::query(
        "SELECT disposition, transfer_to, folder_name, removed_by FROM member_removals WHERE account_id = $1",
    )
    .bind(&*ann.account_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    let today = time::OffsetDateTime::now_utc().date().to_string();
    assert_eq!(rec.get::<String, _>(1), lia_id);
    assert_eq!(rec.get::<String, _>(2), format!("ann@acme.test {today}"));
    assert_eq!(rec.get::<String, _>(3), dora.account_id);
    // Ann's invitation died with her membership.
    let token = server.invitation_tokens("ann@acme.test").remove(0);
    assert!(server
        .browser()
        .accept_invitation(&token, PW)
        .await
        .is_err());
    // Carl's items are deleted for good.
    remove(&lia, &org, &carl.account_id, None).await.unwrap();
    let rec =
        sqlx::query("SELECT disposition, transfer_to FROM member_removals WHERE account_id = $1")
            .bind(&*carl.account_id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(rec.get::<Option<String>, _>(1), None);
    assert_ne!(rec.get::<String, _>(0), "transfer");
    assert_eq!(
        remove(&lia, &org, &carl.account_id, None).await,
        Err(Refusal::Member(MemberError::NotAMember))
    );

    // Re-adding Dora's account keeps its id and history; an active account
    // gets "account updated", not a new invitation.
    remove(&lia, &org, &dora.account_id, None).await.unwrap();
    let gone = dora_browser
        .run(coffer_api::ListMembers {
            organisation_id: org.to_string().into(),
            query: MemberQuery {
                page_size: 10,
                ..MemberQuery::default()
            },
        })
        .await
        .unwrap_err();
    assert!(matches!(refusal(gone), Refusal::Auth(_)));
    let again = add_member(&lia, &org, "dora@acme.test", Role::Collaborator, false).await;
    assert_eq!(again.account_id, dora.account_id);
    assert!(again.active);
    assert!(subjects_to(&server, "dora@acme.test")
        .last()
        .unwrap()
        .starts_with("Your Coffer account was updated"));
    let h = history(&lia, &org, &dora.account_id).await;
    let actions: Vec<&str> = h.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"member.removed"), "{actions:?}");
    assert!(
        h.windows(2).all(|w| w[0].at_ms >= w[1].at_ms),
        "newest first"
    );
    assert_eq!(h[0].action, "member.added");

    // The instance administrator's changes show as "An administrator".
    admin
        .run(coffer_api::UnlockMember {
            organisation_id: org.to_string().into(),
            account_id: dora.account_id.clone(),
        })
        .await
        .unwrap_err();
    admin
        .run(coffer_api::ResetMemberPassword {
            organisation_id: org.to_string().into(),
            account_id: dora.account_id.clone(),
        })
        .await
        .unwrap();
    let h = history(&lia, &org, &dora.account_id).await;
    assert_eq!(h[0].action, "account.password_reset_sent");
    assert_eq!(h[0].actor, "An administrator");
    assert!(h.iter().any(|e| e.actor == "lia@acme.test"));
}

async fn settings(b: &Browser, org: &str) -> OrgSettings {
    b.run(coffer_api::OrganisationSettings {
        organisation_id: org.to_string().into(),
    })
    .await
    .unwrap()
}

async fn save_settings(b: &Browser, org: &str, s: &OrgSettings) -> Result<OrgSettings, Refusal> {
    b.run(coffer_api::UpdateOrganisationSettings {
        organisation_id: org.to_string().into(),
        settings: s.clone(),
    })
    .await
    .map_err(refusal)
}

async fn configuration_is_validated_and_applies(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let lia = member(&server, &admin, "Acme", "lia@acme.test", PW).await;
    let org = organisation_id(&lia).await;
    let before = settings(&lia, &org).await;
    assert_eq!(before.permissions.len(), Permission::ALL.len());

    for (field, bad, expected) in [
        ("expiry", 0, SettingsError::InvalidInvitationExpiry),
        ("expiry", 721, SettingsError::InvalidInvitationExpiry),
        ("threshold", 0, SettingsError::InvalidLockoutThreshold),
        ("threshold", 101, SettingsError::InvalidLockoutThreshold),
        ("inactivity", 3651, SettingsError::InvalidInactivity),
    ] {
        let mut s = before.clone();
        s.enforce_mfa = !s.enforce_mfa; // a valid change riding along must not stick
        match field {
            "expiry" => s.invitation_expiry_hours = bad,
            "threshold" => s.lockout_threshold = bad,
            _ => s.inactivity_lock_days = bad,
        }
        assert_eq!(
            save_settings(&lia, &org, &s).await,
            Err(Refusal::Settings(expected))
        );
        assert_eq!(settings(&lia, &org).await, before, "nothing changed");
    }

    // New members get the defaults; "only selected" reads their own flag.
    let mut s = before.clone();
    s.lockout_threshold = 2;
    s.invitation_expiry_hours = 48;
    for p in s.permissions.iter_mut() {
        if p.permission == Permission::Briefcase {
            p.default_on = true;
        }
    }
    let saved = save_settings(&lia, &org, &s).await.unwrap();
    assert_eq!(saved.lockout_threshold, 2);
    let (bob, bob_browser) = active_member(
        &server,
        &lia,
        &org,
        "bob@acme.test",
        PW,
        Role::Originator,
        false,
    )
    .await;
    let detail: MemberDetail = lia
        .run(coffer_api::GetMemberDetail {
            organisation_id: org.to_string().into(),
            account_id: bob.account_id.clone(),
        })
        .await
        .unwrap();
    let briefcase = detail
        .permissions
        .iter()
        .find(|p| p.permission == Permission::Briefcase)
        .unwrap();
    assert_eq!(
        (briefcase.mode, briefcase.selected),
        (FeatureMode::OnlySelected, true)
    );
    drop(bob_browser);

    // The threshold applies: two wrong passwords lock.
    let guesser = server.browser();
    for _ in 0..2 {
        assert!(guesser
            .sign_in("bob@acme.test", "wrong password")
            .await
            .is_err());
    }
    assert!(
        member_row(&lia, &org, "bob@acme.test")
            .await
            .unwrap()
            .locked
    );
    lia.run(coffer_api::UnlockMember {
        organisation_id: org.to_string().into(),
        account_id: bob.account_id.clone(),
    })
    .await
    .unwrap();

    // Login mode "Nobody" refuses sign-in with a reason, after the password.
    let mut s = saved.clone();
    for p in s.permissions.iter_mut() {
        if p.permission == Permission::Login {
            p.mode = FeatureMode::Nobody;
        }
    }
    save_settings(&lia, &org, &s).await.unwrap();
    let refused = match server.browser().sign_in("bob@acme.test", PW).await {
        Ok(_) => panic!("signed in although Login is off"),
        Err(e) => e,
    };
    assert_eq!(
        refused.map(refusal),
        Some(Refusal::SignIn(SignInError::LoginNotPermitted))
    );

    // Plain members neither read nor change the configuration.
    for b in [&server.browser()] {
        let e = b
            .run(coffer_api::OrganisationSettings {
                organisation_id: org.to_string().into(),
            })
            .await
            .unwrap_err();
        assert!(matches!(refusal(e), Refusal::Auth(_)));
    }
}

async fn save_plan(
    b: &Browser,
    org: &str,
    id: Option<&str>,
    name: &str,
    gb: i64,
) -> Result<Vec<PlanView>, Refusal> {
    b.run(coffer_api::SavePlan {
        organisation_id: org.to_string().into(),
        plan_id: id.map(Into::into),
        name: name.to_string(),
        quota_gb: gb,
    })
    .await
    .map_err(refusal)
}

async fn plan_call(
    b: &Browser,
    endpoint: &str,
    org: &str,
    id: &str,
) -> Result<Vec<PlanView>, Refusal> {
    b.call(endpoint, json!({ "organisation_id": org, "plan_id": id }))
        .await
        .map_err(refusal)
}

async fn plans_have_one_default_and_protect_what_is_used(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let lia = member(&server, &admin, "Acme", "lia@acme.test", PW).await;
    let org = organisation_id(&lia).await;
    for (name, gb, e) in [
        ("", 10, PlanError::InvalidName),
        ("Standard", 0, PlanError::InvalidQuota),
        ("Standard", 1_000_001, PlanError::InvalidQuota),
    ] {
        assert_eq!(
            save_plan(&lia, &org, None, name, gb).await,
            Err(Refusal::Plan(e))
        );
    }
    let plans = save_plan(&lia, &org, None, "Standard", 50).await.unwrap();
    assert_eq!(plans.len(), 1);
    assert!(plans[0].is_default, "the first plan is the default");
    assert_eq!(plans[0].quota_bytes, 50_000_000_000);
    assert_eq!(
        save_plan(&lia, &org, None, "Standard", 60).await,
        Err(Refusal::Plan(PlanError::NameTaken))
    );
    let plans = save_plan(&lia, &org, None, "Large", 500).await.unwrap();
    let standard = plans
        .iter()
        .find(|p| p.name == "Standard")
        .unwrap()
        .id
        .clone();
    let large = plans.iter().find(|p| p.name == "Large").unwrap().id.clone();
    assert_eq!(
        plan_call(&lia, "remove_plan", &org, &standard).await,
        Err(Refusal::Plan(PlanError::IsDefault))
    );

    // New Originators get the default plan; Collaborators none.
    let ann = add_member(&lia, &org, "ann@acme.test", Role::Originator, false).await;
    assert_eq!(ann.plan, "Standard");
    let carl = add_member(&lia, &org, "carl@acme.test", Role::Collaborator, false).await;
    assert_eq!(carl.plan, "");
    let plans = plan_call(&lia, "set_default_plan", &org, &large)
        .await
        .unwrap();
    assert!(plans.iter().find(|p| p.id == large).unwrap().is_default);
    assert!(!plans.iter().find(|p| p.id == standard).unwrap().is_default);
    assert_eq!(
        plan_call(&lia, "remove_plan", &org, &standard).await,
        Err(Refusal::Plan(PlanError::InUse))
    );
    // Editing keeps the id; moving Ann off Standard frees it for removal.
    let plans = save_plan(&lia, &org, Some(&standard), "Basic", 20)
        .await
        .unwrap();
    assert!(plans
        .iter()
        .any(|p| p.id == standard && p.name == "Basic" && p.members == 1));
    lia.run(coffer_api::UpdateMember {
        organisation_id: org.to_string().into(),
        account_id: ann.account_id.clone(),
        change: MemberChange {
            plan_id: Some(Assignment::To(large.to_string().into())),
            ..MemberChange::default()
        },
    })
    .await
    .unwrap();
    let plans = plan_call(&lia, "remove_plan", &org, &standard)
        .await
        .unwrap();
    assert_eq!(plans.len(), 1);
    assert_eq!(
        plan_call(&lia, "remove_plan", &org, &standard).await,
        Err(Refusal::Plan(PlanError::Unknown))
    );
    // Another organisation's administrator cannot touch these plans.
    let other = member(&server, &admin, "Other", "oz@other.test", PW).await;
    let e = plan_call(&other, "set_default_plan", &org, &large)
        .await
        .unwrap_err();
    assert!(matches!(e, Refusal::Auth(_)));
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(width, height, image::Rgb([10, 120, 200]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn upload_logo(b: &Browser, org: &str, body: Vec<u8>) -> reqwest::Response {
    b.http
        .post(format!(
            "{}{}",
            b.base,
            coffer_shared::site::upload_logo(org)
        ))
        .header("Origin", &b.base)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn logo_is_checked_scaled_and_private(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let lia = member(&server, &admin, "Acme", "lia@acme.test", PW).await;
    let org = organisation_id(&lia).await;
    let show = |b: &Browser| b.http.get(format!("{}/logo/{org}", b.base)).send();
    assert_eq!(show(&lia).await.unwrap().status(), 404);

    // A disguised file and an oversized one are refused with the reason.
    let res = upload_logo(
        &lia,
        &org,
        b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec(),
    )
    .await;
    assert_eq!(res.status(), 400);
    assert_eq!(refusal_words(res).await, LogoError::NotAnImage.to_string());
    let mut big = png(10, 10);
    big.resize(2 * 1024 * 1024 + 10, 0);
    let res = upload_logo(&lia, &org, big).await;
    assert_eq!(refusal_words(res).await, LogoError::TooLarge.to_string());
    // Far past the limit, the body is cut off and refused as too large.
    let res = upload_logo(&lia, &org, vec![0; 5 * 1024 * 1024]).await;
    assert_eq!(res.status(), 413);
    assert_eq!(
        refusal_words(res).await,
        coffer_shared::errors::InputError::RequestTooLarge.to_string()
    );
    assert_eq!(show(&lia).await.unwrap().status(), 404, "nothing stored");

    let res = upload_logo(&lia, &org, png(1000, 200)).await;
    assert!(res.status().is_success());
    let info: LogoInfo = res.json().await.unwrap();
    assert_eq!((info.width, info.height), (288, 58));
    let served = show(&lia).await.unwrap();
    assert_eq!(served.headers()["content-type"], "image/png");
    let img = image::load_from_memory(&served.bytes().await.unwrap()).unwrap();
    assert_eq!((img.width(), img.height()), (288, 58));

    // Members see it; strangers and the anonymous do not; a member cannot change it.
    let (_, bob) = active_member(
        &server,
        &lia,
        &org,
        "bob@acme.test",
        PW,
        Role::Originator,
        false,
    )
    .await;
    assert_eq!(show(&bob).await.unwrap().status(), 200);
    assert_eq!(upload_logo(&bob, &org, png(50, 50)).await.status(), 403);
    let other = member(&server, &admin, "Other", "oz@other.test", PW).await;
    assert_eq!(show(&other).await.unwrap().status(), 403);
    assert_eq!(upload_logo(&other, &org, png(50, 50)).await.status(), 403);
    assert_eq!(show(&server.browser()).await.unwrap().status(), 401);
    // No Origin header: refused like any cross-site POST.
    let res = lia
        .http
        .post(format!("{}/upload/logo?org={org}", lia.base))
        .body(png(50, 50))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    lia.run(coffer_api::RemoveLogo {
        organisation_id: org.to_string().into(),
    })
    .await
    .unwrap();
    assert_eq!(show(&lia).await.unwrap().status(), 404);
}

async fn organisation_self(b: &Browser) -> String {
    let me: SignedIn = b.run(coffer_api::Me {}).await.unwrap();
    me.account.id.to_string()
}

/// The byte path's length rules: a body that stops arriving is refused
/// (408, the refusal's JSON, connection closed) after the idle time, and
/// one cut short is refused too; neither stores anything.
async fn an_unfinished_upload_is_refused_and_stores_nothing(backend: Backend) {
    let server = TestServer::start_with(backend, |c| c.request_body_idle_seconds = 1).await;
    let admin = server.browser();
    admin.setup(ADMIN, ADMIN_PASSWORD).await.unwrap();
    admin.sign_in(ADMIN, ADMIN_PASSWORD).await.unwrap();
    let lia = member(&server, &admin, "Acme", "lia@acme.test", PW).await;
    let org = organisation_id(&lia).await;
    let logo = png(100, 20);
    let half = logo[..logo.len() / 2].to_vec();
    let url = format!("{}{}", lia.base, coffer_shared::site::upload_logo(&org));

    // Half the declared bytes, then silence.
    let stalled = futures::stream::once(async move { Ok::<_, std::io::Error>(half) })
        .chain(futures::stream::pending());
    let started = std::time::Instant::now();
    let res = lia
        .http
        .post(&url)
        .header("Origin", &lia.base)
        .header("Content-Length", logo.len().to_string())
        .body(reqwest::Body::wrap_stream(stalled))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 408);
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(res.headers()["connection"], "close");
    assert_eq!(
        refusal_words(res).await,
        coffer_shared::errors::InputError::RequestIncomplete.to_string()
    );

    // Half the declared bytes, then the client gives up: the server sees
    // the body end early and keeps nothing.
    let half = logo[..logo.len() / 2].to_vec();
    let cut = futures::stream::iter([
        Ok::<_, std::io::Error>(half),
        Err(std::io::Error::other("the network went away")),
    ]);
    let sent = lia
        .http
        .post(&url)
        .header("Origin", &lia.base)
        .header("Content-Length", logo.len().to_string())
        .body(reqwest::Body::wrap_stream(cut))
        .send()
        .await;
    assert!(sent.is_err(), "the client's own send failed");
    let show = lia
        .http
        .get(format!("{}/logo/{org}", lia.base))
        .send()
        .await
        .unwrap();
    assert_eq!(show.status(), 404, "nothing stored");
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM organisation_logos")
            .await,
        0
    );
}

on_both!(
    an_unfinished_upload_is_refused_and_stores_nothing,
    removal_and_re_adding,
    configuration_is_validated_and_applies,
    plans_have_one_default_and_protect_what_is_used,
    logo_is_checked_scaled_and_private
);
