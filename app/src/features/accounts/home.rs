use crate::i18n::tr;
use coffer_api::get_setup_status;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::session::use_session;

/// Routes a visitor to where they belong: setup on a new instance, their
/// start page when signed in, otherwise sign-in.
#[component]
pub fn Home() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let status = LocalResource::new(get_setup_status);
    Effect::new(move |_| {
        if !session.loaded.get() {
            return;
        }
        let signed_in = session.account.with(|a| a.is_some());
        let target = match (signed_in, session.is_instance_admin()) {
            (true, true) => "/organisations",
            (true, false) => "/account",
            (false, _) => match status.get() {
                None => return,
                Some(Ok(s)) if s.needs_setup => "/setup",
                Some(_) => "/sign-in",
            },
        };
        navigate(target, Default::default());
    });
    view! { <p class="loading">{tr("Loading…")}</p> }
}
