//! Router and middleware: server functions under `/api`, the browser app
//! for everything else, and the security baseline (headers, Origin check,
//! body limits) around both.

use std::net::SocketAddr;
use std::path::Path;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use coffer_api::ApiError;
use coffer_core::{ClientInfo, Coffer};
use coffer_shared::errors::AuthError;
use coffer_shared::site;

use crate::routes;
use leptos::prelude::provide_context;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;

/// Server-function payloads are small protocol messages; file parts will
/// get their own, larger, limit on their own routes.
pub const API_BODY_LIMIT: usize = 256 * 1024;
/// CRY-4: a rotation carries every direct child of the node wrapped and
/// sealed again (about 450 bytes of JSON each): room for 100,000.
const ROTATION_BODY_LIMIT: usize = 48 * 1024 * 1024;
/// Twice what each domain accepts: a file somewhat too large is refused in
/// the domain's own words; past these, the request is cut off with 413.
const LOGO_BODY_LIMIT: usize = 2 * coffer_core::organisations::logo::MAX_LOGO_BYTES;
const IMPORT_BODY_LIMIT: usize = 2 * coffer_core::import::MAX_IMPORT_BYTES;
/// One part of an upload, and a little room to refuse a longer one in the
/// domain's words.
const PART_BODY_LIMIT: usize = coffer_shared::files::PART_CIPHER as usize + 64 * 1024;

const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
                   img-src 'self' data: blob:; media-src 'self' blob:; frame-src 'self' blob:; \
                   connect-src 'self'; font-src 'self'; object-src 'none'; \
                   base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

#[derive(Clone)]
struct AppState {
    coffer: Coffer,
    /// The only Origin accepted on state-changing requests.
    origin: String,
}

pub fn router(coffer: Coffer) -> Router {
    let origin = origin_of(&coffer.public_url());
    let https = origin.starts_with("https://");
    let site = coffer.config().site_dir.clone();
    let trusted_header = coffer.config().trusted_proxy_header.clone();
    let admission = std::sync::Arc::new(crate::admission::Admission::new(
        coffer.config().max_requests_in_flight as usize,
        coffer.config().max_requests_queued as usize,
    ));
    let body_idle =
        std::time::Duration::from_secs(coffer.config().request_body_idle_seconds.into());
    // Every route that reaches the database takes a turn, with its own
    // body limit (a bigger body is a 413 with the refusal's JSON).
    let admit = |body_limit: usize| {
        middleware::from_fn_with_state(
            crate::admission::Gate {
                admission: admission.clone(),
                body_limit,
                body_idle,
            },
            crate::admission::admit,
        )
    };
    let state = AppState { coffer, origin };
    let api = Router::new()
        .route(
            "/api/sharing_rotate",
            post(server_fn).layer(admit(ROTATION_BODY_LIMIT)),
        )
        .route(
            "/api/{*fn_name}",
            post(server_fn).layer(admit(API_BODY_LIMIT)),
        )
        .layer(middleware::from_fn_with_state(
            state.clone(),
            throttle_anonymous,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), check_origin))
        .with_state(state.clone());
    // Uploads may carry a little more than their domain accepts, so an
    // oversized file gets the domain's own words (`routes::read_at_most`).
    let uploads = Router::new()
        .route(
            site::UPLOAD_LOGO,
            post(routes::organisations::upload_logo).layer(admit(LOGO_BODY_LIMIT)),
        )
        .route(
            site::UPLOAD_IMPORT,
            post(routes::import::upload).layer(admit(IMPORT_BODY_LIMIT)),
        )
        .route(
            site::UPLOAD_PART,
            put(routes::files::upload_part).layer(admit(PART_BODY_LIMIT)),
        )
        .layer(middleware::from_fn_with_state(state.clone(), check_origin))
        .with_state(state.coffer.clone());
    let downloads = Router::new()
        .route(site::IMPORT_REPORT, get(routes::import::report))
        .route(site::LOGO, get(routes::organisations::logo))
        .route(site::AUDIT_LOG_CSV, get(routes::audit::audit_log))
        .route(site::MEMBERS_EXPORT, get(routes::members::members))
        .route(site::FILE_PART, get(routes::files::file_part))
        .layer(admit(0))
        .with_state(state.coffer.clone());
    let operations = Router::new()
        .route("/health", get(crate::metrics::health))
        .route("/metrics", get(crate::metrics::scrape))
        .with_state(state.coffer.clone());
    Router::new()
        .merge(operations)
        .merge(api)
        .merge(uploads)
        .merge(downloads)
        .merge(front_door(&site))
        // Answered by the download service worker (`public/download-sw.js`)
        // in the browser; one that reaches the server (the service worker
        // was stopped in between) is gone, not the app's page.
        .route(
            "/public/download/{id}",
            get(|| async { StatusCode::NOT_FOUND }),
        )
        .fallback_service(site_service(&site))
        .layer(middleware::from_fn_with_state(trusted_header, client_info))
        .layer(middleware::from_fn(move |req, next| {
            security_headers(https, req, next)
        }))
        .layer(middleware::from_fn(crate::metrics::count_requests))
        .layer(TraceLayer::new_for_http())
}

fn origin_of(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|_| url.to_string())
}

/// The built app, with `index.html` for every path it does not know so the
/// browser's router can handle deep links such as `/users`. Files are sent
/// brotli- or gzip-compressed when the build wrote those copies and the
/// browser accepts them.
fn site_service(dir: &Path) -> ServeDir<ServeFile> {
    if !dir.join("index.html").is_file() {
        tracing::warn!(dir = %dir.display(), "browser app not found; build it with scripts/serve.sh");
    }
    ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(shell(dir.join("index.html")))
}

fn shell(page: std::path::PathBuf) -> ServeFile {
    ServeFile::new(page).precompressed_br().precompressed_gzip()
}

/// The front door (`dist/front/`, the pages before sign-in) for its paths,
/// so a first visit downloads only those; the full app when it was not
/// built.
fn front_door(dir: &Path) -> Router {
    let front = dir.join("front").join("index.html");
    let page = if front.is_file() {
        front
    } else {
        dir.join("index.html")
    };
    coffer_shared::site::FRONT_DOOR_PATHS
        .iter()
        .fold(Router::new(), |router, path| {
            router.route(path, axum::routing::get_service(shell(page.clone())))
        })
}

async fn server_fn(State(state): State<AppState>, req: Request<Body>) -> Response {
    let coffer = state.coffer.clone();
    let res =
        leptos_axum::handle_server_fns_with_context(move || provide_context(coffer.clone()), req)
            .await
            .into_response();
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    // server_fn answers every error with 500, including payloads it could
    // not decode; give each error the status its kind deserves.
    let (mut parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, API_BODY_LIMIT)
        .await
        .unwrap_or_default();
    if let Ok(err) = serde_json::from_slice::<ApiError>(&bytes) {
        parts.status =
            StatusCode::from_u16(err.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Cross-site request forgery defence in depth (the cookie is already
/// SameSite=Strict): state-changing requests must come from our own origin.
async fn check_origin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok());
    if safe || origin == Some(state.origin.as_str()) {
        return next.run(req).await;
    }
    tracing::warn!(origin = ?origin, path = %req.uri().path(), "refused cross-origin request");
    api_error_response(ApiError::from(AuthError::CrossOrigin))
}

/// The server functions anyone may call without a session: each call from
/// one client address counts towards `rate_limit_per_address`.
const ANONYMOUS_ENDPOINTS: &[&str] = &[
    "setup_status",
    "public_settings",
    "setup_start",
    "setup_finish",
    "invitation",
    "accept_invitation_start",
    "accept_invitation_finish",
    "sign_in_start",
    "sign_in_finish",
    "sign_in_failed",
    "sign_in_second_factor",
    "passkey_sign_in_start",
    "passkey_sign_in_finish",
    "passkey_second_factor_start",
    "passkey_second_factor_finish",
    "contact_login_administrator",
    "unlock_with_link",
    "reset_view",
    "reset_password_start",
    "reset_password_finish",
];

/// 429 with `Retry-After` once a client address has made too many
/// anonymous calls.
async fn throttle_anonymous(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let endpoint = req.uri().path().trim_start_matches("/api/");
    if !ANONYMOUS_ENDPOINTS.contains(&endpoint) {
        return next.run(req).await;
    }
    let address = req
        .extensions()
        .get::<ClientInfo>()
        .and_then(|c| c.ip.parse().ok());
    let Some(address) = address else {
        return next.run(req).await;
    };
    match state.coffer.throttle().address(address) {
        Ok(()) => next.run(req).await,
        Err(limit) => {
            tracing::info!(%address, endpoint, "anonymous calls over the limit");
            api_error_response(ApiError::from(limit))
        }
    }
}

/// An `ApiError` as the server functions answer it, with its status (and
/// `Retry-After` when it has one).
pub fn api_error_response(err: ApiError) -> Response {
    let status =
        StatusCode::from_u16(err.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_string(&err).unwrap_or_default();
    let mut res = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    if let Some(seconds) = err.retry_after() {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    res
}

/// The client's address: the connection's, or behind a reverse proxy the
/// one the configured header names (for `X-Forwarded-For`, the address the
/// nearest proxy appended, which a client cannot forge). Other such headers
/// are ignored, so clients cannot choose their own address.
pub fn client_address(
    headers: &axum::http::HeaderMap,
    peer: Option<std::net::IpAddr>,
    trusted_header: Option<&str>,
) -> Option<std::net::IpAddr> {
    let from_header = trusted_header
        .and_then(|name| headers.get(name))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|v| v.trim().parse().ok());
    from_header.or(peer)
}

async fn client_info(
    State(trusted_header): State<Option<String>>,
    req: Request,
    next: Next,
) -> Response {
    let mut req = req;
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let ip = client_address(req.headers(), peer, trusted_header.as_deref())
        .map(|ip| ip.to_string())
        .unwrap_or_default();
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    req.extensions_mut().insert(ClientInfo { user_agent, ip });
    next.run(req).await
}

/// Trunk's content-hashed files (`coffer-app-<16 hex>.js`, `…_bg.wasm`,
/// `main-<16 hex>.css`): their name changes with their content.
pub fn is_hashed_asset(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    let stem = name.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The crypto worker's files, which Trunk does not name by content: the
/// worker asks for them by fixed names.
fn is_worker_asset(path: &str) -> bool {
    path.strip_prefix("/coffer-worker")
        .is_some_and(|rest| matches!(rest, ".js" | "_bg.wasm" | "_loader.js"))
}

/// How an answer may be kept: hashed assets for a year (their names change
/// with a release); the worker's code kept but asked for again each time
/// (a release changes it under the same name); everything else — exports
/// of member data, answers carrying keys and account data, the app shell —
/// is never stored.
pub fn cache_policy(path: &str, status: StatusCode) -> &'static str {
    if status.is_success() && is_hashed_asset(path) {
        "public, max-age=31536000, immutable"
    } else if status.is_success() && is_worker_asset(path) {
        "no-cache"
    } else {
        "no-store"
    }
}

async fn security_headers(https: bool, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let mut res = next.run(req).await;
    let cache = cache_policy(&path, res.status());
    let h = res.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: &'static str, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set(h, "content-security-policy", CSP);
    set(h, "x-content-type-options", "nosniff");
    set(h, "x-frame-options", "DENY");
    set(h, "referrer-policy", "no-referrer");
    set(h, "cross-origin-opener-policy", "same-origin");
    set(h, "cross-origin-resource-policy", "same-origin");
    set(
        h,
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), payment=()",
    );
    if https {
        set(
            h,
            "strict-transport-security",
            "max-age=63072000; includeSubDomains",
        );
    }
    set(h, "cache-control", cache);
    res
}

#[cfg(test)]
mod tests {
    use super::client_address;
    use axum::http::HeaderMap;

    #[test]
    fn the_client_address_comes_from_the_trusted_header_only() {
        let peer = Some("10.0.0.5".parse().unwrap());
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "6.6.6.6, 198.51.100.7".parse().unwrap());
        h.insert("x-real-ip", "7.7.7.7".parse().unwrap());
        assert_eq!(client_address(&h, peer, None), peer, "no proxy configured");
        assert_eq!(
            client_address(&h, peer, Some("x-forwarded-for")),
            Some("198.51.100.7".parse().unwrap()),
            "the address the proxy appended, not the client's claim"
        );
        assert_eq!(
            client_address(&h, peer, Some("x-real-ip")),
            Some("7.7.7.7".parse().unwrap())
        );
        assert_eq!(
            client_address(&HeaderMap::new(), peer, Some("x-real-ip")),
            peer,
            "header missing: the connection's address"
        );
    }

    #[test]
    fn only_hashed_assets_are_kept() {
        use super::{cache_policy, StatusCode};
        let ok = StatusCode::OK;
        for hashed in [
            "/coffer-app-1f2e3d4c5b6a7980.js",
            "/coffer-app-1f2e3d4c5b6a7980_bg.wasm",
            "/main-0123456789abcdef.css",
        ] {
            assert_eq!(
                cache_policy(hashed, ok),
                "public, max-age=31536000, immutable"
            );
        }
        assert_eq!(
            cache_policy("/main-0123456789abcdef.css", StatusCode::NOT_FOUND),
            "no-store"
        );
        for plain in [
            "/",
            "/index.html",
            "/public/boot.js",
            "/api/me",
            "/sign-in",
            "/logo/x",
            "/export/members.csv",
            "/export/audit-log.csv",
            "/upload/import",
            "/coffer-worker.json",
        ] {
            assert_eq!(cache_policy(plain, ok), "no-store", "{plain}");
        }
        for worker in [
            "/coffer-worker.js",
            "/coffer-worker_bg.wasm",
            "/coffer-worker_loader.js",
        ] {
            assert_eq!(cache_policy(worker, ok), "no-cache", "{worker}");
        }
    }
}
