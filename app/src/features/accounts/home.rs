use crate::i18n::tr;
use coffer_api::get_setup_status;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::session::use_session;

/// Routes a visitor to where they belong: setup on a new instance, their
/// start page when signed in, otherwise sign-in.
#[component]
pub fn Home() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if !session.loaded.get() {
            return;
        }
        let navigate = navigate.clone();
        let admin = session.is_instance_admin();
        let signed_in = session.account.with(|a| a.is_some());
        spawn_local(async move {
            let target = match (signed_in, get_setup_status().await) {
                (true, _) if admin => "/organisations",
                (true, _) => "/account",
                (false, Ok(s)) if s.needs_setup => "/setup",
                _ => "/sign-in",
            };
            navigate(target, Default::default());
        });
    });
    view! { <p class="loading">{tr("Loading…")}</p> }
}
