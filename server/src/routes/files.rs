//! BOX-1 part transfer: `PUT /upload/part/{upload}/{n}` with one part of
//! an upload's payload as the raw body (`Content-Digest: sha-256=:…:`
//! checked when sent), and `GET /file/{org}/{node}/part/{n}` for one part
//! of a file's payload. Both carry only ciphertext.

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
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
    headers: HeaderMap,
) -> Response {
    match answer(coffer.file_part(session.actor(), &org, &node, n).await) {
        Ok(bytes) => part_answer(bytes, headers.get(header::RANGE)),
        Err(e) => refuse(e),
    }
}

/// A part whole, or from where a download that dropped asks to go on
/// (`Range`, RFC 9110). A `Range` that does not parse, or asks for several
/// ranges, is answered with the whole part, as the RFC allows; one that
/// lies beyond the part is 416.
fn part_answer(bytes: Vec<u8>, range: Option<&HeaderValue>) -> Response {
    const OCTETS: (header::HeaderName, &str) = (header::CONTENT_TYPE, "application/octet-stream");
    let whole =
        |bytes: Vec<u8>| ([OCTETS, (header::ACCEPT_RANGES, "bytes")], bytes).into_response();
    let Some(parsed) = range
        .and_then(|v| v.to_str().ok())
        .and_then(|v| http_range_header::parse_range_header(v).ok())
    else {
        return whole(bytes);
    };
    let len = bytes.len() as u64;
    match parsed.validate(len).as_deref() {
        Ok([one]) => {
            let (start, end) = (*one.start(), *one.end());
            let content_range = format!("bytes {start}-{end}/{len}");
            let body = Bytes::from(bytes).slice(start as usize..=end as usize);
            (
                StatusCode::PARTIAL_CONTENT,
                [OCTETS, (header::CONTENT_RANGE, content_range.as_str())],
                body,
            )
                .into_response()
        }
        Ok(_) => whole(bytes),
        Err(_) => (
            StatusCode::RANGE_NOT_SATISFIABLE,
            [(header::CONTENT_RANGE, format!("bytes */{len}"))],
        )
            .into_response(),
    }
}
