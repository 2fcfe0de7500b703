//! Pieces several pages share: the header, error box, pager, password
//! fields, time formatting, file posts, and the guards pages start with.

mod guards;
mod problem;
mod sort;
mod write;
pub use guards::{managed_organisation, member_organisation, require_sign_in};
pub use problem::{api_words, Problem};
pub use sort::sort_header;
pub use write::Write;

use crate::i18n::{tf, tr};
use coffer_shared::policy::{password_strength, strength_label};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::session::use_session;

/// Brand, navigation for what the signed-in person may use, and who they are.
#[component]
pub fn Header() -> impl IntoView {
    let session = use_session();
    let leaving = use_context::<crate::front::Leaving>();
    let signed_in =
        move || session.account.with(|a| a.is_some()) && !leaving.is_some_and(|l| l.0.get());
    let email = move || {
        session
            .account
            .with(|a| a.as_ref().map(|a| a.email.clone()).unwrap_or_default())
    };
    view! {
        <header class="top">
            <a class="brand" href="/">{tr("Coffer")}</a>
            <Show when=signed_in>
                <nav aria-label=tr("Main")>
                    <Show when=move || session.is_instance_admin()>
                        <A href="/organisations">{tr("Organisations")}</A>
                        <A href="/outbox">{tr("Outbox")}</A>
                    </Show>
                    <Show when=move || session.administers_an_organisation()>
                        <A href="/users">{tr("Users")}</A>
                        <A href="/groups">{tr("Groups")}</A>
                        <A href="/labels">{tr("Labels")}</A>
                        <A href="/plans">{tr("Plans")}</A>
                        <A href="/configuration">{tr("Configuration")}</A>
                        <A href="/audit">{tr("Audit log")}</A>
                    </Show>
                    <Show when=move || session.account.with(|a| a.as_ref().is_some_and(|a| !a.memberships.is_empty()))>
                        <A href="/boxes">{tr("Boxes")}</A>
                    </Show>
                    <A href="/account">{tr("My account")}</A>
                </nav>
                <span class="who">{email}</span>
                <OrganisationLogo />
            </Show>
        </header>
    }
}

/// ORG-10: the logo of the person's first organisation, top right; hidden
/// when the organisation has none (the request answers 404).
#[component]
fn OrganisationLogo() -> impl IntoView {
    let session = use_session();
    let failed = RwSignal::new(false);
    let organisation = move || {
        session.account.with(|a| {
            a.as_ref()
                .and_then(|a| a.memberships.first())
                .map(|m| (m.organisation_id.clone(), m.organisation_name.clone()))
        })
    };
    Effect::new(move |_| {
        session.logo_version.track();
        failed.set(false);
    });
    move || {
        organisation()
            .filter(|_| !failed.get())
            .map(|(id, name)| {
                let src = coffer_shared::site::logo(&id, session.logo_version.get());
                view! {
                    <img class="org-logo" src=src alt=tf("{name} logo", &[("name", &name)]) on:error=move |_| failed.set(true) />
                }
            })
    }
}

/// A live region for a page's error message.
#[component]
pub fn ErrorBox(message: RwSignal<Option<Problem>>) -> impl IntoView {
    view! {
        <Show when=move || message.with(|m| m.is_some())>
            <p class="error" role="alert">{move || message.with(|m| m.as_ref().map(Problem::words).unwrap_or_default())}</p>
        </Show>
    }
}

/// Previous / next page buttons and "Page N of M" (`page` is zero-based).
#[component]
pub fn Pager(page: RwSignal<u32>, #[prop(into)] pages: Signal<u32>) -> impl IntoView {
    view! {
        <nav class="pager" aria-label=tr("Pages")>
            <button type="button" class="secondary" disabled=move || page.get() == 0
                on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>{tr("Previous page")}</button>
            <span>{move || tf("Page {page} of {pages}", &[("page", &(page.get() + 1).to_string()), ("pages", &pages.get().to_string())])}</span>
            <button type="button" class="secondary" disabled={move || page.get() + 1 >= pages.get()}
                on:click=move |_| page.update(|p| *p += 1)>{tr("Next page")}</button>
        </nav>
    }
}

/// "Password" and "Confirm password" with a strength meter. The policy
/// itself is checked by the caller with `check_new_password`.
#[component]
pub fn NewPasswordFields(
    password: RwSignal<String>,
    confirm: RwSignal<String>,
    #[prop(default = "Password")] label: &'static str,
    #[prop(default = "Confirm password")] confirm_label: &'static str,
    min_length: Signal<usize>,
) -> impl IntoView {
    let score = move || password.with(|p| password_strength(p));
    view! {
        <label for="new-password">{tr(label)}</label>
        <input id="new-password" type="password" autocomplete="new-password" required bind:value=password />
        <div class="strength">
            <meter id="strength" min="0" max="4" low="2" high="3" optimum="4"
                value=move || score().to_string() aria-label=tr("Password strength")></meter>
            <span aria-live="polite">{move || tf("Strength: {label}", &[("label", tr(strength_label(score())))])}</span>
        </div>
        <p class="hint">{move || tf("At least {n} characters. Any characters are allowed; a long phrase is best.", &[("n", &min_length.get().to_string())])}</p>
        <label for="confirm-password">{tr(confirm_label)}</label>
        <input id="confirm-password" type="password" autocomplete="new-password" required bind:value=confirm />
    }
}

/// The instance's password minimum, fetched once per page (the default
/// until it is in).
pub fn password_min_length() -> Signal<usize> {
    let settings = LocalResource::new(coffer_api::get_public_settings);
    Signal::derive(move || {
        settings.with(|s| match s {
            Some(Ok(p)) => p.password_min_length,
            _ => coffer_shared::policy::PASSWORD_MIN_DEFAULT,
        })
    })
}

/// Local date and time for a Unix-milliseconds timestamp.
pub fn local_time(ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    String::from(d.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED))
}

/// Today's date in the browser's time zone, as `YYYY-MM-DD`.
pub fn today_iso() -> String {
    let d = js_sys::Date::new_0();
    format!(
        "{:04}-{:02}-{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date()
    )
}

/// Sends a chosen file as the raw body of a byte route's POST (URLs from
/// `coffer_shared::site`; the server reads the type from the bytes): its
/// JSON answer, or the refusal as the server typed it, or `refused` (in
/// the reader's language) when the answer says nothing more.
pub async fn post_file<T: serde::de::DeserializeOwned>(
    url: &str,
    file: web_sys::File,
    refused: &'static str,
) -> Result<T, Problem> {
    let response = gloo_net::http::Request::post(url)
        .body(wasm_bindgen::JsValue::from(file))
        .map_err(|e| Problem::Said(e.to_string()))?
        .send()
        .await
        .map_err(|_| {
            Problem::from(tr(
                "The file could not be sent; check the connection and try again.",
            ))
        })?;
    if response.ok() {
        return response.json::<T>().await.map_err(|_| refused.into());
    }
    match response.json::<coffer_api::ApiError>().await {
        Ok(e) => Err(e.into()),
        Err(_) => Err(refused.into()),
    }
}

/// A load asked once `ask` has a question (`None`: not yet, and the
/// resource answers `None`), and asked again whenever what `ask` reads
/// changes; a slower earlier answer never replaces a later one.
pub fn load_when<T, Fut>(ask: impl Fn() -> Option<Fut> + 'static) -> LocalResource<Option<T>>
where
    T: 'static,
    Fut: std::future::Future<Output = T> + 'static,
{
    LocalResource::new(move || {
        let asked = ask();
        async move {
            match asked {
                Some(answer) => Some(answer.await),
                None => None,
            }
        }
    })
}

/// An administration page's load: asked when both the organisation and the
/// sign-in are known, and again whenever either or anything `ask` reads
/// changes; `None` until then.
pub fn organisation_resource<T, Fut>(
    organisation: Memo<Option<coffer_shared::ids::OrganisationId>>,
    allowed: Signal<bool>,
    ask: impl Fn(coffer_shared::ids::OrganisationId) -> Fut + 'static,
) -> LocalResource<Option<Result<T, coffer_api::ApiError>>>
where
    T: 'static,
    Fut: std::future::Future<Output = Result<T, coffer_api::ApiError>> + 'static,
{
    load_when(move || match (organisation.get(), allowed.get()) {
        (Some(org), true) => Some(ask(org)),
        _ => None,
    })
}

/// Shows what a page's `LocalResource` answers: the latest answer in
/// `data`, kept on screen while the next question is out, a refusal in
/// `error`. `None` (nothing asked yet: no organisation, not signed in)
/// changes nothing.
pub fn show_latest<T, E>(
    answers: LocalResource<Option<Result<T, E>>>,
    data: RwSignal<Option<T>>,
    error: RwSignal<Option<Problem>>,
) where
    T: Clone + Send + Sync + 'static,
    E: Clone + Into<Problem> + 'static,
{
    Effect::new(move |_| match answers.get().flatten() {
        Some(Ok(answer)) => {
            error.set(None);
            data.set(Some(answer));
        }
        Some(Err(e)) => error.set(Some(e.into())),
        None => {}
    });
}
