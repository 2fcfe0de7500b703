//! AUD-1: an organisation's audit log: filters, pages, CSV export, and a
//! check of the hash chain that names the first broken record.

use crate::i18n::{tf, tr};
use coffer_api::{audit_log, verify_audit_log};
use coffer_shared::audit::{AuditLogPage, AuditQuery};
use leptos::prelude::*;

use crate::ui::{
    api_words, local_time, organisation_resource, show_latest, ErrorBox, Pager, Problem, Write,
};
use crate::ui::{managed_organisation, require_sign_in};

const PAGE_SIZE: u32 = 50;

#[component]
pub fn AuditLogPage() -> impl IntoView {
    let allowed = require_sign_in();
    let organisation = managed_organisation();
    let actor = RwSignal::new(String::new());
    let target = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let page_no = RwSignal::new(0u32);
    let data = RwSignal::new(None::<AuditLogPage>);
    let error = RwSignal::new(None::<Problem>);
    let report = RwSignal::new(None::<(bool, String)>);

    let query = move || AuditQuery {
        actor: actor.get(),
        target: target.get(),
        action: action.get(),
        from: from.get(),
        to: to.get(),
        page: page_no.get(),
        page_size: PAGE_SIZE,
    };
    // Every filter change asks again; only the latest question's answer
    // is shown, and the page stays until it is in.
    let entries = organisation_resource(organisation, allowed, move |org| audit_log(org, query()));
    show_latest(entries, data, error);
    // A refusal is part of the report, beside the button.
    let check = Write::new(
        RwSignal::new(None),
        |org| async move {
            Ok::<_, Problem>(match verify_audit_log(org).await {
                Ok(r) => match r.first_broken {
                    None => (
                        true,
                        tf(
                            "The audit log is intact: {0} records checked.",
                            &[("0", &r.records.to_string())],
                        ),
                    ),
                    Some((seq, why)) => (
                        false,
                        tf(
                            "The audit log was tampered with: record {seq} fails ({why}).",
                            &[("seq", &seq.to_string()), ("why", &why.to_string())],
                        ),
                    ),
                },
                Err(e) => (false, api_words(&e)),
            })
        },
        move |said| report.set(Some(said)),
    );
    let verify = move |_| {
        if let Some(org) = organisation.get_untracked() {
            check.send(org);
        }
    };
    let export = move |_| {
        let Some(org) = organisation.get_untracked() else {
            return;
        };
        let q = AuditQuery {
            actor: actor.get_untracked(),
            target: target.get_untracked(),
            action: action.get_untracked(),
            from: from.get_untracked(),
            to: to.get_untracked(),
            ..AuditQuery::default()
        };
        let url = coffer_shared::site::audit_log_csv(&org, &q);
        if let Some(w) = web_sys::window() {
            let _ = w.location().set_href(&url);
        }
    };
    let pages = move || {
        data.with(|d| {
            d.as_ref()
                .map(|d| (d.total as u32).div_ceil(PAGE_SIZE).max(1))
                .unwrap_or(1)
        })
    };
    let filter = move |id: &'static str,
                       label: &'static str,
                       kind: &'static str,
                       signal: RwSignal<String>| {
        view! {
            <div class="filter">
                <label for=id>{label}</label>
                <input id=id type=kind prop:value=move || signal.get()
                    on:change=move |ev| { signal.set(event_target_value(&ev)); page_no.set(0); } />
            </div>
        }
    };

    view! {
        <Show when=move || allowed.get()>
            <section class="card">
                <h1>{tr("Audit log")}</h1>
                <ErrorBox message=error />
                <div class="filters">
                    {filter("audit-actor", tr("Actor"), "search", actor)}
                    {filter("audit-target", tr("Target"), "search", target)}
                    <div class="filter">
                        <label for="audit-action">{tr("Action")}</label>
                        <select id="audit-action" on:change=move |ev| { action.set(event_target_value(&ev)); page_no.set(0); }>
                            <option value="">{tr("All actions")}</option>
                            <option value="member.">{tr("Members")}</option>
                            <option value="invitation.">{tr("Invitations")}</option>
                            <option value="organisation.">{tr("Organisation")}</option>
                        </select>
                    </div>
                    {filter("audit-from", tr("From"), "date", from)}
                    {filter("audit-to", tr("To"), "date", to)}
                </div>
                <div class="toolbar">
                    <button type="button" on:click=verify>{tr("Verify")}</button>
                    <button type="button" class="secondary" on:click=export>{tr("Export to CSV")}</button>
                </div>
                {move || report.get().map(|(ok, text)| view! {
                    <p class=if ok { "notice" } else { "error" } role="status">{text}</p>
                })}
                <p class="hint" aria-live="polite">{move || data.with(|d| d.as_ref().map(|d| tf("{0} records", &[("0", &(d.total).to_string())])).unwrap_or_default())}</p>
                <table class="list">
                    <caption class="visually-hidden">{tr("Audit records, newest first")}</caption>
                    <thead><tr>
                        <th scope="col">"#"</th><th scope="col">{tr("Time")}</th><th scope="col">{tr("Actor")}</th>
                        <th scope="col">{tr("Action")}</th><th scope="col">{tr("Target")}</th><th scope="col">{tr("Details")}</th>
                    </tr></thead>
                    <tbody>
                        <For each=move || data.get().map(|d| d.entries).unwrap_or_default() key=|e| e.seq let:e>
                            <tr>
                                <td data-label="#">{e.seq}</td>
                                <td data-label=tr("Time")>{local_time(e.at_ms)}</td>
                                <td data-label=tr("Actor")>{e.actor.clone()}</td>
                                <td data-label=tr("Action")>{e.action.clone()}</td>
                                <td data-label=tr("Target")>{e.target.clone()}</td>
                                <td data-label=tr("Details") class="ua">{e.details.clone()}</td>
                            </tr>
                        </For>
                    </tbody>
                </table>
                <Pager page=page_no pages=Signal::derive(pages) />
            </section>
        </Show>
    }
}
