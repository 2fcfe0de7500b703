//! CRY-1, first check: a known password is set, used and changed through the
//! real `coffer` binary; afterwards no byte sequence of any password used can
//! be found in the database files, the data folder or the server's log.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::common::*;
use base64::Engine as _;

struct Process {
    child: Child,
    url: String,
}

fn spawn_coffer(data: &Path, log: &Path, database_url: &str) -> Process {
    let stderr = std::fs::File::create(log).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_coffer"))
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .args(["--database-url", database_url])
        // As talkative as the server gets.
        .env("COFFER_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first
        .trim()
        .strip_prefix("Coffer is running at ")
        .unwrap_or_else(|| panic!("{first}"))
        .to_string();
    Process { child, url }
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The forms a leaked password could take in a file.
fn needles(password: &str) -> Vec<Vec<u8>> {
    vec![
        password.as_bytes().to_vec(),
        hex_lower(password.as_bytes()).into_bytes(),
        base64::engine::general_purpose::STANDARD_NO_PAD
            .encode(password)
            .into_bytes(),
        password
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect(),
    ]
}

fn hex_lower(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn hits(files: &[PathBuf], passwords: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for f in files {
        let Ok(bytes) = std::fs::read(f) else {
            continue;
        };
        for p in passwords {
            for n in needles(p) {
                if memchr::memmem::find(&bytes, &n).is_some() {
                    found.push(format!("{} contains {p:?}", f.display()));
                }
            }
        }
    }
    found
}

async fn password_never_reaches_storage_or_logs(backend: Backend) {
    let data = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("coffer.log");
    let database_url = database_url_for(backend, data.path()).await;
    let mut server = spawn_coffer(data.path(), &log, &database_url);
    let run = uuid::Uuid::new_v4().simple().to_string();
    let [admin_pw, member_pw, changed_pw] =
        ["admin", "member", "changed"].map(|w| format!("cry1-{w}-{run}"));

    let browser = Browser {
        http: reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap(),
        base: server.url.clone(),
        setup_code: std::fs::read_to_string(data.path().join("setup-code")).ok(),
    };
    browser.setup(ADMIN, &admin_pw).await.unwrap();
    browser.sign_in(ADMIN, &admin_pw).await.unwrap();
    browser
        .create_organisation("Acme", "ann@acme.test")
        .await
        .unwrap();
    let mut outbox = Vec::new();
    files_under(&data.path().join("outbox"), &mut outbox);
    let mail = std::fs::read_to_string(&outbox[0]).unwrap();
    let token: String = mail[mail.find("/invite#").unwrap() + 8..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let ann = Browser {
        http: reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap(),
        base: server.url.clone(),
        setup_code: None,
    };
    ann.accept_invitation(&token, &member_pw).await.unwrap();
    ann.sign_in("ann@acme.test", &member_pw).await.unwrap();
    assert!(ann
        .sign_in("ann@acme.test", "cry1-wrong-guess")
        .await
        .is_err());
    ann.change_password(&member_pw, &changed_pw).await.unwrap();
    ann.sign_in("ann@acme.test", &changed_pw).await.unwrap();

    server.child.kill().unwrap();
    server.child.wait().unwrap();

    let mut files = Vec::new();
    files_under(data.path(), &mut files);
    files.push(log.clone());
    if backend == Backend::Postgres {
        let pg = std::env::var("COFFER_TEST_PG_DATA").expect(
            "COFFER_TEST_PG_DATA must name the test cluster's data folder (set by scripts/test.sh)",
        );
        let pool = sqlx::PgPool::connect(&database_url).await.unwrap();
        sqlx::query("CHECKPOINT").execute(&pool).await.unwrap();
        files_under(Path::new(&pg), &mut files);
    }
    assert!(
        files.len() > 3,
        "expected database, secret, outbox and log files: {files:?}"
    );
    assert!(
        std::fs::metadata(&log).unwrap().len() > 1000,
        "the server log should not be empty"
    );
    // The check can find what it looks for: the invitation token is in the outbox.
    assert!(!hits(&files, std::slice::from_ref(&token)).is_empty());
    let leaks = hits(
        &files,
        &[
            "cry1-wrong-guess".to_string(),
            admin_pw,
            member_pw,
            changed_pw,
        ],
    );
    assert!(leaks.is_empty(), "password bytes found: {leaks:#?}");
}

on_both!(password_never_reaches_storage_or_logs);
