//! Pages behind emailed single-use links: ACC-7 password reset (with the
//! ACC-5 security question) and ACC-6 self-unlock.

use crate::i18n::{tf, tr};
use coffer_api::{get_reset_view, unlock_with_link};
use coffer_shared::policy::check_new_password;
use coffer_shared::recovery::ResetLosses;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::features::accounts::auth;
use crate::features::accounts::invite::{sign_in_after, token_from_location};
use crate::ui::{api_words, local_time, ErrorBox, NewPasswordFields, Problem, Write};

#[component]
pub fn ResetPage() -> impl IntoView {
    let navigate = use_navigate();
    let token = token_from_location();
    let view_state = {
        let token = token.clone();
        LocalResource::new(move || get_reset_view(token.clone()))
    };
    let answer = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Problem>);
    // CRY-6: a reset that keeps the keys ends here, waiting for a Liaison.
    let waiting = RwSignal::new(false);
    let reset = Write::new(
        error,
        move |(answer, pw, email, keep): (String, String, String, bool)| {
            let done = auth::reset_password(token.clone(), answer, pw, keep);
            async move { done.await.map(|()| (email, keep)) }
        },
        move |(email, keep): (String, bool)| {
            if keep {
                waiting.set(true);
            } else {
                navigate(&sign_in_after("reset", &email), Default::default())
            }
        },
    );
    let busy = reset.pending();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let Some(Ok(v)) = view_state.get() else {
            return;
        };
        if !v.security_question.is_empty() && answer.with(|a| a.trim().is_empty()) {
            return error.set(Some(tr("Answer your security question.").into()));
        }
        let (pw, again) = (password.get(), confirm.get());
        if let Err(p) = check_new_password(&pw, &again, v.password_min_length) {
            return error.set(Some(p.into()));
        }
        reset.send((answer.get(), pw, v.email, v.keeps_keys));
    };
    let min_length = Signal::derive(move || {
        view_state.with(|v| {
            v.as_ref()
                .and_then(|r| r.as_ref().ok())
                .map(|i| i.password_min_length)
                .unwrap_or(8)
        })
    });
    let question = move || {
        view_state.with(|v| match v {
            Some(Ok(v)) => v.security_question.clone(),
            _ => String::new(),
        })
    };
    view! {
        <section class="card narrow">
            <h1>{tr("Choose a new password")}</h1>
            {move || match view_state.get() {
                None => view! { <p class="loading">{tr("Checking the link…")}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{api_words(&e)}</p> }.into_any(),
                Some(Ok(_)) if waiting.get() => view! {
                    <p class="notice" role="status">{tr("Your password is changed. A Liaison of your organisation now restores your keys from its recovery copy; you get a mail when they have. Then sign in with your new password: everything you could open is still yours.")}</p>
                }.into_any(),
                Some(Ok(v)) => view! {
                    <p>{tr("New password for ")} <strong>{v.email.clone()}</strong> "."</p>
                    <p class="hint">{tf("This link works once and expires {0}.", &[("0", &(local_time(v.expires_at_ms)).to_string())])}</p>
                    {if v.keeps_keys {
                        view! { <p class="notice">{tr("Your organisation keeps a recovery copy of your keys: you keep them, with everything shared with you. After you choose a password, a Liaison restores them; until then you cannot sign in.")}</p> }.into_any()
                    } else {
                        view! { <Losses losses=v.losses.clone() /> }.into_any()
                    }}
                }.into_any(),
            }}
            <Show when=move || matches!(view_state.get(), Some(Ok(_))) && !waiting.get()>
                <form on:submit=submit novalidate>
                    <Show when=move || !question().is_empty()>
                        <label for="security-answer">{question}</label>
                        <input id="security-answer" type="text" autocomplete="off" bind:value=answer />
                        <p class="hint">{tr("Your security answer; capitals do not matter.")}</p>
                    </Show>
                    <NewPasswordFields password confirm label=tr("New password") confirm_label=tr("Confirm new password") min_length />
                    <ErrorBox message=error />
                    <button type="submit" disabled=move || busy.get()>
                        {move || if busy.get() { tr("Making your new keys…") } else { tr("Set new password") }}
                    </button>
                </form>
            </Show>
        </section>
    }
}

/// ACC-7 without recovery: what the old keys opened, as far as the server
/// can tell (names are sealed, so it counts).
#[component]
fn Losses(losses: ResetLosses) -> impl IntoView {
    let nothing = losses.boxes == 0 && losses.shared.is_empty();
    view! {
        <div class="warning" role="note">
            <p>{tr("Your old encryption keys cannot be recovered: new ones are made in this browser. Files and messages encrypted to your old keys — everything shared with you until now — will no longer open. Ask the senders to share them again.")}</p>
            {(!nothing).then(|| view! {
                <p>{tr("These items will no longer open:")}</p>
                <ul class="losses">
                    {(losses.boxes > 0).then(|| view! {
                        <li>{tf("{0} boxes you own", &[("0", &losses.boxes.to_string())])}</li>
                    })}
                    {losses.shared.iter().map(|l| view! {
                        <li>{tf("{0} items shared with you by {1}", &[("0", &l.items.to_string()), ("1", &l.by)])}</li>
                    }).collect_view()}
                </ul>
            })}
        </div>
    }
}

/// A button, not an automatic call: mail scanners that open links must not
/// use up the single-use token.
#[component]
pub fn UnlockPage() -> impl IntoView {
    let token = token_from_location();
    let error = RwSignal::new(None::<Problem>);
    let unlocked = RwSignal::new(None::<String>);
    let unlock = Write::new(error, unlock_with_link, move |email| {
        unlocked.set(Some(email))
    });
    let busy = unlock.pending();
    let click = move |_| unlock.send(token.clone());
    view! {
        <section class="card narrow">
            <h1>{tr("Unlock your account")}</h1>
            {move || match unlocked.get() {
                Some(email) => view! {
                    <p class="notice" role="status">{tf("{email} is unlocked. You can sign in again.", &[("email", &(email).to_string())])}</p>
                    <a class="button" href=format!("/sign-in?email={}", js_sys::encode_uri_component(&email))>{tr("Sign in")}</a>
                }.into_any(),
                None => view! {
                    <p>{tr("Your account was locked after too many wrong passwords or a long time without signing in.")}</p>
                    <ErrorBox message=error />
                    <button type="button" disabled=move || busy.get() on:click=click.clone()>{tr("Unlock my account")}</button>
                }.into_any(),
            }}
        </section>
    }
}
