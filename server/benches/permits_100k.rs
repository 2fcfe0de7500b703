//! BOX-2 at scale: the server's permission check with 100,000 permits in
//! one organisation. 1,000 members; 2,000 boxes, each with a chain of
//! five folders and a file at the bottom (14,000 nodes); every box owned
//! by one member (2,000 owner permits) and 98,000 permits given to others
//! on boxes, folders and files. Times `access::node_permission` — the check
//! every call on a box, folder or file makes — for a file six levels below
//! an inherited permit, for a direct permit, and for a member with no
//! permit on the way (the longest walk, ending in a refusal), against the
//! same run's primary-key lookup of one permit row (the least a check can
//! read). SQLite, and PostgreSQL when `COFFER_BENCH_PG_URL` names an empty
//! database.
//!
//! Run: `cargo bench -p coffer-server --bench permits_100k`

use std::time::{Duration, Instant};

mod support;

use coffer_core::kernel::access::{node_permission, Need};
use coffer_core::store::MembershipRow;
use coffer_core::{Actor, Coffer, Config};
use coffer_shared::types::{AdminTier, Role};

const MEMBERS: usize = 1_000;
const BOXES: usize = 2_000;
const DEPTH: usize = 6; // five folders and a file under each box
const PERMITS: usize = 100_000;
const RUNS: usize = 2_000;

fn node(b: usize, level: usize) -> String {
    format!("n{b}-{level}")
}

async fn seed(coffer: &Coffer) -> String {
    let (_, org) = support::bench_organisation(coffer, MEMBERS as i64 + 10).await;
    let org = org.to_string();
    let pool = &coffer.db().pool;
    // A one-byte blob literal in each engine's words.
    let (zero, one) = if coffer.db().engine == coffer_core::kernel::db::Engine::Sqlite {
        ("X'00'", "X'01'")
    } else {
        ("'\\x00'::bytea", "'\\x01'::bytea")
    };
    let mut tx = pool.begin().await.unwrap();
    let run = |sql: String| sqlx::query(sqlx::AssertSqlSafe(sql));
    for chunk in (0..MEMBERS).collect::<Vec<_>>().chunks(500) {
        let accounts: Vec<String> = chunk
            .iter()
            .map(|n| format!("('m{n}', 'm{n}@bench.test', 'age1m{n}', 0, 0)"))
            .collect();
        run(format!(
            "INSERT INTO accounts (id, email, public_key, is_instance_admin, created_at) VALUES {}",
            accounts.join(",")
        ))
        .execute(&mut *tx)
        .await
        .unwrap();
        let memberships: Vec<String> = chunk
            .iter()
            .map(|n| format!("('{org}', 'm{n}', 'collaborator', 'none', 0)"))
            .collect();
        run(format!(
            "INSERT INTO memberships (organisation_id, account_id, role, admin_tier, created_at) VALUES {}",
            memberships.join(",")
        ))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    for chunk in (0..BOXES).collect::<Vec<_>>().chunks(100) {
        let mut nodes = Vec::new();
        let mut owners = Vec::new();
        for &b in chunk {
            let owner = b % MEMBERS;
            for level in 0..DEPTH {
                let parent = if level == 0 {
                    "NULL".to_string()
                } else {
                    format!("'{}'", node(b, level - 1))
                };
                let kind = match level {
                    0 => "box",
                    l if l == DEPTH - 1 => "file",
                    _ => "folder",
                };
                nodes.push(format!(
                    "('{}', '{org}', '{}', {parent}, '{kind}', 'age1', {zero}, {one}, 'm{owner}', 0, 0)",
                    node(b, level),
                    node(b, 0)
                ));
            }
            owners.push(format!(
                "('{}', 'm{owner}', 1, {zero}, 'm{owner}', 0, 'manage')",
                node(b, 0)
            ));
        }
        run(format!(
            "INSERT INTO nodes (id, organisation_id, box_id, parent_id, kind, public_key, wrapped_key, \
             sealed_meta, created_by, created_at, updated_at) VALUES {}",
            nodes.join(",")
        ))
        .execute(&mut *tx)
        .await
        .unwrap();
        run(format!(
            "INSERT INTO permits (node_id, account_id, owner, wrapped_key, granted_by, created_at, permission) VALUES {}",
            owners.join(",")
        ))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    // Shares: permit i goes to box i % BOXES at level (i / BOXES) % DEPTH,
    // to a member that moves on by one each time every box and level had
    // one, skipping the owner and pairs already given.
    let mut given = std::collections::HashSet::new();
    let mut shares = Vec::new();
    let mut i = 0usize;
    while shares.len() < PERMITS - BOXES {
        let b = i % BOXES;
        let level = (i / BOXES) % DEPTH;
        let member = (i * 7 + 1 + i / (BOXES * DEPTH)) % MEMBERS;
        i += 1;
        if member == b % MEMBERS || !given.insert((b, level, member)) {
            continue;
        }
        let permission = ["view", "download", "upload", "modify", "manage"][i % 5];
        shares.push(format!(
            "('{}', 'm{member}', 0, {zero}, 'm{}', 0, '{permission}')",
            node(b, level),
            b % MEMBERS
        ));
    }
    for chunk in shares.chunks(1_000) {
        run(format!(
            "INSERT INTO permits (node_id, account_id, owner, wrapped_key, granted_by, created_at, permission) VALUES {}",
            chunk.join(",")
        ))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM permits")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(count as usize, PERMITS);
    // Statistics, as autovacuum (or SQLite's `PRAGMA optimize`) keeps them.
    let maintain = if coffer.db().engine == coffer_core::kernel::db::Engine::Sqlite {
        "ANALYZE"
    } else {
        "VACUUM ANALYZE"
    };
    sqlx::query(maintain).execute(pool).await.unwrap();
    org
}

fn member(org: &str, n: usize) -> Actor {
    Actor {
        account_id: format!("m{n}"),
        email: format!("m{n}@bench.test"),
        is_instance_admin: false,
        memberships: vec![MembershipRow {
            organisation_id: org.to_string(),
            organisation_name: "Bench".into(),
            role: Role::Collaborator,
            admin_tier: AdminTier::None,
            expiry_date: "2099-12-31".into(),
        }],
        session_id: Some("bench".into()),
        setup_only: false,
        proved_at: 0,
    }
}

/// For box b: who asks, about which node, and whether they must be let in.
type Case<'a> = Box<dyn Fn(usize) -> (Actor, String, bool) + 'a>;

fn summary(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (
        ms(times[times.len() / 2]),
        ms(times[times.len() * 95 / 100]),
    )
}

async fn run(engine: &str, config: Config) {
    let coffer = Coffer::open(config)
        .await
        .map_err(|e| format!("{e:?}"))
        .unwrap();
    let started = Instant::now();
    let org = seed(&coffer).await;
    println!(
        "\n{engine}: seeded {PERMITS} permits in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let mut c = coffer.db().pool.acquire().await.unwrap();
    // Box b's owner is m(b % 1000); a member with nothing on box b is one
    // neither owning it nor given anything there.
    let cases: Vec<(&str, Case<'_>)> = vec![
        (
            "owner, file 5 levels below the box permit",
            Box::new(|b| (member(&org, b % MEMBERS), node(b, DEPTH - 1), true)),
        ),
        (
            "owner, the box itself (direct permit)",
            Box::new(|b| (member(&org, b % MEMBERS), node(b, 0), true)),
        ),
        (
            "no permit on the way (refused at the top)",
            Box::new(|b| {
                (
                    member(&org, (b % MEMBERS + 500) % MEMBERS),
                    node(b, DEPTH - 1),
                    false,
                )
            }),
        ),
    ];
    println!("| check | p50 | p95 | p50 / primary-key lookup |");
    println!("|---|---|---|---|");
    let mut lookup = Vec::with_capacity(RUNS);
    for r in 0..RUNS {
        let b = (r * 37) % BOXES;
        let t = Instant::now();
        let _: Option<String> = sqlx::query_scalar(
            "SELECT permission FROM permits WHERE node_id = $1 AND account_id = $2",
        )
        .bind(node(b, 0))
        .bind(format!("m{}", b % MEMBERS))
        .fetch_optional(&mut *c)
        .await
        .unwrap();
        lookup.push(t.elapsed());
    }
    let (base50, base95) = summary(lookup);
    println!(
        "| reference: one permit row by primary key | {base50:.3} ms | {base95:.3} ms | 1.0 |"
    );
    for (name, case) in &cases {
        let mut times = Vec::with_capacity(RUNS);
        for r in 0..RUNS {
            let b = (r * 37) % BOXES;
            let (actor, target, allowed) = case(b);
            let t = Instant::now();
            let answer = node_permission(&mut c, (&actor).into(), &org, &target, Need::See).await;
            times.push(t.elapsed());
            // A member with nothing on the way may still have been given
            // something below; only a wrong answer the other way counts.
            if allowed {
                assert!(answer.is_ok(), "{name}: {target}");
            }
        }
        let (p50, p95) = summary(times);
        println!(
            "| {name} | {p50:.3} ms | {p95:.3} ms | {:.1} |",
            p50 / base50
        );
    }
}

fn main() {
    support::on_each_engine(run);
}
