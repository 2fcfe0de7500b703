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

/// Runs `run` on SQLite, then on PostgreSQL when `COFFER_BENCH_PG_URL`
/// names an empty database (each with a fresh data folder).
pub fn on_each_engine<F, Fut>(run: F)
where
    F: Fn(&'static str, coffer_core::Config) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let config = coffer_core::Config {
            data_dir: dir.path().to_path_buf(),
            ..coffer_core::Config::default()
        };
        run("SQLite", config).await;
        match std::env::var("COFFER_BENCH_PG_URL") {
            Ok(url) => {
                let dir = tempfile::tempdir().unwrap();
                let config = coffer_core::Config {
                    data_dir: dir.path().to_path_buf(),
                    database_url: Some(url),
                    ..coffer_core::Config::default()
                };
                run("PostgreSQL", config).await
            }
            Err(_) => {
                println!("\nPostgreSQL skipped: set COFFER_BENCH_PG_URL to an empty database.")
            }
        }
    });
}
