//! ACC-1: the first visitor of a new instance creates its administrator.

use crate::i18n::tr;
use coffer_api::get_setup_status;
use coffer_shared::policy::{check_new_password, normalise_email};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::features::accounts::auth;
use crate::session::use_session;
use crate::ui::{password_min_length, ErrorBox, NewPasswordFields, Problem, Write};

#[component]
pub fn SetupPage() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let email = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Problem>);
    let min_length = password_min_length();
    let status = LocalResource::new(get_setup_status);
    let done_already = move || status.with(|s| matches!(s, Some(Ok(s)) if !s.needs_setup));
    // Creates the administrator, then signs in with the same password.
    let create = Write::new(
        error,
        |(address, setup_code, pw): (String, String, String)| async move {
            auth::set_up(address.clone(), setup_code, pw.clone()).await?;
            auth::sign_in(address, pw).await
        },
        move |outcome| match outcome {
            auth::SignInOutcome::Done(signed_in, keys) => {
                session.signed_in(signed_in, keys);
                navigate("/organisations", Default::default());
            }
            // A brand-new account has no second factor; should one
            // appear, the sign-in page asks for it.
            auth::SignInOutcome::SecondFactor(..) | auth::SignInOutcome::SetUpFirst(..) => {
                navigate("/sign-in", Default::default());
            }
        },
    );
    let busy = create.pending();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let address = match normalise_email(&email.get()) {
            Ok(a) => a,
            Err(e) => return error.set(Some(e.into())),
        };
        let setup_code = code.get();
        if setup_code.trim().is_empty() {
            return error.set(Some(
                tr("Enter the setup code from the server's console or log.").into(),
            ));
        }
        let (pw, again) = (password.get(), confirm.get());
        if let Err(p) = check_new_password(&pw, &again, min_length.get()) {
            return error.set(Some(p.into()));
        }
        create.send((address, setup_code, pw));
    };

    view! {
        <section class="card narrow">
            <h1>{tr("Set up Coffer")}</h1>
            <Show
                when=move || !done_already()
                fallback=|| view! { <p>{tr("Coffer is already set up. ")} <a href="/sign-in">{tr("Sign in")}</a> " instead."</p> }
            >
                <p>{tr("Create the instance administrator. There is no default password: choose yours now.")}</p>
                <form on:submit=submit novalidate>
                    <label for="setup-code">{tr("Setup code")}</label>
                    <input id="setup-code" type="text" autocomplete="off" autocapitalize="characters" spellcheck="false" required bind:value=code />
                    <p class="hint">{tr("Coffer printed it in the server's console and log when it started, so that only whoever runs the server can create the administrator.")}</p>
                    <label for="email">{tr("Email")}</label>
                    <input id="email" type="email" autocomplete="username" required bind:value=email />
                    <NewPasswordFields password confirm min_length />
                    <ErrorBox message=error />
                    <button type="submit" disabled=move || busy.get()>
                        {move || if busy.get() { tr("Creating…") } else { tr("Create administrator") }}
                    </button>
                </form>
            </Show>
        </section>
    }
}
