//! ORG-2 downloads: `GET /export/members.csv` and `/export/members.xlsx`
//! with the Users page's filter in the query string. A plain route rather
//! than a server function so the browser's own download machinery handles
//! the file. Same session cookie, same domain call, same refusals.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use coffer_api::ssr::{answer, session_token};
use coffer_core::export::ExportFormat;
use coffer_core::Coffer;
use coffer_shared::types::{AuditQuery, MemberColumn, MemberQuery, SearchField};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct ExportParams {
    org: String,
    #[serde(default)]
    field: SearchField,
    #[serde(default)]
    text: String,
    #[serde(default)]
    sort: MemberColumn,
    #[serde(default)]
    desc: bool,
    /// Comma-separated column names (`Email,FirstName,…`); all when absent.
    #[serde(default)]
    columns: Option<String>,
}

fn columns(list: Option<&str>) -> Vec<MemberColumn> {
    match list {
        None => MemberColumn::ALL.to_vec(),
        Some(l) => l
            .split(',')
            .filter_map(|name| {
                MemberColumn::ALL
                    .into_iter()
                    .find(|c| format!("{c:?}") == name.trim())
            })
            .collect(),
    }
}

pub async fn members(
    State(coffer): State<Coffer>,
    Path(file): Path<String>,
    Query(p): Query<ExportParams>,
    headers: HeaderMap,
) -> Response {
    let (format, mime, ext) = match file.as_str() {
        "members.csv" => (ExportFormat::Csv, "text/csv; charset=utf-8", "csv"),
        "members.xlsx" => (
            ExportFormat::Xlsx,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let actor = match signed_in(&coffer, &headers).await {
        Ok(a) => a,
        Err(e) => return failure(e),
    };
    let q = MemberQuery {
        field: p.field,
        text: p.text,
        sort: p.sort,
        descending: p.desc,
        page: 0,
        page_size: 0,
    };
    match answer(
        coffer
            .export_members(
                actor.as_ref(),
                &p.org,
                &q,
                &columns(p.columns.as_deref()),
                format,
            )
            .await,
    ) {
        Ok(bytes) => attachment(mime, &format!("users-{}.{ext}", time_stamp()), bytes),
        Err(e) => failure(e),
    }
}

#[derive(Debug, Deserialize)]
pub struct AuditParams {
    org: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// `GET /export/audit-log.csv?org=…&actor=…&target=…&action=…&from=…&to=…`
pub async fn audit_log(
    State(coffer): State<Coffer>,
    Query(p): Query<AuditParams>,
    headers: HeaderMap,
) -> Response {
    let actor = match signed_in(&coffer, &headers).await {
        Ok(a) => a,
        Err(e) => return failure(e),
    };
    let q = AuditQuery {
        actor: p.actor,
        target: p.target,
        action: p.action,
        from: p.from,
        to: p.to,
        page: 0,
        page_size: 0,
    };
    match answer(coffer.audit_log_csv(actor.as_ref(), &p.org, &q).await) {
        Ok(bytes) => attachment(
            "text/csv; charset=utf-8",
            &format!("audit-log-{}.csv", time_stamp()),
            bytes,
        ),
        Err(e) => failure(e),
    }
}

pub(crate) async fn signed_in(
    coffer: &Coffer,
    headers: &HeaderMap,
) -> Result<Option<coffer_core::Actor>, coffer_api::ApiError> {
    match session_token(headers, coffer.public_url().starts_with("https://")) {
        Some(t) => answer(coffer.authenticate(&t).await),
        None => Ok(None),
    }
}

fn attachment(mime: &str, file_name: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{file_name}\"");
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

pub(crate) fn failure(e: coffer_api::ApiError) -> Response {
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        e.to_string(),
    )
        .into_response()
}

fn time_stamp() -> String {
    time::OffsetDateTime::now_utc().date().to_string()
}
