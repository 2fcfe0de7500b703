//! IMP-1 … IMP-4: CSV import through the real routes and server functions,
//! on SQLite and PostgreSQL: preview, start, progress to the end, members
//! and invitations, the administrator's report mail and CSV, re-running the
//! same file, seats, whole-file refusals and who may import.

use std::time::Duration;

use crate::common::*;
use coffer_shared::audit::*;
use coffer_shared::import::{ImportPreview, ImportState, ImportStatus, RowOutcome, RowReason};
use coffer_shared::members::*;
use coffer_shared::mfa::*;
use coffer_shared::organisations::*;
use coffer_shared::site;
use coffer_shared::types::*;

const PW: &str = "import admin password";

async fn upload(b: &Browser, org: &str, body: &[u8], format: &str) -> reqwest::Response {
    b.http
        .post(format!("{}{}", b.base, site::upload_import(org, format)))
        .header("Origin", &b.base)
        .body(body.to_vec())
        .send()
        .await
        .unwrap()
}

async fn preview(b: &Browser, org: &str, body: &[u8]) -> ImportPreview {
    let res = upload(b, org, body, "").await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

/// Starts an import and waits for it to finish.
async fn run(b: &Browser, org: &str, id: &str) -> ImportStatus {
    let started: ImportStatus = b
        .run(coffer_api::ImportStart {
            organisation_id: org.to_string().into(),
            import_id: id.to_string().into(),
        })
        .await
        .unwrap();
    assert!(matches!(
        started.state,
        ImportState::Running | ImportState::Finished
    ));
    for _ in 0..200 {
        let s: ImportStatus = b
            .run(coffer_api::ImportStatus {
                organisation_id: org.to_string().into(),
                import_id: id.to_string().into(),
            })
            .await
            .unwrap();
        if s.state != ImportState::Running {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("import did not finish");
}

/// The keys the bulk insert computes must be exactly those the triggers
/// compute for a member added one at a time: each membership of the
/// organisation is deleted and inserted again without keys, and the keys
/// the triggers give it are compared with the imported ones.
async fn assert_keys_match_the_triggers(server: &TestServer, org: &str) {
    use sqlx::Row;
    const KEYS: &str =
        "account_id, email_key, first_key, last_key, search_key, group_key, plan_key, locked_key, mfa_key";
    let db = server.db().await;
    let read = |db: sqlx::AnyPool| async move {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {KEYS} FROM memberships WHERE organisation_id = $1 ORDER BY account_id"
        )))
        .bind(org)
        .fetch_all(&db)
        .await
        .unwrap();
        rows.iter()
            .map(|r| {
                let text: Vec<String> = (0..7).map(|i| r.try_get(i).unwrap()).collect();
                (
                    text,
                    r.try_get::<i64, _>(7).unwrap(),
                    r.try_get::<i64, _>(8).unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let imported = read(db.clone()).await;
    assert!(imported.iter().all(|(k, ..)| !k[1].is_empty()));
    let mut tx = db.begin().await.unwrap();
    let rows = sqlx::query(
        "SELECT account_id, role, admin_tier, created_at, group_id, plan_id, permissions FROM memberships WHERE organisation_id = $1",
    )
    .bind(org)
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    sqlx::query("DELETE FROM memberships WHERE organisation_id = $1")
        .bind(org)
        .execute(&mut *tx)
        .await
        .unwrap();
    for r in &rows {
        sqlx::query(
            "INSERT INTO memberships (organisation_id, account_id, role, admin_tier, created_at, group_id, plan_id, permissions) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(org)
        .bind(r.try_get::<String, _>(0).unwrap())
        .bind(r.try_get::<String, _>(1).unwrap())
        .bind(r.try_get::<String, _>(2).unwrap())
        .bind(r.try_get::<i64, _>(3).unwrap())
        .bind(r.try_get::<Option<String>, _>(4).unwrap())
        .bind(r.try_get::<Option<String>, _>(5).unwrap())
        .bind(r.try_get::<String, _>(6).unwrap())
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    assert_eq!(imported, read(db).await);
}

const FILE: &[u8] = b"USERNAME,EMAIL,GROUP,FIRSTNAME,LASTNAME\r\n\
ann_b,ann@acme.test,Sales,Ann,Baker\r\n\
,bob@acme.test,,\"Bob, Jr.\",Brown\r\n\
,carl@acme.test,Nowhere,Carl,Cole\r\n\
,lia@acme.test,,Lia,Liaison\r\n\
,not-an-email,,,\r\n\
,dora@acme.test,,\"=HYPERLINK(\"\"http://evil.test\"\",\"\"x\"\")\",Diaz\r\n\
,ANN@acme.test,,Ann,Again\r\n\
,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")@h.example\",,,\r\n\
bad.name,eve@acme.test,,Eve,Dot\r\n";

async fn import_mixed_file_end_to_end(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let lia = member(&server, &admin, "Acme", "lia@acme.test", PW).await;
    let org = organisation_id(&lia).await;
    let _: GroupView = lia
        .run(coffer_api::AddGroup {
            organisation_id: org.to_string().into(),
            name: "Sales".into(),
        })
        .await
        .unwrap();
    let _: Vec<PlanView> = lia
        .run(coffer_api::SavePlan {
            organisation_id: org.to_string().into(),
            plan_id: None,
            name: "Standard".into(),
            quota_gb: 10,
        })
        .await
        .unwrap();

    let p = preview(&lia, &org, FILE).await;
    assert_eq!(p.format, coffer_shared::import::ImportFormat::Named);
    assert_eq!((p.rows_total, p.to_add, p.skipped), (9, 3, 6));
    let outcomes: Vec<(u64, RowOutcome)> =
        p.rows.iter().map(|r| (r.line, r.outcome.clone())).collect();
    assert_eq!(
        outcomes,
        vec![
            (2, RowOutcome::Add),
            (3, RowOutcome::Add),
            (
                4,
                RowOutcome::Skip(RowReason::GroupDoesNotExist("Nowhere".into()))
            ),
            (5, RowOutcome::Skip(RowReason::AlreadyMember)),
            (6, RowOutcome::Skip(RowReason::InvalidEmail)),
            (7, RowOutcome::Add),
            (8, RowOutcome::Skip(RowReason::DuplicateOf(2))),
            // Rows Add user would refuse are reported, never fail the import.
            (9, RowOutcome::Skip(RowReason::InvalidEmail)),
            (10, RowOutcome::Skip(RowReason::InvalidUsername)),
        ]
    );
    // A preview changes nothing.
    assert!(member_row(&lia, &org, "ann@acme.test").await.is_none());

    let done = run(&lia, &org, &p.import_id).await;
    assert_eq!(done.state, ImportState::Finished, "{}", done.failure);
    assert_eq!((done.imported, done.rows_total, done.rows_done), (3, 9, 9));
    server.settle_mail().await;
    assert_eq!(done.problems.len(), 6);
    let ann = member_row(&lia, &org, "ann@acme.test").await.unwrap();
    assert_eq!(
        (ann.group.as_str(), ann.plan.as_str(), ann.active),
        ("Sales", "Standard", false)
    );
    assert_eq!(ann.first_name, "Ann");
    let bob = member_row(&lia, &org, "bob@acme.test").await.unwrap();
    assert_eq!(bob.first_name, "Bob, Jr.");
    assert_keys_match_the_triggers(&server, &org).await;
    // Each new member can accept their invitation (a token, not a password).
    let token = server.invitation_tokens("bob@acme.test").remove(0);
    let b = server.browser();
    b.accept_invitation(&token, "bob's own password")
        .await
        .unwrap();
    b.sign_in("bob@acme.test", "bob's own password")
        .await
        .expect("bob signs in");
    // The importing administrator is mailed the details.
    let mine = subjects_to(&server, "lia@acme.test");
    assert!(
        mine.iter()
            .any(|s| s == "Import finished: 3 of 9 imported into Acme"),
        "{mine:?}"
    );
    // The downloadable report neutralises what it echoes.
    let report = lia
        .http
        .get(format!(
            "{}{}",
            lia.base,
            site::import_report(&org, &p.import_id)
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        report.starts_with("Line,Email,Result\n4,carl@acme.test,"),
        "{report}"
    );
    assert!(
        report.contains("8,ann@acme.test,Duplicate of line 2."),
        "{report}"
    );
    // The audit log and the members' history record it.
    let h: Vec<HistoryEntry> = lia
        .run(coffer_api::MemberHistory {
            organisation_id: org.to_string().into(),
            account_id: ann.account_id.clone(),
        })
        .await
        .unwrap();
    // One record per imported member, which carries the invitation.
    let added: Vec<&HistoryEntry> = h.iter().filter(|e| e.action == "member.added").collect();
    assert_eq!(added.len(), 1, "{h:?}");
    assert_eq!(added[0].actor, "lia@acme.test");
    assert!(
        added[0].details.contains("invitation_expires_at")
            && added[0].details.contains("\"imported\":true"),
        "{:?}",
        added[0]
    );
    let chain: ChainReport = lia
        .run(coffer_api::VerifyAuditLog {
            organisation_id: org.to_string().into(),
        })
        .await
        .unwrap();
    assert_eq!(
        chain.first_broken, None,
        "bulk audit records keep the chain whole"
    );

    // Running the same file again adds nobody and says why.
    let again = preview(&lia, &org, FILE).await;
    assert_eq!(again.to_add, 0);
    let second = run(&lia, &org, &again.import_id).await;
    assert_eq!(second.imported, 0);
    let page: MemberPage = lia
        .run(coffer_api::ListMembers {
            organisation_id: org.to_string().into(),
            query: MemberQuery {
                page_size: 50,
                ..MemberQuery::default()
            },
        })
        .await
        .unwrap();
    assert_eq!(page.total, 4, "lia + three imported, no duplicates");
    // A started import cannot be started twice.
    let twice = lia
        .run(coffer_api::ImportStart {
            organisation_id: org.to_string().into(),
            import_id: p.import_id.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        refusal(twice),
        coffer_shared::Refusal::Import(coffer_shared::import::ImportError::AlreadyStarted)
    );
}

async fn seats_existing_accounts_and_roles(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let lia = member(&server, &admin, "Acme", "lia@acme.test", PW).await;
    let org = organisation_id(&lia).await;
    // Someone with an account elsewhere on the instance, with an
    // authenticator app (the MFA column's key must come along).
    let zed = member(&server, &admin, "Other", "zed@other.test", PW).await;
    let setup: TotpSetup = zed
        .run(coffer_api::TotpBegin { setup_token: None })
        .await
        .unwrap();
    let _: Vec<String> = zed
        .run(coffer_api::TotpConfirm {
            code: oathtool_code(&setup.secret, 0),
        })
        .await
        .unwrap();
    sqlx::query("UPDATE organisations SET licence_seats = 3 WHERE id = $1")
        .bind(&org)
        .execute(&server.db().await)
        .await
        .unwrap();
    let file = b"Email;Role\nzed@other.test;Collaborator\nann@acme.test;Originator\nbob@acme.test;Collaborator\ncarl@acme.test;Manager\n";
    let p = preview(&lia, &org, file).await;
    assert_eq!(p.format, coffer_shared::import::ImportFormat::EmailRole);
    let outcomes: Vec<RowOutcome> = p.rows.iter().map(|r| r.outcome.clone()).collect();
    assert_eq!(
        outcomes,
        vec![
            // An account another organisation holds reads like a new one.
            RowOutcome::Add,
            RowOutcome::Add,
            RowOutcome::Skip(RowReason::NoLicencesLeft),
            RowOutcome::Skip(RowReason::InvalidRole),
        ]
    );
    let done = run(&lia, &org, &p.import_id).await;
    assert_eq!(done.imported, 2);
    server.settle_mail().await;
    let zed = member_row(&lia, &org, "zed@other.test").await.unwrap();
    assert_eq!(zed.role, Role::Collaborator);
    assert!(zed.active, "the existing account is re-used");
    assert!(zed.two_step, "the MFA column shows the app");
    assert_keys_match_the_triggers(&server, &org).await;
    assert!(subjects_to(&server, "zed@other.test")
        .iter()
        .any(|s| s.starts_with("Your Coffer account was updated")));
    assert!(member_row(&lia, &org, "bob@acme.test").await.is_none());
}

async fn whole_file_refusals_and_who_may_import(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let lia = member(&server, &admin, "Acme", "lia@acme.test", PW).await;
    let org = organisation_id(&lia).await;
    for (body, message) in [
        (&b""[..], "The file is empty."),
        (
            &b"\x89PNG\r\n\x1a\n\0\0\0"[..],
            "The file is not a CSV text file (it is not UTF-8 text).",
        ),
        (
            &b"Email,Role\n"[..],
            "The file has a header line but no members.",
        ),
    ] {
        let res = upload(&lia, &org, body, "").await;
        assert_eq!(res.status(), 400);
        assert_eq!(refusal_words(res).await, message);
    }
    let mut big = b"Email,Role\n".to_vec();
    big.resize(coffer_core::import::MAX_IMPORT_BYTES + 1, b'a');
    let res = upload(&lia, &org, &big, "").await;
    assert_eq!(
        refusal_words(res).await,
        "The file is larger than the 32 MB import limit."
    );
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM imports")
        .fetch_one(&server.db().await)
        .await
        .unwrap();
    assert_eq!(stored, 0, "refused files leave nothing behind");

    // Plain members, strangers and the anonymous cannot import or look.
    let p = preview(&lia, &org, b"Email,Role\nann@acme.test,Originator\n").await;
    let (_, collaborator) = active_member(
        &server,
        &lia,
        &org,
        "col@acme.test",
        PW,
        Role::Collaborator,
        false,
    )
    .await;
    let (_, other_admin) = active_member(
        &server,
        &lia,
        &org,
        "adm@acme.test",
        PW,
        Role::Originator,
        true,
    )
    .await;
    let stranger = member(&server, &admin, "Other", "oz@other.test", PW).await;
    let anonymous = server.browser();
    assert_eq!(
        upload(
            &collaborator,
            &org,
            b"Email,Role\nx@acme.test,Originator\n",
            ""
        )
        .await
        .status(),
        403
    );
    assert_eq!(
        upload(&stranger, &org, b"Email,Role\nx@acme.test,Originator\n", "")
            .await
            .status(),
        403
    );
    assert_eq!(
        upload(
            &anonymous,
            &org,
            b"Email,Role\nx@acme.test,Originator\n",
            ""
        )
        .await
        .status(),
        401
    );
    for b in [&collaborator, &stranger, &anonymous] {
        let e = b
            .run(coffer_api::ImportStart {
                organisation_id: org.to_string().into(),
                import_id: p.import_id.clone(),
            })
            .await
            .unwrap_err();
        assert!(matches!(refusal(e), coffer_shared::Refusal::Auth(_)));
    }
    // Another administrator of the organisation may watch but not start it.
    let e = other_admin
        .run(coffer_api::ImportStart {
            organisation_id: org.to_string().into(),
            import_id: p.import_id.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        refusal(e),
        coffer_shared::Refusal::Import(coffer_shared::import::ImportError::Unknown)
    );
    assert!(member_row(&lia, &org, "ann@acme.test").await.is_none());
}

/// A process that dies mid-import never commits; the next start says so.
async fn an_interrupted_import_is_failed_at_the_next_start(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let lia = member(&server, &admin, "Acme", "lia@acme.test", PW).await;
    let org = organisation_id(&lia).await;
    let p = preview(&lia, &org, b"Email,Role\nann@acme.test,Originator\n").await;
    sqlx::query("UPDATE imports SET state = 'running' WHERE id = $1")
        .bind(&*p.import_id)
        .execute(&server.db().await)
        .await
        .unwrap();
    // While it "runs", a second import for the organisation must wait.
    let other = preview(&lia, &org, b"Email,Role\nbob@acme.test,Originator\n").await;
    let busy = lia
        .run(coffer_api::ImportStart {
            organisation_id: org.to_string().into(),
            import_id: other.import_id.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        refusal(busy),
        coffer_shared::Refusal::Import(coffer_shared::import::ImportError::Busy)
    );
    let url = server.database_url.clone();
    let restarted = TestServer::start_with(backend, |c| c.database_url = Some(url)).await;
    let s: ImportStatus = lia
        .run(coffer_api::ImportStatus {
            organisation_id: org.to_string().into(),
            import_id: p.import_id.clone(),
        })
        .await
        .unwrap();
    assert_eq!(s.state, ImportState::Failed);
    assert!(
        s.failure
            .starts_with("The server stopped during the import."),
        "{}",
        s.failure
    );
    assert!(member_row(&lia, &org, "ann@acme.test").await.is_none());
    // The organisation can import again.
    let done = run(&lia, &org, &other.import_id).await;
    assert_eq!(done.imported, 1);
    drop(restarted);
}

/// A preview nobody starts does not keep the uploaded file for ever.
async fn stale_previews_are_dropped_by_housekeeping(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let lia = member(&server, &admin, "Acme", "lia@acme.test", PW).await;
    let org = organisation_id(&lia).await;
    let old = preview(&lia, &org, b"Email,Role\nann@acme.test,Originator\n").await;
    let fresh = preview(&lia, &org, b"Email,Role\nbob@acme.test,Originator\n").await;
    let two_days_ago = coffer_core::kernel::db::now_ms() - 48 * 3_600_000;
    sqlx::query("UPDATE imports SET created_at = $1 WHERE id = $2")
        .bind(two_days_ago)
        .bind(&*old.import_id)
        .execute(&server.db().await)
        .await
        .unwrap();
    // Housekeeping as the server runs it, on the same database.
    let data = tempfile::tempdir().unwrap();
    let coffer = coffer_core::Coffer::open(coffer_core::Config {
        data_dir: data.path().to_path_buf(),
        database_url: Some(server.database_url.clone()),
        ..coffer_core::Config::default()
    })
    .await
    .unwrap();
    coffer.housekeeping().await.unwrap();
    let gone = lia
        .run(coffer_api::ImportStatus {
            organisation_id: org.to_string().into(),
            import_id: old.import_id.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        refusal(gone),
        coffer_shared::Refusal::Import(coffer_shared::import::ImportError::Unknown)
    );
    let kept: ImportStatus = lia
        .run(coffer_api::ImportStatus {
            organisation_id: org.to_string().into(),
            import_id: fresh.import_id.clone(),
        })
        .await
        .unwrap();
    assert_eq!(kept.state, ImportState::Previewed);
}

on_both!(
    stale_previews_are_dropped_by_housekeeping,
    an_interrupted_import_is_failed_at_the_next_start,
    import_mixed_file_end_to_end,
    seats_existing_accounts_and_roles,
    whole_file_refusals_and_who_may_import
);
