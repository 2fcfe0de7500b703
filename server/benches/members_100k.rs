//! ORG-1 / ORG-2 at scale: one organisation with 100,000 members. Times the
//! Users page's server call (filter, sort, page) and the Excel export of
//! every row, on SQLite and — when `COFFER_BENCH_PG_URL` names an empty
//! PostgreSQL database — on PostgreSQL. Prints p50 / p95 / max per query,
//! then the same for a mix of 760 queries (every search field × patterns
//! matching many, few and no members × every sort column × both directions
//! × first and eighth page), then a load run: 200 connections sending the
//! mix over HTTP for 20 seconds.
//!
//! Run: `cargo bench -p coffer-server --bench members_100k`

use std::time::{Duration, Instant};

use coffer_core::members::export::ExportFormat;
mod support;

use coffer_core::{Actor, Coffer, Config};
use coffer_shared::ids::OrganisationId;
use coffer_shared::members::{MemberColumn, MemberQuery, SearchField};

const MEMBERS: usize = 100_000;
const RUNS: usize = 40;
const FIRST: [&str; 12] = [
    "Ann", "Bob", "Carla", "Dev", "Eve", "Farid", "Grace", "Hugo", "Ines", "Jon", "Kim", "Lars",
];
const LAST: [&str; 10] = [
    "Smith", "Jones", "Baker", "Okafor", "Nguyen", "Garcia", "Müller", "Rossi", "Kowalski",
    "Tanaka",
];

async fn seed(coffer: &Coffer) -> (Actor, OrganisationId) {
    let pool = &coffer.db().pool;
    let (actor, org) = support::bench_organisation(coffer, MEMBERS as i64 + 10).await;
    let mut tx = pool.begin().await.unwrap();
    for chunk in (0..MEMBERS).collect::<Vec<_>>().chunks(500) {
        let accounts: Vec<String> = chunk
            .iter()
            .map(|n| {
                // One in a thousand has a rare first name, so every field
                // has patterns that match many, few and no members.
                let first = if n % 1000 == 1 {
                    "Quentin"
                } else {
                    FIRST[n % FIRST.len()]
                };
                format!(
                    "('m{n}', 'user{n:06}@example.test', '{first}', '{}{}', 0, {n})",
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
                let role = if n % 1000 == 2 {
                    "adhoc"
                } else if n % 3 == 0 {
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
    let maintain = if coffer.db().engine == coffer_core::kernel::db::Engine::Sqlite {
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

/// Patterns that match many, few and no members of the seed, per field.
fn patterns(field: SearchField) -> [(&'static str, &'static str); 3] {
    match field {
        SearchField::All => [("many", "example"), ("few", "user01234"), ("none", "zzzz")],
        SearchField::Email => [
            ("many", "*@example.te?t"),
            ("few", "user01234"),
            ("none", "nobody"),
        ],
        SearchField::FirstName => [("many", "a"), ("few", "quent"), ("none", "xavier")],
        SearchField::LastName => [("many", "o"), ("few", "okafor12"), ("none", "zz")],
        SearchField::Role => [
            ("many", "originator"),
            ("few", "ad hoc"),
            ("none", "liaison"),
        ],
        SearchField::Admin => [("many", "none"), ("few", "admin"), ("none", "liaison")],
    }
}

/// The Users-page mix: unfiltered and every search field × many, few and no
/// matches, × every sort column × both directions × first and eighth page.
fn mix() -> Vec<(String, MemberQuery)> {
    let mut filters = vec![(SearchField::All, "unfiltered", "")];
    for field in SearchField::ALL {
        for (class, text) in patterns(field) {
            filters.push((field, class, text));
        }
    }
    let mut out = Vec::new();
    for (field, class, text) in filters {
        for sort in MemberColumn::ALL {
            for descending in [false, true] {
                for page in [0, 7] {
                    let name = format!(
                        "{} {class} {text:?}, by {}{}, page {}",
                        field.label(),
                        sort.label(),
                        if descending { " desc" } else { "" },
                        page + 1
                    );
                    out.push((
                        name,
                        MemberQuery {
                            field,
                            text: text.into(),
                            sort,
                            descending,
                            page,
                            page_size: 25,
                        },
                    ));
                }
            }
        }
    }
    out
}

/// Each query of the mix once through `Coffer::members` (server time, no
/// HTTP), after one pass to warm the caches.
async fn run_mix(engine: &str, coffer: &Coffer, actor: &Actor, org: &OrganisationId) {
    let queries = mix();
    for (_, q) in &queries {
        coffer.members(Some(actor), org, q).await.unwrap();
    }
    let mut timed = Vec::with_capacity(queries.len());
    for (name, q) in &queries {
        let t = Instant::now();
        coffer.members(Some(actor), org, q).await.unwrap();
        timed.push((t.elapsed(), name));
    }
    timed.sort();
    let times: Vec<Duration> = timed.iter().map(|(d, _)| *d).collect();
    println!(
        "\n{engine}: mix of {} Users-page queries, server time: p50 {} ms, p95 {} ms, max {} ms",
        times.len(),
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.95)),
        ms(*times.last().unwrap())
    );
    println!("{engine}: the slowest:");
    for (d, name) in timed.iter().rev().take(6) {
        println!("  {} ms  {name}", ms(*d));
    }
}

/// `CONNECTIONS` clients, each on its own connection, sending the mix over
/// HTTP for `LOAD_SECONDS`, as a signed-in administrator.
async fn run_load(engine: &str, running: &coffer_server::Running, org: &str) {
    const CONNECTIONS: usize = 200;
    const LOAD_SECONDS: u64 = 20;
    const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);
    let (token, hash) = coffer_core::kernel::tokens::new_token();
    let now = coffer_core::kernel::db::now_ms();
    let mut c = running.coffer.db().pool.acquire().await.unwrap();
    coffer_core::store::insert_session(
        &mut c,
        &coffer_core::store::NewSession {
            token_hash: &hash,
            id: "bench-load",
            account_id: "bench-admin",
            now,
            expires_at: now + 3_600_000,
            user_agent: "bench",
            ip: "127.0.0.1",
            setup_only: false,
        },
    )
    .await
    .unwrap();
    drop(c);
    let queries = std::sync::Arc::new(mix());
    let endpoint = format!("http://{}/api/members", running.addr);
    let origin = running.url.clone();
    let deadline = Instant::now() + Duration::from_secs(LOAD_SECONDS);
    let mut clients = Vec::new();
    for n in 0..CONNECTIONS {
        let (queries, endpoint, origin, token, org) = (
            queries.clone(),
            endpoint.clone(),
            origin.clone(),
            token.clone(),
            org.to_string(),
        );
        clients.push(tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .timeout(CLIENT_TIMEOUT)
                .pool_max_idle_per_host(1)
                .build()
                .unwrap();
            let mut seen = Vec::new();
            let mut k = n * 7;
            while Instant::now() < deadline {
                let q = &queries[k % queries.len()].1;
                k += 1;
                let t = Instant::now();
                let sent = http
                    .post(&endpoint)
                    .header("Origin", &origin)
                    .header("Cookie", format!("coffer_session={token}"))
                    .json(&serde_json::json!({ "organisation_id": org, "query": q }))
                    .send()
                    .await;
                let outcome = match sent {
                    Ok(res) => {
                        let status = res.status().as_u16();
                        let _ = res.bytes().await;
                        status
                    }
                    Err(e) if e.is_timeout() => 0,
                    Err(_) => 1,
                };
                seen.push((outcome, t.elapsed()));
                if outcome == 503 {
                    // What a browser told "busy" does: wait a moment.
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
            seen
        }));
    }
    let mut all = Vec::new();
    for c in clients {
        all.extend(c.await.unwrap());
    }
    let mut ok: Vec<Duration> = all
        .iter()
        .filter(|(s, _)| *s == 200)
        .map(|(_, d)| *d)
        .collect();
    let mut busy: Vec<Duration> = all
        .iter()
        .filter(|(s, _)| *s == 503)
        .map(|(_, d)| *d)
        .collect();
    ok.sort();
    busy.sort();
    let timeouts = all.iter().filter(|(s, _)| *s == 0).count();
    let other = all.len() - ok.len() - busy.len() - timeouts;
    println!(
        "\n{engine}: {CONNECTIONS} connections for {LOAD_SECONDS} s over HTTP: {} answered ({:.0}/s), \
         p50 {} ms, p95 {} ms, max {} ms; {} answered busy (503, slowest {} ms); \
         {timeouts} timed out (> {} s); {other} other",
        ok.len(),
        ok.len() as f64 / LOAD_SECONDS as f64,
        ms(percentile(&ok, 0.5)),
        ms(percentile(&ok, 0.95)),
        ms(*ok.last().unwrap()),
        busy.len(),
        busy.last().map(|d| ms(*d)).unwrap_or_else(|| "-".into()),
        CLIENT_TIMEOUT.as_secs(),
    );
}

async fn run(engine: &str, config: Config) {
    let running = coffer_server::start(Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        ..config
    })
    .await
    .unwrap();
    let coffer = running.coffer.clone();
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
    run_mix(engine, &coffer, &actor, &org).await;
    run_load(engine, &running, &org).await;
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is configurable.
    support::on_each_engine(run);
}
