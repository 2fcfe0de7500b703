//! BOX-1 uploads into a folder: "Upload files" (the file picker, or files
//! dropped on the folder) and the upload panel, with each file's progress
//! and Pause, Resume, Cancel and Retry. The page only hands `File`s to the
//! worker and relays server functions: the worker encrypts, hashes, sends
//! the parts and signs. An upload cannot outlive its page: after a reload
//! the panel says which files stopped, and their uploads are cancelled.

use std::collections::HashMap;
use std::rc::Rc;

use coffer_api::{
    cancel_upload, complete_upload, create_folder, create_upload, my_signing_key, set_signing_key,
    ApiError,
};
use coffer_shared::boxes::{check_name, FileFacts, NodeRecord};
use coffer_shared::files::{size_label, FileError, SigningKey};
use coffer_shared::ids::{NodeId, OrganisationId};
use coffer_shared::worker::{Answer, Job, KeyStep, Steer};
use coffer_shared::Refusal;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;

use super::dropped::{Placed, Tree};
use super::files::transfer_failed;
use super::keys::{ask, make_node, secret, unexpected};
use crate::crypto_worker;
use crate::i18n::{tf, tr};
use crate::ui::Problem;

/// The member's signing key; made (in the worker) and stored the first
/// time it is needed, for members who had none yet.
pub(crate) async fn signing_key() -> Result<SigningKey, Problem> {
    if let Some(key) = my_signing_key().await? {
        return Ok(key);
    }
    let Answer::SigningKey(key) = ask(Job::MakeSigningKey { secret: secret()? }).await? else {
        return Err(unexpected());
    };
    match set_signing_key(key.clone()).await {
        Ok(()) => Ok(key),
        // Another tab was first: use the one stored.
        Err(ApiError::Refused(Refusal::File(FileError::SigningKeySet))) => {
            my_signing_key().await?.ok_or_else(unexpected)
        }
        Err(e) => Err(e.into()),
    }
}

/// A file for the queue: where it goes, and what the panel calls it.
pub struct Queued {
    pub file: web_sys::File,
    pub target: Target,
    pub label: String,
}

impl Queued {
    /// Files picked or dropped into `target` itself.
    pub fn into(files: Vec<web_sys::File>, target: &Target) -> Vec<Queued> {
        files
            .into_iter()
            .map(|file| Queued {
                label: file.name(),
                target: target.clone(),
                file,
            })
            .collect()
    }
}

/// A folder upload (BOX-1): the tree's folders (`Photos`, `Photos/2024`)
/// made under `target`, parents first, each with its own key, and each
/// file (`Photos/2024/a.jpg`) queued into its own.
pub async fn with_folders(tree: Tree, target: &Target) -> Result<Vec<Queued>, Problem> {
    let mut made: HashMap<String, Target> = HashMap::new();
    for folder in &tree.folders {
        folder_at(folder, target, &mut made).await?;
    }
    let mut queued = Vec::with_capacity(tree.files.len());
    for Placed { file, path } in tree.files {
        let here = match path.rsplit_once('/') {
            Some((folder, _)) => folder_at(folder, target, &mut made).await?,
            None => target.clone(),
        };
        queued.push(Queued {
            label: if path.is_empty() { file.name() } else { path },
            target: here,
            file,
        });
    }
    Ok(queued)
}

/// The folder at `path` under `target`, made (with the folders above it)
/// unless this upload made it already.
async fn folder_at(
    path: &str,
    target: &Target,
    made: &mut HashMap<String, Target>,
) -> Result<Target, Problem> {
    let mut here = target.clone();
    let mut walked = String::new();
    for folder in path.split('/').filter(|p| !p.is_empty()) {
        walked.push('/');
        walked.push_str(folder);
        if let Some(known) = made.get(&walked) {
            here = known.clone();
            continue;
        }
        let name = check_name(folder).map_err(|e| Problem::Api(e.into()))?;
        let node = make_node(here.path.clone(), name).await?;
        let mut steps = here.path.clone();
        steps.push(KeyStep {
            public_key: node.public_key.clone(),
            wrapped: node.wrapped_key.clone(),
        });
        let id = node.id.clone();
        create_folder(here.organisation_id.clone(), here.folder.clone(), node).await?;
        here = Target {
            organisation_id: here.organisation_id.clone(),
            folder: id,
            path: steps,
        };
        made.insert(walked.clone(), here.clone());
    }
    Ok(here)
}

/// Where an upload goes: the folder, and the key path down to it.
#[derive(Clone)]
pub struct Target {
    pub organisation_id: OrganisationId,
    pub folder: NodeId,
    pub path: Vec<KeyStep>,
}

/// One file: prepared in the worker, started on the server, sent by the
/// worker part by part, completed. `signing` keeps the member's signing
/// key between the files of one queue, so it is asked for once.
async fn upload(
    row: &Row,
    signing: &mut Option<SigningKey>,
    progress: Rc<dyn Fn(u64, u64)>,
) -> Result<(), Problem> {
    let file = row.file.clone();
    let target = row.target.clone();
    let name = check_name(&file.name()).map_err(|e| Problem::Api(e.into()))?;
    let signing = match signing {
        Some(key) => key.clone(),
        None => signing.insert(signing_key().await?).clone(),
    };
    let secret = secret()?;
    let now = js_sys::Date::now() as i64;
    let mime = match file.type_() {
        t if t.is_empty() => "application/octet-stream".to_string(),
        t => t,
    };
    let record = NodeRecord {
        name,
        created_at_ms: now,
        modified_at_ms: file.last_modified() as i64,
        file: Some(FileFacts {
            size: file.size() as u64,
            mime,
            sha256: String::new(),
            signer: String::new(),
        }),
    };
    let Answer::FilePrepared { ceremony, upload } = ask(Job::PrepareFile {
        secret: secret.clone(),
        path: target.path,
        record,
    })
    .await?
    else {
        return Err(unexpected());
    };
    let state = match create_upload(target.organisation_id, target.folder, upload).await {
        Ok(state) => state,
        Err(e) => {
            let _ = crypto_worker::run(Job::Forget { ceremony }).await;
            return Err(e.into());
        }
    };
    let upload_id = state.upload_id.clone();
    row.upload_id.set(Some(upload_id.clone()));
    remember(&upload_id, &file.name());
    if row.stage.get_untracked() == Stage::Paused {
        // Paused while it was being prepared.
        let _ = steer(&upload_id, Steer::Pause).await;
    }
    let job = Job::SendFile {
        ceremony,
        upload_id: upload_id.clone(),
        secret,
        signing,
    };
    let sent = crypto_worker::run_with(job, Some(file.into()), Some(progress)).await;
    let outcome = match sent.map(|(answer, _)| answer) {
        Ok(Answer::FileSent(_)) if row.stage.get_untracked() == Stage::Cancelled => Err(
            transfer_failed(Answer::Failed(coffer_shared::worker::Failure::Cancelled)),
        ),
        Ok(Answer::FileSent(completion)) => complete_upload(upload_id.clone(), completion)
            .await
            .map(drop)
            .map_err(Problem::from),
        Ok(other) => Err(transfer_failed(other)),
        Err(e) => Err(e.into()),
    };
    if outcome.is_err() {
        // Nothing half-made stays: the parts go with the sweeper.
        let _ = cancel_upload(upload_id.clone()).await;
    }
    forget(&upload_id);
    outcome
}

/// Asks the worker to pause, resume or cancel an upload between parts.
async fn steer(upload_id: &str, to: Steer) -> Result<(), Problem> {
    let job = Job::Steer {
        upload_id: upload_id.to_string(),
        to,
    };
    crypto_worker::run(job)
        .await
        .map(drop)
        .map_err(Problem::from)
}

/// The uploads this tab has started, in `sessionStorage` (which a reload
/// keeps), each with the page load that started it.
const RUNNING_SLOT: &str = "coffer.uploads";

#[derive(Serialize, Deserialize)]
struct Running {
    upload_id: String,
    name: String,
    load: f64,
}

/// This page load: when the app started.
fn this_load() -> f64 {
    thread_local! {
        static LOAD: f64 = js_sys::Date::now();
    }
    LOAD.with(|l| *l)
}

fn running() -> Vec<Running> {
    web_sys::window()
        .and_then(|w| w.session_storage().ok().flatten())
        .and_then(|s| s.get_item(RUNNING_SLOT).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

fn keep_running(list: &[Running]) {
    let Some(store) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) else {
        return;
    };
    let _ = match list {
        [] => store.remove_item(RUNNING_SLOT),
        _ => match serde_json::to_string(list) {
            Ok(text) => store.set_item(RUNNING_SLOT, &text),
            Err(_) => Ok(()),
        },
    };
}

fn remember(upload_id: &str, name: &str) {
    let mut list = running();
    list.push(Running {
        upload_id: upload_id.to_string(),
        name: name.to_string(),
        load: this_load(),
    });
    keep_running(&list);
}

fn forget(upload_id: &str) {
    let mut list = running();
    list.retain(|r| r.upload_id != upload_id);
    keep_running(&list);
}

/// The uploads an earlier load of this tab left unfinished (the page was
/// reloaded or left): cancelled on the server, their names returned.
fn interrupted() -> Vec<String> {
    let (old, current): (Vec<Running>, Vec<Running>) =
        running().into_iter().partition(|r| r.load != this_load());
    keep_running(&current);
    for r in &old {
        let id = r.upload_id.clone();
        leptos::task::spawn_local(async move {
            let _ = cancel_upload(id).await;
        });
    }
    old.into_iter().map(|r| r.name).collect()
}

/// Where one file of the panel is.
#[derive(Clone, PartialEq)]
enum Stage {
    Waiting,
    Sending,
    Paused,
    Done,
    Cancelled,
    Failed(String),
}

/// Rows of each kind the panel draws at most: a queue of thousands is
/// summed up in one line, since every row drawn is laid out again as the
/// one uploading moves.
const PANEL_WAITING: usize = 20;
const PANEL_FINISHED: usize = 20;

/// The rows the panel draws, in queue order: every one uploading, paused
/// or failed, the next waiting and the latest finished.
fn drawn(rows: &[Row]) -> Vec<Row> {
    let mut waiting = 0;
    let finished_total = rows
        .iter()
        .filter(|r| matches!(r.stage.get(), Stage::Done | Stage::Cancelled))
        .count();
    let mut finished = 0;
    rows.iter()
        .filter(|r| match r.stage.get() {
            Stage::Waiting => {
                waiting += 1;
                waiting <= PANEL_WAITING
            }
            Stage::Done | Stage::Cancelled => {
                finished += 1;
                finished + PANEL_FINISHED > finished_total
            }
            Stage::Sending | Stage::Paused | Stage::Failed(_) => true,
        })
        .cloned()
        .collect()
}

#[derive(Clone)]
struct Row {
    key: u32,
    file: web_sys::File,
    total: u64,
    done: RwSignal<u64>,
    started: RwSignal<f64>,
    stage: RwSignal<Stage>,
    /// Where it goes.
    target: Target,
    /// What the panel calls it: its name, or its path in a folder upload.
    label: String,
    /// Once the server has started it.
    upload_id: RwSignal<Option<String>>,
}

/// The files being uploaded into a folder, sent one after another.
#[derive(Clone, Copy)]
pub struct Uploads {
    rows: RwSignal<Vec<Row>>,
    running: RwSignal<bool>,
    next: StoredValue<u32>,
    /// Files an earlier load of the page left unfinished.
    interrupted: RwSignal<Vec<String>>,
}

/// How often a running queue has the folder listed again.
const REFRESH_MS: f64 = 3_000.0;
/// After a listing, the next waits until the files finished since are at
/// least this fraction (1/n) of all finished so far.
const REFRESH_GROWTH: usize = 8;

thread_local! {
    /// Uploads running in this tab: leaving the page asks first.
    static ACTIVE: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Asks before the tab is closed or reloaded while an upload runs (a
/// reload starts the file again).
fn guard_leaving() {
    use wasm_bindgen::closure::Closure;
    thread_local! {
        static SET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    if SET.with(|s| s.replace(true)) {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let handler = Closure::<dyn FnMut(web_sys::BeforeUnloadEvent)>::new(
        |event: web_sys::BeforeUnloadEvent| {
            if ACTIVE.with(|a| a.get()) > 0 {
                event.prevent_default();
                event.set_return_value("An upload is still running.");
            }
        },
    );
    let _ =
        window.add_event_listener_with_callback("beforeunload", handler.as_ref().unchecked_ref());
    handler.forget();
}

impl Uploads {
    pub fn new() -> Self {
        Uploads {
            rows: RwSignal::new(Vec::new()),
            running: RwSignal::new(false),
            next: StoredValue::new(0),
            interrupted: RwSignal::new(interrupted()),
        }
    }

    /// Queues files, each with where it goes; `done` runs after each file.
    pub fn add(self, files: Vec<Queued>, done: Callback<()>) {
        guard_leaving();
        self.rows.update(|rows| {
            for Queued {
                file,
                target,
                label,
            } in files
            {
                let key = self.next.get_value();
                self.next.set_value(key + 1);
                rows.push(Row {
                    key,
                    total: file.size() as u64,
                    target,
                    label,
                    file,
                    done: RwSignal::new(0),
                    started: RwSignal::new(0.0),
                    stage: RwSignal::new(Stage::Waiting),
                    upload_id: RwSignal::new(None),
                });
            }
        });
        self.run(done);
    }

    /// Sends waiting files one at a time; a task per queue, not per file,
    /// since it outlives any one request.
    fn run(self, done: Callback<()>) {
        if self.running.get_untracked() {
            return;
        }
        self.running.set(true);
        ACTIVE.with(|a| a.set(a.get() + 1));
        leptos::task::spawn_local(async move {
            let mut signing = None;
            let mut refreshed = js_sys::Date::now();
            let (mut finished, mut finished_at_refresh) = (0usize, 0usize);
            loop {
                let next = self.rows.with_untracked(|rows| {
                    rows.iter()
                        .find(|r| r.stage.get_untracked() == Stage::Waiting)
                        .cloned()
                });
                let Some(row) = next else { break };
                row.stage.set(Stage::Sending);
                row.started.set(js_sys::Date::now());
                let report: Rc<dyn Fn(u64, u64)> = {
                    let done = row.done;
                    Rc::new(move |d, _| done.set(d))
                };
                match upload(&row, &mut signing, report).await {
                    Ok(()) => {
                        row.done.set(row.total);
                        row.stage.set(Stage::Done);
                    }
                    Err(_) if row.stage.get_untracked() == Stage::Cancelled => {}
                    Err(problem) => row.stage.set(Stage::Failed(problem.words())),
                }
                row.upload_id.set(None);
                finished += 1;
                // The folder is listed again (every name opened again) at
                // most every few seconds, and less often as it fills: each
                // listing costs as much as the folder holds, so a queue of
                // thousands lists it tens of times, not thousands.
                let now = js_sys::Date::now();
                if now - refreshed >= REFRESH_MS
                    && finished - finished_at_refresh >= finished / REFRESH_GROWTH
                {
                    refreshed = now;
                    finished_at_refresh = finished;
                    done.run(());
                }
            }
            done.run(());
            self.running.set(false);
            ACTIVE.with(|a| a.set(a.get().saturating_sub(1)));
        });
    }

    fn row(self, key: u32) -> Option<Row> {
        self.rows
            .with_untracked(|rows| rows.iter().find(|r| r.key == key).cloned())
    }

    /// Pause (`Steer::Pause`), Resume or Cancel one file. A file still
    /// waiting is only marked; one on its way is told through the worker.
    fn steer(self, key: u32, to: Steer) {
        let Some(row) = self.row(key) else { return };
        let stage = row.stage.get_untracked();
        let next = match (to, &stage) {
            (Steer::Pause, Stage::Sending) => Stage::Paused,
            (Steer::Resume, Stage::Paused) => Stage::Sending,
            (Steer::Cancel, Stage::Waiting | Stage::Sending | Stage::Paused) => Stage::Cancelled,
            _ => return,
        };
        row.stage.set(next);
        if let Some(upload_id) = row.upload_id.get_untracked() {
            leptos::task::spawn_local(async move {
                let _ = steer(&upload_id, to).await;
            });
        }
    }

    fn retry(self, key: u32, done: Callback<()>) {
        self.rows.with_untracked(|rows| {
            if let Some(row) = rows.iter().find(|r| r.key == key) {
                row.done.set(0);
                row.stage.set(Stage::Waiting);
            }
        });
        self.run(done);
    }
}

/// "12.4 MB of 30 MB · 4.1 MB/s · 5 s left"
fn progress_words(done: u64, total: u64, started: f64) -> String {
    let seconds = ((js_sys::Date::now() - started) / 1000.0).max(0.001);
    let rate = done as f64 / seconds;
    let mut words = tf(
        "{0} of {1}",
        &[("0", &size_label(done)), ("1", &size_label(total))],
    );
    if done > 0 && done < total {
        let left = ((total - done) as f64 / rate).ceil() as u64;
        words.push_str(&format!(
            " · {}/s · {}",
            size_label(rate as u64),
            tf("{0} s left", &[("0", &left.to_string())])
        ));
    }
    words
}

/// The upload panel: each file with its progress, and Retry for a file
/// that failed.
#[component]
pub fn UploadPanel(uploads: Uploads, done: Callback<()>) -> impl IntoView {
    let stopped = move || {
        uploads.interrupted.with(|names| {
            tf(
                "The page was reloaded while these files were uploading, so they stopped: {0}. Upload them again to finish.",
                &[("0", &names.join(", "))],
            )
        })
    };
    view! {
        <Show when=move || uploads.interrupted.with(|n| !n.is_empty())>
            <p class="notice" role="status">{stopped}</p>
        </Show>
        <Show when=move || uploads.rows.with(|r| !r.is_empty())>
            <section class="uploads" aria-label=tr("Uploads")>
                <h2>{tr("Uploads")}</h2>
                <Show when=move || uploads.rows.with(|r| r.len() > PANEL_WAITING + PANEL_FINISHED)>
                    <p class="upload-summary" aria-live="polite">{move || uploads.rows.with(|rows| {
                        let done = rows.iter().filter(|r| r.stage.get() == Stage::Done).count();
                        tf("{0} of {1} uploaded", &[("0", &done.to_string()), ("1", &rows.len().to_string())])
                    })}</p>
                </Show>
                <ul class="upload-list">
                    <For each=move || uploads.rows.with(|rows| drawn(rows)) key=|r| r.key let:row>
                        {
                            let name = row.label.clone();
                            let (total, done_bytes, stage, started, key) =
                                (row.total, row.done, row.stage, row.started, row.key);
                            let percent = move || {
                                let whole = if stage.get() == Stage::Done { 100 } else { 0 };
                                (done_bytes.get() * 100).checked_div(total).unwrap_or(whole) as u32
                            };
                            let status = move || match stage.get() {
                                Stage::Waiting => tr("Waiting").to_string(),
                                Stage::Sending => progress_words(done_bytes.get(), total, started.get_untracked()),
                                Stage::Paused => tf("Paused at {0} of {1}", &[("0", &size_label(done_bytes.get())), ("1", &size_label(total))]),
                                Stage::Done => tr("Uploaded").to_string(),
                                Stage::Cancelled => tr("Cancelled").to_string(),
                                Stage::Failed(why) => why,
                            };
                            let label = tf("Upload of {0}", &[("0", &name)]);
                            let retry_label = tf("Retry {0}", &[("0", &name)]);
                            let pause_label = tf("Pause {0}", &[("0", &name)]);
                            let resume_label = tf("Resume {0}", &[("0", &name)]);
                            let cancel_label = tf("Cancel {0}", &[("0", &name)]);
                            let cancellable = move || matches!(stage.get(), Stage::Waiting | Stage::Sending | Stage::Paused);
                            view! {
                                <li class="upload" class:failed=move || matches!(stage.get(), Stage::Failed(_))>
                                    <span class="upload-name">{name.clone()}</span>
                                    <progress max="100" value=percent aria-label=label></progress>
                                    <span class="upload-status" aria-live="polite">{status}</span>
                                    <Show when=move || stage.get() == Stage::Sending>
                                        <button type="button" class="secondary small" aria-label=pause_label.clone()
                                            on:click=move |_| uploads.steer(key, Steer::Pause)>{tr("Pause")}</button>
                                    </Show>
                                    <Show when=move || stage.get() == Stage::Paused>
                                        <button type="button" class="secondary small" aria-label=resume_label.clone()
                                            on:click=move |_| uploads.steer(key, Steer::Resume)>{tr("Resume")}</button>
                                    </Show>
                                    <Show when=cancellable>
                                        <button type="button" class="secondary small" aria-label=cancel_label.clone()
                                            on:click=move |_| uploads.steer(key, Steer::Cancel)>{tr("Cancel")}</button>
                                    </Show>
                                    <Show when=move || matches!(stage.get(), Stage::Failed(_))>
                                        <button type="button" class="secondary small" aria-label=retry_label.clone()
                                            on:click=move |_| {
                                                uploads.retry(key, done);
                                            }>{tr("Retry")}</button>
                                    </Show>
                                </li>
                            }
                        }
                    </For>
                </ul>
            </section>
        </Show>
    }
}

/// The files of a `FileList` (from the picker or a drop).
pub fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.item(i)).collect()
}
