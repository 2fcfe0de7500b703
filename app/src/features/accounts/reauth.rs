//! The re-authentication prompt: adding or removing a passkey and binding
//! an authenticator app need a password proved in the last few minutes
//! (the server decides; `AuthError::ReauthenticationRequired` says so). The
//! page asks for the password once, proves it with OPAQUE and repeats the
//! change.

use coffer_api::ApiError;
use coffer_shared::errors::AuthError;
use coffer_shared::Refusal;
use leptos::prelude::*;

use crate::features::accounts::auth;
use crate::i18n::tr;
use crate::ui::{ErrorBox, Problem, Write};

/// Shared by the cards of a page that make factor changes.
#[derive(Clone, Copy)]
pub struct Reauth {
    retry: StoredValue<Option<Callback<()>>, LocalStorage>,
    open: RwSignal<bool>,
}

impl Reauth {
    pub fn provide() -> Reauth {
        let r = Reauth {
            retry: StoredValue::new_local(None),
            open: RwSignal::new(false),
        };
        provide_context(r);
        r
    }

    /// True, and the prompt opens, when `e` asks for a fresh proof; `retry`
    /// runs once the password is proved.
    pub fn intercept(self, e: &ApiError, retry: Callback<()>) -> bool {
        if !matches!(
            e,
            ApiError::Refused(Refusal::Auth(AuthError::ReauthenticationRequired))
        ) {
            return false;
        }
        self.retry.set_value(Some(retry));
        self.open.set(true);
        true
    }
}

/// The page's prompt, if it offers one; read while the component is built
/// (contexts are not reachable from the tasks its handlers spawn).
pub fn use_reauth() -> Option<Reauth> {
    use_context::<Reauth>()
}

/// For a `Write` on a page that offers the prompt: a refusal asking for a
/// fresh proof opens it, and the write is sent again once it is proved.
pub fn detour(reauth: Option<Reauth>) -> impl Fn(&Problem, Callback<()>) -> bool {
    move |problem, again| match (reauth, problem) {
        (Some(r), Problem::Api(e)) => r.intercept(e, again),
        _ => false,
    }
}

#[component]
pub fn ReauthPrompt() -> impl IntoView {
    let reauth = expect_context::<Reauth>();
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Problem>);
    let close = move || {
        reauth.open.set(false);
        reauth.retry.set_value(None);
        password.set(String::new());
        error.set(None);
    };
    let prove = Write::or_else(
        error,
        |pw: String| async move {
            let export = auth::prove_password(pw).await?;
            auth::forget(export).await;
            Ok::<(), coffer_api::ApiError>(())
        },
        move |()| {
            let retry = reauth.retry.get_value();
            close();
            if let Some(retry) = retry {
                retry.run(());
            }
        },
        move |_| password.set(String::new()),
    );
    let busy = prove.pending();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let pw = password.get_untracked();
        if pw.is_empty() {
            return error.set(Some(tr("Enter your password.").into()));
        }
        prove.send(pw);
    };
    view! {
        <Show when=move || reauth.open.get()>
            <div class="overlay">
                <section class="card narrow" role="dialog" aria-modal="true" aria-labelledby="reauth-heading">
                    <h2 id="reauth-heading">{tr("Confirm it is you")}</h2>
                    <p>{tr("For this change, confirm it is you: enter your password again.")}</p>
                    <form on:submit=submit novalidate class="stack">
                        <label for="reauth-password">{tr("Password")}</label>
                        <input id="reauth-password" type="password" autocomplete="current-password" required autofocus bind:value=password />
                        <ErrorBox message=error />
                        <div class="actions">
                            <button type="submit" disabled=move || busy.get()>
                                {move || if busy.get() { tr("Checking…") } else { tr("Confirm") }}
                            </button>
                            <button type="button" class="secondary" on:click=move |_| close()>{tr("Cancel")}</button>
                        </div>
                    </form>
                </section>
            </div>
        </Show>
    }
}
