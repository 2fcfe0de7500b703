//! ORG-6 groups over HTTP on SQLite and PostgreSQL: names, reservation,
//! uniqueness, removal only when empty, members placed in groups, refusals.

use crate::common::*;
use coffer_api::ApiError;
use coffer_shared::errors::{AuthError, Refusal};
use coffer_shared::members::GroupError;
use coffer_shared::members::*;
use coffer_shared::types::*;

async fn add_group(b: &Browser, org: &str, name: &str) -> Result<GroupView, ApiError> {
    b.run(coffer_api::AddGroup {
        organisation_id: org.to_string().into(),
        name: name.to_string(),
    })
    .await
}

async fn groups_rules(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let liaison = member(&server, &admin, "Acme", "lia@acme.test", "liaison password").await;
    let org = organisation_id(&liaison).await;
    let sales = add_group(&liaison, &org, " Sales ").await.unwrap();
    assert_eq!(sales.name, "Sales");
    let legal = add_group(&liaison, &org, "Legal").await.unwrap();
    for (name, want) in [
        ("sales", GroupError::NameTaken),
        ("admin", GroupError::Reserved("Admin".into())),
        ("Liaison", GroupError::Reserved("Liaison".into())),
        ("ALL", GroupError::Reserved("All".into())),
        ("", GroupError::InvalidName),
    ] {
        assert_eq!(
            refusal(add_group(&liaison, &org, name).await.unwrap_err()),
            Refusal::Group(want),
            "{name:?}"
        );
    }
    // A member placed in Sales; a group id from another organisation is refused.
    let ann = NewMember {
        email: "ann@acme.test".into(),
        first_name: "Ann".into(),
        last_name: "A".into(),
        role: Role::Originator,
        admin: false,
        group_id: Some(sales.id.clone()),
    };
    let row: MemberRow = liaison
        .run(coffer_api::AddMember {
            organisation_id: org.to_string().into(),
            member: ann.clone(),
        })
        .await
        .unwrap();
    assert_eq!(row.group, "Sales");
    let other = member(&server, &admin, "Bravo", "bo@bravo.test", "bo's password").await;
    let bravo_org = organisation_id(&other).await;
    let foreign = add_group(&other, &bravo_org, "Sales").await.unwrap();
    let bob = NewMember {
        email: "bob@acme.test".into(),
        group_id: Some(foreign.id.clone()),
        ..ann_clone()
    };
    let err = liaison
        .run(coffer_api::AddMember {
            organisation_id: org.to_string().into(),
            member: bob.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(refusal(err), Refusal::Group(GroupError::Unknown));
    let listed: Vec<GroupView> = liaison
        .run(coffer_api::ListGroups {
            organisation_id: org.to_string().into(),
        })
        .await
        .unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|g| (g.name.as_str(), g.members))
            .collect::<Vec<_>>(),
        [("Legal", 0), ("Sales", 1)]
    );
    // Sorting the Users page by group.
    let q = MemberQuery {
        sort: MemberColumn::Group,
        descending: true,
        page_size: 10,
        ..MemberQuery::default()
    };
    let page: MemberPage = liaison
        .run(coffer_api::ListMembers {
            organisation_id: org.to_string().into(),
            query: q.clone(),
        })
        .await
        .unwrap();
    assert_eq!(page.rows[0].email, "ann@acme.test");
    // Removal: refused with members, allowed when empty, and not across organisations.
    let err = liaison
        .run(coffer_api::RemoveGroup {
            organisation_id: org.to_string().into(),
            group_id: sales.id.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(refusal(err), Refusal::Group(GroupError::HasMembers));
    let err = liaison
        .run(coffer_api::RemoveGroup {
            organisation_id: org.to_string().into(),
            group_id: foreign.id.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(refusal(err), Refusal::Group(GroupError::Unknown));
    liaison
        .run(coffer_api::RemoveGroup {
            organisation_id: org.to_string().into(),
            group_id: legal.id.clone(),
        })
        .await
        .unwrap();
    let listed: Vec<GroupView> = liaison
        .run(coffer_api::ListGroups {
            organisation_id: org.to_string().into(),
        })
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    // Other organisations' administrators and anonymous visitors are refused.
    for (who, want) in [
        (&other, AuthError::Forbidden),
        (&server.browser(), AuthError::NotSignedIn),
    ] {
        let err = who
            .run(coffer_api::ListGroups {
                organisation_id: org.to_string().into(),
            })
            .await
            .unwrap_err();
        assert_eq!(refusal(err), Refusal::Auth(want.clone()));
        let err = add_group(who, &org, "Intruders").await.unwrap_err();
        assert_eq!(refusal(err), Refusal::Auth(want.clone()));
        let err = who
            .run(coffer_api::RemoveGroup {
                organisation_id: org.to_string().into(),
                group_id: sales.id.clone(),
            })
            .await
            .unwrap_err();
        assert_eq!(refusal(err), Refusal::Auth(want.clone()));
    }
    let created: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE action IN ('group.created', 'group.removed')",
    )
    .fetch_one(&server.db().await)
    .await
    .unwrap();
    assert_eq!(created, 4, "three created, one removed");
}

fn ann_clone() -> NewMember {
    NewMember {
        email: String::new(),
        first_name: String::new(),
        last_name: String::new(),
        role: Role::Collaborator,
        admin: false,
        group_id: None,
    }
}

on_both!(groups_rules);
