//! My account: key fingerprint, password change (ACC-5), two-step sign-in
//! (MFA-1), passkeys (MFA-4, MFA-5), sessions (ACC-8), sign-out.

use crate::i18n::{tf, tr};
use coffer_api::{
    get_profile, get_security_question, sessions, set_security_question, sign_out,
    terminate_all_sessions, update_profile,
};
use coffer_shared::accounts::{Profile, SessionView};
use coffer_shared::i18n::Language;
use coffer_shared::policy::check_new_password;
use leptos::prelude::*;

use crate::features::accounts::auth;
use crate::session::{leave_to_sign_in, use_session};
use crate::ui::require_sign_in;
use crate::ui::{
    load_when, local_time, password_min_length, show_latest, ErrorBox, NewPasswordFields, Problem,
    Write,
};

#[component]
pub fn AccountPage() -> impl IntoView {
    let session = use_session();
    let allowed = require_sign_in();
    let reauth = Some(crate::features::accounts::reauth::Reauth::provide());
    // A lost device: end every session and remove the passkeys too.
    let remove_passkeys = RwSignal::new(false);
    let error = RwSignal::new(None::<Problem>);
    let list = load_when(move || allowed.get().then(sessions));
    let list_shown = RwSignal::new(None::<Vec<SessionView>>);
    show_latest(list, list_shown, error);
    // Signing out leaves whatever the server answers: a session it no
    // longer knows is as good as ended.
    let leave = Write::new(
        error,
        |()| async {
            let _ = sign_out().await;
            Ok::<(), Problem>(())
        },
        |()| leave_to_sign_in(),
    );
    let do_sign_out = move |_| leave.send(());
    let terminate = Write::with_detour(
        error,
        |remove_passkeys: bool| terminate_all_sessions(Some(remove_passkeys)),
        |_| leave_to_sign_in(),
        crate::features::accounts::reauth::detour(reauth),
    );
    let do_terminate = move |_| terminate.send(remove_passkeys.get_untracked());

    let email = move || {
        session
            .account
            .with(|a| a.as_ref().map(|a| a.email.clone()).unwrap_or_default())
    };
    view! {
        <Show when=move || allowed.get()>
            <section class="card">
                <h1>{tr("My account")}</h1>
                <dl class="facts">
                    <dt>{tr("Email")}</dt>
                    <dd>{email}</dd>
                    <dt>{tr("Key fingerprint")}</dt>
                    <dd class="fingerprint" data-testid="fingerprint">
                        {move || session.fingerprint().unwrap_or_else(|| tr("Locked in this tab").into())}
                    </dd>
                </dl>
                <p class="hint">{tr("Compare this fingerprint when someone checks your identity. It stays the same when you change your password.")}</p>
                <Show when=move || session.unlocked.with(|u| u.is_none())>
                    <crate::features::mfa::passkeys::UnlockKeysForm
                        reason=tr("Your encryption keys are not unlocked in this tab. Enter your password to unlock them; it never leaves this browser.")
                        on_unlocked=Callback::new(move |(s, keys)| session.signed_in(s, keys)) />
                </Show>
                <ErrorBox message=error />
                <div class="actions">
                    <button type="button" class="secondary" on:click=do_sign_out>{tr("Sign out")}</button>
                </div>
            </section>
            <crate::features::boxes::files::StorageCard />
            <crate::features::sharing::NoticesCard />
            <EditProfile />
            <ChangePassword />
            <crate::features::mfa::two_step::TwoStepSignIn />
            <crate::features::mfa::passkeys::PasskeysCard />
            <SecurityQuestion />
            <section class="card">
                <h2>{tr("Sessions")}</h2>
                <table class="list">
                    <caption class="visually-hidden">{tr("Your sessions")}</caption>
                    <thead><tr><th scope="col">{tr("Signed in")}</th><th scope="col">{tr("Last active")}</th><th scope="col">{tr("Browser")}</th><th scope="col">{tr("Address")}</th></tr></thead>
                    <tbody>
                        <For each=move || list_shown.get().unwrap_or_default() key=|s| (s.created_at_ms, s.ip.clone(), s.user_agent.clone()) let:s>
                            <tr>
                                <td data-label=tr("Signed in")>{local_time(s.created_at_ms)}{s.current.then_some(tr(" (this session)"))}</td>
                                <td data-label=tr("Last active")>{local_time(s.last_seen_at_ms)}</td>
                                <td class="ua" data-label=tr("Browser")>{s.user_agent.clone()}</td>
                                <td data-label=tr("Address")>{s.ip.clone()}</td>
                            </tr>
                        </For>
                    </tbody>
                </table>
                <label class="check">
                    <input type="checkbox" prop:checked=move || remove_passkeys.get()
                        on:change=move |ev| remove_passkeys.set(event_target_checked(&ev)) />
                    {tr("Also remove my passkeys (for a lost or stolen device)")}
                </label>
                <button type="button" class="danger" on:click=do_terminate>{tr("Terminate all sessions")}</button>
            </section>
            <crate::features::accounts::reauth::ReauthPrompt />
        </Show>
    }
}

#[component]
fn ChangePassword() -> impl IntoView {
    let open = RwSignal::new(false);
    let current = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Problem>);
    let done = RwSignal::new(false);
    let remove_passkeys = RwSignal::new(false);
    let min_length = password_min_length();
    let change = Write::new(
        error,
        move |(old, new): (String, String)| {
            auth::change_password(old, new, remove_passkeys.get_untracked())
        },
        move |()| {
            for s in [current, password, confirm] {
                s.set(String::new());
            }
            open.set(false);
            done.set(true);
        },
    );
    let busy = change.pending();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        done.set(false);
        let (old, new, again) = (current.get(), password.get(), confirm.get());
        if old.is_empty() {
            return error.set(Some(tr("Enter your current password.").into()));
        }
        if let Err(p) = check_new_password(&new, &again, min_length.get()) {
            return error.set(Some(p.into()));
        }
        change.send((old, new));
    };
    view! {
        <section class="card">
            <h2>{tr("Password")}</h2>
            <Show when=move || done.get()>
                <p class="notice" role="status">{tr("Your password was changed. Your other sessions were signed out.")}</p>
            </Show>
            <Show when=move || open.get() fallback=move || view! {
                <button type="button" on:click=move |_| open.set(true)>{tr("Change password")}</button>
            }>
                <form on:submit=submit novalidate>
                    <label for="current-password">{tr("Current password")}</label>
                    <input id="current-password" type="password" autocomplete="current-password" required bind:value=current />
                    <NewPasswordFields password confirm label=tr("New password") confirm_label=tr("Confirm new password") min_length />
                    <label class="check">
                        <input type="checkbox" prop:checked=move || remove_passkeys.get()
                            on:change=move |ev| remove_passkeys.set(event_target_checked(&ev)) />
                        {tr("Also remove my passkeys")}
                    </label>
                    <ErrorBox message=error />
                    <div class="actions">
                        <button type="submit" disabled=move || busy.get()>
                            {move || if busy.get() { tr("Saving…") } else { tr("Save new password") }}
                        </button>
                        <button type="button" class="secondary" on:click=move |_| open.set(false)>{tr("Cancel")}</button>
                    </div>
                </form>
            </Show>
        </section>
    }
}

/// ACC-9: names and mobile number. The form appears once the stored
/// profile is in, so nothing typed is overwritten by a late answer.
#[component]
fn EditProfile() -> impl IntoView {
    let profile = LocalResource::new(get_profile);
    move || match profile.get() {
        None => view! {
            <section class="card">
                <h2>{tr("Profile")}</h2>
                <p aria-busy="true">{tr("Loading…")}</p>
            </section>
        }
        .into_any(),
        Some(Ok(p)) => view! { <ProfileForm initial=p /> }.into_any(),
        Some(Err(e)) => {
            let error = RwSignal::new(Some(Problem::from(e)));
            view! {
                <section class="card">
                    <h2>{tr("Profile")}</h2>
                    <ErrorBox message=error />
                </section>
            }
            .into_any()
        }
    }
}

#[component]
fn ProfileForm(initial: Profile) -> impl IntoView {
    let first = RwSignal::new(initial.first_name);
    let last = RwSignal::new(initial.last_name);
    let other = RwSignal::new(initial.other_name);
    let mobile = RwSignal::new(initial.mobile);
    let error = RwSignal::new(None::<Problem>);
    let notice = RwSignal::new(None::<String>);
    let language = RwSignal::new(initial.language);
    let session = use_session();
    let save = Write::new(error, update_profile, move |saved: Profile| {
        let lang = saved.language;
        first.set(saved.first_name);
        last.set(saved.last_name);
        other.set(saved.other_name);
        mobile.set(saved.mobile);
        language.set(saved.language);
        notice.set(Some(tr("Your profile was saved.").into()));
        // ACC-9: the new language applies at once.
        session.account.update(|a| {
            if let Some(a) = a {
                a.language = lang;
            }
        });
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        notice.set(None);
        let p = Profile {
            first_name: first.get(),
            last_name: last.get(),
            other_name: other.get(),
            mobile: mobile.get(),
            language: language.get(),
        };
        save.send(p);
    };
    view! {
        <section class="card">
            <h2 id="profile-heading">{tr("Profile")}</h2>
            <form on:submit=submit novalidate aria-labelledby="profile-heading">
                <label for="profile-first">{tr("First name")}</label>
                <input id="profile-first" type="text" autocomplete="given-name" bind:value=first />
                <label for="profile-last">{tr("Last name")}</label>
                <input id="profile-last" type="text" autocomplete="family-name" bind:value=last />
                <label for="profile-other">{tr("Other name")}</label>
                <input id="profile-other" type="text" autocomplete="nickname" bind:value=other />
                <label for="profile-mobile">{tr("Mobile")}</label>
                <input id="profile-mobile" type="tel" autocomplete="tel" inputmode="tel" placeholder="+447700900123" bind:value=mobile />
                <p class="hint">{tr("International form: + and country code.")}</p>
                <label for="profile-language">{tr("Language")}</label>
                <select id="profile-language"
                    on:change=move |ev| {
                        if let Some(l) = Language::from_code(&event_target_value(&ev)) {
                            language.set(l);
                        }
                    }>
                    {Language::ALL.into_iter().map(|l| view! {
                        <option value=l.code() selected=move || language.get() == l>{l.name()}</option>
                    }).collect_view()}
                </select>
                <ErrorBox message=error />
                <Show when=move || notice.with(|n| n.is_some())>
                    <p class="notice" role="status">{move || notice.get().unwrap_or_default()}</p>
                </Show>
                <button type="submit" disabled=move || save.pending().get()>{tr("Save profile")}</button>
            </form>
        </section>
    }
}

/// ACC-5: the question asked before an administrator's password reset is
/// accepted; the answer is stored hashed and compared ignoring capitals.
#[component]
fn SecurityQuestion() -> impl IntoView {
    let current = RwSignal::new(String::new());
    let question = RwSignal::new(String::new());
    let answer = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Problem>);
    let notice = RwSignal::new(None::<String>);
    let stored = LocalResource::new(get_security_question);
    Effect::new(move |_| {
        if let Some(Ok(q)) = stored.get() {
            current.set(q);
        }
    });
    let save = Write::new(
        error,
        |(q, a): (String, String)| async move { set_security_question(q.clone(), a).await.map(|()| q) },
        move |q: String| {
            current.set(q.trim().to_string());
            question.set(String::new());
            answer.set(String::new());
            notice.set(Some(tr("Security question saved.").into()));
        },
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        notice.set(None);
        save.send((question.get_untracked(), answer.get_untracked()));
    };
    view! {
        <section class="card">
            <h2>{tr("Security question")}</h2>
            <p class="hint">{tr("Asked when you follow a password-reset link from an administrator.")}</p>
            <p data-testid="security-question">{move || {
                let q = current.get();
                if q.is_empty() { tr("No security question is set.").to_string() } else { tf("Your question: {q}", &[("q", &q)]) }
            }}</p>
            <form class="stack" on:submit=submit novalidate aria-label=tr("Security question")>
                <label for="sq-question">{tr("Question")}</label>
                <input id="sq-question" type="text" bind:value=question />
                <label for="sq-answer">{tr("Answer")}</label>
                <input id="sq-answer" type="password" autocomplete="off" bind:value=answer />
                <ErrorBox message=error />
                <Show when=move || notice.with(|n| n.is_some())>
                    <p class="notice" role="status">{move || notice.get().unwrap_or_default()}</p>
                </Show>
                <div class="actions"><button type="submit">{tr("Save security question")}</button></div>
            </form>
        </section>
    }
}
