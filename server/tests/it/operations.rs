//! PLT-7: `/metrics` for the configured addresses (or a token) only, with
//! counters that move; `/health` saying whether the database answers; logs
//! as JSON lines on request.

use crate::common::*;

async fn scrape(server: &TestServer, token: Option<&str>) -> (u16, String) {
    let mut req = reqwest::Client::new().get(format!("{}/metrics", server.url()));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// The value of one series in Prometheus's text format (0 when absent).
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0.0)
}

async fn metrics_are_for_the_operator_and_move(backend: Backend) {
    // Loopback is configured by default: the operator's own machine.
    let (server, _admin) = instance(backend).await;
    let (status, before) = scrape(&server, None).await;
    assert_eq!(status, 200);
    let signed_in = r#"coffer_audit_events_total{action="session.signed_in"}"#;
    let failed = r#"coffer_audit_events_total{action="session.sign_in_failed"}"#;
    let b = server.browser();
    b.sign_in(ADMIN, ADMIN_PASSWORD).await.unwrap();
    assert!(b.sign_in(ADMIN, "not the password").await.is_err());
    let (_, after) = scrape(&server, None).await;
    assert!(
        value(&after, signed_in) >= value(&before, signed_in) + 1.0,
        "{after}"
    );
    assert!(value(&after, failed) >= value(&before, failed) + 1.0);
    let finishes = r#"coffer_http_requests_total{route="/api/sign_in_finish",status="200"}"#;
    assert!(value(&after, finishes) >= 1.0, "{after}");
    assert!(after.contains(r#"coffer_mail_queued{priority="bulk"}"#));
    assert!(after.contains("coffer_http_request_duration_seconds_bucket"));
    assert!(after.contains("coffer_db_connections "));

    // /health says the database answers.
    let res = reqwest::get(format!("{}/health", server.url()))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let health: serde_json::Value = res.json().await.unwrap();
    assert_eq!(health["database"], "ok");
    assert_eq!(health["blob_store"], "ok");
    // A blob store that cannot be written to is reported.
    std::fs::remove_dir_all(server.data.path().join("blobs")).unwrap();
    std::fs::write(server.data.path().join("blobs"), b"not a folder").unwrap();
    let res = reqwest::get(format!("{}/health", server.url()))
        .await
        .unwrap();
    assert_eq!(res.status(), 503);
    let health: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        (health["database"].as_str(), health["blob_store"].as_str()),
        (Some("ok"), Some("unavailable"))
    );
}

async fn metrics_refuse_an_address_that_is_not_configured(backend: Backend) {
    let token = "t".repeat(40);
    let t = token.clone();
    let server = TestServer::start_with(backend, move |c| {
        c.metrics_addresses = vec!["10.9.9.9".parse().unwrap()];
        c.metrics_token = Some(t);
    })
    .await;
    let (status, body) = scrape(&server, None).await;
    assert_eq!(status, 403);
    assert!(!body.contains("coffer_"), "{body}");
    assert_eq!(
        scrape(&server, Some(&"x".repeat(40))).await.0,
        403,
        "a wrong token"
    );
    let (status, body) = scrape(&server, Some(&token)).await;
    assert_eq!(status, 200);
    assert!(body.contains("coffer_http_requests_total"), "{body}");
}

on_both!(
    metrics_are_for_the_operator_and_move,
    metrics_refuse_an_address_that_is_not_configured
);

/// `COFFER_LOG_FORMAT=json`: every log line the server writes is a JSON object.
#[test]
fn logs_are_json_lines_when_asked() {
    use std::io::{BufRead, BufReader};
    let data = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_coffer"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("COFFER_DATA_DIR", data.path())
        .env("COFFER_LOG_FORMAT", "json")
        .env("COFFER_LOG", "info")
        .env_remove("COFFER_DATABASE_URL")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = 0;
    while seen < 2 {
        let line = lines.next().expect("the server logs").unwrap();
        let entry: serde_json::Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("not a JSON line: {line:?}: {e}"));
        assert!(
            entry["level"].is_string() && entry["fields"].is_object(),
            "{line}"
        );
        seen += 1;
    }
    child.kill().unwrap();
    child.wait().unwrap();
}
