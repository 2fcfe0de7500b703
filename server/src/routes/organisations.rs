//! ORG-10 logo transfer: `POST /upload/logo?org=…` with the image as the raw
//! body (the Origin check applies as to every POST), and `GET /logo/{org}`
//! for the organisation's members.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use coffer_api::ssr::answer;
use coffer_core::organisations::logo::MAX_LOGO_BYTES;
use coffer_core::Coffer;
use coffer_shared::ids::OrganisationId;
use serde::Deserialize;

use super::{json_or_refusal, read_at_most, refuse, Session};

#[derive(Debug, Deserialize)]
pub struct UploadParams {
    org: OrganisationId,
}

pub async fn upload_logo(
    State(coffer): State<Coffer>,
    Query(p): Query<UploadParams>,
    session: Session,
    body: Body,
) -> Response {
    let image = match read_at_most(body, MAX_LOGO_BYTES + 1).await {
        Ok(bytes) => bytes,
        Err(refused) => return refused,
    };
    json_or_refusal(answer(
        coffer.set_logo(session.actor(), &p.org, &image).await,
    ))
}

pub async fn logo(
    State(coffer): State<Coffer>,
    Path(org): Path<OrganisationId>,
    session: Session,
) -> Response {
    match answer(coffer.logo(session.actor(), &org).await) {
        // Cache-Control comes from the security headers: never stored.
        Ok(Some(png)) => ([(header::CONTENT_TYPE, "image/png")], png).into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => refuse(e),
    }
}
