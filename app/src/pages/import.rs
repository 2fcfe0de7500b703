//! IMP-1 … IMP-4 on the Users page: choose a CSV file, see what will happen
//! to every row, confirm, watch the progress, read and download the result.

use coffer_api::{import_start, import_status};
use coffer_shared::import::{
    ImportFormat, ImportPreview, ImportState, ImportStatus, RowOutcome, RowPlan,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::auth::yield_to_browser;
use crate::components::{post_file, ErrorBox};

fn outcome_text(o: &RowOutcome) -> String {
    match o {
        RowOutcome::Create => "Will be invited".into(),
        RowOutcome::Reuse => "Existing account will be added".into(),
        RowOutcome::Skip(reason) => format!("Skipped: {reason}"),
    }
}

fn result_text(o: &RowOutcome) -> String {
    match o {
        RowOutcome::Skip(reason) => reason.to_string(),
        other => outcome_text(other),
    }
}

/// Sends the file as the raw request body; the answer is the preview or
/// the one reason the whole file was refused.
async fn send_file(
    organisation: &str,
    format: &str,
    file: web_sys::File,
) -> Result<ImportPreview, String> {
    let url = format!(
        "/upload/import?org={}&format={format}",
        js_sys::encode_uri_component(organisation)
    );
    let response = post_file(&url, file).await?;
    match response.status() {
        200..=299 => response.json().await.map_err(|e| e.to_string()),
        413 => Err("The file is larger than the import limit.".into()),
        _ => Err(response
            .text()
            .await
            .unwrap_or_else(|_| "The file was refused.".into())),
    }
}

fn rows_table(
    caption: &'static str,
    rows: Vec<RowPlan>,
    text: fn(&RowOutcome) -> String,
) -> impl IntoView {
    view! {
        <table class="list import-rows">
            <caption>{caption}</caption>
            <thead><tr>
                <th scope="col">"Line"</th>
                <th scope="col">"Email"</th>
                <th scope="col">"Result"</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|r| view! {
                    <tr>
                        <td data-label="Line">{r.line}</td>
                        <td data-label="Email">{r.email}</td>
                        <td data-label="Result">{text(&r.outcome)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn ImportMembers(
    organisation: Memo<Option<String>>,
    on_imported: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let format = RwSignal::new(String::new());
    let preview = RwSignal::new(None::<ImportPreview>);
    let status = RwSignal::new(None::<ImportStatus>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let file_input = NodeRef::<leptos::html::Input>::new();
    let reset = move || {
        preview.set(None);
        status.set(None);
        error.set(None);
    };
    let check = move |_| {
        reset();
        let Some(org) = organisation.get_untracked() else {
            return;
        };
        let Some(file) = file_input
            .get_untracked()
            .and_then(|i| i.files())
            .and_then(|f| f.get(0))
        else {
            return error.set(Some("Choose a CSV file first.".into()));
        };
        busy.set(true);
        let chosen = format.get_untracked();
        spawn_local(async move {
            let result = send_file(&org, &chosen, file).await;
            busy.set(false);
            match result {
                Ok(p) => preview.set(Some(p)),
                Err(message) => error.set(Some(message)),
            }
        });
    };
    let start = move |_| {
        let (Some(org), Some(p)) = (organisation.get_untracked(), preview.get_untracked()) else {
            return;
        };
        error.set(None);
        busy.set(true);
        spawn_local(async move {
            let mut current = import_start(org.clone(), p.import_id.clone()).await;
            // Poll until the import leaves "running"; the bar follows.
            while let Ok(s) = &current {
                status.set(Some(s.clone()));
                if s.state != ImportState::Running {
                    break;
                }
                for _ in 0..10 {
                    yield_to_browser().await;
                }
                current = import_status(org.clone(), p.import_id.clone()).await;
            }
            busy.set(false);
            match current {
                Ok(s) if s.state == ImportState::Finished => on_imported(),
                Ok(s) => error.set(Some(s.failure)),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let report_href = move || {
        let (org, s) = (organisation.get()?, status.get()?);
        Some(format!(
            "/export/import-report.csv?org={}&id={}",
            js_sys::encode_uri_component(&org),
            js_sys::encode_uri_component(&s.import_id)
        ))
    };
    view! {
        <Show when=move || !open.get()>
            <button type="button" class="secondary" on:click=move |_| { reset(); open.set(true) }>"Import from CSV"</button>
        </Show>
        <Show when=move || open.get()>
            <section class="stack import" aria-labelledby="import-heading">
                <h2 id="import-heading">"Import from CSV"</h2>
                <p class="hint">"Either a header USERNAME, EMAIL, GROUP, FIRSTNAME, LASTNAME (any order), or a header line followed by Email, Role (Originator or Collaborator) on each line. New members are invited by email to choose their own password."</p>
                <label for="import-format">"Format"</label>
                <select id="import-format" on:change=move |ev| format.set(event_target_value(&ev))>
                    <option value="">"Detect from the header"</option>
                    <option value="named">{ImportFormat::Named.label()}</option>
                    <option value="email_role">{ImportFormat::EmailRole.label()}</option>
                </select>
                <label for="import-file">"CSV file"</label>
                <input id="import-file" type="file" accept=".csv,text/csv" node_ref=file_input on:change=move |_| reset() />
                <div class="actions">
                    <button type="button" disabled=move || busy.get() on:click=check>"Preview"</button>
                    <button type="button" class="secondary" on:click=move |_| open.set(false)>"Close"</button>
                </div>
                <ErrorBox message=error />
                {move || preview.get().filter(|_| status.with(|s| s.is_none())).map(|p| view! {
                    <div class="import-preview">
                        <p role="status">{format!(
                            "Format: {}. {} rows: {} to invite, {} existing accounts to add, {} skipped.",
                            p.format.label(), p.rows_total, p.to_create, p.to_reuse, p.skipped
                        )}</p>
                        {(p.rows_total as usize > p.rows.len()).then(|| view! {
                            <p class="hint">{format!("The first {} rows are shown.", p.rows.len())}</p>
                        })}
                        {rows_table("What will happen", p.rows.clone(), outcome_text)}
                        <button type="button" disabled={move || busy.get() || p.to_create + p.to_reuse == 0} on:click=start>
                            {format!("Import {} members", p.to_create + p.to_reuse)}
                        </button>
                    </div>
                })}
                {move || status.get().map(|s| {
                    let running = s.state == ImportState::Running;
                    view! {
                        <div class="import-result">
                            <progress max=s.rows_total.max(1).to_string() value=s.rows_done.to_string() aria-label="Import progress"></progress>
                            {if running {
                                view! { <p aria-live="polite">{format!("Importing… {} of {} rows", s.rows_done, s.rows_total)}</p> }.into_any()
                            } else if s.state == ImportState::Finished {
                                view! {
                                    <p role="status">{format!("{} of {} imported.", s.imported, s.rows_total)}</p>
                                    {(!s.problems.is_empty()).then(|| rows_table("Not imported", s.problems.clone(), result_text))}
                                    <a class="button secondary" href=report_href download="import-report.csv">"Download the report (CSV)"</a>
                                }.into_any()
                            } else {
                                view! { <p class="error">"Nothing was imported."</p> }.into_any()
                            }}
                        </div>
                    }
                })}
            </section>
        </Show>
    }
}
