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
use axum::routing::{get, post};
use axum::Router;
use coffer_api::ApiError;
use coffer_core::{ClientInfo, Coffer};
use coffer_shared::errors::AuthError;
use leptos::prelude::provide_context;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;

/// Server-function payloads are small protocol messages; file parts will
/// get their own, larger, limit on their own routes.
pub const API_BODY_LIMIT: usize = 256 * 1024;
const LOGO_BODY_LIMIT: usize = 2 * coffer_core::logo::MAX_LOGO_BYTES;
const IMPORT_BODY_LIMIT: usize = 2 * coffer_core::import::MAX_IMPORT_BYTES;

const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
                   img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; \
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
    let state = AppState { coffer, origin };
    let api = Router::new()
        .route("/api/{*fn_name}", post(server_fn))
        .layer(RequestBodyLimitLayer::new(API_BODY_LIMIT))
        .layer(middleware::from_fn_with_state(state.clone(), check_origin))
        .with_state(state.clone());
    // Bigger than the logo limit so that oversized files get the domain's
    // own clear message rather than a bare 413.
    let uploads = Router::new()
        .route("/upload/logo", post(crate::logo::upload))
        .layer(axum::extract::DefaultBodyLimit::max(LOGO_BODY_LIMIT))
        .layer(RequestBodyLimitLayer::new(LOGO_BODY_LIMIT))
        .layer(middleware::from_fn_with_state(state.clone(), check_origin))
        .with_state(state.coffer.clone());
    let imports = Router::new()
        .route("/upload/import", post(crate::import::upload))
        .layer(axum::extract::DefaultBodyLimit::max(IMPORT_BODY_LIMIT))
        .layer(RequestBodyLimitLayer::new(IMPORT_BODY_LIMIT))
        .layer(middleware::from_fn_with_state(state.clone(), check_origin))
        .with_state(state.coffer.clone());
    let downloads = Router::new()
        .route("/export/import-report.csv", get(crate::import::report))
        .route("/logo/{org}", get(crate::logo::show))
        .route("/export/audit-log.csv", get(crate::export::audit_log))
        .route("/export/{file}", get(crate::export::members))
        .with_state(state.coffer.clone());
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .merge(api)
        .merge(uploads)
        .merge(imports)
        .merge(downloads)
        .fallback_service(site_service(&site))
        .layer(middleware::from_fn(client_info))
        .layer(middleware::from_fn(move |req, next| {
            security_headers(https, req, next)
        }))
        .layer(TraceLayer::new_for_http())
}

fn origin_of(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|_| url.to_string())
}

/// The built app, with `index.html` for every path it does not know so the
/// browser's router can handle deep links such as `/invite`.
fn site_service(dir: &Path) -> ServeDir<ServeFile> {
    if !dir.join("index.html").is_file() {
        tracing::warn!(dir = %dir.display(), "browser app not found; build it with `trunk build --release`");
    }
    ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")))
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
    let body = serde_json::to_string(&ApiError::from(AuthError::CrossOrigin)).unwrap_or_default();
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

async fn client_info(req: Request, next: Next) -> Response {
    let mut req = req;
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
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

async fn security_headers(https: bool, req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let mut res = next.run(req).await;
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
    // Answers carry keys and account data: never cache them. The app shell
    // revalidates so a new release is picked up at once.
    set(
        h,
        "cache-control",
        if is_api { "no-store" } else { "no-cache" },
    );
    res
}
