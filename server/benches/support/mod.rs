//! What the benchmarks share: an instance administrator written straight
//! into the database, and an organisation made through the real code.

use coffer_core::{Actor, Coffer};
use coffer_shared::organisations::NewOrganisation;

/// An organisation named "Bench" with room for `seats` members, and the
/// instance administrator who acts on it.
pub async fn bench_organisation(
    coffer: &Coffer,
    seats: i64,
) -> (Actor, coffer_shared::ids::OrganisationId) {
    sqlx::query(
        "INSERT INTO accounts (id, email, is_instance_admin, created_at) VALUES ('bench-admin', 'admin@bench.test', 1, 0)",
    )
    .execute(&coffer.db().pool)
    .await
    .unwrap();
    let actor = Actor {
        account_id: "bench-admin".into(),
        email: "admin@bench.test".into(),
        is_instance_admin: true,
        memberships: Vec::new(),
        session_id: Some("bench".into()),
        setup_only: false,
        proved_at: coffer_core::kernel::db::now_ms(),
    };
    let org = coffer
        .create_organisation(
            Some(&actor),
            &NewOrganisation {
                name: "Bench".into(),
                licence_seats: seats,
                expiry_date: "2099-12-31".into(),
                administrator_email: "liaison@bench.test".into(),
            },
        )
        .await
        .map_err(|e| format!("{e:?}"))
        .unwrap();
    (actor, org.id)
}
