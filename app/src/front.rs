//! The front door: the pages a visitor needs before signing in (and the
//! enforced two-step set-up that can follow it), built as an app of its own
//! (`coffer-front`) so that a first visit downloads only them. The server
//! serves it for `coffer_shared::site::FRONT_DOOR_PATHS`; everything else is
//! the full app, which a full page load fetches.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::app::provide_app_context;
use crate::features::accounts::{home, invite, recovery, setup, sign_in};
use crate::features::mfa::two_step;
use crate::i18n::tr;
use crate::ui::Header;

/// Set while a page of the full app loads: the header then shows no
/// navigation, which the full app is about to draw again.
#[derive(Clone, Copy)]
pub struct Leaving(pub RwSignal<bool>);

#[component]
pub fn Front() -> impl IntoView {
    let i18n = provide_app_context();
    provide_context(Leaving(RwSignal::new(false)));
    view! {
        <Router>
            {move || { i18n.language.track(); view! {
            <Header />
            <main id="main">
                // The same paths as FRONT_DOOR_PATHS.
                <Routes fallback=|| view! { <FullApp /> }>
                    <Route path=path!("/") view=home::Home />
                    <Route path=path!("/setup") view=setup::SetupPage />
                    <Route path=path!("/sign-in") view=sign_in::SignInPage />
                    <Route path=path!("/invite") view=invite::InvitePage />
                    <Route path=path!("/reset") view=recovery::ResetPage />
                    <Route path=path!("/unlock") view=recovery::UnlockPage />
                    <Route path=path!("/two-step-setup") view=two_step::TwoStepSetupPage />
                </Routes>
            </main>
            } }}
        </Router>
    }
}

/// A page of the full app: loaded from the server, which serves the full
/// app for it (the keys stay unlocked in this tab's storage).
#[component]
fn FullApp() -> impl IntoView {
    if let Some(Leaving(leaving)) = use_context::<Leaving>() {
        leaving.set(true);
    }
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
    view! { <p class="loading">{tr("Loading…")}</p> }
}
