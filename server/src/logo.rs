//! ORG-10 logo transfer: `POST /upload/logo?org=…` with the image as the raw
//! body (its own 2 MB limit; the Origin check applies as to every POST), and
//! `GET /logo/{org}` for the organisation's members.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use coffer_api::ssr::answer;
use coffer_core::Coffer;
use serde::Deserialize;

use crate::export::{failure, signed_in};

#[derive(Debug, Deserialize)]
pub struct UploadParams {
    org: String,
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
    match answer(coffer.set_logo(actor.as_ref(), &p.org, &body).await) {
        Ok(info) => axum::Json(info).into_response(),
        Err(e) => failure(e),
    }
}

pub async fn show(
    State(coffer): State<Coffer>,
    Path(org): Path<String>,
    headers: HeaderMap,
) -> Response {
    let actor = match signed_in(&coffer, &headers).await {
        Ok(a) => a,
        Err(e) => return failure(e),
    };
    match answer(coffer.logo(actor.as_ref(), &org).await) {
        // Cache-Control comes from the security headers: never stored.
        Ok(Some(png)) => ([(header::CONTENT_TYPE, "image/png")], png).into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => failure(e),
    }
}
