//! MFA-2 and MFA-3 through the real server functions, on SQLite and
//! PostgreSQL: enforcement mails set-up links, holds members to setting up
//! a second factor before anything else, excuses the exempt, and leaves
//! factors alone when switched off; an administrator's re-seed voids the
//! old authenticator and needs the mailed link to set up a new one.

use crate::common::*;
use coffer_shared::accounts::LinkError;
use coffer_shared::accounts::*;
use coffer_shared::errors::AuthError;
use coffer_shared::members::MemberError;
use coffer_shared::members::*;
use coffer_shared::mfa::MfaError;
use coffer_shared::mfa::*;
use coffer_shared::settings::{OrgSettings, Permission};
use coffer_shared::types::*;
use coffer_shared::Refusal;

const PW: &str = "member password for mfa";
const SETUP_SUBJECT: &str = "Set up two-step sign-in for Coffer";

/// Switches enforcement; the MFA exemption becomes grantable ("only
/// selected"; it is "nobody" at first).
async fn enforce(b: &Browser, org: &str, on: bool) {
    let mut s: OrgSettings = b
        .run(coffer_api::OrganisationSettings {
            organisation_id: org.to_string().into(),
        })
        .await
        .unwrap();
    s.enforce_mfa = on;
    for p in s.permissions.iter_mut() {
        if p.permission == Permission::MfaExemption {
            p.mode = coffer_shared::settings::FeatureMode::OnlySelected;
        }
    }
    let _: OrgSettings = b
        .run(coffer_api::UpdateOrganisationSettings {
            organisation_id: org.to_string().into(),
            settings: s.clone(),
        })
        .await
        .unwrap();
}

async fn turn_on(b: &Browser, token: Option<&str>) -> String {
    let setup: TotpSetup = b
        .run(coffer_api::TotpBegin {
            setup_token: token.map(str::to_string),
        })
        .await
        .unwrap();
    let _: Vec<String> = b
        .run(coffer_api::TotpConfirm {
            code: oathtool_code(&setup.secret, 0),
        })
        .await
        .unwrap();
    setup.secret
}

fn setup_mails(server: &TestServer, to: &str) -> usize {
    subjects_to(server, to)
        .iter()
        .filter(|s| *s == SETUP_SUBJECT)
        .count()
}

/// Signs in with the password; the session and whether it may only set up
/// a second factor.
async fn sign_in(server: &TestServer, email: &str) -> (Browser, bool) {
    let b = server.browser();
    let u = b.sign_in(email, PW).await.expect("password step");
    (b, u.signed_in.account.setup_second_factor)
}

async fn enforcement_holds_members_to_set_up(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let lia = member(&server, &admin, "Acme", "lia@acme.test", PW).await;
    let org = organisation_id(&lia).await;
    let mut people = Vec::new();
    for who in ["ann@acme.test", "bob@acme.test", "carl@acme.test"] {
        people.push(active_member(&server, &lia, &org, who, PW, Role::Collaborator, false).await);
    }
    // Bob is exempt; Carl already has an authenticator app.
    enforce(&lia, &org, false).await;
    let detail: MemberDetail = lia
        .run(coffer_api::GetMemberDetail {
            organisation_id: org.to_string().into(),
            account_id: people[1].0.account_id.clone(),
        })
        .await
        .unwrap();
    let mut flags: Vec<Permission> = detail
        .permissions
        .iter()
        .filter(|p| p.selected)
        .map(|p| p.permission)
        .collect();
    flags.push(Permission::MfaExemption);
    let _: MemberRow = lia
        .run(coffer_api::UpdateMember {
            organisation_id: org.to_string().into(),
            account_id: people[1].0.account_id.clone(),
            change: MemberChange {
                permissions: Some(flags),
                ..MemberChange::default()
            },
        })
        .await
        .unwrap();
    let carl_secret = turn_on(&people[2].1, None).await;

    enforce(&lia, &org, true).await;
    assert_eq!(setup_mails(&server, "ann@acme.test"), 1);
    assert_eq!(
        setup_mails(&server, "lia@acme.test"),
        1,
        "administrators too"
    );
    assert_eq!(setup_mails(&server, "bob@acme.test"), 0, "exempt");
    assert_eq!(setup_mails(&server, "carl@acme.test"), 0, "already set up");

    // Ann's next sign-in opens a session that can only set up the factor,
    // and hands over no key material: a stolen password alone must not
    // yield her private key.
    let ann = server.browser();
    let signed_in = ann.sign_in("ann@acme.test", PW).await.unwrap();
    assert!(signed_in.signed_in.account.setup_second_factor);
    assert!(signed_in.signed_in.keys.is_none(), "no keys at sign-in");
    let me: SignedIn = ann.run(coffer_api::Me {}).await.unwrap();
    assert!(me.keys.is_none(), "no keys from me");
    let err = ann.run(coffer_api::Sessions {}).await.unwrap_err();
    assert_eq!(
        refusal(err),
        Refusal::Auth(AuthError::SecondFactorSetupRequired)
    );
    let err = lia_only_call(&ann, &org).await;
    assert_eq!(err, Refusal::Auth(AuthError::SecondFactorSetupRequired));
    let me: SignedIn = ann.run(coffer_api::Me {}).await.unwrap();
    assert!(me.account.setup_second_factor);
    // Signing in again does not mail another link while one is live.
    sign_in(&server, "ann@acme.test").await;
    assert_eq!(setup_mails(&server, "ann@acme.test"), 1);
    // The password alone is not enough to bind an app: the link is needed.
    let err = ann
        .run(coffer_api::TotpBegin { setup_token: None })
        .await
        .unwrap_err();
    assert_eq!(refusal(err), Refusal::Link(LinkError::Unknown));
    let lias_token = server.link_tokens("lia@acme.test", "two-step-setup")[0].clone();
    let err = ann
        .run(coffer_api::TotpBegin {
            setup_token: Some(lias_token),
        })
        .await
        .unwrap_err();
    assert_eq!(
        refusal(err),
        Refusal::Link(LinkError::Unknown),
        "another's link"
    );
    let token = server.link_tokens("ann@acme.test", "two-step-setup")[0].clone();
    turn_on(&ann, Some(&token)).await;
    let _: Vec<SessionView> = ann
        .run(coffer_api::Sessions {})
        .await
        .expect("the session is whole once set up");
    let me: SignedIn = ann.run(coffer_api::Me {}).await.unwrap();
    assert!(me.keys.is_some(), "the keys come once the factor is set up");
    let err = ann
        .run(coffer_api::TotpBegin {
            setup_token: Some(token.clone()),
        })
        .await
        .unwrap_err();
    assert_eq!(refusal(err), Refusal::Mfa(MfaError::AlreadyOn));
    match server
        .browser()
        .sign_in_password("ann@acme.test", PW)
        .await
        .unwrap()
        .0
    {
        SignInStep::SecondFactor(_) => {}
        SignInStep::SignedIn(_) => panic!("ann's next sign-in asks for her code"),
    }
    // Bob is excused.
    let (_, waiting) = sign_in(&server, "bob@acme.test").await;
    assert!(!waiting);
    // Someone joining later is held at their first sign-in and mailed then.
    let (_, dora) = {
        add_member(&lia, &org, "dora@acme.test", Role::Collaborator, false).await;
        let t = server.invitation_tokens("dora@acme.test").remove(0);
        let b = server.browser();
        b.accept_invitation(&t, PW).await.unwrap();
        ((), b.sign_in("dora@acme.test", PW).await.unwrap())
    };
    assert!(dora.signed_in.account.setup_second_factor);
    assert_eq!(setup_mails(&server, "dora@acme.test"), 1);

    // Switching enforcement off leaves each member's own setting alone.
    enforce(&lia, &org, false).await;
    let (_, waiting) = sign_in(&server, "dora@acme.test").await;
    assert!(!waiting);
    let b = server.browser();
    let (step, export) = b.sign_in_password("carl@acme.test", PW).await.unwrap();
    let SignInStep::SecondFactor(p) = step else {
        panic!("carl keeps his authenticator app");
    };
    b.second_factor(&p.ticket, &oathtool_code(&carl_secret, 30), &export)
        .await
        .unwrap();
}

/// An administrative call only a full session may make.
async fn lia_only_call(b: &Browser, org: &str) -> Refusal {
    refusal(
        b.run(coffer_api::ListMembers {
            organisation_id: org.to_string().into(),
            query: MemberQuery {
                page_size: 10,
                ..MemberQuery::default()
            },
        })
        .await
        .unwrap_err(),
    )
}

async fn reseed_voids_the_app_and_needs_the_link(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let lia = member(&server, &admin, "Acme", "lia@acme.test", PW).await;
    let org = organisation_id(&lia).await;
    let (ann_row, ann) = active_member(
        &server,
        &lia,
        &org,
        "ann@acme.test",
        PW,
        Role::Collaborator,
        false,
    )
    .await;
    let (ada_row, ada) = active_member(
        &server,
        &lia,
        &org,
        "ada@acme.test",
        PW,
        Role::Collaborator,
        true,
    )
    .await;
    // Nothing to re-seed before Ann has an app.
    assert_eq!(
        reseed(&org, &lia, &ann_row.account_id)
            .await
            .map_err(refusal),
        Err(Refusal::Mfa(MfaError::NothingToReseed))
    );
    turn_on(&ann, None).await;
    turn_on(&lia, None).await;
    // Who may: not a plain member, not another organisation, not anonymous;
    // an Admin may not re-seed a Liaison.
    let (_, cleo) = active_member(
        &server,
        &lia,
        &org,
        "cleo@acme.test",
        PW,
        Role::Originator,
        false,
    )
    .await;
    assert_eq!(
        reseed(&org, &cleo, &ann_row.account_id)
            .await
            .map_err(refusal),
        Err(Refusal::Auth(AuthError::Forbidden))
    );
    let other = member(&server, &admin, "Other", "oz@other.test", PW).await;
    assert_eq!(
        reseed(&org, &other, &ann_row.account_id)
            .await
            .map_err(refusal),
        Err(Refusal::Auth(AuthError::Forbidden))
    );
    assert_eq!(
        reseed(&org, &server.browser(), &ann_row.account_id)
            .await
            .map_err(refusal),
        Err(Refusal::Auth(AuthError::NotSignedIn))
    );
    let lia_id = organisation_member_id(&lia).await;
    assert_eq!(
        reseed(&org, &ada, &lia_id).await.map_err(refusal),
        Err(Refusal::Member(MemberError::OnlyLiaisonManagesAdmins))
    );
    let _ = ada_row;

    // Ada (Admin) re-seeds Ann.
    reseed(&org, &ada, &ann_row.account_id).await.unwrap();
    assert_eq!(setup_mails(&server, "ann@acme.test"), 1);
    let (ann2, waiting) = sign_in(&server, "ann@acme.test").await;
    assert!(
        waiting,
        "no code asked: the old app is void, a new one is due"
    );
    let err = ann2
        .run(coffer_api::TotpBegin { setup_token: None })
        .await
        .unwrap_err();
    assert_eq!(refusal(err), Refusal::Link(LinkError::Unknown));
    let token = server.link_tokens("ann@acme.test", "two-step-setup")[0].clone();
    turn_on(&ann2, Some(&token)).await;
    let (_, waiting) = match server
        .browser()
        .sign_in_password("ann@acme.test", PW)
        .await
        .unwrap()
        .0
    {
        SignInStep::SecondFactor(_) => ((), false),
        SignInStep::SignedIn(_) => ((), true),
    };
    assert!(!waiting, "the new app is asked for");
    // The link worked once.
    let err = ann2
        .run(coffer_api::TotpBegin {
            setup_token: Some(token.clone()),
        })
        .await
        .unwrap_err();
    assert_eq!(refusal(err), Refusal::Mfa(MfaError::AlreadyOn));
    // History and audit log name the re-seed and who did it.
    let h: Vec<HistoryEntry> = lia
        .run(coffer_api::MemberHistory {
            organisation_id: org.to_string().into(),
            account_id: ann_row.account_id.clone(),
        })
        .await
        .unwrap();
    assert!(
        h.iter()
            .any(|e| e.action == "mfa.reseeded" && e.actor == "ada@acme.test"),
        "{h:?}"
    );
    assert!(h.iter().any(|e| e.action == "mfa.totp_enabled"));
}

async fn reseed(org: &str, b: &Browser, id: &str) -> Result<(), coffer_api::ApiError> {
    b.run(coffer_api::ReseedSecondFactor {
        organisation_id: org.to_string().into(),
        account_id: id.to_string().into(),
    })
    .await
}

/// The account id of the first member of the signed-in person's
/// organisation: themself.
async fn organisation_member_id(b: &Browser) -> String {
    let me: SignedIn = b.run(coffer_api::Me {}).await.unwrap();
    me.account.id.to_string()
}

on_both!(
    enforcement_holds_members_to_set_up,
    reseed_voids_the_app_and_needs_the_link
);
