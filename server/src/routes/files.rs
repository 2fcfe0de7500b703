//! BOX-1 part transfer: `PUT /upload/part/{upload}/{n}` with one part of
//! an upload's payload as the raw body (`Content-Digest: sha-256=:…:`
//! checked when sent), and `GET /file/{org}/{node}/part/{n}` for one part
//! of a file's payload. Both carry only ciphertext.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use coffer_api::ssr::answer;
use coffer_core::Coffer;
use coffer_shared::files::PART_CIPHER;
use coffer_shared::ids::{NodeId, OrganisationId};

use super::{json_or_refusal, read_at_most, refuse, Session};

/// The SHA-256 a client announced (RFC 9530), as hex; `None` when it
/// announced none (or none we read).
fn announced_sha256(headers: &HeaderMap) -> Option<String> {
    let value = headers.get("content-digest")?.to_str().ok()?;
    value.split(',').find_map(|item| {
        let b64 = item.trim().strip_prefix("sha-256=:")?.strip_suffix(':')?;
        let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
        Some(hex::encode(bytes))
    })
}

pub async fn upload_part(
    State(coffer): State<Coffer>,
    Path((upload, n)): Path<(String, u32)>,
    session: Session,
    headers: HeaderMap,
    body: Body,
) -> Response {
    // One byte more than a part may be, so an oversized one is refused in
    // the domain's words (with its length) rather than cut.
    let bytes = match read_at_most(body, PART_CIPHER as usize + 1).await {
        Ok(bytes) => bytes,
        Err(refused) => return refused,
    };
    let announced = announced_sha256(&headers);
    json_or_refusal(answer(
        coffer
            .put_part(session.actor(), &upload, n, bytes, announced.as_deref())
            .await,
    ))
}

pub async fn file_part(
    State(coffer): State<Coffer>,
    Path((org, node, n)): Path<(OrganisationId, NodeId, u32)>,
    session: Session,
) -> Response {
    match answer(coffer.file_part(session.actor(), &org, &node, n).await) {
        Ok(bytes) => ([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response(),
        Err(e) => refuse(e),
    }
}
