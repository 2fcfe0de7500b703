//! The instance administrator's organisations: list and create (with the
//! first organisation administrator, who is invited by mail).

use crate::i18n::{tf, tr};
use coffer_api::{create_organisation, organisations};
use coffer_shared::organisations::{NewOrganisation, OrganisationView};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::ui::require_sign_in;
use crate::ui::{load_when, show_latest, today_iso, ErrorBox, Problem, Write};

#[component]
pub fn OrganisationsPage() -> impl IntoView {
    let allowed = require_sign_in();
    let loaded = RwSignal::new(None::<Vec<OrganisationView>>);
    let error = RwSignal::new(None::<Problem>);
    let notice = RwSignal::new(None::<String>);
    let form_open = RwSignal::new(false);
    let answers = load_when(move || allowed.get().then(organisations));
    show_latest(answers, loaded, error);
    let refresh = move || answers.refetch();
    let list = move || loaded.get().unwrap_or_default();

    let name = RwSignal::new(String::new());
    let seats = RwSignal::new(String::from("10"));
    let expiry = RwSignal::new(String::new());
    let admin_email = RwSignal::new(String::new());
    let form_error = RwSignal::new(None::<Problem>);
    let create = Write::new(
        form_error,
        create_organisation,
        move |o: OrganisationView| {
            notice.set(Some(tf(
                "{0} was created and its administrator was invited.",
                &[("0", &o.name)],
            )));
            for s in [name, expiry, admin_email] {
                s.set(String::new());
            }
            form_open.set(false);
            refresh();
        },
    );
    let busy = create.pending();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form_error.set(None);
        let Ok(licence_seats) = seats.get().trim().parse::<i64>() else {
            return form_error.set(Some(
                tr("Licence seats must be a whole number from 1 to 1,000,000.").into(),
            ));
        };
        let input = NewOrganisation {
            name: name.get(),
            licence_seats,
            expiry_date: expiry.get(),
            administrator_email: admin_email.get(),
        };
        create.send(input);
    };
    view! {
        <Show when=move || allowed.get()>
            <section class="card">
                <div class="heading-row">
                    <h1>{tr("Organisations")}</h1>
                    <A href="/outbox">{tr("Outbox")}</A>
                </div>
                <ErrorBox message=error />
                <Show when=move || notice.with(|n| n.is_some())>
                    <p class="notice" role="status">{move || notice.get().unwrap_or_default()}</p>
                </Show>
                <Show when=move || !form_open.get()>
                    <button type="button" on:click=move |_| { notice.set(None); form_open.set(true) }>{tr("New organisation")}</button>
                </Show>
                <Show when=move || form_open.get()>
                    <form on:submit=submit novalidate class="stack">
                        <h2>{tr("New organisation")}</h2>
                        <label for="org-name">{tr("Name")}</label>
                        <input id="org-name" type="text" required bind:value=name />
                        <label for="org-seats">{tr("Licence seats")}</label>
                        <input id="org-seats" type="number" min="1" inputmode="numeric" required bind:value=seats />
                        <label for="org-expiry">{tr("Expiry date")}</label>
                        <input id="org-expiry" type="date" required bind:value=expiry />
                        <label for="org-admin">{tr("Administrator email")}</label>
                        <input id="org-admin" type="email" required bind:value=admin_email />
                        <ErrorBox message=form_error />
                        <div class="actions">
                            <button type="submit" disabled=move || busy.get()>{tr("Create organisation")}</button>
                            <button type="button" class="secondary" on:click=move |_| form_open.set(false)>{tr("Cancel")}</button>
                        </div>
                    </form>
                </Show>
                <table class="list">
                    <caption class="visually-hidden">{tr("Organisations")}</caption>
                    <thead><tr><th scope="col">{tr("Name")}</th><th scope="col">{tr("Seats used")}</th><th scope="col">{tr("Licence expires")}</th><th scope="col">{tr("Members")}</th></tr></thead>
                    <tbody>
                        <For each=list key=|o| o.id.clone() let:o>
                            <tr>
                                <td>{o.name.clone()}</td>
                                <td data-label=tr("Seats used")>{tf("{0} of {1}", &[("0", &(o.seats_used).to_string()), ("1", &(o.licence_seats).to_string())])}</td>
                                <td data-label=tr("Licence expires")>
                                    {if o.expiry_date < today_iso() { tf("{0} (expired)", &[("0", &(o.expiry_date).to_string())]) } else { o.expiry_date.clone() }}
                                </td>
                                <td class="links">
                                    <A href=format!("/users?org={}", o.id) attr:aria-label=tf("Users of {0}", &[("0", &(o.name).to_string())])>{tr("Users")}</A>
                                    <A href=format!("/audit?org={}", o.id) attr:aria-label=tf("Audit log of {0}", &[("0", &(o.name).to_string())])>{tr("Audit log")}</A>
                                </td>
                            </tr>
                        </For>
                    </tbody>
                </table>
                <Show when=move || loaded.with(|l| l.as_ref().is_some_and(Vec::is_empty))>
                    <p class="hint">{tr("No organisations yet.")}</p>
                </Show>
            </section>
        </Show>
    }
}
