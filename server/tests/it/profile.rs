//! ACC-9: own profile over HTTP on SQLite and PostgreSQL.

use crate::common::*;
use coffer_shared::accounts::{Profile, SignedIn};
use coffer_shared::errors::{AuthError, InputError, Refusal};
use coffer_shared::i18n::Language;
use coffer_shared::members::{MemberColumn, MemberPage, MemberQuery, SearchField};
use serde_json::json;

async fn own_profile(backend: Backend) {
    let (server, admin) = instance(backend).await;
    let ann = member(&server, &admin, "Acme", "ann@acme.test", "ann's password").await;
    let empty: Profile = ann.run(coffer_api::GetProfile {}).await.unwrap();
    assert_eq!(empty, Profile::default());
    let input = Profile {
        first_name: " Ann ".into(),
        last_name: "Archer".into(),
        other_name: "Nan".into(),
        mobile: "+44 7700 900123".into(),
        language: Language::De,
    };
    let saved: Profile = ann
        .run(coffer_api::UpdateProfile {
            profile: input.clone(),
        })
        .await
        .unwrap();
    assert_eq!(saved.first_name, "Ann");
    assert_eq!(saved.mobile, "+447700900123");
    // ACC-9: the default language comes back with the session, so the
    // browser applies it at every sign-in.
    assert_eq!(saved.language, Language::De);
    let me: SignedIn = ann.run(coffer_api::Me {}).await.unwrap();
    assert_eq!(me.account.language, Language::De);
    let fresh = server.browser();
    let again = fresh
        .sign_in("ann@acme.test", "ann's password")
        .await
        .unwrap();
    assert_eq!(again.signed_in.account.language, Language::De);
    // The Users page finds and sorts by the new names at once (the search
    // keys on memberships follow the account).
    let org = organisation_id(&ann).await;
    let q = MemberQuery {
        field: SearchField::LastName,
        text: "ARCH*".into(),
        sort: MemberColumn::FirstName,
        page_size: 10,
        ..MemberQuery::default()
    };
    let found: MemberPage = ann
        .run(coffer_api::ListMembers {
            organisation_id: org.to_string().into(),
            query: q.clone(),
        })
        .await
        .unwrap();
    assert_eq!(found.rows.len(), 1);
    assert_eq!(found.rows[0].first_name, "Ann");
    let q = MemberQuery {
        text: "nn@acme".into(),
        page_size: 10,
        ..MemberQuery::default()
    };
    let found: MemberPage = ann
        .run(coffer_api::ListMembers {
            organisation_id: org.to_string().into(),
            query: q.clone(),
        })
        .await
        .unwrap();
    assert_eq!(found.total, 1, "contains across all fields");
    assert_eq!(ann.run(coffer_api::GetProfile {}).await.unwrap(), saved);
    // Bad input is refused and changes nothing.
    for (p, want) in [
        (
            Profile {
                mobile: "07700 900123".into(),
                ..saved.clone()
            },
            InputError::InvalidMobile,
        ),
        (
            Profile {
                last_name: "x".repeat(101),
                ..saved.clone()
            },
            InputError::NameTooLong,
        ),
    ] {
        let err = ann
            .run(coffer_api::UpdateProfile { profile: p.clone() })
            .await
            .unwrap_err();
        assert_eq!(refusal(err), Refusal::Input(want));
    }
    // A language Coffer does not speak is refused before anything changes.
    let mut unknown = serde_json::to_value(&saved).unwrap();
    unknown["language"] = json!("xx");
    assert!(ann
        .call::<Profile>("update_profile", json!({ "profile": unknown }))
        .await
        .is_err());
    assert_eq!(ann.run(coffer_api::GetProfile {}).await.unwrap(), saved);
    // Only for a signed-in person.
    let err = server
        .browser()
        .run(coffer_api::UpdateProfile {
            profile: saved.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(refusal(err), Refusal::Auth(AuthError::NotSignedIn));
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE action = 'account.profile_updated'",
    )
    .fetch_one(&server.db().await)
    .await
    .unwrap();
    assert_eq!(n, 1);
}

on_both!(own_profile);
