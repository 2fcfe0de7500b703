//! IMP-4: CSV import transfers. `POST /upload/import?org=…&format=…` takes
//! the file as the raw body (its own limit; the Origin check applies as to
//! every POST) and answers with the preview; `GET /export/import-report.csv
//! ?org=…&id=…` downloads a finished import's problems.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use coffer_api::ssr::answer;
use coffer_core::Coffer;
use coffer_shared::import::ImportFormat;
use serde::Deserialize;

use crate::export::{failure, signed_in};

#[derive(Debug, Deserialize)]
pub struct UploadParams {
    org: String,
    /// `named`, `email_role`, or absent to detect.
    #[serde(default)]
    format: Option<String>,
}

pub async fn upload(
    State(coffer): State<Coffer>,
    Query(p): Query<UploadParams>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let actor = match signed_in(&coffer, &headers).await {
        Ok(a) => a,
        Err(e) => return failure(e),
    };
    let choice = match p.format.as_deref() {
        Some("named") => Some(ImportFormat::Named),
        Some("email_role") => Some(ImportFormat::EmailRole),
        _ => None,
    };
    match answer(
        coffer
            .import_preview(actor.as_ref(), &p.org, &body, choice)
            .await,
    ) {
        Ok(preview) => axum::Json(preview).into_response(),
        Err(e) => failure(e),
    }
}

#[derive(Debug, Deserialize)]
pub struct ReportParams {
    org: String,
    id: String,
}

pub async fn report(
    State(coffer): State<Coffer>,
    Query(p): Query<ReportParams>,
    headers: HeaderMap,
) -> Response {
    let actor = match signed_in(&coffer, &headers).await {
        Ok(a) => a,
        Err(e) => return failure(e),
    };
    match answer(
        coffer
            .import_report_csv(actor.as_ref(), &p.org, &p.id)
            .await,
    ) {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"import-report.csv\"".to_string(),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => failure(e),
    }
}
