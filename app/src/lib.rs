//! Coffer in the browser. Everything secret (passwords, the member's private
//! key) lives and dies here; the server only ever sees OPAQUE messages,
//! public keys and wrapped keys. The cryptography runs in the crypto worker
//! (`worker/`), which the page starts once it is drawn.
//!
//! Two apps are built from this library: the full app (`coffer-app`,
//! `main.rs`) and the front door (`coffer-front`, `front_main.rs`), which
//! holds only the pages a visitor needs before signing in.

mod app;
mod crypto_worker;
mod features;
mod front;
mod i18n;
mod session;
mod ui;

pub use app::App;
pub use front::Front;
