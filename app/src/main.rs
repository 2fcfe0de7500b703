//! Coffer in the browser. Everything secret (passwords, the member's private
//! key) lives and dies here; the server only ever sees OPAQUE messages,
//! public keys and wrapped keys. The cryptography runs in the crypto worker
//! (`worker/`), which this page starts once it is drawn.

mod app;
mod auth;
mod components;
mod crypto_worker;
mod i18n;
mod pages;
mod session;
mod webauthn;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
