//! PLT-7 operations: `/metrics` in Prometheus's text format, counted
//! requests, and `/health`. The exporter is installed once per process;
//! counters are recorded wherever things happen through the `metrics`
//! facade (sign-in outcomes with every audit record, rate-limit and busy
//! refusals), gauges are read when scraped.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use coffer_core::{ClientInfo, Coffer};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sha2::{Digest, Sha256};

const LATENCY_BUCKETS: &[f64] = &[
    0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The process's Prometheus recorder (the first call installs it).
pub fn handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("coffer_http_request_duration_seconds".into()),
                    LATENCY_BUCKETS,
                )
                .expect("the buckets are not empty")
                .build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("another metrics recorder is installed; /metrics stays empty");
            }
            handle
        })
        .clone()
}

/// The label a request is counted under: the server function, the route,
/// or "static" for the browser app's files; names nobody routes are one
/// label, so callers cannot grow the series without end.
fn route_label(path: &str, status: StatusCode) -> String {
    let known = status != StatusCode::NOT_FOUND;
    if let Some(name) = path.strip_prefix("/api/") {
        let plain = name.len() <= 64 && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        return if known && plain {
            format!("/api/{name}")
        } else {
            "/api/unknown".into()
        };
    }
    if path.starts_with("/logo/") {
        return "/logo/{org}".into();
    }
    match path {
        "/health" | "/metrics" | "/upload/logo" | "/upload/import" => path.into(),
        p if p.starts_with("/export/") && known && p.len() <= 40 => p.into(),
        p if p.starts_with("/export/") => "/export/unknown".into(),
        _ => "static".into(),
    }
}

/// Counts every request and its time by route and status.
pub async fn count_requests(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let path = req.uri().path().to_string();
    let res = next.run(req).await;
    let route = route_label(&path, res.status());
    metrics::counter!(
        "coffer_http_requests_total",
        "route" => route.clone(),
        "status" => res.status().as_u16().to_string()
    )
    .increment(1);
    metrics::histogram!("coffer_http_request_duration_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    res
}

fn same_token(given: &str, expected: &str) -> bool {
    // Compared as digests, so the time taken says nothing about the token.
    Sha256::digest(given.as_bytes()) == Sha256::digest(expected.as_bytes())
}

/// Whether the caller may read `/metrics`: from a configured address, or
/// with the configured bearer token.
fn admitted(coffer: &Coffer, client: Option<&ClientInfo>, headers: &HeaderMap) -> bool {
    let config = coffer.config();
    let from_address = client
        .and_then(|c| c.ip.parse::<std::net::IpAddr>().ok())
        .is_some_and(|ip| config.metrics_addresses.contains(&ip));
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let with_token = match (&config.metrics_token, bearer) {
        (Some(expected), Some(given)) => same_token(given, expected),
        _ => false,
    };
    from_address || with_token
}

pub async fn scrape(State(coffer): State<Coffer>, req: Request) -> Response {
    if !admitted(&coffer, req.extensions().get::<ClientInfo>(), req.headers()) {
        return (StatusCode::FORBIDDEN, "not allowed").into_response();
    }
    match coffer.gauges().await {
        Ok(g) => {
            for priority in [0, 1] {
                let queued = g
                    .mail_queued
                    .iter()
                    .find(|(p, _)| *p == priority)
                    .map_or(0, |(_, n)| *n);
                let name = if priority == 0 { "interactive" } else { "bulk" };
                metrics::gauge!("coffer_mail_queued", "priority" => name).set(queued as f64);
            }
            metrics::gauge!("coffer_imports_running").set(g.imports_running as f64);
            metrics::gauge!("coffer_import_rows_done").set(g.import_rows_done as f64);
            metrics::gauge!("coffer_db_connections").set(f64::from(g.pool_size));
            metrics::gauge!("coffer_db_connections_idle").set(g.pool_idle as f64);
        }
        Err(e) => tracing::warn!(error = %format!("{e:#}"), "gauges could not be read"),
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle().render(),
    )
        .into_response()
}

/// `GET /health`: 200 when the database and the blob store answer, 503
/// with the one that does not.
pub async fn health(State(coffer): State<Coffer>) -> Response {
    let (database, blobs) = tokio::join!(coffer.database_answers(), coffer.blob_store_answers());
    let word = |ok: bool| if ok { "ok" } else { "unavailable" };
    let status = if database && blobs {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = serde_json::json!({
        "status": word(database && blobs),
        "database": word(database),
        "blob_store": word(blobs),
    });
    (status, axum::Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_stay_few_whatever_is_asked() {
        let ok = StatusCode::OK;
        assert_eq!(route_label("/api/members", ok), "/api/members");
        assert_eq!(
            route_label("/api/members", StatusCode::FORBIDDEN),
            "/api/members"
        );
        assert_eq!(
            route_label("/api/made_up", StatusCode::NOT_FOUND),
            "/api/unknown"
        );
        assert_eq!(route_label("/api/../x", ok), "/api/unknown");
        assert_eq!(route_label("/logo/0193-abc", ok), "/logo/{org}");
        assert_eq!(
            route_label("/export/members.csv", ok),
            "/export/members.csv"
        );
        assert_eq!(
            route_label("/export/zzz", StatusCode::NOT_FOUND),
            "/export/unknown"
        );
        assert_eq!(route_label("/users", ok), "static");
        assert_eq!(
            route_label("/coffer-app-0123456789abcdef_bg.wasm", ok),
            "static"
        );
        assert_eq!(route_label("/health", ok), "/health");
    }
}
