//! ORG-1 / ORG-2 at scale: one organisation with 100,000 members. Times the
//! Users page's server call (filter, sort, page) and the Excel export of
//! every row, on SQLite and — when `COFFER_BENCH_PG_URL` names an empty
//! PostgreSQL database — on PostgreSQL. Prints p50 / p95 / max per query.
//!
//! Run: `cargo bench -p coffer-server --bench members_100k`

use std::time::{Duration, Instant};

use coffer_core::export::ExportFormat;
mod support;

use coffer_core::{Actor, Coffer, Config};
use coffer_shared::types::{MemberColumn, MemberQuery, SearchField};

const MEMBERS: usize = 100_000;
const RUNS: usize = 40;
const FIRST: [&str; 12] = [
    "Ann", "Bob", "Carla", "Dev", "Eve", "Farid", "Grace", "Hugo", "Ines", "Jon", "Kim", "Lars",
];
const LAST: [&str; 10] = [
    "Smith", "Jones", "Baker", "Okafor", "Nguyen", "Garcia", "Müller", "Rossi", "Kowalski",
    "Tanaka",
];

async fn seed(coffer: &Coffer) -> (Actor, String) {
    let pool = &coffer.db().pool;
    let (actor, org) = support::bench_organisation(coffer, MEMBERS as i64 + 10).await;
    let mut tx = pool.begin().await.unwrap();
    for chunk in (0..MEMBERS).collect::<Vec<_>>().chunks(500) {
        let accounts: Vec<String> = chunk
            .iter()
            .map(|n| {
                format!(
                    "('m{n}', 'user{n:06}@example.test', '{}', '{}{}', 0, {n})",
                    FIRST[n % FIRST.len()],
                    LAST[(n / 7) % LAST.len()],
                    n % 97
                )
            })
            .collect();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO accounts (id, email, first_name, last_name, is_instance_admin, created_at) VALUES {}",
            accounts.join(",")
        )))
        .execute(&mut *tx)
        .await
        .unwrap();
        let memberships: Vec<String> = chunk
            .iter()
            .map(|n| {
                let role = if n % 3 == 0 {
                    "collaborator"
                } else {
                    "originator"
                };
                let tier = if n % 1000 == 0 { "admin" } else { "none" };
                format!("('{}', 'm{n}', '{role}', '{tier}', {n})", org)
            })
            .collect();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO memberships (organisation_id, account_id, role, admin_tier, created_at) VALUES {}",
            memberships.join(",")
        )))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    // Statistics and PostgreSQL's visibility map, as autovacuum (or
    // SQLite's `PRAGMA optimize`) keeps them on a live server.
    let maintain = if coffer.db().engine == coffer_core::db::Engine::Sqlite {
        "ANALYZE"
    } else {
        "VACUUM ANALYZE"
    };
    sqlx::query(maintain).execute(pool).await.unwrap();
    (actor, org)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

async fn run(engine: &str, config: Config) {
    let coffer = Coffer::open(config).await.unwrap();
    let t = Instant::now();
    let (actor, org) = seed(&coffer).await;
    println!(
        "\n{engine}: seeded {MEMBERS} members in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let q = |field: SearchField, text: &str, sort: MemberColumn, descending: bool, page: u32| {
        MemberQuery {
            field,
            text: text.into(),
            sort,
            descending,
            page,
            page_size: 25,
        }
    };
    let cases = [
        (
            "first page, sorted by email",
            q(SearchField::All, "", MemberColumn::Email, false, 0),
        ),
        (
            "page 2,000, sorted by email descending",
            q(SearchField::All, "", MemberColumn::Email, true, 2000),
        ),
        (
            "sorted by last name",
            q(SearchField::All, "", MemberColumn::LastName, false, 0),
        ),
        (
            "sorted by first name descending, page 100",
            q(SearchField::All, "", MemberColumn::FirstName, true, 100),
        ),
        (
            "contains \"okafor\" in All fields",
            q(SearchField::All, "okafor", MemberColumn::Email, false, 0),
        ),
        (
            "contains \"ines\" in First name, sorted by last name",
            q(
                SearchField::FirstName,
                "ines",
                MemberColumn::LastName,
                false,
                3,
            ),
        ),
        (
            "wildcard \"user0123*\" in Email",
            q(
                SearchField::Email,
                "user0123*",
                MemberColumn::Email,
                false,
                0,
            ),
        ),
        (
            "wildcard \"*@example.te?t\" in Email, page 50",
            q(
                SearchField::Email,
                "*@example.te?t",
                MemberColumn::Email,
                false,
                50,
            ),
        ),
        (
            "Admin tier \"admin\"",
            q(SearchField::Admin, "admin", MemberColumn::Email, false, 0),
        ),
        (
            "sorted by role, page 10",
            q(SearchField::All, "", MemberColumn::Role, false, 10),
        ),
        (
            "sorted by group",
            q(SearchField::All, "", MemberColumn::Group, false, 0),
        ),
        (
            "sorted by plan descending, page 30",
            q(SearchField::All, "", MemberColumn::Plan, true, 30),
        ),
        (
            "sorted by MFA, page 40",
            q(SearchField::All, "", MemberColumn::Mfa, false, 40),
        ),
    ];
    println!("| {engine} query | p50 ms | p95 ms | max ms | matches |");
    println!("|---|---|---|---|---|");
    for (name, query) in cases {
        let mut times = Vec::with_capacity(RUNS);
        let mut total = 0;
        for _ in 0..RUNS {
            let t = Instant::now();
            let page = coffer.members(Some(&actor), &org, &query).await.unwrap();
            times.push(t.elapsed());
            total = page.total;
        }
        times.sort();
        println!(
            "| {name} | {} | {} | {} | {total} |",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.95)),
            ms(*times.last().unwrap())
        );
    }
    let all = q(SearchField::All, "", MemberColumn::Email, false, 0);
    for _ in 0..3 {
        let t = Instant::now();
        let bytes = coffer
            .export_members(
                Some(&actor),
                &org,
                &all,
                &MemberColumn::ALL,
                ExportFormat::Xlsx,
            )
            .await
            .map_err(|e| format!("{e:?}"))
            .unwrap();
        println!(
            "{engine}: Excel export of all {MEMBERS} rows: {:.2} s ({} KB)",
            t.elapsed().as_secs_f64(),
            bytes.len() / 1024
        );
    }
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is configurable.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        run(
            "SQLite",
            Config {
                data_dir: dir.path().to_path_buf(),
                ..Config::default()
            },
        )
        .await;
        match std::env::var("COFFER_BENCH_PG_URL") {
            Ok(url) => {
                let dir = tempfile::tempdir().unwrap();
                run(
                    "PostgreSQL",
                    Config {
                        data_dir: dir.path().to_path_buf(),
                        database_url: Some(url),
                        ..Config::default()
                    },
                )
                .await
            }
            Err(_) => {
                println!("\nPostgreSQL skipped: set COFFER_BENCH_PG_URL to an empty database.")
            }
        }
    });
}
