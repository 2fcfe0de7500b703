//! The server side of every door: find the request's session and the
//! `Coffer` handle in the Leptos context, and turn domain failures into
//! `ApiError`s (logging internal ones under an incident id).

use coffer_core::{Actor, ClientInfo, Coffer, Failure, Outcome};
use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderValue, StatusCode};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use crate::{session_cookie, ApiError};

/// What a server function body needs to know about its request.
pub struct Door {
    pub coffer: Coffer,
    pub actor: Option<Actor>,
    pub token: Option<String>,
    pub client: ClientInfo,
    secure_cookie: bool,
    /// Seconds the cookie is kept: the longest a session may last.
    cookie_max_age: i64,
}

/// The session token from a request's cookies (`secure`: the site is
/// served over https, so the cookie has its `__Host-` name).
pub fn session_token(headers: &http::HeaderMap, secure: bool) -> Option<String> {
    let name = session_cookie(secure);
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

pub async fn door() -> Result<Door, ApiError> {
    let coffer =
        use_context::<Coffer>().ok_or_else(|| internal("no Coffer in the request context"))?;
    let parts = use_context::<http::request::Parts>()
        .ok_or_else(|| internal("no request parts in context"))?;
    let client = parts
        .extensions
        .get::<ClientInfo>()
        .cloned()
        .unwrap_or_default();
    let secure_cookie = coffer.public_url().starts_with("https://");
    let token = session_token(&parts.headers, secure_cookie);
    let actor = match &token {
        Some(t) => answer(coffer.authenticate(t).await)?,
        None => None,
    };
    let cookie_max_age = coffer.config().session_max_ms() / 1000;
    Ok(Door {
        coffer,
        actor,
        token,
        client,
        secure_cookie,
        cookie_max_age,
    })
}

impl Door {
    pub fn set_session_cookie(&self, token: &str) {
        let secure = if self.secure_cookie { "; Secure" } else { "" };
        let (name, age) = (session_cookie(self.secure_cookie), self.cookie_max_age);
        self.set_cookie(&format!(
            "{name}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={age}{secure}"
        ));
    }

    pub fn clear_session_cookie(&self) {
        let secure = if self.secure_cookie { "; Secure" } else { "" };
        let name = session_cookie(self.secure_cookie);
        self.set_cookie(&format!(
            "{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"
        ));
    }

    fn set_cookie(&self, value: &str) {
        if let (Some(opts), Ok(v)) = (
            use_context::<ResponseOptions>(),
            HeaderValue::from_str(value),
        ) {
            opts.append_header(SET_COOKIE, v);
        }
    }
}

fn internal(what: &str) -> ApiError {
    let incident = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
    tracing::error!(%incident, "{what}");
    ApiError::Internal { incident }
}

/// Maps a domain outcome to what the browser receives.
pub fn answer<T>(outcome: Outcome<T>) -> Result<T, ApiError> {
    let err = match outcome {
        Ok(v) => return Ok(v),
        Err(Failure::Refused(r)) => ApiError::Refused(r),
        Err(Failure::Internal(e)) => internal(&format!("{e:#}")),
    };
    if let (Some(opts), Ok(status)) = (
        use_context::<ResponseOptions>(),
        StatusCode::from_u16(err.http_status()),
    ) {
        opts.set_status(status);
        if let Some(seconds) = err.retry_after() {
            opts.insert_header(http::header::RETRY_AFTER, HeaderValue::from(seconds));
        }
    }
    Err(err)
}
