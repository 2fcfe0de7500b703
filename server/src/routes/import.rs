//! IMP-4: CSV import transfers. `POST /upload/import?org=…&format=…` takes
//! the file as the raw body (the Origin check applies as to every POST) and
//! answers with the preview; `GET /export/import-report.csv?org=…&id=…`
//! downloads a finished import's problems.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::response::Response;
use coffer_api::ssr::answer;
use coffer_core::import::MAX_IMPORT_BYTES;
use coffer_core::Coffer;
use coffer_shared::ids::{ImportId, OrganisationId};
use coffer_shared::import::ImportFormat;
use serde::Deserialize;

use super::{attachment, json_or_refusal, read_at_most, refuse, Session};

#[derive(Debug, Deserialize)]
pub struct UploadParams {
    org: OrganisationId,
    /// `named`, `email_role`, or absent to detect.
    #[serde(default)]
    format: Option<String>,
}

pub async fn upload(
    State(coffer): State<Coffer>,
    Query(p): Query<UploadParams>,
    session: Session,
    body: Body,
) -> Response {
    let file = match read_at_most(body, MAX_IMPORT_BYTES + 1).await {
        Ok(bytes) => bytes,
        Err(refused) => return refused,
    };
    let choice = match p.format.as_deref() {
        Some("named") => Some(ImportFormat::Named),
        Some("email_role") => Some(ImportFormat::EmailRole),
        _ => None,
    };
    json_or_refusal(answer(
        coffer
            .import_preview(session.actor(), &p.org, &file, choice)
            .await,
    ))
}

#[derive(Debug, Deserialize)]
pub struct ReportParams {
    org: OrganisationId,
    id: ImportId,
}

pub async fn report(
    State(coffer): State<Coffer>,
    Query(p): Query<ReportParams>,
    session: Session,
) -> Response {
    match answer(
        coffer
            .import_report_csv(session.actor(), &p.org, &p.id)
            .await,
    ) {
        Ok(bytes) => attachment("text/csv; charset=utf-8", "import-report.csv", bytes),
        Err(e) => refuse(e),
    }
}
