//! BOX-8: "Export box" (or folder): one zip that opens with `age` and
//! nothing from Coffer. The worker checks and fetches everything and writes
//! the zip; the page only asks for the passphrase that seals the key file
//! and where to save the zip (a large one is written into the chosen file
//! as it is made; a small one goes to the browser's downloads).

use std::rc::Rc;

use coffer_api::export_items;
use coffer_shared::files::{check_export_passphrase, size_label};
use coffer_shared::ids::{NodeId, OrganisationId};
use coffer_shared::worker::{Answer, Failure, Job};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::files::{save, target_for, transfer_failed, Target};
use super::keys::{secret, unexpected};
use crate::crypto_worker;
use crate::i18n::{tf, tr};
use crate::ui::{ErrorBox, Problem, Write};

/// What is exported: the box or folder, and its name (the zip's).
#[derive(Clone, PartialEq)]
pub struct Exported {
    pub organisation_id: OrganisationId,
    pub node: NodeId,
    pub name: String,
    pub is_box: bool,
}

/// The zip's name when the person closed the save dialog: `None`.
async fn export(
    what: Exported,
    passphrase: String,
    progress: RwSignal<Option<String>>,
) -> Result<Option<String>, Problem> {
    let export = export_items(what.organisation_id, what.node).await?;
    let zip = format!("{}.zip", what.name);
    // Listing the items is one quick query, well inside the activation the
    // save dialog needs (if not, the zip goes to the downloads instead).
    let size = export
        .items
        .iter()
        .filter_map(|i| i.file.as_ref())
        .map(|f| f.plain_size)
        .sum();
    // The zip's length is known only once it is written.
    let mut target = match target_for(&zip, size, false).await {
        Target::Declined => return Ok(None),
        target => target,
    };
    let job = Job::Export {
        secret: secret()?,
        export,
        passphrase,
    };
    progress.set(Some(tr("Checking every file…").into()));
    let report: Rc<dyn Fn(u64, u64)> = Rc::new(move |done, total| {
        progress.set(Some(tf(
            "{0} of {1} written",
            &[("0", &size_label(done)), ("1", &size_label(total))],
        )));
    });
    let into = target.open();
    let (answer, blob) = crypto_worker::run_with(job, into, Some(report)).await?;
    drop(target);
    match (answer, blob) {
        (Answer::Saved, _) => Ok(Some(zip)),
        (Answer::Exported, Some(blob)) => {
            save(&blob.unchecked_into(), &zip).ok_or_else(unexpected)?;
            Ok(Some(zip))
        }
        // Cancelled in the browser's downloads: nothing more to say.
        (Answer::Failed(Failure::Cancelled), _) => Ok(None),
        (answer, _) => Err(transfer_failed(answer)),
    }
}

#[component]
pub fn ExportForm(what: Signal<Option<Exported>>) -> impl IntoView {
    let passphrase = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Problem>);
    let progress = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let run = Write::new(
        error,
        move |(what, pass): (Exported, String)| async move {
            let done = export(what, pass, progress).await;
            progress.set(None);
            done
        },
        move |zip: Option<String>| {
            let Some(zip) = zip else { return };
            passphrase.set(String::new());
            again.set(String::new());
            notice.set(Some(tf(
                "“{0}” exported. The README inside says how to open it with age.",
                &[("0", &zip)],
            )));
        },
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        notice.set(None);
        let Some(what) = what.get_untracked() else {
            error.set(Some(tr("The folder is still loading.").into()));
            return;
        };
        let pass = passphrase.get_untracked();
        match check_export_passphrase(&pass, &again.get_untracked()) {
            Ok(()) => run.send((what, pass)),
            Err(e) => error.set(Some(Problem::Api(e.into()))),
        }
    };
    let summary = move || {
        if what.with(|w| w.as_ref().is_some_and(|w| w.is_box)) {
            tr("Export box")
        } else {
            tr("Export folder")
        }
    };
    view! {
        <details class="export">
            <summary>{summary}</summary>
            <form on:submit=submit novalidate>
                <p>{tr("The export is one zip of the files exactly as Coffer stores them, encrypted, and a key file that opens them. It opens with age alone, without Coffer. Choose a passphrase for the key file: you will need it to open the export, and nobody can recover it.")}</p>
                <label for="export-passphrase">{tr("Export passphrase")}</label>
                <input id="export-passphrase" type="password" autocomplete="new-password" bind:value=passphrase />
                <label for="export-passphrase-again">{tr("The same passphrase again")}</label>
                <input id="export-passphrase-again" type="password" autocomplete="new-password" bind:value=again />
                <button type="submit" disabled=move || run.pending().get()>{tr("Export")}</button>
                <Show when=move || progress.with(Option::is_some)>
                    <p role="status">{move || progress.get().unwrap_or_default()}</p>
                </Show>
                <Show when=move || notice.with(Option::is_some)>
                    <p class="notice" role="status">{move || notice.get().unwrap_or_default()}</p>
                </Show>
                <ErrorBox message=error />
            </form>
        </details>
    }
}
