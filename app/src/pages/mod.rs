pub mod account;
pub mod home;
pub mod invite;
pub mod organisations;
pub mod outbox;
pub mod setup;
pub mod sign_in;
pub mod users;

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::session::use_session;

/// Sends a visitor who is not signed in to the sign-in page once the
/// session is known; returns whether the page may render.
pub fn require_sign_in() -> Signal<bool> {
    let session = use_session();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if session.loaded.get() && session.account.with(|a| a.is_none()) {
            navigate("/sign-in", Default::default());
        }
    });
    Signal::derive(move || session.account.with(|a| a.is_some()))
}
