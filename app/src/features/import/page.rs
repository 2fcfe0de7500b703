//! IMP-1 … IMP-4 on the Users page: choose a CSV file, see what will happen
//! to every row, confirm, watch the progress, read and download the result.

use crate::i18n::{current, tf, tr};
use coffer_api::ApiError;
use coffer_api::{import_start, import_status};
use coffer_shared::i18n::Words;
use coffer_shared::ids::{ImportId, OrganisationId};
use coffer_shared::import::{
    ImportFormat, ImportPreview, ImportState, ImportStatus, RowOutcome, RowPlan,
};
use leptos::prelude::*;

use crate::features::accounts::auth::yield_to_browser;
use crate::ui::{post_file, ErrorBox, Problem, Write};

fn outcome_text(o: &RowOutcome) -> String {
    match o {
        RowOutcome::Add => tr("Will be added").into(),
        RowOutcome::Skip(reason) => {
            tf("Skipped: {reason}", &[("reason", &reason.words(current()))])
        }
    }
}

fn result_text(o: &RowOutcome) -> String {
    match o {
        RowOutcome::Skip(reason) => reason.words(current()),
        other => outcome_text(other),
    }
}

/// Sends the file as the raw request body; the answer is the preview or
/// the one reason the whole file was refused.
async fn send_file(
    organisation: &str,
    format: &str,
    file: web_sys::File,
) -> Result<ImportPreview, Problem> {
    let url = coffer_shared::site::upload_import(organisation, format);
    post_file(&url, file, tr("The file was refused.")).await
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
                <th scope="col">{tr("Line")}</th>
                <th scope="col">{tr("Email")}</th>
                <th scope="col">{tr("Result")}</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|r| view! {
                    <tr>
                        <td data-label=tr("Line")>{r.line}</td>
                        <td data-label=tr("Email")>{r.email}</td>
                        <td data-label=tr("Result")>{text(&r.outcome)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn ImportMembers(
    organisation: Memo<Option<OrganisationId>>,
    on_imported: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let format = RwSignal::new(String::new());
    let preview = RwSignal::new(None::<ImportPreview>);
    let status = RwSignal::new(None::<ImportStatus>);
    let error = RwSignal::new(None::<Problem>);
    let send = Write::new(
        error,
        |(org, chosen, file): (OrganisationId, String, web_sys::File)| async move {
            send_file(&org, &chosen, file).await
        },
        move |p| preview.set(Some(p)),
    );
    // Polls until the import leaves "running"; the bar follows.
    let run = Write::new(
        error,
        move |(org, import): (OrganisationId, ImportId)| async move {
            let mut current = import_start(org.clone(), import.clone()).await?;
            loop {
                status.set(Some(current.clone()));
                if current.state != ImportState::Running {
                    return Ok::<_, ApiError>(current);
                }
                for _ in 0..10 {
                    yield_to_browser().await;
                }
                current = import_status(org.clone(), import.clone()).await?;
            }
        },
        move |s: ImportStatus| {
            if s.state == ImportState::Finished {
                on_imported();
            } else {
                error.set(Some(s.failure.into()));
            }
        },
    );
    let busy = Signal::derive(move || send.pending().get() || run.pending().get());
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
            return error.set(Some(tr("Choose a CSV file first.").into()));
        };
        send.send((org, format.get_untracked(), file));
    };
    let start = move |_| {
        let (Some(org), Some(p)) = (organisation.get_untracked(), preview.get_untracked()) else {
            return;
        };
        run.send((org, p.import_id));
    };
    let report_href = move || {
        let (org, s) = (organisation.get()?, status.get()?);
        Some(coffer_shared::site::import_report(&org, &s.import_id))
    };
    view! {
        <Show when=move || !open.get()>
            <button type="button" class="secondary" on:click=move |_| { reset(); open.set(true) }>{tr("Import from CSV")}</button>
        </Show>
        <Show when=move || open.get()>
            <section class="stack import" aria-labelledby="import-heading">
                <h2 id="import-heading">{tr("Import from CSV")}</h2>
                <p class="hint">{tr("Either a header USERNAME, EMAIL, GROUP, FIRSTNAME, LASTNAME (any order), or a header line followed by Email, Role (Originator or Collaborator) on each line. New members are invited by email to choose their own password.")}</p>
                <label for="import-format">{tr("Format")}</label>
                <select id="import-format" on:change=move |ev| format.set(event_target_value(&ev))>
                    <option value="">{tr("Detect from the header")}</option>
                    <option value="named">{tr(ImportFormat::Named.label())}</option>
                    <option value="email_role">{tr(ImportFormat::EmailRole.label())}</option>
                </select>
                <label for="import-file">{tr("CSV file")}</label>
                <input id="import-file" type="file" accept=".csv,text/csv" node_ref=file_input on:change=move |_| reset() />
                <div class="actions">
                    <button type="button" disabled=move || busy.get() on:click=check>{tr("Preview")}</button>
                    <button type="button" class="secondary" on:click=move |_| open.set(false)>{tr("Close")}</button>
                </div>
                <ErrorBox message=error />
                {move || preview.get().filter(|_| status.with(|s| s.is_none())).map(|p| view! {
                    <div class="import-preview">
                        <p role="status">{tf("Format: {0}. {1} rows: {2} to add, {3} skipped.", &[("0", (p.format.label())), ("1", &(p.rows_total).to_string()), ("2", &(p.to_add).to_string()), ("3", &(p.skipped).to_string())])}</p>
                        {(p.rows_total as usize > p.rows.len()).then(|| view! {
                            <p class="hint">{tf("The first {0} rows are shown.", &[("0", &(p.rows.len()).to_string())])}</p>
                        })}
                        {rows_table(tr("What will happen"), p.rows.clone(), outcome_text)}
                        <button type="button" disabled={move || busy.get() || p.to_add == 0} on:click=start>
                            {tf("Import {0} members", &[("0", &(p.to_add).to_string())])}
                        </button>
                    </div>
                })}
                {move || status.get().map(|s| {
                    let running = s.state == ImportState::Running;
                    view! {
                        <div class="import-result">
                            <progress max=s.rows_total.max(1).to_string() value=s.rows_done.to_string() aria-label=tr("Import progress")></progress>
                            {if running {
                                view! { <p aria-live="polite">{tf("Importing… {0} of {1} rows", &[("0", &(s.rows_done).to_string()), ("1", &(s.rows_total).to_string())])}</p> }.into_any()
                            } else if s.state == ImportState::Finished {
                                view! {
                                    <p role="status">{tf("{0} of {1} imported.", &[("0", &(s.imported).to_string()), ("1", &(s.rows_total).to_string())])}</p>
                                    {(!s.problems.is_empty()).then(|| rows_table(tr("Not imported"), s.problems.clone(), result_text))}
                                    <a class="button secondary" href=report_href download="import-report.csv">{tr("Download the report (CSV)")}</a>
                                }.into_any()
                            } else {
                                view! { <p class="error">{tr("Nothing was imported.")}</p> }.into_any()
                            }}
                        </div>
                    }
                })}
            </section>
        </Show>
    }
}
