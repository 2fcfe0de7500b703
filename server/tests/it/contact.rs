//! ORG-9 points of contact and ACC-10 "Contact login administrator".

use crate::common::*;
use coffer_shared::errors::{InputError, Refusal};
use coffer_shared::members::MemberError;
use coffer_shared::members::*;
use coffer_shared::types::*;
use serde_json::json;

fn mails_to(server: &TestServer, to: &str) -> usize {
    std::fs::read_dir(server.data.path().join("outbox"))
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.unwrap().path()).ok())
        .filter(|m| {
            m.contains(&format!("To: {to}")) && m.contains("Subject: Sign-in help requested by")
        })
        .count()
}

/// Asks for help, then waits until the queued request has been handled
/// and its mail delivered (the answer comes before that work, by design).
async fn contact(
    server: &TestServer,
    b: &Browser,
    email: &str,
    message: &str,
) -> Result<(), coffer_api::ApiError> {
    let answer = b
        .run(coffer_api::ContactLoginAdministrator {
            email: email.to_string(),
            message: message.to_string(),
        })
        .await;
    settle(server).await;
    answer
}

async fn settle(server: &TestServer) {
    for _ in 0..200 {
        let waiting = server.count("SELECT COUNT(*) FROM contact_queue").await
            + server.count("SELECT COUNT(*) FROM mail_queue").await;
        if waiting == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("contact requests were not handled within 10 s");
}

async fn add(b: &Browser, org: &str, email: &str, admin: bool) -> MemberRow {
    let m = NewMember {
        email: email.into(),
        first_name: String::new(),
        last_name: String::new(),
        role: Role::Collaborator,
        admin,
        group_id: None,
    };
    b.run(coffer_api::AddMember {
        organisation_id: org.to_string().into(),
        member: m.clone(),
    })
    .await
    .unwrap()
}

async fn points_of_contact_receive_sign_in_help(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let lia = member(&server, &admin, "Acme", "lia@acme.test", "liaison password").await;
    let org = organisation_id(&lia).await;
    let bob = add(&lia, &org, "bob@acme.test", true).await;
    let ann = add(&lia, &org, "ann@acme.test", false).await;
    let anonymous = server.browser();

    // No points of contact yet: every administrator is told.
    contact(&server, &anonymous, "ann@acme.test", "I forgot my password")
        .await
        .unwrap();
    assert_eq!(
        (
            mails_to(&server, "lia@acme.test"),
            mails_to(&server, "bob@acme.test")
        ),
        (1, 1)
    );
    // Asking again at once sends nothing more.
    contact(&server, &anonymous, "ann@acme.test", "again")
        .await
        .unwrap();
    assert_eq!(mails_to(&server, "lia@acme.test"), 1);
    // Unknown addresses get the same answer and send nothing: both only
    // queue the request, so the answers match in content too.
    contact(&server, &anonymous, "nobody@acme.test", "hello")
        .await
        .unwrap();
    let mut answers = Vec::new();
    for email in ["ann@acme.test", "nobody@acme.test"] {
        let res = anonymous
            .raw(
                "contact_login_administrator",
                json!({ "email": email, "message": "once more" }),
            )
            .await;
        let status = res.status();
        answers.push((status, res.text().await.unwrap()));
    }
    assert_eq!(
        answers[0], answers[1],
        "known and unknown addresses look alike"
    );
    settle(&server).await;
    // Bad input is named.
    assert_eq!(
        refusal(
            contact(&server, &anonymous, "not an email", "")
                .await
                .unwrap_err()
        ),
        Refusal::Input(InputError::InvalidEmail)
    );
    let long = "x".repeat(2001);
    assert_eq!(
        refusal(
            contact(&server, &anonymous, "ann@acme.test", &long)
                .await
                .unwrap_err()
        ),
        Refusal::Input(InputError::MessageTooLong)
    );

    // ORG-9: the Liaison makes Bob the point of contact; then only he is told.
    let change = |poc: bool| MemberChange {
        point_of_contact: Some(poc),
        ..Default::default()
    };
    let err = lia
        .run(coffer_api::UpdateMember {
            organisation_id: org.to_string().into(),
            account_id: ann.account_id.clone(),
            change: change(true),
        })
        .await
        .unwrap_err();
    assert_eq!(
        refusal(err),
        Refusal::Member(MemberError::ContactMustBeAdmin)
    );
    let bob_row: MemberRow = lia
        .run(coffer_api::UpdateMember {
            organisation_id: org.to_string().into(),
            account_id: bob.account_id.clone(),
            change: change(true),
        })
        .await
        .unwrap();
    assert!(bob_row.point_of_contact);
    sqlx::query("UPDATE accounts SET contact_requested_at = NULL")
        .execute(&server.db().await)
        .await
        .unwrap();
    contact(&server, &anonymous, "ann@acme.test", "still locked out")
        .await
        .unwrap();
    assert_eq!(
        (
            mails_to(&server, "lia@acme.test"),
            mails_to(&server, "bob@acme.test")
        ),
        (1, 2)
    );
    // An Admin cannot choose points of contact.
    let token = server.invitation_tokens("bob@acme.test").remove(0);
    let bob_b = server.browser();
    bob_b
        .accept_invitation(&token, "bob's password")
        .await
        .unwrap();
    bob_b
        .sign_in("bob@acme.test", "bob's password")
        .await
        .unwrap();
    let lia_id = bob_b
        .run(coffer_api::ListMembers {
            organisation_id: org.to_string().into(),
            query: MemberQuery {
                text: "lia".into(),
                page_size: 5,
                ..MemberQuery::default()
            },
        })
        .await
        .unwrap()
        .rows[0]
        .account_id
        .clone();
    let err = bob_b
        .run(coffer_api::UpdateMember {
            organisation_id: org.to_string().into(),
            account_id: lia_id.clone(),
            change: change(true),
        })
        .await
        .unwrap_err();
    assert_eq!(
        refusal(err),
        Refusal::Member(MemberError::OnlyLiaisonSetsContact)
    );
    // Losing the Admin tier ends the point-of-contact role.
    let demoted: MemberRow = lia
        .run(coffer_api::UpdateMember {
            organisation_id: org.to_string().into(),
            account_id: bob.account_id.clone(),
            change: MemberChange {
                admin_tier: Some(AdminTier::None),
                ..Default::default()
            },
        })
        .await
        .unwrap();
    assert!(!demoted.point_of_contact);
}

on_both!(points_of_contact_receive_sign_in_help);
