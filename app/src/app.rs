use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::features::accounts::{account, home, invite, recovery, setup, sign_in};
use crate::features::audit::{log as audit, outbox};
use crate::features::boxes;
use crate::features::members::{groups, users};
use crate::features::mfa::two_step;
use crate::features::organisations::{configuration, list as organisations, plans};
use crate::i18n::{tr, I18n};
use crate::session::Session;
use crate::ui::Header;

/// What every page relies on, for the full app and the front door alike:
/// the language, the session, and the crypto worker.
pub fn provide_app_context() -> I18n {
    let i18n = I18n::new();
    provide_context(i18n);
    let session = Session::new();
    provide_context(session);
    session.load();
    // Once the first page is drawn and the browser idles: the worker's
    // download waits for the page.
    Effect::new(move |_| crate::crypto_worker::start_when_idle());
    // ACC-9: the signed-in member's language, as soon as it is known.
    Effect::new(move |_| {
        if let Some(lang) = session.account.with(|a| a.as_ref().map(|a| a.language)) {
            i18n.set(lang);
        }
    });
    i18n
}

/// The whole app, for everything after signing in.
#[component]
pub fn App() -> impl IntoView {
    let i18n = provide_app_context();
    view! {
        <Router>
            // Everything is drawn again in the new language when it changes.
            {move || { i18n.language.track(); view! {
            <Header />
            <main id="main">
                <crate::features::recovery::EscrowKeys />
                <Routes fallback=|| view! { <h1>{tr("Page not found")}</h1> }>
                    <Route path=path!("/") view=home::Home />
                    <Route path=path!("/setup") view=setup::SetupPage />
                    <Route path=path!("/sign-in") view=sign_in::SignInPage />
                    <Route path=path!("/invite") view=invite::InvitePage />
                    <Route path=path!("/reset") view=recovery::ResetPage />
                    <Route path=path!("/unlock") view=recovery::UnlockPage />
                    <Route path=path!("/account") view=account::AccountPage />
                    <Route path=path!("/two-step-setup") view=two_step::TwoStepSetupPage />
                    <Route path=path!("/configuration") view=configuration::ConfigurationPage />
                    <Route path=path!("/plans") view=plans::PlansPage />
                    <Route path=path!("/organisations") view=organisations::OrganisationsPage />
                    <Route path=path!("/users") view=users::UsersPage />
                    <Route path=path!("/audit") view=audit::AuditLogPage />
                    <Route path=path!("/groups") view=groups::GroupsPage />
                    <Route path=path!("/labels") view=crate::features::labels::LabelsPage />
                    <Route path=path!("/outbox") view=outbox::OutboxPage />
                    <Route path=path!("/outbox/:id") view=outbox::OutboxMailPage />
                    <Route path=path!("/boxes") view=boxes::list::BoxesPage />
                    <Route path=path!("/boxes/:id") view=boxes::folder::FolderPage />
                    <Route path=path!("/boxes/:id/trash") view=boxes::trash::TrashPage />
                    <Route path=path!("/boxes/:id/activity") view=boxes::activity::ActivityPage />
                </Routes>
            </main>
            } }}
        </Router>
    }
}
