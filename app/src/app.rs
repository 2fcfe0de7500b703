use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::Header;
use crate::pages::{
    account, audit, configuration, groups, home, invite, organisations, outbox, plans, recovery,
    setup, sign_in, two_step, users,
};
use crate::session::Session;

#[component]
pub fn App() -> impl IntoView {
    let session = Session::new();
    provide_context(session);
    session.load();
    view! {
        <Router>
            <Header />
            <main id="main">
                <Routes fallback=|| view! { <h1>"Page not found"</h1> }>
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
                    <Route path=path!("/outbox") view=outbox::OutboxPage />
                    <Route path=path!("/outbox/:id") view=outbox::OutboxMailPage />
                </Routes>
            </main>
        </Router>
    }
}
