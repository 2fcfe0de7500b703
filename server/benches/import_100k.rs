//! IMP-6: 100,000 valid rows imported — preview, then the whole import
//! (members, invitations, mail queue, audit records) — on SQLite and, when
//! `COFFER_BENCH_PG_URL` names an empty PostgreSQL database, PostgreSQL.
//!
//! Run: `cargo bench -p coffer-server --bench import_100k`

use std::time::{Duration, Instant};

mod support;

use coffer_core::{Coffer, Config};
use coffer_shared::import::ImportState;

const ROWS: usize = 100_000;

fn csv() -> Vec<u8> {
    let mut out = String::from("USERNAME,EMAIL,GROUP,FIRSTNAME,LASTNAME\n");
    for n in 0..ROWS {
        out.push_str(&format!(
            "user{n:06},person{n:06}@example.test,,First{},\"Last, {}\"\n",
            n % 500,
            n % 97
        ));
    }
    out.into_bytes()
}

async fn run(engine: &str, config: Config, file: &[u8]) {
    let coffer = Coffer::open(config).await.unwrap();
    let (actor, org) = support::bench_organisation(&coffer, ROWS as i64 + 10).await;
    let t = Instant::now();
    let preview = coffer
        .import_preview(Some(&actor), &org, file, None)
        .await
        .map_err(|e| format!("{e:?}"))
        .unwrap();
    let previewed = t.elapsed();
    assert_eq!(preview.to_add, ROWS as u64);
    let t = Instant::now();
    coffer
        .import_start(Some(&actor), &org, &preview.import_id)
        .await
        .map_err(|e| format!("{e:?}"))
        .unwrap();
    loop {
        let s = coffer
            .import_status(Some(&actor), &org, &preview.import_id)
            .await
            .map_err(|e| format!("{e:?}"))
            .unwrap();
        match s.state {
            ImportState::Running => tokio::time::sleep(Duration::from_millis(20)).await,
            ImportState::Finished => {
                assert_eq!(s.imported, ROWS as u64);
                break;
            }
            other => panic!("{other:?}: {}", s.failure),
        }
    }
    println!(
        "{engine}: {ROWS} rows ({} KB) — preview {:.2} s, import {:.2} s",
        file.len() / 1024,
        previewed.as_secs_f64(),
        t.elapsed().as_secs_f64()
    );
}

fn main() {
    let file = csv();
    support::on_each_engine(|engine, config| {
        let file = file.clone();
        async move { run(engine, config, &file).await }
    });
}
