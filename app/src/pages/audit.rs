//! AUD-1: an organisation's audit log: filters, pages, CSV export, and a
//! check of the hash chain that names the first broken record.

use coffer_api::{audit_log, verify_audit_log};
use coffer_shared::types::{AuditLogPage, AuditQuery};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::{local_time, ErrorBox, Pager};
use crate::pages::{managed_organisation, require_sign_in};

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
    let error = RwSignal::new(None::<String>);
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
    Effect::new(move |_| {
        let (Some(org), true) = (organisation.get(), allowed.get()) else {
            return;
        };
        let q = query();
        spawn_local(async move {
            match audit_log(org, q).await {
                Ok(p) => {
                    error.set(None);
                    data.set(Some(p));
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    });
    let verify = move |_| {
        let Some(org) = organisation.get_untracked() else {
            return;
        };
        spawn_local(async move {
            report.set(Some(match verify_audit_log(org).await {
                Ok(r) => match r.first_broken {
                    None => (
                        true,
                        format!("The audit log is intact: {} records checked.", r.records),
                    ),
                    Some((seq, why)) => (
                        false,
                        format!("The audit log was tampered with: record {seq} fails ({why})."),
                    ),
                },
                Err(e) => (false, e.to_string()),
            }));
        });
    };
    let export = move |_| {
        let Some(org) = organisation.get_untracked() else {
            return;
        };
        let enc = |s: String| String::from(js_sys::encode_uri_component(&s));
        let url = format!(
            "/export/audit-log.csv?org={}&actor={}&target={}&action={}&from={}&to={}",
            enc(org),
            enc(actor.get_untracked()),
            enc(target.get_untracked()),
            enc(action.get_untracked()),
            enc(from.get_untracked()),
            enc(to.get_untracked())
        );
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
                <h1>"Audit log"</h1>
                <ErrorBox message=error />
                <div class="filters">
                    {filter("audit-actor", "Actor", "search", actor)}
                    {filter("audit-target", "Target", "search", target)}
                    <div class="filter">
                        <label for="audit-action">"Action"</label>
                        <select id="audit-action" on:change=move |ev| { action.set(event_target_value(&ev)); page_no.set(0); }>
                            <option value="">"All actions"</option>
                            <option value="member.">"Members"</option>
                            <option value="invitation.">"Invitations"</option>
                            <option value="organisation.">"Organisation"</option>
                        </select>
                    </div>
                    {filter("audit-from", "From", "date", from)}
                    {filter("audit-to", "To", "date", to)}
                </div>
                <div class="toolbar">
                    <button type="button" on:click=verify>"Verify"</button>
                    <button type="button" class="secondary" on:click=export>"Export to CSV"</button>
                </div>
                {move || report.get().map(|(ok, text)| view! {
                    <p class=if ok { "notice" } else { "error" } role="status">{text}</p>
                })}
                <p class="hint" aria-live="polite">{move || data.with(|d| d.as_ref().map(|d| format!("{} records", d.total)).unwrap_or_default())}</p>
                <table class="list">
                    <caption class="visually-hidden">"Audit records, newest first"</caption>
                    <thead><tr>
                        <th scope="col">"#"</th><th scope="col">"Time"</th><th scope="col">"Actor"</th>
                        <th scope="col">"Action"</th><th scope="col">"Target"</th><th scope="col">"Details"</th>
                    </tr></thead>
                    <tbody>
                        <For each=move || data.get().map(|d| d.entries).unwrap_or_default() key=|e| e.seq let:e>
                            <tr>
                                <td data-label="#">{e.seq}</td>
                                <td data-label="Time">{local_time(e.at_ms)}</td>
                                <td data-label="Actor">{e.actor.clone()}</td>
                                <td data-label="Action">{e.action.clone()}</td>
                                <td data-label="Target">{e.target.clone()}</td>
                                <td data-label="Details" class="ua">{e.details.clone()}</td>
                            </tr>
                        </For>
                    </tbody>
                </table>
                <Pager page=page_no pages=Signal::derive(pages) />
            </section>
        </Show>
    }
}
