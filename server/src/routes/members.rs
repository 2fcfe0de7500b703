//! ORG-2 downloads: `GET /export/members.csv` and `/export/members.xlsx`
//! with the Users page's filter in the query string. A plain route rather
//! than a server function so the browser's own download machinery handles
//! the file. Same session cookie, same domain call, same refusals.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use coffer_api::ssr::answer;
use coffer_core::members::export::ExportFormat;
use coffer_core::Coffer;
use coffer_shared::ids::OrganisationId;
use coffer_shared::members::{MemberColumn, MemberQuery, SearchField};
use serde::Deserialize;

use super::{attachment, date_stamp, refuse, Session};

#[derive(Debug, Deserialize)]
pub struct ExportParams {
    org: OrganisationId,
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
    session: Session,
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
                session.actor(),
                &p.org,
                &q,
                &columns(p.columns.as_deref()),
                format,
            )
            .await,
    ) {
        Ok(bytes) => attachment(mime, &format!("users-{}.{ext}", date_stamp()), bytes),
        Err(e) => refuse(e),
    }
}
