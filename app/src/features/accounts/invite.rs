//! ACC-3 / ACC-4: following an invitation link, the new member chooses a
//! password; the browser makes their key pair and sends it only wrapped.

use crate::i18n::{tf, tr};
use coffer_api::invitation;
use coffer_shared::policy::check_new_password;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::features::accounts::auth;
use crate::ui::{api_words, local_time, ErrorBox, NewPasswordFields, Problem, Write};

/// The token rides in the URL fragment, which the browser never sends.
pub fn token_from_location() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .map(|h| h.trim_start_matches('#').to_string())
        .unwrap_or_default()
}

/// The sign-in page after a link was used: it says what happened (`flag`)
/// and has the address filled in.
pub fn sign_in_after(flag: &str, email: &str) -> String {
    let email = js_sys::encode_uri_component(email);
    format!("/sign-in?{flag}=1&email={email}")
}

#[component]
pub fn InvitePage() -> impl IntoView {
    let navigate = use_navigate();
    let token = token_from_location();
    let view_state = {
        let token = token.clone();
        LocalResource::new(move || invitation(token.clone()))
    };
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Problem>);
    let accept = Write::new(
        error,
        move |(pw, email): (String, String)| {
            let done = auth::accept_invitation(token.clone(), pw);
            async move { done.await.map(|()| email) }
        },
        move |email: String| navigate(&sign_in_after("accepted", &email), Default::default()),
    );
    let busy = accept.pending();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let Some(Ok(inv)) = view_state.get() else {
            return;
        };
        let (pw, again) = (password.get(), confirm.get());
        if let Err(p) = check_new_password(&pw, &again, inv.password_min_length) {
            return error.set(Some(p.into()));
        }
        accept.send((pw, inv.email));
    };

    let min_length = Signal::derive(move || {
        view_state.with(|v| {
            v.as_ref()
                .and_then(|r| r.as_ref().ok())
                .map(|i| i.password_min_length)
                .unwrap_or(8)
        })
    });

    view! {
        <section class="card narrow">
            <h1>{tr("Accept your invitation")}</h1>
            {move || match view_state.get() {
                None => view! { <p class="loading">{tr("Checking the invitation…")}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{api_words(&e)}</p> }.into_any(),
                Some(Ok(inv)) => view! {
                    <p>
                        {inv.organisation_name.clone().map(|o| tf("You are invited to {o}. ", &[("o", &(o).to_string())])).unwrap_or_default()}
                        {tr("Choose the password for ")} <strong>{inv.email.clone()}</strong> "."
                    </p>
                    <p class="hint">{tf("This link expires {0}.", &[("0", &(local_time(inv.expires_at_ms)).to_string())])}</p>
                    <p class="hint">{tr("Your encryption keys are created in this browser. The password never leaves it: if you forget it, an administrator must reset your account.")}</p>
                }.into_any(),
            }}
            <Show when=move || matches!(view_state.get(), Some(Ok(_)))>
                <form on:submit=submit novalidate>
                    <NewPasswordFields password confirm min_length />
                    <ErrorBox message=error />
                    <button type="submit" disabled=move || busy.get()>
                        {move || if busy.get() { tr("Setting up your keys…") } else { tr("Accept invitation") }}
                    </button>
                </form>
            </Show>
        </section>
    }
}
