//! Routes where bytes travel (uploads, downloads, exports), one file per
//! domain, for what a server function cannot carry well: raw file bodies
//! and downloads the browser saves itself. Each resolves the session like
//! the server functions (`Session`), answers refusals as the same JSON
//! `ApiError` with the same statuses (`refuse`), and reads bodies through
//! `read_at_most`. Their paths are built in one place,
//! `coffer_shared::site`, which the app uses too.

pub mod audit;
pub mod files;
pub mod import;
pub mod members;
pub mod organisations;

use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use axum::response::{IntoResponse, Response};
use coffer_api::ssr::{answer, session_token};
use coffer_api::ApiError;
use coffer_core::{Actor, Coffer};
use http_body_util::BodyExt as _;

/// The signed-in person behind a request, if any, from the session cookie,
/// checked as every server function checks it.
pub struct Session(pub Option<Actor>);

impl Session {
    pub fn actor(&self) -> Option<&Actor> {
        self.0.as_ref()
    }
}

impl FromRequestParts<Coffer> for Session {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, coffer: &Coffer) -> Result<Self, Response> {
        let secure = coffer.public_url().starts_with("https://");
        match session_token(&parts.headers, secure) {
            Some(token) => answer(coffer.authenticate(&token).await)
                .map(Session)
                .map_err(refuse),
            None => Ok(Session(None)),
        }
    }
}

/// A refusal as the server functions answer it: the `ApiError` JSON, its
/// status, `Retry-After` where it has one.
pub fn refuse(e: ApiError) -> Response {
    crate::web::api_error_response(e)
}

/// The domain's answer as JSON, or its refusal.
pub fn json_or_refusal<T: serde::Serialize>(outcome: Result<T, ApiError>) -> Response {
    match outcome {
        Ok(value) => axum::Json(value).into_response(),
        Err(e) => refuse(e),
    }
}

/// The first `limit` bytes of a request body, read as they arrive; what
/// follows is not read. Callers pass their domain's maximum plus one, so an
/// oversized file is refused in the domain's own words without being read
/// whole.
pub async fn read_at_most(body: Body, limit: usize) -> Result<Vec<u8>, Response> {
    let mut body = body;
    let mut out = Vec::new();
    while out.len() < limit {
        match body.frame().await {
            None => break,
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    let room = limit - out.len();
                    if out.is_empty() && data.len() <= room {
                        // The admission layer hands a body over whole, in
                        // one piece: taken as it is, without a copy.
                        out = Vec::from(data);
                    } else {
                        out.extend_from_slice(&data[..data.len().min(room)]);
                    }
                }
            }
            Some(Err(_)) => {
                return Err(refuse(ApiError::Request {
                    message: "the upload was interrupted".into(),
                }))
            }
        }
    }
    Ok(out)
}

/// A download the browser saves under `file_name`.
pub fn attachment(mime: &str, file_name: &str, bytes: Vec<u8>) -> Response {
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

/// Today's date, for the names of downloaded files.
pub fn date_stamp() -> String {
    time::OffsetDateTime::now_utc().date().to_string()
}
