//! ORG-1 Users page listing, ORG-3 adding members, ORG-7 licence seats, and
//! who may do which, over HTTP on SQLite and PostgreSQL.

use crate::common::*;
use coffer_api::ApiError;
use coffer_shared::accounts::*;
use coffer_shared::audit::*;
use coffer_shared::errors::{AuthError, InputError, RateLimitError, Refusal};
use coffer_shared::ids::Assignment;
use coffer_shared::members::MemberError;
use coffer_shared::members::*;
use coffer_shared::organisations::*;
use coffer_shared::types::*;
use serde_json::json;

async fn add(
    b: &Browser,
    org: &str,
    email: &str,
    first: &str,
    last: &str,
    role: Role,
    admin: bool,
) -> Result<MemberRow, ApiError> {
    let member = NewMember {
        email: email.into(),
        first_name: first.into(),
        last_name: last.into(),
        role,
        admin,
        group_id: None,
    };
    b.run(coffer_api::AddMember {
        organisation_id: org.to_string().into(),
        member: member.clone(),
    })
    .await
}

async fn page(b: &Browser, org: &str, q: MemberQuery) -> Result<MemberPage, ApiError> {
    b.run(coffer_api::ListMembers {
        organisation_id: org.to_string().into(),
        query: q.clone(),
    })
    .await
}

fn q(field: SearchField, text: &str) -> MemberQuery {
    MemberQuery {
        field,
        text: text.into(),
        page_size: 50,
        ..MemberQuery::default()
    }
}

fn emails(p: &MemberPage) -> Vec<&str> {
    p.rows.iter().map(|r| r.email.as_str()).collect()
}

async fn users_page_search_sort_page(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let liaison = member(&server, &admin, "Acme", "lia@acme.test", "liaison password").await;
    let org = organisation_id(&liaison).await;
    for (email, first, last, role) in [
        ("ann@acme.test", "Ann", "Archer", Role::Originator),
        ("bob@acme.test", "Bob", "Baker", Role::Collaborator),
        ("bea@other.test", "Bea", "Butler", Role::Collaborator),
        ("cy_50%@acme.test", "Cy", "Cole", Role::Originator),
    ] {
        add(&liaison, &org, email, first, last, role, false)
            .await
            .unwrap();
    }
    let all = page(&liaison, &org, q(SearchField::All, "")).await.unwrap();
    assert_eq!(all.total, 5);
    assert_eq!(all.seats.used, 5);
    assert_eq!(all.seats.licence_seats, 5);
    assert_eq!(
        emails(&all),
        [
            "ann@acme.test",
            "bea@other.test",
            "bob@acme.test",
            "cy_50%@acme.test",
            "lia@acme.test"
        ]
    );
    // Contains, wildcards, per field, case-insensitive; % and _ are literal.
    let searches: [(SearchField, &str, &[&str]); 11] = [
        (SearchField::Email, "OTHER", &["bea@other.test"]),
        (
            SearchField::FirstName,
            "b*",
            &["bea@other.test", "bob@acme.test"],
        ),
        (SearchField::LastName, "?aker", &["bob@acme.test"]),
        (SearchField::All, "50%", &["cy_50%@acme.test"]),
        // "Contains" across every field reaches names, role and tier words.
        (SearchField::All, "ARCH", &["ann@acme.test"]),
        (
            SearchField::All,
            "collab",
            &["bea@other.test", "bob@acme.test"],
        ),
        (SearchField::All, "liaison", &["lia@acme.test"]),
        (SearchField::Email, "_", &["cy_50%@acme.test"]),
        (
            SearchField::Role,
            "collab",
            &["bea@other.test", "bob@acme.test"],
        ),
        (SearchField::Admin, "liaison", &["lia@acme.test"]),
        (SearchField::FirstName, "ann", &["ann@acme.test"]),
    ];
    for (field, text, want) in searches {
        let found = page(&liaison, &org, q(field, text)).await.unwrap();
        assert_eq!(emails(&found), want, "{field:?} {text:?}");
        assert_eq!(found.total as usize, want.len());
    }
    // Sort both ways, and page.
    let by_last_desc = MemberQuery {
        sort: MemberColumn::LastName,
        descending: true,
        page_size: 2,
        ..MemberQuery::default()
    };
    let p0 = page(&liaison, &org, by_last_desc.clone()).await.unwrap();
    assert_eq!(p0.total, 5);
    assert_eq!(emails(&p0), ["cy_50%@acme.test", "bea@other.test"]);
    let p2 = page(
        &liaison,
        &org,
        MemberQuery {
            page: 2,
            ..by_last_desc
        },
    )
    .await
    .unwrap();
    assert_eq!(emails(&p2), ["lia@acme.test"]);
    let by_role = page(
        &liaison,
        &org,
        MemberQuery {
            sort: MemberColumn::Role,
            page_size: 50,
            ..MemberQuery::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(by_role.rows[0].role, Role::Collaborator);
    // Not yet accepted invitations show as inactive.
    assert!(!all.rows[0].active);
    assert!(all.rows[4].active);

    // The pattern that once pinned a core for ten minutes answers at once,
    // in every field; over-long text is refused by name and nothing runs.
    let hostile = format!("{}z", "*".repeat(40));
    for field in [
        SearchField::Role,
        SearchField::Admin,
        SearchField::All,
        SearchField::Email,
    ] {
        let started = std::time::Instant::now();
        let found = page(&liaison, &org, q(field, &hostile)).await.unwrap();
        assert!(found.rows.is_empty(), "{field:?}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(1),
            "{field:?} took {:?}",
            started.elapsed()
        );
    }
    let err = page(&liaison, &org, q(SearchField::All, &"a".repeat(101)))
        .await
        .unwrap_err();
    assert_eq!(refusal(err), Refusal::Input(InputError::SearchTooLong));
}

async fn adding_members_checks_seats_and_input(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let liaison = member(&server, &admin, "Acme", "lia@acme.test", "liaison password").await;
    let org = organisation_id(&liaison).await;
    let bad = [
        (
            ("not-an-email", "A", "B", Role::Originator),
            Refusal::Input(InputError::InvalidEmail),
        ),
        (
            ("x@acme.test", "A", "B", Role::AdHoc),
            Refusal::Member(MemberError::RoleNotAssignable),
        ),
        (
            ("x@acme.test", &*"n".repeat(101), "B", Role::Originator),
            Refusal::Member(MemberError::InvalidName),
        ),
    ];
    for ((email, first, last, role), want) in bad {
        assert_eq!(
            refusal(
                add(&liaison, &org, email, first, last, role, false)
                    .await
                    .unwrap_err()
            ),
            want
        );
    }
    let before = server.invitation_tokens("ann@acme.test").len();
    add(
        &liaison,
        &org,
        "ann@acme.test",
        "Ann",
        "Archer",
        Role::Originator,
        false,
    )
    .await
    .unwrap();
    assert_eq!(
        server.invitation_tokens("ann@acme.test").len(),
        before + 1,
        "account-created invitation mailed"
    );
    assert_eq!(
        refusal(
            add(
                &liaison,
                &org,
                "ANN@acme.test",
                "Ann",
                "A",
                Role::Originator,
                false
            )
            .await
            .unwrap_err()
        ),
        Refusal::Member(MemberError::AlreadyMember)
    );
    // An existing instance account (admin of another organisation) is re-used
    // and told "account updated", with no new invitation.
    let _bravo = member(&server, &admin, "Bravo", "bo@bravo.test", "bo's password").await;
    let invitations_before = server.invitation_tokens("bo@bravo.test").len();
    let reused = add(
        &liaison,
        &org,
        "bo@bravo.test",
        "Bo",
        "B",
        Role::Collaborator,
        false,
    )
    .await
    .unwrap();
    assert!(reused.active);
    assert_eq!(
        server.invitation_tokens("bo@bravo.test").len(),
        invitations_before
    );
    let outbox: Vec<OutboxSummary> = admin.run(coffer_api::Outbox {}).await.unwrap();
    assert!(outbox
        .iter()
        .any(|m| m.to == "bo@bravo.test" && m.subject == "Your Coffer account was updated: Acme"));
    // Seats: 5 in all; 3 used; two more fit, the sixth does not.
    add(
        &liaison,
        &org,
        "c1@acme.test",
        "",
        "",
        Role::Collaborator,
        false,
    )
    .await
    .unwrap();
    add(
        &liaison,
        &org,
        "c2@acme.test",
        "",
        "",
        Role::Collaborator,
        false,
    )
    .await
    .unwrap();
    let err = add(
        &liaison,
        &org,
        "c3@acme.test",
        "",
        "",
        Role::Collaborator,
        false,
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "No licences available: every licence seat of this organisation is in use."
    );
    let p = page(&liaison, &org, q(SearchField::All, "")).await.unwrap();
    assert_eq!(p.total, 5);
    let accounts: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE email = 'c3@acme.test'")
            .fetch_one(&server.db().await)
            .await
            .unwrap();
    assert_eq!(accounts, 0, "a refused add creates nothing");
    let audit: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'member.added'")
            .fetch_one(&server.db().await)
            .await
            .unwrap();
    assert_eq!(audit, 6, "two first administrators + four added members");
}

/// Every members call × every actor: allowed or refused as SPEC says.
async fn members_authorization_matrix(backend: Backend) {
    let (server, instance_admin) = instance(backend).await;
    let liaison = member(
        &server,
        &instance_admin,
        "Acme",
        "lia@acme.test",
        "liaison password",
    )
    .await;
    let org = organisation_id(&liaison).await;
    let other_liaison = member(
        &server,
        &instance_admin,
        "Bravo",
        "bo@bravo.test",
        "bo's password",
    )
    .await;
    // Room for every allowed add below (editing seats comes with ORG-7's page).
    sqlx::query("UPDATE organisations SET licence_seats = 100")
        .execute(&server.db().await)
        .await
        .unwrap();
    add(
        &liaison,
        &org,
        "adm@acme.test",
        "",
        "",
        Role::Originator,
        true,
    )
    .await
    .unwrap();
    add(
        &liaison,
        &org,
        "col@acme.test",
        "",
        "",
        Role::Collaborator,
        false,
    )
    .await
    .unwrap();
    let sign_up = |email: &'static str| {
        let server = &server;
        async move {
            let token = server.invitation_tokens(email).remove(0);
            let b = server.browser();
            b.accept_invitation(&token, "member password")
                .await
                .unwrap();
            b.sign_in(email, "member password").await.unwrap();
            b
        }
    };
    let org_admin = sign_up("adm@acme.test").await;
    let collaborator = sign_up("col@acme.test").await;
    let anonymous = server.browser();

    let actors: [(&str, &Browser, [Option<AuthError>; 3]); 6] = [
        (
            "anonymous",
            &anonymous,
            [
                Some(AuthError::NotSignedIn),
                Some(AuthError::NotSignedIn),
                Some(AuthError::NotSignedIn),
            ],
        ),
        (
            "collaborator",
            &collaborator,
            [
                Some(AuthError::Forbidden),
                Some(AuthError::Forbidden),
                Some(AuthError::Forbidden),
            ],
        ),
        (
            "org admin",
            &org_admin,
            [None, None, Some(AuthError::Forbidden)],
        ),
        ("liaison", &liaison, [None, None, None]),
        (
            "admin of another org",
            &other_liaison,
            [
                Some(AuthError::Forbidden),
                Some(AuthError::Forbidden),
                Some(AuthError::Forbidden),
            ],
        ),
        ("instance admin", &instance_admin, [None, None, None]),
    ];
    for (i, (name, who, expected)) in actors.into_iter().enumerate() {
        let listed = page(who, &org, q(SearchField::All, "")).await.map(|_| ());
        let plain = add(
            who,
            &org,
            &format!("p{i}@acme.test"),
            "",
            "",
            Role::Collaborator,
            false,
        )
        .await
        .map(|_| ());
        let as_admin = add(
            who,
            &org,
            &format!("a{i}@acme.test"),
            "",
            "",
            Role::Collaborator,
            true,
        )
        .await
        .map(|_| ());
        for (call, got, want) in [
            ("list", listed, &expected[0]),
            ("add", plain, &expected[1]),
            ("add admin", as_admin, &expected[2]),
        ] {
            match (got, want) {
                (Ok(()), None) => {}
                (Err(e), Some(w)) => {
                    let r = refusal(e);
                    // An Admin asking for the admin tier hears why, in domain words.
                    let ok = r == Refusal::Auth(w.clone())
                        || (call == "add admin"
                            && r == Refusal::Member(MemberError::OnlyLiaisonGrantsAdmin));
                    assert!(ok, "{name} × {call}: got {r:?}, want {w:?}");
                }
                (got, want) => panic!("{name} × {call}: got {got:?}, want refusal {want:?}"),
            }
        }
    }
    // Refused adds left nothing behind.
    let refused: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM accounts WHERE email IN ('p0@acme.test','p1@acme.test','p4@acme.test','a0@acme.test','a1@acme.test','a2@acme.test','a4@acme.test')",
    )
    .fetch_one(&server.db().await)
    .await
    .unwrap();
    assert_eq!(refused, 0);
}

async fn download(b: &Browser, query: &str) -> (u16, Vec<u8>) {
    let res = b
        .http
        .get(format!("{}/export/{query}", b.base))
        .send()
        .await
        .unwrap();
    // Member data is never kept in a browser's or proxy's cache.
    assert_eq!(
        res.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store"),
        "{query}"
    );
    (res.status().as_u16(), res.bytes().await.unwrap().to_vec())
}

/// ORG-2 exports of the filtered table, and ORG-1's remembered columns.
async fn exports_follow_filter_and_columns(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let liaison = member(&server, &admin, "Acme", "lia@acme.test", "liaison password").await;
    let org = organisation_id(&liaison).await;
    add(
        &liaison,
        &org,
        "ann@acme.test",
        "=HYPERLINK(\"http://x\")",
        "Archer",
        Role::Originator,
        false,
    )
    .await
    .unwrap();
    add(
        &liaison,
        &org,
        "bob@acme.test",
        "Bob",
        "Baker, Jr.",
        Role::Collaborator,
        false,
    )
    .await
    .unwrap();

    let (status, csv) = download(
        &liaison,
        &format!("members.csv?org={org}&field=Email&text=*%40acme.test&sort=Email&desc=true&columns=LastName,FirstName"),
    )
    .await;
    assert_eq!(status, 200);
    let csv = String::from_utf8(csv).unwrap();
    assert_eq!(
        csv.lines().collect::<Vec<_>>(),
        [
            "Email,First name,Last name",
            "lia@acme.test,,",
            "bob@acme.test,Bob,\"Baker, Jr.\"",
            "ann@acme.test,\"'=HYPERLINK(\"\"http://x\"\")\",Archer",
        ]
    );
    let (status, xlsx) = download(
        &liaison,
        &format!("members.xlsx?org={org}&field=Role&text=collaborator"),
    )
    .await;
    assert_eq!(status, 200);
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let range = book.worksheet_range("Users").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[1],
        [
            "bob@acme.test",
            "Bob",
            "Baker, Jr.",
            "Collaborator",
            "None",
            "",
            "Local",
            "",
            "",
            "No",
            "0 bytes"
        ]
    );
    // Refusals: not signed in, not an administrator of this organisation.
    assert_eq!(
        download(&server.browser(), &format!("members.csv?org={org}"))
            .await
            .0,
        401
    );
    let other = member(&server, &admin, "Bravo", "bo@bravo.test", "bo's password").await;
    assert_eq!(
        download(&other, &format!("members.xlsx?org={org}")).await.0,
        403
    );
    assert_eq!(download(&liaison, "members.pdf?org=x").await.0, 404);

    // Column choice is remembered per person; Email is always in it.
    let cols: Vec<MemberColumn> = liaison.run(coffer_api::GetMemberColumns {}).await.unwrap();
    assert_eq!(cols, MemberColumn::ALL);
    let saved: Vec<MemberColumn> = liaison
        .run(coffer_api::SetMemberColumns {
            columns: vec![MemberColumn::Role, MemberColumn::LastName],
        })
        .await
        .unwrap();
    assert_eq!(
        saved,
        [
            MemberColumn::Email,
            MemberColumn::LastName,
            MemberColumn::Role
        ]
    );
    let again: Vec<MemberColumn> = liaison.run(coffer_api::GetMemberColumns {}).await.unwrap();
    assert_eq!(again, saved);
    let others: Vec<MemberColumn> = other.run(coffer_api::GetMemberColumns {}).await.unwrap();
    assert_eq!(others, MemberColumn::ALL);
    let err = server
        .browser()
        .run(coffer_api::GetMemberColumns {})
        .await
        .unwrap_err();
    assert_eq!(refusal(err), Refusal::Auth(AuthError::NotSignedIn));
}

/// ORG-7: after the licence expires members cannot sign in (and are told
/// why only once their password is proven); their sessions end too.
async fn expired_licence_blocks_members(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let liaison = member(&server, &admin, "Acme", "lia@acme.test", "liaison password").await;
    let yesterday = time::OffsetDateTime::now_utc()
        .date()
        .previous_day()
        .unwrap()
        .to_string();
    sqlx::query("UPDATE organisations SET expiry_date = $1")
        .bind(&yesterday)
        .execute(&server.db().await)
        .await
        .unwrap();
    let err = liaison.run(coffer_api::Me {}).await.unwrap_err();
    assert_eq!(refusal(err), Refusal::Auth(AuthError::NotSignedIn));
    let b = server.browser();
    match b.sign_in("lia@acme.test", "liaison password").await {
        Err(Some(e)) => {
            assert_eq!(
                refusal(e.clone()),
                Refusal::SignIn(coffer_shared::accounts::SignInError::LicenceExpired(
                    yesterday.clone()
                ))
            );
            assert_eq!(e.to_string(), format!("Your organisation's licence expired on {yesterday}. Ask your administrator to renew it."));
        }
        other => panic!("expected the expiry refusal, got {:?}", other.err()),
    }
    assert!(
        matches!(b.sign_in("lia@acme.test", "a wrong guess").await, Err(None)),
        "no hint without the password"
    );
    // The instance administrator still works and sees the date.
    admin.sign_in(ADMIN, ADMIN_PASSWORD).await.unwrap();
    let orgs: Vec<OrganisationView> = admin.run(coffer_api::Organisations {}).await.unwrap();
    assert_eq!(orgs[0].expiry_date, yesterday);
    let refused: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE action = 'session.sign_in_refused'",
    )
    .fetch_one(&server.db().await)
    .await
    .unwrap();
    assert_eq!(refused, 1);
}

/// Only Liaisons act on administrators: an Admin edits no Admin's or
/// Liaison's role, group, plan or permissions (their own included), and who
/// may sign in or skip two-step sign-in is a Liaison's setting.
async fn administrators_stay_inside_their_tier(backend: Backend) {
    use coffer_shared::settings::{FeatureMode, OrgSettings, Permission};
    let (server, admin) = instance(backend).await;
    let liaison = member(&server, &admin, "Acme", "lia@acme.test", "liaison password").await;
    let org = organisation_id(&liaison).await;
    let lia_id = liaison.run(coffer_api::Me {}).await.unwrap().account.id;
    let (adam, adam_browser) = active_member(
        &server,
        &liaison,
        &org,
        "adam@acme.test",
        "adam's password",
        Role::Originator,
        true,
    )
    .await;
    let other_admin = add(
        &liaison,
        &org,
        "eve@acme.test",
        "",
        "",
        Role::Collaborator,
        true,
    )
    .await
    .unwrap();
    let plain = add(
        &liaison,
        &org,
        "pat@acme.test",
        "",
        "",
        Role::Collaborator,
        false,
    )
    .await
    .unwrap();
    let exempt = MemberChange {
        permissions: Some(vec![Permission::Login, Permission::MfaExemption]),
        ..Default::default()
    };
    let upgrade = MemberChange {
        role: Some(Role::Originator),
        ..Default::default()
    };
    for (target, what) in [
        (&lia_id, "the Liaison"),
        (&other_admin.account_id, "another Admin"),
        (&adam.account_id, "himself"),
    ] {
        for c in [exempt.clone(), upgrade.clone()] {
            let err = change(&adam_browser, &org, target, c).await.unwrap_err();
            assert_eq!(
                refusal(err),
                Refusal::Member(MemberError::OnlyLiaisonEditsAdmins),
                "Adam editing {what}"
            );
        }
    }
    let unchanged = member_row(&liaison, &org, "eve@acme.test").await.unwrap();
    assert_eq!(unchanged.role, Role::Collaborator);
    // Plain members he may edit; the Liaison may edit administrators.
    change(&adam_browser, &org, &plain.account_id, upgrade.clone())
        .await
        .unwrap();
    change(&liaison, &org, &other_admin.account_id, exempt.clone())
        .await
        .unwrap();

    let settings: OrgSettings = liaison
        .run(coffer_api::OrganisationSettings {
            organisation_id: org.to_string().into(),
        })
        .await
        .unwrap();
    let with_mode = |p: Permission, mode: FeatureMode, default_on: Option<bool>| {
        let mut s = settings.clone();
        for x in s.permissions.iter_mut().filter(|x| x.permission == p) {
            x.mode = mode;
            if let Some(d) = default_on {
                x.default_on = d;
            }
        }
        s
    };
    for s in [
        with_mode(Permission::Login, FeatureMode::OnlySelected, None),
        with_mode(
            Permission::MfaExemption,
            FeatureMode::OnlySelected,
            Some(true),
        ),
    ] {
        let err = adam_browser
            .run(coffer_api::UpdateOrganisationSettings {
                organisation_id: org.to_string().into(),
                settings: s.clone(),
            })
            .await
            .unwrap_err();
        assert_eq!(
            refusal(err),
            Refusal::Settings(
                coffer_shared::organisations::SettingsError::OnlyLiaisonSetsSignInModes
            )
        );
    }
    let now: OrgSettings = liaison
        .run(coffer_api::OrganisationSettings {
            organisation_id: org.to_string().into(),
        })
        .await
        .unwrap();
    assert_eq!(now, settings, "refused changes change nothing");
    // Other settings remain an Admin's to change; the Liaison may change these.
    let mut longer = settings.clone();
    longer.invitation_expiry_hours = 48;
    let _: OrgSettings = adam_browser
        .run(coffer_api::UpdateOrganisationSettings {
            organisation_id: org.to_string().into(),
            settings: longer.clone(),
        })
        .await
        .unwrap();
    let _: OrgSettings = liaison
        .run(coffer_api::UpdateOrganisationSettings {
            organisation_id: org.to_string().into(),
            settings: with_mode(Permission::MfaExemption, FeatureMode::OnlySelected, None),
        })
        .await
        .unwrap();
}

async fn change(
    b: &Browser,
    org: &str,
    account: &str,
    c: MemberChange,
) -> Result<MemberRow, ApiError> {
    b.run(coffer_api::UpdateMember {
        organisation_id: org.to_string().into(),
        account_id: account.to_string().into(),
        change: c.clone(),
    })
    .await
}

/// ORG-4: role upgrade only, tiers only by Liaisons and never one's own,
/// group moves; before/after in the audit record.
async fn editing_members(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let liaison = member(&server, &admin, "Acme", "lia@acme.test", "liaison password").await;
    let me: SignedIn = liaison.run(coffer_api::Me {}).await.unwrap();
    let org = me.account.memberships[0].organisation_id.clone();
    let bob = add(
        &liaison,
        &org,
        "bob@acme.test",
        "Bob",
        "B",
        Role::Collaborator,
        false,
    )
    .await
    .unwrap();
    let up = change(
        &liaison,
        &org,
        &bob.account_id,
        MemberChange {
            role: Some(Role::Originator),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(up.role, Role::Originator);
    for role in [Role::Collaborator, Role::AdHoc] {
        let err = change(
            &liaison,
            &org,
            &bob.account_id,
            MemberChange {
                role: Some(role),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
        assert_eq!(refusal(err), Refusal::Member(MemberError::RoleDowngrade));
    }
    let sales: GroupView = liaison
        .run(coffer_api::AddGroup {
            organisation_id: org.clone(),
            name: "Sales".into(),
        })
        .await
        .unwrap();
    let moved = change(
        &liaison,
        &org,
        &bob.account_id,
        MemberChange {
            group_id: Some(Assignment::To(sales.id.clone())),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(moved.group, "Sales");
    let out = change(
        &liaison,
        &org,
        &bob.account_id,
        MemberChange {
            group_id: Some(Assignment::Nothing),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(out.group, "");
    // Tiers: the Liaison makes Bob an Admin; nobody touches their own tier;
    // an Admin cannot grant tiers.
    let tiered = change(
        &liaison,
        &org,
        &bob.account_id,
        MemberChange {
            admin_tier: Some(AdminTier::Admin),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(tiered.admin_tier, AdminTier::Admin);
    let err = change(
        &liaison,
        &org,
        &me.account.id,
        MemberChange {
            admin_tier: Some(AdminTier::None),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(refusal(err), Refusal::Member(MemberError::OwnTier));
    let token = server.invitation_tokens("bob@acme.test").remove(0);
    let bob_browser = server.browser();
    bob_browser
        .accept_invitation(&token, "bob's password")
        .await
        .unwrap();
    bob_browser
        .sign_in("bob@acme.test", "bob's password")
        .await
        .unwrap();
    let err = change(
        &bob_browser,
        &org,
        &me.account.id,
        MemberChange {
            admin_tier: Some(AdminTier::None),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(
        refusal(err),
        Refusal::Member(MemberError::OnlyLiaisonGrantsAdmin)
    );
    let err = change(
        &bob_browser,
        &org,
        &bob.account_id,
        MemberChange {
            admin_tier: Some(AdminTier::Liaison),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(refusal(err), Refusal::Member(MemberError::OwnTier));
    // An Admin may still upgrade roles.
    let carl = add(
        &liaison,
        &org,
        "carl@acme.test",
        "",
        "",
        Role::Collaborator,
        false,
    )
    .await
    .unwrap();
    change(
        &bob_browser,
        &org,
        &carl.account_id,
        MemberChange {
            role: Some(Role::Originator),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // Outsiders and strangers.
    let other = member(&server, &admin, "Bravo", "bo@bravo.test", "bo's password").await;
    let err = change(
        &other,
        &org,
        &carl.account_id,
        MemberChange {
            role: Some(Role::Originator),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(refusal(err), Refusal::Auth(AuthError::Forbidden));
    let bo_id = other.run(coffer_api::Me {}).await.unwrap().account.id;
    let err = change(
        &liaison,
        &org,
        &bo_id,
        MemberChange {
            role: Some(Role::Originator),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(refusal(err), Refusal::Member(MemberError::NotAMember));
    let details: Vec<String> = sqlx::query_scalar(
        "SELECT details FROM audit_events WHERE action = 'member.updated' ORDER BY id",
    )
    .fetch_all(&server.db().await)
    .await
    .unwrap();
    assert_eq!(details.len(), 5);
    assert!(
        details[0].contains(r#""before":{"admin_tier":"None","group":"","permissions":"login,receive,send_public,send_internal,send_private,download_own_sent,encrypt_with_password,send_without_approval,send_to_self","plan":"","point_of_contact":false,"role":"Collaborator"}"#),
        "{}",
        details[0]
    );
    assert!(
        details[0].contains(r#""after":{"admin_tier":"None","group":"","permissions":"login,receive,send_public,send_internal,send_private,download_own_sent,encrypt_with_password,send_without_approval,send_to_self","plan":"","point_of_contact":false,"role":"Originator"}"#),
        "{}",
        details[0]
    );
}

/// An overloaded server says so at once: with one request worked on at a
/// time and no queue, a burst of Users-page calls gets 200 or 503 with
/// `Retry-After` and the Busy refusal, never a long wait; calm returns.
async fn overload_is_answered_busy_at_once(backend: Backend) {
    let (server, admin) = instance_with(backend, |c| {
        c.max_requests_in_flight = 1;
        c.max_requests_queued = 0;
    })
    .await;
    let liaison = member(&server, &admin, "Acme", "lia@acme.test", "liaison password").await;
    let org = organisation_id(&liaison).await;
    let started = std::time::Instant::now();
    let calls = (0..60).map(|_| {
        liaison
            .http
            .post(format!("{}/api/members", liaison.base))
            .header("Origin", &liaison.base)
            .json(&json!({ "organisation_id": org, "query": q(SearchField::All, "acme") }))
            .send()
    });
    let (mut ok, mut busy) = (0, 0);
    for res in futures::future::join_all(calls).await {
        let res = res.unwrap();
        match res.status().as_u16() {
            200 => ok += 1,
            503 => {
                busy += 1;
                assert_eq!(res.headers()["retry-after"], "1");
                let err: ApiError = res.json().await.unwrap();
                assert_eq!(
                    err,
                    ApiError::Refused(Refusal::RateLimit(RateLimitError::Busy))
                );
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert!(ok >= 1 && busy >= 1, "{ok} answered, {busy} busy");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let calm = page(&liaison, &org, q(SearchField::All, "acme")).await;
    assert_eq!(calm.unwrap().total, 1);
}

/// A search's page is found two ways: sorted from the matches when at most
/// 2,000 match (SQLite), or read in sort-index order. Over 2,500 members,
/// patterns on either side of that line, each sort column tried and both
/// directions, every page equals a plain sort of the seeded data.
async fn search_pages_agree_with_a_plain_sort(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let liaison = member(&server, &admin, "Acme", "lia@acme.test", "liaison password").await;
    let org = organisation_id(&liaison).await;
    const FIRST: [&str; 5] = ["Ann", "Bea", "Cy", "Dana", "Eli"];
    const LAST: [&str; 7] = [
        "Smith", "Jones", "Okafor", "Nguyen", "Garcia", "Rossi", "Tanaka",
    ];
    let mut people: Vec<(String, String, String)> =
        vec![("lia@acme.test".into(), String::new(), String::new())];
    let db = server.db().await;
    for chunk in (0..2500).collect::<Vec<usize>>().chunks(500) {
        let mut accounts = Vec::new();
        let mut memberships = Vec::new();
        for n in chunk {
            let (email, first, last) = (
                format!("user{n:05}@acme.test"),
                FIRST[n % 5].to_string(),
                format!("{}{}", LAST[n % 7], n % 3),
            );
            accounts.push(format!("('s{n}', '{email}', '{first}', '{last}', 0, {n})"));
            memberships.push(format!("('{org}', 's{n}', 'originator', 'none', {n})"));
            people.push((email, first, last));
        }
        for sql in [
            format!(
                "INSERT INTO accounts (id, email, first_name, last_name, is_instance_admin, created_at) VALUES {}",
                accounts.join(",")
            ),
            format!(
                "INSERT INTO memberships (organisation_id, account_id, role, admin_tier, created_at) VALUES {}",
                memberships.join(",")
            ),
        ] {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&db)
                .await
                .unwrap();
        }
    }
    let key = |p: &(String, String, String), sort: MemberColumn| match sort {
        MemberColumn::FirstName => p.1.to_lowercase(),
        MemberColumn::LastName => p.2.to_lowercase(),
        _ => p.0.clone(),
    };
    for (field, text, matching) in [
        (SearchField::Email, "acme", 2501),
        (SearchField::Email, "user01", 1000),
        (SearchField::FirstName, "ann", 500),
        (SearchField::LastName, "okafor1", 119),
        (SearchField::LastName, "zz", 0),
    ] {
        let found: Vec<&(String, String, String)> = people
            .iter()
            .filter(|p| {
                let hay = match field {
                    SearchField::Email => &p.0,
                    SearchField::FirstName => &p.1,
                    _ => &p.2,
                };
                hay.to_lowercase().contains(text)
            })
            .collect();
        assert_eq!(found.len(), matching, "{text}");
        for sort in [
            MemberColumn::Email,
            MemberColumn::FirstName,
            MemberColumn::LastName,
        ] {
            for descending in [false, true] {
                let mut expected = found.clone();
                expected.sort_by(|a, b| (key(a, sort), &a.0).cmp(&(key(b, sort), &b.0)));
                if descending {
                    expected.reverse();
                }
                for page_no in [0u32, 3] {
                    let query = MemberQuery {
                        field,
                        text: text.into(),
                        sort,
                        descending,
                        page: page_no,
                        page_size: 25,
                    };
                    let got = page(&liaison, &org, query).await.unwrap();
                    assert_eq!(got.total as usize, matching, "{text} total");
                    let want: Vec<&str> = expected
                        .iter()
                        .skip(page_no as usize * 25)
                        .take(25)
                        .map(|p| p.0.as_str())
                        .collect();
                    assert_eq!(
                        emails(&got),
                        want,
                        "{text} by {sort:?} desc={descending} page {page_no}"
                    );
                }
            }
        }
    }
}

on_both!(
    search_pages_agree_with_a_plain_sort,
    overload_is_answered_busy_at_once,
    administrators_stay_inside_their_tier,
    editing_members,
    expired_licence_blocks_members,
    users_page_search_sort_page,
    adding_members_checks_seats_and_input,
    members_authorization_matrix,
    exports_follow_filter_and_columns
);
