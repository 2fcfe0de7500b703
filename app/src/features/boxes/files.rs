//! BOX-1 files in a folder: "Upload files" (the file picker, or files
//! dropped on the folder), an upload panel with each file's progress, and
//! Download. The page only hands `File`s to the worker and relays server
//! functions: the worker encrypts, hashes, sends the parts, signs, and on
//! the way down checks and decrypts.

use std::rc::Rc;

use coffer_api::{
    cancel_upload, complete_upload, create_upload, my_signing_key, open_file, set_signing_key,
    ApiError,
};
use coffer_shared::boxes::{check_name, FileFacts, NodeRecord, NodeView};
use coffer_shared::files::{size_label, FileError, SigningKey};
use coffer_shared::ids::{NodeId, OrganisationId};
use coffer_shared::worker::{Answer, Failure, Job, KeyStep};
use coffer_shared::Refusal;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::keys::{ask, secret, unexpected};
use crate::crypto_worker;
use crate::i18n::{tf, tr};
use crate::ui::Problem;

/// The member's signing key; made (in the worker) and stored the first
/// time it is needed, for members who had none yet.
async fn signing_key() -> Result<SigningKey, Problem> {
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

fn changed_outside() -> Problem {
    tr("This file was changed outside Coffer").into()
}

pub(super) fn transfer_failed(answer: Answer) -> Problem {
    match answer {
        Answer::PartRefused(json) => serde_json::from_str::<ApiError>(&json)
            .map(Problem::Api)
            .unwrap_or_else(|_| unexpected()),
        Answer::Failed(Failure::Tampered) => changed_outside(),
        Answer::Failed(Failure::Network) => {
            tr("The connection to Coffer was lost and did not come back; try again.").into()
        }
        Answer::Failed(Failure::Unreadable) => tr("The browser could not read this file.").into(),
        _ => unexpected(),
    }
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
    target: Target,
    file: web_sys::File,
    signing: &mut Option<SigningKey>,
    progress: Rc<dyn Fn(u64, u64)>,
) -> Result<(), Problem> {
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
    let job = Job::SendFile {
        ceremony,
        upload_id: state.upload_id.clone(),
        secret,
        signing,
    };
    let (answer, _) = crypto_worker::run_with(job, Some(file.into()), Some(progress)).await?;
    match answer {
        Answer::FileSent(completion) => {
            complete_upload(state.upload_id, completion).await?;
            Ok(())
        }
        other => {
            // Nothing half-made stays: the parts go with the sweeper.
            let _ = cancel_upload(state.upload_id).await;
            Err(transfer_failed(other))
        }
    }
}

/// Where one file of the panel is.
#[derive(Clone, PartialEq)]
enum Stage {
    Waiting,
    Sending,
    Done,
    Failed(String),
}

#[derive(Clone)]
struct Row {
    key: u32,
    file: web_sys::File,
    total: u64,
    done: RwSignal<u64>,
    started: RwSignal<f64>,
    stage: RwSignal<Stage>,
}

/// The files being uploaded into a folder, sent one after another.
#[derive(Clone, Copy)]
pub struct Uploads {
    rows: RwSignal<Vec<Row>>,
    running: RwSignal<bool>,
    next: StoredValue<u32>,
}

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
        }
    }

    /// Queues files; `target` says where, `done` runs after each file.
    pub fn add(self, files: Vec<web_sys::File>, target: Target, done: Callback<()>) {
        guard_leaving();
        self.rows.update(|rows| {
            for file in files {
                let key = self.next.get_value();
                self.next.set_value(key + 1);
                rows.push(Row {
                    key,
                    total: file.size() as u64,
                    file,
                    done: RwSignal::new(0),
                    started: RwSignal::new(0.0),
                    stage: RwSignal::new(Stage::Waiting),
                });
            }
        });
        self.run(target, done);
    }

    /// Sends waiting files one at a time; a task per queue, not per file,
    /// since it outlives any one request.
    fn run(self, target: Target, done: Callback<()>) {
        if self.running.get_untracked() {
            return;
        }
        self.running.set(true);
        ACTIVE.with(|a| a.set(a.get() + 1));
        leptos::task::spawn_local(async move {
            let mut signing = None;
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
                match upload(target.clone(), row.file.clone(), &mut signing, report).await {
                    Ok(()) => {
                        row.done.set(row.total);
                        row.stage.set(Stage::Done);
                    }
                    Err(problem) => row.stage.set(Stage::Failed(problem.words())),
                }
                done.run(());
            }
            self.running.set(false);
            ACTIVE.with(|a| a.set(a.get().saturating_sub(1)));
        });
    }

    fn retry(self, key: u32, target: Target, done: Callback<()>) {
        self.rows.with_untracked(|rows| {
            if let Some(row) = rows.iter().find(|r| r.key == key) {
                row.done.set(0);
                row.stage.set(Stage::Waiting);
            }
        });
        self.run(target, done);
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
pub fn UploadPanel(
    uploads: Uploads,
    target: Signal<Option<Target>>,
    done: Callback<()>,
) -> impl IntoView {
    view! {
        <Show when=move || uploads.rows.with(|r| !r.is_empty())>
            <section class="uploads" aria-label=tr("Uploads")>
                <h2>{tr("Uploads")}</h2>
                <ul class="upload-list">
                    <For each=move || uploads.rows.get() key=|r| r.key let:row>
                        {
                            let name = row.file.name();
                            let (total, done_bytes, stage, started, key) =
                                (row.total, row.done, row.stage, row.started, row.key);
                            let percent = move || {
                                let whole = if stage.get() == Stage::Done { 100 } else { 0 };
                                (done_bytes.get() * 100).checked_div(total).unwrap_or(whole) as u32
                            };
                            let status = move || match stage.get() {
                                Stage::Waiting => tr("Waiting").to_string(),
                                Stage::Sending => progress_words(done_bytes.get(), total, started.get_untracked()),
                                Stage::Done => tr("Uploaded").to_string(),
                                Stage::Failed(why) => why,
                            };
                            let label = tf("Upload of {0}", &[("0", &name)]);
                            let retry_label = tf("Retry {0}", &[("0", &name)]);
                            view! {
                                <li class="upload" class:failed=move || matches!(stage.get(), Stage::Failed(_))>
                                    <span class="upload-name">{name.clone()}</span>
                                    <progress max="100" value=percent aria-label=label></progress>
                                    <span class="upload-status" aria-live="polite">{status}</span>
                                    <Show when=move || matches!(stage.get(), Stage::Failed(_))>
                                        <button type="button" class="secondary small" aria-label=retry_label.clone()
                                            on:click=move |_| {
                                                if let Some(t) = target.get_untracked() {
                                                    uploads.retry(key, t, done);
                                                }
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

/// Downloads a file: checked and decrypted in the worker, then saved by
/// the browser under its name.
pub async fn download(
    organisation_id: OrganisationId,
    node: NodeView,
    name: String,
) -> Result<String, Problem> {
    let blob = decrypted(organisation_id, node).await?;
    save(&blob, &name).ok_or_else(unexpected)?;
    Ok(name)
}

/// A file fetched, checked and decrypted by the worker: its plaintext as a
/// Blob (downloads and previews).
async fn decrypted(
    organisation_id: OrganisationId,
    node: NodeView,
) -> Result<web_sys::Blob, Problem> {
    let content = open_file(organisation_id, node.id).await?;
    let job = Job::Download {
        secret: secret()?,
        content,
    };
    let (answer, blob) = crypto_worker::run_with(job, None, None).await?;
    match (answer, blob) {
        (Answer::Downloaded, Some(blob)) => Ok(blob.unchecked_into()),
        (answer, _) => Err(transfer_failed(answer)),
    }
}

/// Hands a Blob to the browser's downloads under `name`.
pub(super) fn save(blob: &web_sys::Blob, name: &str) -> Option<()> {
    let url = web_sys::Url::create_object_url_with_blob(blob).ok()?;
    let document = web_sys::window()?.document()?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a").ok()?.unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.click();
    // The browser has started the download; let it read the Blob first.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    let _ = web_sys::window()?
        .set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000);
    Some(())
}

/// BOX-7: what a preview shows, decrypted in this browser only.
#[derive(Clone, PartialEq)]
pub enum Shown {
    Image(String),
    Pdf(String),
    Audio(String),
    Video(String),
    Text(String),
}

#[derive(Clone, PartialEq)]
pub struct Preview {
    pub name: String,
    pub shown: Shown,
}

impl Preview {
    /// Lets the browser drop the decrypted bytes.
    pub fn release(&self) {
        if let Shown::Image(u) | Shown::Pdf(u) | Shown::Audio(u) | Shown::Video(u) = &self.shown {
            let _ = web_sys::Url::revoke_object_url(u);
        }
    }
}

/// The largest file previewed (it is held in memory); larger ones are
/// downloaded.
const PREVIEW_MAX: u64 = 200_000_000;
/// The most text shown.
const TEXT_MAX: usize = 1_000_000;

/// Whether the browser can show this type: images, PDF, plain text,
/// audio and video. HTML and SVG-as-document are shown as text or image,
/// never as a page.
pub fn previewable(mime: &str) -> bool {
    mime.starts_with("image/")
        || mime.starts_with("text/")
        || mime.starts_with("audio/")
        || mime.starts_with("video/")
        || mime == "application/pdf"
        || mime == "application/json"
}

pub async fn preview(
    organisation_id: OrganisationId,
    node: NodeView,
    name: String,
    facts: FileFacts,
) -> Result<Preview, Problem> {
    if facts.size > PREVIEW_MAX {
        return Err(tr("This file is too large to preview; download it instead.").into());
    }
    let blob = decrypted(organisation_id, node).await?;
    let url = || web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| unexpected());
    let mime = facts.mime.as_str();
    let shown = if mime.starts_with("image/") {
        Shown::Image(url()?)
    } else if mime == "application/pdf" {
        Shown::Pdf(url()?)
    } else if mime.starts_with("audio/") {
        Shown::Audio(url()?)
    } else if mime.starts_with("video/") {
        Shown::Video(url()?)
    } else {
        let text = wasm_bindgen_futures::JsFuture::from(blob.text())
            .await
            .ok()
            .and_then(|t| t.as_string())
            .ok_or_else(unexpected)?;
        let mut text = text;
        if text.len() > TEXT_MAX {
            let mut cut = TEXT_MAX;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
        }
        Shown::Text(text)
    };
    Ok(Preview { name, shown })
}

/// The preview, above the folder's table, with Close.
#[component]
pub fn PreviewPanel(preview: RwSignal<Option<Preview>>) -> impl IntoView {
    let close = move |_| {
        if let Some(p) = preview.get_untracked() {
            p.release();
        }
        preview.set(None);
    };
    on_cleanup(move || {
        if let Some(p) = preview.get_untracked() {
            p.release();
        }
    });
    move || {
        preview.get().map(|p| {
            let title = tf("Preview of {0}", &[("0", &p.name)]);
            let body = match p.shown {
                Shown::Image(url) => view! { <img class="preview-image" src=url alt=p.name.clone() /> }.into_any(),
                Shown::Pdf(url) => view! { <iframe class="preview-frame" src=url title=title.clone()></iframe> }.into_any(),
                Shown::Audio(url) => view! { <audio controls src=url aria-label=title.clone()></audio> }.into_any(),
                Shown::Video(url) => view! { <video class="preview-video" controls src=url aria-label=title.clone()></video> }.into_any(),
                Shown::Text(text) => view! { <pre class="preview-text" tabindex="0">{text}</pre> }.into_any(),
            };
            view! {
                <section class="preview" aria-label=title.clone()>
                    <h2>{title.clone()}</h2>
                    {body}
                    <button type="button" class="secondary" on:click=close>{tr("Close preview")}</button>
                </section>
            }
        })
    }
}

/// BOX-6, ORG-8 on My account: what the member's files take of their plan.
#[component]
pub fn StorageCard() -> impl IntoView {
    let organisation = crate::ui::member_organisation();
    let error = RwSignal::new(None::<Problem>);
    let loaded = crate::ui::load_when(move || {
        let (org, _) = organisation.get()?;
        Some(async move { coffer_api::my_storage(org).await.map_err(Problem::from) })
    });
    let shown = RwSignal::new(None::<coffer_shared::files::StorageUsage>);
    crate::ui::show_latest(loaded, shown, error);
    move || {
        shown.get().map(|usage| {
            let used = size_label(usage.used_bytes.max(0) as u64);
            let (words, bar) = match usage.quota_bytes {
                Some(quota) => {
                    let words = tf(
                        "{0} of {1} used",
                        &[("0", &used), ("1", &size_label(quota.max(0) as u64))],
                    );
                    let bar = view! {
                        <progress class="usage" max=quota.to_string() value=usage.used_bytes.to_string()
                            aria-label=tr("Storage used")></progress>
                    };
                    (words, Some(bar))
                }
                None => (tf("{0} used", &[("0", &used)]), None),
            };
            view! {
                <section class="card">
                    <h2>{tr("Storage")}</h2>
                    {bar}
                    <p data-testid="usage">{words}</p>
                    <crate::ui::ErrorBox message=error />
                </section>
            }
        })
    }
}
