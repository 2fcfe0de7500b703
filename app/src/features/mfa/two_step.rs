//! MFA-1 on My account: set up an authenticator app (QR code and typed
//! key), confirm it with a code, keep the recovery codes, renew them, turn
//! it off.

use crate::i18n::{tf, tr};
use coffer_api::{
    get_two_step_status, recovery_codes_renew, totp_begin, totp_confirm, totp_disable,
};
use coffer_shared::mfa::{TotpSetup, TwoStepStatus};
use leptos::prelude::*;

use crate::session::use_session;
use crate::ui::{ErrorBox, Problem, Write};

/// What the card is doing.
#[derive(Clone, PartialEq)]
enum Stage {
    Idle,
    Scanning(TotpSetup),
    /// Fresh recovery codes, shown this once.
    Codes(Vec<String>),
    /// Asking for a code before turning off or renewing codes.
    Proving(Proof),
}

#[derive(Clone, Copy, PartialEq)]
enum Proof {
    TurnOff,
    RenewCodes,
}

/// The base32 key in groups of four, as apps show it.
fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where the mailed set-up link's token waits while the member signs in.
const SETUP_TOKEN_SLOT: &str = "coffer.two_step_setup";

fn setup_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// MFA-2/MFA-3: the page the mailed set-up link opens. The token moves
/// from the address to this tab's storage; the member signs in if needed
/// (that session can do nothing but this) and sets up the app.
#[component]
pub fn TwoStepSetupPage() -> impl IntoView {
    let session = use_session();
    let token = crate::features::accounts::invite::token_from_location();
    if let Some(st) = setup_storage() {
        if !token.is_empty() {
            let _ = st.set_item(SETUP_TOKEN_SLOT, &token);
            // Out of the address bar and history.
            if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
                let _ = h.replace_state_with_url(
                    &wasm_bindgen::JsValue::NULL,
                    "",
                    Some("/two-step-setup"),
                );
            }
        }
    }
    let stored = setup_storage()
        .and_then(|st| st.get_item(SETUP_TOKEN_SLOT).ok().flatten())
        .filter(|t| !t.is_empty());
    let signed_in = move || session.account.with(|a| a.is_some());
    let waiting = move || {
        session
            .account
            .with(|a| a.as_ref().is_some_and(|a| a.setup_second_factor))
    };
    let navigate = leptos_router::hooks::use_navigate();
    // Stays open after the set-up succeeds, so the recovery codes can be read.
    let open = RwSignal::new(false);
    Effect::new(move |_| {
        if waiting() {
            open.set(true);
        }
    });
    // My account is the full app, a page load away: the keys must be in
    // this tab's storage first. Refreshing cannot be refused.
    let leave = Write::new(
        RwSignal::new(None),
        move |()| async move {
            session.refresh().await;
            Ok::<(), Problem>(())
        },
        move |()| navigate("/account", Default::default()),
    );
    let finished = Callback::new(move |()| leave.send(()));
    view! {
        <section class="card narrow">
            <h1>{tr("Set up two-step sign-in")}</h1>
            <p>{tr("Signing in to Coffer will take your password and a second step: a 6-digit code from an authenticator app on your phone (Google Authenticator, Microsoft Authenticator or any app for time-based codes), or a passkey.")}</p>
            <Show when=move || session.loaded.get() && !signed_in()>
                <p>{tr("Sign in with your password to continue; Coffer then shows the QR code to scan.")}</p>
                <div class="actions"><a class="button" href="/sign-in">{tr("Sign in")}</a></div>
            </Show>
            <Show when=move || signed_in() && !waiting() && !open.get()>
                <p class="notice" role="status">{tr("Two-step sign-in is set up. ")}<a href="/account">{tr("Go to My account")}</a></p>
            </Show>
        </section>
        <Show when=move || open.get()>
            {
                let token = stored.clone();
                match token {
                    Some(token) => view! {
                        <TwoStepSignIn setup_token=Some(token.clone()) on_finished=finished />
                        <section class="card narrow" aria-labelledby="setup-passkey-heading">
                            <h2 id="setup-passkey-heading">{tr("Or use a passkey")}</h2>
                            <p class="hint">{tr("Instead of an authenticator app, a passkey — this device's screen lock or a security key — can be your second step.")}</p>
                            <crate::features::mfa::passkeys::AddPasskeyForm
                                notice=RwSignal::new(None)
                                setup_token=Some(token)
                                on_added=Callback::new(move |_| finished.run(())) />
                        </section>
                    }.into_any(),
                    None => view! {
                        <section class="card narrow">
                            <p role="status">{tr("Open the link in the email “Set up two-step sign-in for Coffer” that Coffer sent you: setting up needs it as well as your password. If it has expired, sign in again and Coffer sends a new one.")}</p>
                        </section>
                    }.into_any(),
                }
            }
        </Show>
    }
}

#[component]
pub fn TwoStepSignIn(
    #[prop(default = None)] setup_token: Option<String>,
    /// Called once the new recovery codes were acknowledged.
    #[prop(optional)]
    on_finished: Option<Callback<()>>,
) -> impl IntoView {
    let setup_token = StoredValue::new(setup_token);
    let reauth = crate::features::accounts::reauth::use_reauth();
    let status = RwSignal::new(None::<TwoStepStatus>);
    let stage = RwSignal::new(Stage::Idle);
    let error = RwSignal::new(None::<Problem>);
    let code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // Turning off with the password instead of a code.
    let by_password = RwSignal::new(false);
    let reload = RwSignal::new(0u32);
    let loaded = LocalResource::new(move || {
        reload.track();
        get_two_step_status()
    });
    Effect::new(move |_| match loaded.get() {
        Some(Ok(s)) => status.set(Some(s)),
        Some(Err(e)) => error.set(Some(e.into())),
        None => {}
    });
    let refresh = move || reload.update(|n| *n += 1);

    // Binding an app may first need the password again (the prompt asks,
    // then starts once more).
    let start = Write::with_detour(
        error,
        totp_begin,
        move |setup| stage.set(Stage::Scanning(setup)),
        crate::features::accounts::reauth::detour(reauth),
    );
    let begin = move |_| {
        code.set(String::new());
        start.send(setup_token.get_value());
    };
    let turn_on = Write::or_else(
        error,
        totp_confirm,
        move |codes| {
            code.set(String::new());
            stage.set(Stage::Codes(codes));
            refresh();
            if let Some(st) = setup_storage() {
                let _ = st.remove_item(SETUP_TOKEN_SLOT);
            }
        },
        move |_| code.set(String::new()),
    );
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        turn_on.send(code.get_untracked());
    };
    let proved = Write::or_else(
        error,
        |(what, typed, password): (Proof, String, Option<String>)| async move {
            match (what, password) {
                (Proof::TurnOff, Some(password)) => {
                    crate::features::accounts::auth::disable_two_step_with_password(password)
                        .await
                        .map(|()| Stage::Idle)
                }
                (Proof::TurnOff, None) => totp_disable(typed).await.map(|()| Stage::Idle),
                (Proof::RenewCodes, _) => recovery_codes_renew(typed).await.map(Stage::Codes),
            }
        },
        move |next| {
            code.set(String::new());
            password.set(String::new());
            stage.set(next);
            refresh();
        },
        move |_| {
            code.set(String::new());
            password.set(String::new());
        },
    );
    let busy = Signal::derive(move || turn_on.pending().get() || proved.pending().get());
    let prove = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Stage::Proving(what) = stage.get_untracked() else {
            return;
        };
        let with_password = (what == Proof::TurnOff && by_password.get_untracked())
            .then(|| password.get_untracked());
        proved.send((what, code.get_untracked(), with_password));
    };
    let ask = move |what: Proof| {
        error.set(None);
        code.set(String::new());
        by_password.set(false);
        stage.set(Stage::Proving(what));
    };
    let cancel = move |_| {
        error.set(None);
        stage.set(Stage::Idle);
    };

    let summary = move || {
        match status.get() {
        None => String::new(),
        Some(s) if s.totp => tf("On: signing in takes a code from your authenticator app. {0} of 10 recovery codes left.", &[("0", &(s.recovery_codes_left).to_string())]),
        Some(_) => tr("Off. With it on, signing in also takes a code from an authenticator app on your phone, so a stolen password is not enough.").into(),
    }
    };
    let is_on = move || status.get().is_some_and(|s| s.totp);

    view! {
        <section class="card" aria-labelledby="two-step-heading">
            <h2 id="two-step-heading">{tr("Two-step sign-in")}</h2>
            <p data-testid="two-step-status">{summary}</p>
            {move || match stage.get() {
                Stage::Idle => view! {
                    <div class="actions">
                        <Show
                            when=is_on
                            fallback=move || view! { <button type="button" on:click=begin>{tr("Set up authenticator app")}</button> }
                        >
                            <button type="button" class="secondary" on:click=move |_| ask(Proof::RenewCodes)>{tr("New recovery codes")}</button>
                            <button type="button" class="secondary danger" on:click=move |_| ask(Proof::TurnOff)>{tr("Turn off")}</button>
                        </Show>
                    </div>
                }.into_any(),
                Stage::Scanning(setup) => view! {
                    <form on:submit=confirm class="stack" novalidate>
                        <p>{tr("1. Scan this QR code with an authenticator app (Google Authenticator, Microsoft Authenticator or any TOTP app).")}</p>
                        <div class="qr" role="img" aria-label=tr("QR code for your authenticator app") inner_html=setup.qr_svg.clone()></div>
                        <p class="hint">{tr("Cannot scan it? Add an account by hand with this key (time-based):")}</p>
                        <p><code class="secret" data-testid="totp-secret">{grouped(&setup.secret)}</code></p>
                        <label for="totp-code">{tr("2. Enter the 6-digit code the app shows")}</label>
                        <input id="totp-code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="7" required bind:value=code />
                        <div class="actions">
                            <button type="submit" disabled=move || busy.get()>{tr("Turn on")}</button>
                            <button type="button" class="secondary" on:click=cancel>{tr("Cancel")}</button>
                        </div>
                    </form>
                }.into_any(),
                Stage::Codes(codes) => view! {
                    <div class="stack" role="status">
                        <p><strong>{tr("Save these recovery codes now.")}</strong>{tr(" Each signs you in once if you lose your phone. They are not shown again.")}</p>
                        <ol class="recovery-codes" data-testid="recovery-codes">
                            {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                        </ol>
                        <div class="actions">
                            <button type="button" on:click=move |_| {
                                stage.set(Stage::Idle);
                                if let Some(f) = on_finished {
                                    f.run(());
                                }
                            }>{tr("I have saved them")}</button>
                        </div>
                    </div>
                }.into_any(),
                Stage::Proving(what) => view! {
                    <form on:submit=prove class="stack" novalidate>
                        <p>{match what {
                            Proof::TurnOff => tr("To turn two-step sign-in off, enter a code from your authenticator app or a recovery code."),
                            Proof::RenewCodes => tr("To get new recovery codes (the old ones stop working), enter a code from your authenticator app or a recovery code."),
                        }}</p>
                        <Show
                            when=move || by_password.get()
                            fallback=move || view! {
                                <label for="proof-code">{tr("Code")}</label>
                                <input id="proof-code" type="text" autocomplete="one-time-code" required bind:value=code />
                            }
                        >
                            <label for="proof-password">{tr("Your password")}</label>
                            <input id="proof-password" type="password" autocomplete="current-password" required bind:value=password />
                        </Show>
                        {(what == Proof::TurnOff).then(|| view! {
                            <button type="button" class="secondary" on:click=move |_| { error.set(None); by_password.update(|b| *b = !*b); }>
                                {move || if by_password.get() { tr("Use a code instead") } else { tr("Use my password instead") }}
                            </button>
                        })}
                        <div class="actions">
                            <button type="submit" class=move || if what == Proof::TurnOff { "danger" } else { "" } disabled=move || busy.get()>
                                {match what { Proof::TurnOff => tr("Turn off"), Proof::RenewCodes => tr("Make new codes") }}
                            </button>
                            <button type="button" class="secondary" on:click=cancel>{tr("Cancel")}</button>
                        </div>
                    </form>
                }.into_any(),
            }}
            <ErrorBox message=error />
        </section>
    }
}
