//! AUD-1: the organisation audit log over HTTP: filters, CSV export,
//! hash-chain verification that finds tampering, and who may read it.

use crate::common::*;
use coffer_api::ApiError;
use coffer_shared::audit::*;
use coffer_shared::errors::{AuthError, InputError, Refusal};
use coffer_shared::members::*;
use coffer_shared::types::*;

async fn log(b: &Browser, org: &str, q: AuditQuery) -> Result<AuditLogPage, ApiError> {
    b.run(coffer_api::AuditLog {
        organisation_id: org.to_string().into(),
        query: q.clone(),
    })
    .await
}

async fn verify(b: &Browser, org: &str) -> Result<ChainReport, ApiError> {
    b.run(coffer_api::VerifyAuditLog {
        organisation_id: org.to_string().into(),
    })
    .await
}

fn actions(p: &AuditLogPage) -> Vec<&str> {
    p.entries.iter().map(|e| e.action.as_str()).collect()
}

async fn audit_log_filters_exports_and_detects_tampering(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let liaison = member(&server, &admin, "Acme", "lia@acme.test", "liaison password").await;
    let org = organisation_id(&liaison).await;
    for email in ["ann@acme.test", "bob@acme.test"] {
        let m = NewMember {
            email: email.into(),
            first_name: "".into(),
            last_name: "".into(),
            role: Role::Collaborator,
            admin: false,
            group_id: None,
        };
        liaison
            .run(coffer_api::AddMember {
                organisation_id: org.to_string().into(),
                member: m.clone(),
            })
            .await
            .unwrap();
    }
    let all = log(
        &liaison,
        &org,
        AuditQuery {
            page_size: 50,
            ..AuditQuery::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        actions(&all),
        [
            "invitation.sent",
            "member.added",
            "invitation.sent",
            "member.added",
            "invitation.sent",
            "member.added",
            "organisation.created"
        ]
    );
    assert_eq!(all.entries[0].seq, 7);
    assert_eq!(all.entries[0].actor, "lia@acme.test");
    assert_eq!(all.entries[6].actor, ADMIN);
    // Filters: action prefix, actor, target wildcard, dates.
    let added = log(
        &liaison,
        &org,
        AuditQuery {
            action: "member.".into(),
            page_size: 50,
            ..AuditQuery::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(added.total, 3);
    let by_root = log(
        &liaison,
        &org,
        AuditQuery {
            actor: "root@".into(),
            page_size: 50,
            ..AuditQuery::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        actions(&by_root),
        ["invitation.sent", "member.added", "organisation.created"]
    );
    let bob = log(
        &liaison,
        &org,
        AuditQuery {
            target: "b*@acme.test".into(),
            page_size: 50,
            ..AuditQuery::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(bob.total, 2);
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let tomorrow = time::OffsetDateTime::now_utc()
        .date()
        .next_day()
        .unwrap()
        .to_string();
    let q = |from: &str, to: &str| AuditQuery {
        from: from.into(),
        to: to.into(),
        page_size: 50,
        ..AuditQuery::default()
    };
    assert_eq!(
        log(&liaison, &org, q(&today, &today)).await.unwrap().total,
        7
    );
    assert_eq!(
        log(&liaison, &org, q(&tomorrow, "")).await.unwrap().total,
        0
    );
    assert_eq!(
        refusal(log(&liaison, &org, q("31/12/2026", "")).await.unwrap_err()),
        Refusal::Input(InputError::InvalidDate)
    );
    // Paging.
    let p1 = log(
        &liaison,
        &org,
        AuditQuery {
            page: 1,
            page_size: 3,
            ..AuditQuery::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        p1.entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [4, 3, 2]
    );

    // CSV export of the filtered log.
    let res = liaison
        .http
        .get(format!(
            "{}/export/audit-log.csv?org={org}&action=member.",
            server.url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "Sequence,Time (UTC),Actor,Action,Target,Details");
    assert_eq!(lines.len(), 4);
    assert!(
        lines[1].starts_with("6,")
            && lines[1].contains("member.added")
            && lines[1].contains("bob@acme.test"),
        "{}",
        lines[1]
    );

    // The chain holds…
    assert_eq!(
        verify(&liaison, &org).await.unwrap(),
        ChainReport {
            records: 7,
            first_broken: None
        }
    );
    // …until someone edits a row in the database…
    let db = server.db().await;
    sqlx::query(
        "UPDATE audit_events SET target = 'mallory@evil.test' WHERE chain = $1 AND seq = 4",
    )
    .bind(&org)
    .execute(&db)
    .await
    .unwrap();
    let report = verify(&liaison, &org).await.unwrap();
    assert_eq!(
        report.first_broken,
        Some((4, "its contents were changed".to_string()))
    );
    // …or removes one.
    sqlx::query("DELETE FROM audit_events WHERE chain = $1 AND seq = 2")
        .bind(&org)
        .execute(&db)
        .await
        .unwrap();
    let report = verify(&liaison, &org).await.unwrap();
    assert_eq!(
        report.first_broken,
        Some((2, "a record is missing".to_string()))
    );
}

async fn audit_log_refusals(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let liaison = member(&server, &admin, "Acme", "lia@acme.test", "liaison password").await;
    let org = organisation_id(&liaison).await;
    let other = member(&server, &admin, "Bravo", "bo@bravo.test", "bo's password").await;
    let anonymous = server.browser();
    for (who, want) in [
        (&other, AuthError::Forbidden),
        (&anonymous, AuthError::NotSignedIn),
    ] {
        assert_eq!(
            refusal(log(who, &org, AuditQuery::default()).await.unwrap_err()),
            Refusal::Auth(want.clone())
        );
        assert_eq!(
            refusal(verify(who, &org).await.unwrap_err()),
            Refusal::Auth(want.clone())
        );
        let res = who
            .http
            .get(format!("{}/export/audit-log.csv?org={org}", server.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            if want == AuthError::Forbidden {
                403
            } else {
                401
            }
        );
    }
    // The instance administrator may read any organisation's log.
    assert_eq!(verify(&admin, &org).await.unwrap().first_broken, None);
}

on_both!(
    audit_log_filters_exports_and_detects_tampering,
    audit_log_refusals
);
