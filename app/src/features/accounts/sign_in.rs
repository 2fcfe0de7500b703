//! ACC-2: OPAQUE sign-in; the private key is unlocked in the browser.
//! MFA-1/MFA-4: the second step with a code or a passkey; MFA-4/MFA-5:
//! signing in with a passkey alone.

use crate::i18n::tr;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};

use coffer_api::ApiError;
use coffer_shared::accounts::SignInError;
use coffer_shared::accounts::{SecondFactorPrompt, SignedIn};
use coffer_shared::mfa::MfaError;
use coffer_shared::worker::Unlocked;
use coffer_shared::Refusal;

use crate::features::accounts::auth::{self, ExportKey, PasskeyOutcome, SignInOutcome};
use crate::features::mfa::passkeys::UnlockKeysForm;
use crate::session::use_session;
use crate::ui::{ErrorBox, Problem, Write};

#[component]
pub fn SignInPage() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let navigate_setup = use_navigate();
    let query = use_query_map();
    let identifier = RwSignal::new(query.with_untracked(|q| q.get("email").unwrap_or_default()));
    let notice = query.with_untracked(|q| q.get("accepted").is_some() || q.get("reset").is_some());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Problem>);
    // MFA-1: after a right password, the ticket and the export key wait
    // here (in memory only) for the code.
    let waiting = RwSignal::new(None::<SecondFactorPrompt>);
    let export = StoredValue::new_local(None::<ExportKey>);
    // MFA-5: signed in with a passkey that cannot unlock the keys.
    let needs_password = RwSignal::new(None::<SignedIn>);

    let enter = Callback::new(move |(signed_in, keys): (SignedIn, Unlocked)| {
        let admin = signed_in.account.is_instance_admin;
        // MFA-2/MFA-3: this session can only set up the second factor.
        let setup = signed_in.account.setup_second_factor;
        session.signed_in(signed_in, keys);
        password.set(String::new());
        let to = if setup {
            "/two-step-setup"
        } else if admin {
            "/organisations"
        } else {
            "/account"
        };
        navigate(to, Default::default());
    });

    let sign_in = Write::new(
        error,
        |(id, pw): (String, String)| auth::sign_in(id, pw),
        move |outcome| match outcome {
            SignInOutcome::Done(signed_in, keys) => enter.run((signed_in, keys)),
            SignInOutcome::SetUpFirst(signed_in, key) => {
                password.set(String::new());
                session.signed_in_to_set_up(signed_in, key);
                navigate_setup("/two-step-setup", Default::default());
            }
            SignInOutcome::SecondFactor(prompt, key) => {
                password.set(String::new());
                export.set_value(Some(key));
                waiting.set(Some(prompt));
            }
        },
    );
    let busy = sign_in.pending();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let (id, pw) = (identifier.get(), password.get());
        if id.trim().is_empty() || pw.is_empty() {
            return error.set(Some(
                tr("Enter your email or user name and your password.").into(),
            ));
        }
        sign_in.send((id, pw));
    };

    let passkey = Write::new(
        error,
        |()| auth::sign_in_with_passkey(),
        move |outcome| match outcome {
            PasskeyOutcome::Unlocked(signed_in, keys) => enter.run((signed_in, keys)),
            PasskeyOutcome::NeedsPassword(signed_in) => needs_password.set(Some(signed_in)),
        },
    );
    let passkey_busy = passkey.pending();
    let with_passkey = move |_| passkey.send(());

    let start_over = Callback::new(move |problem: Option<Problem>| {
        if let Some(key) = export.get_value() {
            spawn_local(auth::forget(key));
        }
        export.set_value(None);
        waiting.set(None);
        error.set(problem);
    });

    view! {
        <section class="card narrow">
            <h1>{tr("Sign in")}</h1>
            {notice.then(|| view! { <p class="notice" role="status">{tr("Your password is set. Sign in to continue.")}</p> })}
            <Show when=move || needs_password.with(|n| n.is_some())>
                <UnlockKeysForm
                    reason=tr("Your passkey signed you in, but it cannot unlock your encryption keys: its authenticator does not support the PRF extension. Enter your password once to unlock them; it never leaves this browser.")
                    on_unlocked=enter />
            </Show>
            <Show when=move || waiting.with(|w| w.is_none()) && needs_password.with(|n| n.is_none())>
                <form on:submit=submit novalidate>
                    <label for="identifier">{tr("Email or user name")}</label>
                    <input id="identifier" type="text" autocomplete="username" autocapitalize="none" required bind:value=identifier />
                    <label for="password">{tr("Password")}</label>
                    <input id="password" type="password" autocomplete="current-password" required bind:value=password />
                    <ErrorBox message=error />
                    <button type="submit" disabled=move || busy.get()>
                        {move || if busy.get() { tr("Signing in…") } else { tr("Sign in") }}
                    </button>
                </form>
                <Show when=crate::features::mfa::webauthn::supported>
                    <div class="or-passkey">
                        <button type="button" class="secondary" disabled=move || passkey_busy.get() on:click=with_passkey>
                            {move || if passkey_busy.get() { tr("Waiting for the passkey…") } else { tr("Sign in with a passkey") }}
                        </button>
                    </div>
                </Show>
                <ContactAdministrator identifier />
            </Show>
            {move || waiting.get().map(|prompt| view! {
                <SecondFactorForm prompt export enter start_over />
                // Lost the phone and the recovery codes: ask for a re-seed.
                <ContactAdministrator identifier />
            })}
        </section>
    }
}

/// How the second step is proved.
#[derive(Clone)]
enum SecondStep {
    Code(String),
    Passkey,
}

/// MFA-1: the code step of a sign-in.
#[component]
fn SecondFactorForm(
    prompt: SecondFactorPrompt,
    export: StoredValue<Option<ExportKey>, LocalStorage>,
    enter: Callback<(SignedIn, Unlocked)>,
    start_over: Callback<Option<Problem>>,
) -> impl IntoView {
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Problem>);
    let recovery = RwSignal::new(false);
    let ticket = prompt.ticket.clone();
    // A code or a passkey answers the same way.
    let check = Write::or_else(
        error,
        move |(step, key): (SecondStep, ExportKey)| {
            let ticket = ticket.clone();
            async move {
                match step {
                    SecondStep::Code(code) => auth::second_factor(ticket, code, key).await,
                    SecondStep::Passkey => auth::second_factor_passkey(ticket, key).await,
                }
            }
        },
        move |done| {
            export.set_value(None);
            enter.run(done);
        },
        move |problem| {
            code.set(String::new());
            // A spent or expired attempt needs the password again.
            let again = matches!(
                problem,
                Problem::Api(
                    ApiError::Refused(Refusal::Mfa(MfaError::TooManyAttempts))
                        | ApiError::Refused(Refusal::SignIn(SignInError::AttemptExpired))
                )
            );
            if again {
                start_over.run(Some(problem.clone()));
            }
        },
    );
    let busy = check.pending();
    let send = move |step: SecondStep| match export.get_value() {
        Some(key) => check.send((step, key)),
        None => start_over.run(None),
    };
    let with_passkey = move |_| send(SecondStep::Passkey);
    let (totp, passkey) = (prompt.totp, prompt.passkey);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        send(SecondStep::Code(code.get_untracked()));
    };
    view! {
        <form on:submit=submit novalidate aria-labelledby="second-factor-heading">
            <h2 id="second-factor-heading">{tr("Two-step sign-in")}</h2>
            {passkey.then(|| view! {
                <p class="hint">{if totp { tr("Use one of your passkeys, or the code from your authenticator app.") } else { tr("Confirm with one of your passkeys.") }}</p>
                <div class="actions">
                    <button type="button" disabled=move || busy.get() on:click=with_passkey>{tr("Use a passkey")}</button>
                </div>
            })}
            <Show when=move || totp>
            <Show
                when=move || recovery.get()
                fallback=move || view! {
                    <p class="hint">{tr("Open your authenticator app and enter the 6-digit code it shows for Coffer.")}</p>
                    <label for="code">{tr("Authentication code")}</label>
                    <input id="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="7" required bind:value=code />
                }
            >
                <p class="hint">{tr("Enter one of the recovery codes you saved when you set up two-step sign-in. Each works once.")}</p>
                <label for="code">{tr("Recovery code")}</label>
                <input id="code" type="text" autocomplete="off" autocapitalize="characters" spellcheck="false" required bind:value=code />
            </Show>
            </Show>
            <ErrorBox message=error />
            <div class="actions">
                <Show when=move || totp>
                    <button type="submit" disabled=move || busy.get()>
                        {move || if busy.get() { tr("Checking…") } else { tr("Verify") }}
                    </button>
                    <button type="button" class="secondary" on:click=move |_| {
                        code.set(String::new());
                        error.set(None);
                        recovery.update(|r| *r = !*r);
                    }>
                        {move || if recovery.get() { tr("Use the authenticator app") } else { tr("Use a recovery code") }}
                    </button>
                </Show>
                <button type="button" class="secondary" on:click=move |_| start_over.run(None)>{tr("Cancel")}</button>
            </div>
        </form>
    }
}

/// ACC-10: ask the organisation's points of contact for help. The answer
/// never says whether the address has an account.
#[component]
fn ContactAdministrator(identifier: RwSignal<String>) -> impl IntoView {
    let open = RwSignal::new(false);
    let email = RwSignal::new(String::new());
    let message = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Problem>);
    let sent = RwSignal::new(false);
    let contact = Write::new(
        error,
        |(e, m): (String, String)| coffer_api::contact_login_administrator(e, m),
        move |()| {
            sent.set(true);
            open.set(false);
        },
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        contact.send((email.get_untracked(), message.get_untracked()));
    };
    view! {
        <Show when=move || sent.get()>
            <p class="notice" role="status">{tr("If this address belongs to an organisation, its administrators were sent your message.")}</p>
        </Show>
        <Show when=move || !open.get()>
            <button type="button" class="secondary" on:click=move |_| {
                email.set(identifier.get_untracked());
                sent.set(false);
                open.set(true);
            }>{tr("Contact login administrator")}</button>
        </Show>
        <Show when=move || open.get()>
            <form on:submit=submit novalidate class="stack" aria-labelledby="contact-heading">
                <h2 id="contact-heading">{tr("Contact your login administrator")}</h2>
                <label for="contact-email">{tr("Your email")}</label>
                <input id="contact-email" type="email" autocomplete="email" required bind:value=email />
                <label for="contact-message">{tr("Message")}</label>
                <textarea id="contact-message" rows="4" maxlength="2000" bind:value=message></textarea>
                <ErrorBox message=error />
                <div class="actions">
                    <button type="submit" disabled=move || contact.pending().get()>{tr("Send to administrators")}</button>
                    <button type="button" class="secondary" on:click=move |_| open.set(false)>{tr("Cancel")}</button>
                </div>
            </form>
        </Show>
    }
}
