//! Every administrative server function and route × every kind of actor,
//! table-driven, on SQLite and PostgreSQL: each call is allowed or refused
//! exactly as SPEC says, and there are no unexpected allows.

use crate::common::*;
use coffer_api::ApiError;
use coffer_shared::audit::*;
use coffer_shared::errors::{AuthError, Refusal};
use coffer_shared::ids::Assignment;
use coffer_shared::members::MemberError;
use coffer_shared::members::*;
use coffer_shared::organisations::*;
use coffer_shared::settings::OrgSettings;
use coffer_shared::site::{self, MembersFile};
use coffer_shared::types::*;
use serde_json::{json, Value};

const PW: &str = "matrix member password";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Anonymous,
    Collaborator,
    Originator,
    Admin,
    Liaison,
    OtherOrgAdmin,
    /// A Liaison of another organisation that also has the target accounts
    /// as members: it manages their membership there, never the account.
    SharedAccountLiaison,
    InstanceAdmin,
}

/// Who SPEC lets make a call.
#[derive(Clone, Copy, Debug)]
enum Access {
    /// Anyone signed in, about themself.
    Own,
    /// Members of the organisation (and the instance administrator).
    Member,
    /// The organisation's Admins and Liaisons (and the instance administrator).
    Admin,
    /// Liaisons only (and the instance administrator).
    Liaison,
    /// The instance administrator only.
    Instance,
}

/// Calls about one member's account, which the sharing Liaison makes in its
/// own organisation; every other call it makes on the matrix's organisation.
fn about_a_member(call: Call) -> bool {
    matches!(
        call,
        Call::UpdateMember
            | Call::ChangeAdminTier
            | Call::MemberDetail
            | Call::MemberHistory
            | Call::UnlockMember
            | Call::ResetMemberPassword
            | Call::ReseedSecondFactor
            | Call::RemoveMember
            | Call::RemoveAdministrator
    )
}

/// Account-wide security: the home organisation's alone.
fn account_wide(call: Call) -> bool {
    matches!(
        call,
        Call::UnlockMember | Call::ResetMemberPassword | Call::ReseedSecondFactor
    )
}

fn allowed(call: Call, access: Access, who: Who) -> bool {
    use Who::*;
    if who == SharedAccountLiaison {
        return matches!(access, Access::Own) || (about_a_member(call) && !account_wide(call));
    }
    match (access, who) {
        (_, Anonymous) => false,
        (_, InstanceAdmin) => true,
        (Access::Own, _) => true,
        (Access::Member, w) => matches!(w, Collaborator | Originator | Admin | Liaison),
        (Access::Admin, w) => matches!(w, Admin | Liaison),
        (Access::Liaison, w) => w == Liaison,
        (Access::Instance, _) => false,
    }
}

#[derive(Clone, Copy, Debug)]
enum Call {
    MemberColumns,
    SetMemberColumns,
    ShowLogo,
    ListMembers,
    AddMember,
    ExportMembersCsv,
    ExportMembersXlsx,
    AuditLog,
    VerifyAuditLog,
    ExportAuditLog,
    ListGroups,
    AddGroup,
    RemoveGroup,
    UpdateMember,
    MemberDetail,
    MemberHistory,
    UnlockMember,
    ResetMemberPassword,
    ReseedSecondFactor,
    RemoveMember,
    OrganisationSettings,
    UpdateOrganisationSettings,
    Plans,
    SavePlan,
    SetDefaultPlan,
    RemovePlan,
    UploadLogo,
    RemoveLogo,
    AddAdministrator,
    ChangeAdminTier,
    RemoveAdministrator,
    CreateOrganisation,
    ListOrganisations,
    Outbox,
}

const CALLS: [(Call, Access); 34] = [
    (Call::MemberColumns, Access::Own),
    (Call::SetMemberColumns, Access::Own),
    (Call::UploadLogo, Access::Admin),
    (Call::ShowLogo, Access::Member),
    (Call::ListMembers, Access::Admin),
    (Call::AddMember, Access::Admin),
    (Call::ExportMembersCsv, Access::Admin),
    (Call::ExportMembersXlsx, Access::Admin),
    (Call::AuditLog, Access::Admin),
    (Call::VerifyAuditLog, Access::Admin),
    (Call::ExportAuditLog, Access::Admin),
    (Call::ListGroups, Access::Admin),
    (Call::AddGroup, Access::Admin),
    (Call::RemoveGroup, Access::Admin),
    (Call::UpdateMember, Access::Admin),
    (Call::MemberDetail, Access::Admin),
    (Call::MemberHistory, Access::Admin),
    (Call::UnlockMember, Access::Admin),
    (Call::ResetMemberPassword, Access::Admin),
    (Call::ReseedSecondFactor, Access::Admin),
    (Call::RemoveMember, Access::Admin),
    (Call::OrganisationSettings, Access::Admin),
    (Call::UpdateOrganisationSettings, Access::Admin),
    (Call::Plans, Access::Admin),
    (Call::SavePlan, Access::Admin),
    (Call::SetDefaultPlan, Access::Admin),
    (Call::RemovePlan, Access::Admin),
    (Call::RemoveLogo, Access::Admin),
    (Call::AddAdministrator, Access::Liaison),
    (Call::ChangeAdminTier, Access::Liaison),
    (Call::RemoveAdministrator, Access::Liaison),
    (Call::CreateOrganisation, Access::Instance),
    (Call::ListOrganisations, Access::Instance),
    (Call::Outbox, Access::Instance),
];

/// What each actor acts on: their own copy of every target, so one allowed
/// call never changes what the next actor finds.
struct Targets {
    member: String,
    removable: String,
    administrator: String,
    group: String,
    plan_to_default: String,
    plan_to_remove: String,
}

struct World {
    server: TestServer,
    org: String,
    /// The sharing Liaison's organisation.
    shared_org: String,
    active: String,
    settings: OrgSettings,
    targets: Vec<Targets>,
}

fn png() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(40, 20, image::Rgb([1, 2, 3]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// HTTP routes answer with a status; 404 (no logo yet) is not a refusal.
/// A byte route's answer: done, or its refusal, which must be the
/// `ApiError` JSON with the status the server functions give it.
async fn route_outcome(res: reqwest::Response) -> Result<(), Refusal> {
    let status = res.status().as_u16();
    if (200..300).contains(&status) || status == 404 {
        return Ok(());
    }
    let text = res.text().await.unwrap();
    let err: ApiError = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("a refusal that is not an ApiError ({status}): {text}: {e}"));
    assert_eq!(err.http_status(), status, "{err:?}");
    Err(refusal(err))
}

async fn api(b: &Browser, endpoint: &str, body: Value) -> Result<(), Refusal> {
    b.call::<Value>(endpoint, body)
        .await
        .map(|_| ())
        .map_err(refusal)
}

async fn perform(w: &World, b: &Browser, who: Who, call: Call, i: usize) -> Result<(), Refusal> {
    let org = if who == Who::SharedAccountLiaison && about_a_member(call) {
        w.shared_org.as_str()
    } else {
        w.org.as_str()
    };
    let t = &w.targets[i];
    let get = |path: String| async move {
        let res = b
            .http
            .get(format!("{}{path}", b.base))
            .send()
            .await
            .unwrap();
        route_outcome(res).await
    };
    let new_member = |email: String, admin: bool| NewMember {
        email,
        first_name: String::new(),
        last_name: String::new(),
        role: Role::Collaborator,
        admin,
        group_id: None,
    };
    match call {
        Call::MemberColumns => api(b, "member_columns", json!({})).await,
        Call::SetMemberColumns => {
            api(
                b,
                "set_member_columns",
                json!({ "columns": [MemberColumn::Email, MemberColumn::Role] }),
            )
            .await
        }
        Call::ShowLogo => get(format!("/logo/{org}")).await,
        Call::UploadLogo => {
            let res = b
                .http
                .post(format!("{}{}", b.base, site::upload_logo(org)))
                .header("Origin", &b.base)
                .body(png())
                .send()
                .await
                .unwrap();
            route_outcome(res).await
        }
        Call::ListMembers => {
            let q = MemberQuery {
                page_size: 10,
                ..MemberQuery::default()
            };
            api(b, "members", json!({ "organisation_id": org, "query": q })).await
        }
        Call::AddMember => {
            let m = new_member(format!("new{i}@acme.test"), false);
            api(b, "add_member", json!({ "organisation_id": org, "member": m })).await
        }
        Call::AddAdministrator => {
            let m = new_member(format!("newadmin{i}@acme.test"), true);
            api(b, "add_member", json!({ "organisation_id": org, "member": m })).await
        }
        Call::ExportMembersCsv => {
            let q = MemberQuery::default();
            get(site::members_export(org, MembersFile::Csv, &q, &MemberColumn::ALL)).await
        }
        Call::ExportMembersXlsx => {
            let q = MemberQuery::default();
            get(site::members_export(org, MembersFile::Xlsx, &q, &MemberColumn::ALL)).await
        }
        Call::ExportAuditLog => get(site::audit_log_csv(org, &AuditQuery::default())).await,
        Call::AuditLog => {
            let q = AuditQuery {
                page_size: 10,
                ..AuditQuery::default()
            };
            api(b, "audit_log", json!({ "organisation_id": org, "query": q })).await
        }
        Call::VerifyAuditLog => api(b, "verify_audit_log", json!({ "organisation_id": org })).await,
        Call::ListGroups => api(b, "groups", json!({ "organisation_id": org })).await,
        Call::AddGroup => {
            api(
                b,
                "add_group",
                json!({ "organisation_id": org, "name": format!("New group {i}") }),
            )
            .await
        }
        Call::RemoveGroup => {
            api(
                b,
                "remove_group",
                json!({ "organisation_id": org, "group_id": t.group }),
            )
            .await
        }
        Call::UpdateMember | Call::ChangeAdminTier => {
            let change = match call {
                Call::UpdateMember => MemberChange {
                    group_id: Some(Assignment::Nothing),
                    ..MemberChange::default()
                },
                _ => MemberChange {
                    admin_tier: Some(AdminTier::Admin),
                    ..MemberChange::default()
                },
            };
            api(
                b,
                "update_member",
                json!({ "organisation_id": org, "account_id": t.member, "change": change }),
            )
            .await
        }
        Call::MemberDetail => {
            api(
                b,
                "member_detail",
                json!({ "organisation_id": org, "account_id": t.member }),
            )
            .await
        }
        Call::MemberHistory => {
            api(
                b,
                "member_history",
                json!({ "organisation_id": org, "account_id": t.member }),
            )
            .await
        }
        Call::UnlockMember => {
            // Locked afresh for every actor, as too many wrong passwords would.
            sqlx::query("UPDATE accounts SET locked_at = 1 WHERE id = $1")
                .bind(&w.active)
                .execute(&w.server.db().await)
                .await
                .unwrap();
            api(
                b,
                "unlock_member",
                json!({ "organisation_id": org, "account_id": w.active }),
            )
            .await
        }
        Call::ResetMemberPassword => {
            api(
                b,
                "reset_member_password",
                json!({ "organisation_id": org, "account_id": w.active }),
            )
            .await
        }
        Call::ReseedSecondFactor => {
            // An authenticator app afresh for every actor to re-seed.
            let db = w.server.db().await;
            sqlx::query("DELETE FROM totp_factors WHERE account_id = $1")
                .bind(&w.active)
                .execute(&db)
                .await
                .unwrap();
            sqlx::query(
                "INSERT INTO totp_factors (account_id, secret, created_at, confirmed_at) VALUES ($1, 'JBSWY3DPEHPK3PXP', 1, 1)",
            )
            .bind(&w.active)
            .execute(&db)
            .await
            .unwrap();
            api(
                b,
                "reseed_second_factor",
                json!({ "organisation_id": org, "account_id": w.active }),
            )
            .await
        }
        Call::RemoveMember | Call::RemoveAdministrator => {
            let target = match call {
                Call::RemoveMember => &t.removable,
                _ => &t.administrator,
            };
            api(
                b,
                "remove_member",
                json!({ "organisation_id": org, "account_id": target, "removal": MemberRemoval::default() }),
            )
            .await
        }
        Call::OrganisationSettings => {
            api(b, "organisation_settings", json!({ "organisation_id": org })).await
        }
        Call::UpdateOrganisationSettings => {
            api(
                b,
                "update_organisation_settings",
                json!({ "organisation_id": org, "settings": w.settings }),
            )
            .await
        }
        Call::Plans => api(b, "plans", json!({ "organisation_id": org })).await,
        Call::SavePlan => {
            api(
                b,
                "save_plan",
                json!({ "organisation_id": org, "plan_id": null, "name": format!("Saved {i}"), "quota_gb": 5 }),
            )
            .await
        }
        Call::SetDefaultPlan => {
            api(
                b,
                "set_default_plan",
                json!({ "organisation_id": org, "plan_id": t.plan_to_default }),
            )
            .await
        }
        Call::RemovePlan => {
            api(
                b,
                "remove_plan",
                json!({ "organisation_id": org, "plan_id": t.plan_to_remove }),
            )
            .await
        }
        Call::RemoveLogo => api(b, "remove_logo", json!({ "organisation_id": org })).await,
        Call::CreateOrganisation => {
            let o = NewOrganisation {
                name: format!("Made by {i}"),
                licence_seats: 5,
                expiry_date: "2099-12-31".into(),
                administrator_email: format!("boss{i}@made.test"),
            };
            api(b, "create_organisation", json!({ "organisation": o })).await
        }
        Call::ListOrganisations => api(b, "organisations", json!({})).await,
        Call::Outbox => api(b, "outbox", json!({})).await,
    }
}

async fn every_admin_call_by_every_actor(backend: Backend) {
    let (server, instance_admin) = instance(backend).await;
    let liaison = member(&server, &instance_admin, "Acme", "lia@acme.test", PW).await;
    let org = organisation_id(&liaison).await;
    let other = member(&server, &instance_admin, "Bravo", "bo@bravo.test", PW).await;
    let sharing = member(&server, &instance_admin, "Charlie", "cy@charlie.test", PW).await;
    let shared_org = organisation_id(&sharing).await;
    sqlx::query("UPDATE organisations SET licence_seats = 1000")
        .execute(&server.db().await)
        .await
        .unwrap();
    let (_, collaborator) = active_member(
        &server,
        &liaison,
        &org,
        "col@acme.test",
        PW,
        Role::Collaborator,
        false,
    )
    .await;
    let (_, originator) = active_member(
        &server,
        &liaison,
        &org,
        "ori@acme.test",
        PW,
        Role::Originator,
        false,
    )
    .await;
    let (_, admin) = active_member(
        &server,
        &liaison,
        &org,
        "adm@acme.test",
        PW,
        Role::Originator,
        true,
    )
    .await;
    let (active, active_browser) = active_member(
        &server,
        &liaison,
        &org,
        "act@acme.test",
        PW,
        Role::Collaborator,
        false,
    )
    .await;
    drop(active_browser);
    let anonymous = server.browser();
    let actors: [(Who, &Browser); 8] = [
        (Who::Anonymous, &anonymous),
        (Who::Collaborator, &collaborator),
        (Who::Originator, &originator),
        (Who::Admin, &admin),
        (Who::Liaison, &liaison),
        (Who::OtherOrgAdmin, &other),
        (Who::SharedAccountLiaison, &sharing),
        (Who::InstanceAdmin, &instance_admin),
    ];
    // Charlie re-uses Acme's accounts: Acme stays their home.
    add_member(
        &sharing,
        &shared_org,
        "act@acme.test",
        Role::Collaborator,
        false,
    )
    .await;

    let plan_id =
        |plans: Vec<PlanView>, name: &str| plans.into_iter().find(|p| p.name == name).unwrap().id;
    let _: Vec<PlanView> = liaison
        .run(coffer_api::SavePlan {
            organisation_id: org.to_string().into(),
            plan_id: None,
            name: "Base".into(),
            quota_gb: 10,
        })
        .await
        .unwrap();
    let mut targets = Vec::new();
    for i in 0..actors.len() {
        let m = add_member(
            &liaison,
            &org,
            &format!("t{i}@acme.test"),
            Role::Collaborator,
            false,
        )
        .await;
        let r = add_member(
            &liaison,
            &org,
            &format!("r{i}@acme.test"),
            Role::Collaborator,
            false,
        )
        .await;
        let a = add_member(
            &liaison,
            &org,
            &format!("ra{i}@acme.test"),
            Role::Collaborator,
            true,
        )
        .await;
        let g: GroupView = liaison
            .run(coffer_api::AddGroup {
                organisation_id: org.to_string().into(),
                name: format!("Group {i}"),
            })
            .await
            .unwrap();
        let plan = |name: String| {
            let (liaison, org) = (&liaison, &org);
            async move {
                let plans: Vec<PlanView> = liaison
                    .run(coffer_api::SavePlan {
                        organisation_id: org.to_string().into(),
                        plan_id: None,
                        name: name.to_string(),
                        quota_gb: 10,
                    })
                    .await
                    .unwrap();
                plan_id(plans, &name)
            }
        };
        let plan_to_default = plan(format!("Default {i}")).await;
        let plan_to_remove = plan(format!("Spare {i}")).await;
        for (email, admin) in [(&m.email, false), (&r.email, false), (&a.email, true)] {
            add_member(&sharing, &shared_org, email, Role::Collaborator, admin).await;
        }
        targets.push(Targets {
            member: m.account_id.to_string(),
            removable: r.account_id.to_string(),
            administrator: a.account_id.to_string(),
            group: g.id.into_string(),
            plan_to_default: plan_to_default.to_string(),
            plan_to_remove: plan_to_remove.to_string(),
        });
    }
    let settings: OrgSettings = liaison
        .run(coffer_api::OrganisationSettings {
            organisation_id: org.to_string().into(),
        })
        .await
        .unwrap();
    let world = World {
        server,
        org,
        shared_org,
        active: active.account_id.to_string(),
        settings,
        targets,
    };

    let mut checked = 0;
    let mut failures = Vec::new();
    for (call, access) in CALLS {
        for (i, (who, browser)) in actors.iter().enumerate() {
            let got = perform(&world, browser, *who, call, i).await;
            let want = allowed(call, access, *who);
            let fine = match (&got, want) {
                (Ok(()), true) => true,
                (Err(_), true) | (Ok(()), false) => false,
                (Err(r), false) => match (who, r) {
                    (Who::Anonymous, r) => *r == Refusal::Auth(AuthError::NotSignedIn),
                    // Another organisation's account: told whose it is.
                    (Who::SharedAccountLiaison, r) if about_a_member(call) => {
                        *r == Refusal::Member(MemberError::AccountOfAnotherOrganisation)
                    }
                    // An Admin asking for a Liaison's power hears why in domain words.
                    (
                        Who::Admin,
                        Refusal::Member(
                            MemberError::OnlyLiaisonGrantsAdmin
                            | MemberError::OnlyLiaisonManagesAdmins,
                        ),
                    ) => true,
                    (_, r) => *r == Refusal::Auth(AuthError::Forbidden),
                },
            };
            checked += 1;
            if !fine {
                failures.push(format!("{call:?} by {who:?}: got {got:?}, allowed: {want}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(checked, CALLS.len() * 8);
}

on_both!(every_admin_call_by_every_actor);
