//! BOX-1: boxes and folders, their keys made and their names sealed and
//! opened in the crypto worker; BOX-10: a box's trash.

pub mod activity;
mod deleted;
mod dropped;
pub mod export;
pub mod files;
pub mod folder;
pub(crate) mod keys;
pub mod list;
mod streamed;
pub mod trash;
pub mod uploads;

use coffer_shared::boxes::check_name;
use coffer_shared::ids::OrganisationId;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::i18n::tr;
use crate::ui::{ErrorBox, Problem, Write};

/// "New box" / "New folder": a name, checked here (the server never sees
/// it), then `create` makes the keys and sends them.
#[component]
fn NameForm(
    id: &'static str,
    label: &'static str,
    button: &'static str,
    create: Write<String>,
    error: RwSignal<Option<Problem>>,
    name: RwSignal<String>,
) -> impl IntoView {
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match check_name(&name.get_untracked()) {
            Ok(n) => create.send(n),
            Err(e) => error.set(Some(Problem::Api(e.into()))),
        }
    };
    view! {
        <form class="inline" on:submit=submit novalidate>
            <label for=id>{tr(label)}</label>
            <input id=id type="text" maxlength="255" autocomplete="off" bind:value=name />
            <button type="submit" disabled=move || create.pending().get()>{tr(button)}</button>
        </form>
        <ErrorBox message=error />
    }
}

/// For a member of several organisations: whose boxes the page shows.
/// The choice is remembered in this browser.
#[component]
fn OrganisationChoice(organisation: Memo<Option<(OrganisationId, bool)>>) -> impl IntoView {
    let session = crate::session::use_session();
    let navigate = use_navigate();
    let memberships = move || {
        session.account.with(|a| {
            a.as_ref()
                .map(|a| a.memberships.clone())
                .unwrap_or_default()
        })
    };
    let is_shown = move |org: &OrganisationId| {
        organisation.with(|o| o.as_ref().is_some_and(|(shown, _)| shown == org))
    };
    let choose = move |ev: leptos::ev::Event| {
        session.work_in(OrganisationId::from(event_target_value(&ev)));
        // A `?org=` in the address would win over the choice.
        navigate("/boxes", Default::default());
    };
    view! {
        <Show when=move || { memberships().len() > 1 }>
            <p class="inline">
                <label for="working-organisation">{tr("Organisation")}</label>
                <select id="working-organisation" on:change=choose.clone()>
                    {move || memberships().into_iter().map(|m| {
                        let selected = is_shown(&m.organisation_id);
                        view! { <option value=m.organisation_id.to_string() prop:selected=selected>{m.organisation_name}</option> }
                    }).collect_view()}
                </select>
            </p>
        </Show>
    }
}

/// Opens the keys when they are locked in this tab.
#[component]
fn KeysLocked(on_unlocked: Callback<()>) -> impl IntoView {
    let session = crate::session::use_session();
    view! {
        <Show when=move || session.unlocked.with(|u| u.is_none())>
            <crate::features::mfa::passkeys::UnlockKeysForm
                reason=tr("Your boxes are encrypted with your keys, which are locked in this tab. Enter your password to unlock them; it never leaves this browser.")
                on_unlocked=Callback::new(move |(s, keys)| {
                    session.signed_in(s, keys);
                    on_unlocked.run(());
                }) />
        </Show>
    }
}
