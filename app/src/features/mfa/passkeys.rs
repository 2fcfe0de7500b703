//! MFA-4 on My account: add passkeys, name them, see when each was last
//! used, remove them. MFA-5: whether each one also unlocks the keys, and
//! the password prompt for when the one used cannot.

use crate::i18n::{tf, tr};
use coffer_api::{list_passkeys, passkey_remove, passkey_rename};
use coffer_shared::accounts::SignedIn;
use coffer_shared::mfa::PasskeyView;
use coffer_shared::worker::Unlocked;
use leptos::prelude::*;

use crate::features::accounts::auth::{self, AddedPasskey};
use crate::features::mfa::webauthn;
use crate::session::{unlocked_keys, use_session};
use crate::ui::{local_time, ErrorBox, Problem, Write};

#[component]
pub fn PasskeysCard() -> impl IntoView {
    let session = use_session();
    // Loads now, and again whenever a passkey gains its key wrapping or
    // the list changes here; a slower, older answer never replaces a newer.
    let passkeys = LocalResource::new(move || {
        session.passkeys_version.track();
        list_passkeys()
    });
    let error = RwSignal::new(None::<Problem>);
    let notice = RwSignal::new(None::<String>);
    let refresh = move || passkeys.refetch();
    Effect::new(move |_| {
        if let Some(Err(e)) = passkeys.get() {
            error.set(Some(e.into()));
        }
    });
    let list = move || passkeys.get().and_then(Result::ok);
    let locked = move || session.unlocked.with(|u| u.is_none());

    view! {
        <section class="card" aria-labelledby="passkeys-heading">
            <h2 id="passkeys-heading">{tr("Passkeys")}</h2>
            <p class="hint">{tr("A passkey signs you in with your device's screen lock or security key instead of your password, and also counts as the second step after your password.")}</p>
            {move || list().map(|l| if l.is_empty() {
                view! { <p>{tr("You have no passkeys.")}</p> }.into_any()
            } else {
                view! {
                    <ul class="passkeys">
                        {l.into_iter().map(|p| view! { <PasskeyItem passkey=p error notice on_change=Callback::new(move |()| refresh()) /> }).collect_view()}
                    </ul>
                }.into_any()
            })}
            <Show when=locked>
                <p class="hint">{tr("Your keys are locked in this tab, so a new passkey could not unlock them. Unlock them with your password first.")}</p>
            </Show>
            <AddPasskeyForm notice on_added=Callback::new(move |_| refresh()) />
            <ErrorBox message=error />
        </section>
    }
}

/// What the member is told about a passkey just added.
fn added_notice(added: &AddedPasskey) -> String {
    let view = &added.view;
    let name = [("name", view.name.as_str())];
    if view.unlocks_keys {
        tf(
            "Passkey “{name}” added. It signs you in and unlocks your keys.",
            &name,
        )
    } else if added.prf_supported {
        tf(
            "Passkey “{name}” added. It signs you in; to let it unlock your keys too, unlock \
             them with your password and choose “Let it unlock my keys”.",
            &name,
        )
    } else {
        tf(
            "Passkey “{name}” added. It signs you in; your password is still needed once to \
             unlock your keys, because this authenticator cannot (it does not support the PRF \
             extension).",
            &name,
        )
    }
}

/// A name, then the browser's passkey dialog. `setup_token` is the mailed
/// set-up link's token when this is the required second factor (MFA-2).
#[component]
pub fn AddPasskeyForm(
    notice: RwSignal<Option<String>>,
    on_added: Callback<PasskeyView>,
    #[prop(default = None)] setup_token: Option<String>,
) -> impl IntoView {
    let setup_token = StoredValue::new(setup_token);
    let session = use_session();
    let reauth = crate::features::accounts::reauth::use_reauth();
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Problem>);
    // The server may want the password again before the browser's passkey
    // dialog opens; the prompt asks for it and the passkey is added then.
    let register = Write::with_detour(
        error,
        move |typed: String| auth::add_passkey(typed, unlocked_keys(), setup_token.get_value()),
        move |added: AddedPasskey| {
            name.set(String::new());
            notice.set(Some(added_notice(&added)));
            if let Some(prf) = added.prf_for_later {
                session.wrap_keys_later(added.view.id.to_string(), prf);
            }
            on_added.run(added.view);
        },
        crate::features::accounts::reauth::detour(reauth),
    );
    let busy = register.pending();
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        notice.set(None);
        let typed = name.get_untracked();
        if typed.trim().is_empty() {
            return error.set(Some(
                tr("Give the passkey a name, such as the device it lives on.").into(),
            ));
        }
        register.send(typed);
    };
    view! {
        <Show when=move || !webauthn::supported()>
            <p class="hint">{tr("This browser cannot create passkeys.")}</p>
        </Show>
        <form on:submit=add novalidate class="inline-form">
            <label for="passkey-name">{tr("Name for a new passkey")}</label>
            <input id="passkey-name" type="text" maxlength="64" placeholder=tr("Work laptop") autocomplete="off" bind:value=name />
            <button type="submit" disabled=move || busy.get()>
                {move || if busy.get() { tr("Waiting for the passkey…") } else { tr("Add a passkey") }}
            </button>
        </form>
        <ErrorBox message=error />
        <Show when=move || notice.with(|n| n.is_some())>
            <p class="notice" role="status">{move || notice.get().unwrap_or_default()}</p>
        </Show>
    }
}

/// What is done to one passkey; the answer is the notice to show.
#[derive(Clone)]
enum PasskeyChange {
    LetUnlock(Unlocked),
    Rename(String),
    Remove,
}

#[component]
fn PasskeyItem(
    passkey: PasskeyView,
    error: RwSignal<Option<Problem>>,
    notice: RwSignal<Option<String>>,
    on_change: Callback<()>,
) -> impl IntoView {
    let id = StoredValue::new(passkey.id.clone());
    let reauth = crate::features::accounts::reauth::use_reauth();
    let editing = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let new_name = RwSignal::new(passkey.name.clone());
    let label = passkey.name.clone();
    let used = passkey
        .last_used_at_ms
        .map(|t| tf("last used {time}", &[("time", &local_time(t))]))
        .unwrap_or_else(|| tr("not used yet").into());
    let unlocks = if passkey.unlocks_keys {
        tr("unlocks your keys")
    } else {
        tr("your password unlocks your keys")
    };
    let session = use_session();
    let may_unlock = !passkey.unlocks_keys;
    let for_prf = StoredValue::new(passkey.clone());
    // Removing may need the password again; the prompt asks, then removes.
    let change = Write::with_detour(
        error,
        move |change: PasskeyChange| {
            let passkey = for_prf.get_value();
            async move {
                let name = [("name", passkey.name.as_str())];
                match change {
                    PasskeyChange::LetUnlock(keys) => {
                        auth::let_passkey_unlock(&passkey, &keys).await.map(|view| {
                            Some(tf(
                                "Passkey “{name}” now unlocks your keys too.",
                                &[("name", &view.name)],
                            ))
                        })
                    }
                    PasskeyChange::Rename(typed) => passkey_rename(passkey.id.clone(), typed)
                        .await
                        .map(|()| None),
                    PasskeyChange::Remove => passkey_remove(passkey.id.clone()).await.map(|()| {
                        Some(tf(
                            "Passkey “{name}” removed. It no longer signs you in.",
                            &name,
                        ))
                    }),
                }
            }
        },
        move |said: Option<String>| {
            if said.is_some() {
                notice.set(said);
            }
            editing.set(false);
            on_change.run(());
        },
        crate::features::accounts::reauth::detour(reauth),
    );
    let let_unlock = move |_| {
        error.set(None);
        let Some(keys) = unlocked_keys() else {
            return error.set(Some(
                tr("Unlock your keys with your password first.").into(),
            ));
        };
        change.send(PasskeyChange::LetUnlock(keys));
    };
    let rename = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        change.send(PasskeyChange::Rename(new_name.get_untracked()));
    };
    let remove = move |_| change.send(PasskeyChange::Remove);
    view! {
        <li class="passkey" data-testid="passkey">
            <Show
                when=move || editing.get()
                fallback={
                    let label = label.clone();
                    let used = used.clone();
                    move || view! {
                        <span class="passkey-name">{label.clone()}</span>
                        <span class="hint">{tf("Added {time} · {used} · {unlocks}", &[("time", &local_time(passkey.created_at_ms)), ("used", &used), ("unlocks", unlocks)])}</span>
                    }
                }
            >
                <form on:submit=rename novalidate class="inline-form">
                    <label for=format!("rename-{}", id.get_value())>{tr("New name")}</label>
                    <input id=format!("rename-{}", id.get_value()) type="text" maxlength="64" bind:value=new_name />
                    <button type="submit">{tr("Save name")}</button>
                    <button type="button" class="secondary" on:click=move |_| editing.set(false)>{tr("Cancel")}</button>
                </form>
            </Show>
            <div class="actions">
                <Show when=move || !editing.get() && !confirming.get()>
                    <Show when=move || may_unlock && session.unlocked.with(|u| u.is_some())>
                        <button type="button" class="secondary" on:click=let_unlock>{tr("Let it unlock my keys")}</button>
                    </Show>
                    <button type="button" class="secondary" on:click=move |_| editing.set(true)>{tr("Rename")}</button>
                    <button type="button" class="danger" on:click=move |_| confirming.set(true)>{tr("Remove")}</button>
                </Show>
                <Show when=move || confirming.get()>
                    <span>{tr("Remove this passkey?")}</span>
                    <button type="button" class="danger" on:click=remove>{tr("Yes, remove it")}</button>
                    <button type="button" class="secondary" on:click=move |_| confirming.set(false)>{tr("Keep it")}</button>
                </Show>
            </div>
        </li>
    }
}

/// MFA-5 fallback: the keys are locked in this tab (a passkey without PRF
/// signed in, or the tab was reopened); the password unlocks them.
#[component]
pub fn UnlockKeysForm(
    /// Why the password is needed, in the member's terms.
    #[prop(into)]
    reason: String,
    on_unlocked: Callback<(SignedIn, Unlocked)>,
) -> impl IntoView {
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Problem>);
    let unlock = Write::or_else(
        error,
        auth::unlock_with_password,
        move |done| {
            password.set(String::new());
            on_unlocked.run(done);
        },
        move |_| password.set(String::new()),
    );
    let busy = unlock.pending();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let pw = password.get_untracked();
        if pw.is_empty() {
            return error.set(Some(tr("Enter your password.").into()));
        }
        unlock.send(pw);
    };
    view! {
        <form on:submit=submit novalidate aria-labelledby="unlock-heading" class="stack">
            <h2 id="unlock-heading">{tr("Unlock your keys")}</h2>
            <p class="hint">{reason}</p>
            <label for="unlock-password">{tr("Password")}</label>
            <input id="unlock-password" type="password" autocomplete="current-password" required bind:value=password />
            <ErrorBox message=error />
            <button type="submit" disabled=move || busy.get()>
                {move || if busy.get() { tr("Unlocking…") } else { tr("Unlock") }}
            </button>
        </form>
    }
}
