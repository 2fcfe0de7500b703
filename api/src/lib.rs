//! Coffer's server functions. The browser calls them as typed async
//! functions; on the server (`ssr` feature) each body is one call into
//! `coffer_core::Coffer`, with the session resolved by `ssr::door`.
//!
//! Every endpoint takes JSON, so the integration tests and any other client
//! can call `POST /api/<endpoint>` with a plain JSON object of the arguments.

pub mod error;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use error::ApiError;

// One room per domain. Endpoints are one flat namespace of URLs
// (`/api/<endpoint>`), so their functions and generated structs are
// re-exported here as one flat namespace too: `coffer_api::AddMember`.
pub mod accounts;
pub mod audit;
pub mod boxes;
pub mod files;
pub mod import;
pub mod labels;
pub mod members;
pub mod mfa;
pub mod organisations;
pub mod recovery;
pub mod security;
pub mod sharing;
pub mod transfers;

pub use accounts::*;
pub use audit::*;
pub use boxes::*;
pub use files::*;
pub use import::*;
pub use labels::*;
pub use members::*;
pub use mfa::*;
pub use organisations::*;
pub use recovery::*;
pub use security::*;
pub use sharing::*;
pub use transfers::*;

/// The session cookie's name: over https with the `__Host-` prefix, which
/// browsers accept only when Secure, for the whole site and no other host.
pub fn session_cookie(secure: bool) -> &'static str {
    if secure {
        "__Host-coffer_session"
    } else {
        "coffer_session"
    }
}
