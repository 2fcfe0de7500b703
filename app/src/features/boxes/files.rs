//! BOX-1 files on their way down: Download, BOX-7 Preview, and the
//! Storage card (BOX-6). The worker fetches, checks and decrypts; the page
//! hands the result to the browser.

use std::rc::Rc;

use coffer_api::{open_file, ApiError};
use coffer_shared::boxes::{FileFacts, NodeView};
use coffer_shared::files::size_label;
use coffer_shared::ids::OrganisationId;
use coffer_shared::worker::{Answer, Failure, Job};

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::keys::{secret, unexpected};
use super::streamed::StreamedDownload;
use crate::crypto_worker;
use crate::i18n::{tf, tr};
use crate::ui::Problem;

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
        Answer::Failed(Failure::Cancelled) => tr("Cancelled").into(),
        Answer::Failed(Failure::Unwritable) => {
            tr("The browser could not write the file; check the space on the disk.").into()
        }
        _ => unexpected(),
    }
}

/// Files larger than this are written as they are decrypted (bounded
/// memory): into a file the person chooses where the browser has a save
/// dialog for the page, else to the browser's downloads through the
/// download service worker. Smaller ones go to the downloads as one
/// `Blob`, without asking where.
pub(super) const STREAM_ABOVE: u64 = 64 << 20;

/// Where a download or export goes.
pub(super) enum Target {
    /// The handle of the file chosen in the browser's save dialog.
    Chosen(wasm_bindgen::JsValue),
    /// The browser's downloads, streamed by the download service worker.
    Streamed(StreamedDownload),
    /// The browser's downloads, from a `Blob`.
    Downloads,
    /// The person closed the save dialog.
    Declined,
}

impl Target {
    /// What the crypto worker writes into (`None`: a `Blob`); a streamed
    /// download starts in the browser's downloads now.
    pub(super) fn open(&mut self) -> Option<wasm_bindgen::JsValue> {
        match self {
            Target::Chosen(handle) => Some(handle.clone()),
            Target::Streamed(streamed) => {
                streamed.start();
                Some(streamed.port())
            }
            Target::Downloads | Target::Declined => None,
        }
    }
}

/// Where to save `name` when it is `size` bytes (`exact` when the
/// download will be exactly that long): over `STREAM_ABOVE`, a file chosen
/// in the save dialog (`showSaveFilePicker`), else a stream through the
/// download service worker. Called before anything else is awaited: the
/// dialog needs the click's activation.
pub(super) async fn target_for(name: &str, size: u64, exact: bool) -> Target {
    use wasm_bindgen::JsValue;
    if size <= STREAM_ABOVE {
        return Target::Downloads;
    }
    let Some(window) = web_sys::window() else {
        return Target::Downloads;
    };
    let Some(picker) = js_sys::Reflect::get(&window, &JsValue::from("showSaveFilePicker"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    else {
        let length = exact.then_some(size);
        return match StreamedDownload::prepare(name, length).await {
            Some(streamed) => Target::Streamed(streamed),
            None => Target::Downloads,
        };
    };
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"suggestedName".into(), &name.into());
    let Ok(promise) = picker.call1(&window, &options) else {
        return Target::Downloads;
    };
    match wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(promise)).await {
        Ok(handle) => Target::Chosen(handle),
        Err(e) => {
            let aborted = e
                .dyn_ref::<web_sys::DomException>()
                .is_some_and(|e| e.name() == "AbortError");
            if aborted {
                Target::Declined
            } else {
                Target::Downloads
            }
        }
    }
}

/// Downloads a file: checked and decrypted in the worker, then written
/// into the chosen file or handed to the browser's downloads under its
/// name. `None` when the person closed the save dialog or cancelled the
/// download in the browser's downloads.
/// A download's progress, said in `notice`.
pub fn progress_in(notice: RwSignal<Option<String>>, name: String) -> Rc<dyn Fn(u64, u64)> {
    Rc::new(move |done, total| {
        notice.set(Some(tf(
            "Downloading “{0}”: {1} of {2}",
            &[
                ("0", &name),
                ("1", &size_label(done)),
                ("2", &size_label(total)),
            ],
        )));
    })
}

pub async fn download(
    organisation_id: OrganisationId,
    node: NodeView,
    name: String,
    size: u64,
    progress: Rc<dyn Fn(u64, u64)>,
) -> Result<Option<String>, Problem> {
    let target = match target_for(&name, size, true).await {
        Target::Declined => return Ok(None),
        target => target,
    };
    match fetch_decrypted(organisation_id, node, target, Some(progress)).await? {
        Decrypted::Blob(blob) => save(&blob, &name).ok_or_else(unexpected)?,
        Decrypted::Written => {}
        Decrypted::Cancelled => return Ok(None),
    }
    Ok(Some(name))
}

/// What became of a file the worker fetched, checked and decrypted.
enum Decrypted {
    /// Into the target (the chosen file, the streamed download).
    Written,
    /// Its plaintext, for the page (downloads of small files, previews).
    Blob(web_sys::Blob),
    /// The person cancelled the streamed download in the browser.
    Cancelled,
}

async fn fetch_decrypted(
    organisation_id: OrganisationId,
    node: NodeView,
    mut target: Target,
    progress: Option<Rc<dyn Fn(u64, u64)>>,
) -> Result<Decrypted, Problem> {
    let content = open_file(organisation_id, node.id).await?;
    let job = Job::Download {
        secret: secret()?,
        content,
    };
    // `target` lives until the worker answers (a streamed download's
    // service worker is pinged until then).
    let into = target.open();
    let (answer, blob) = crypto_worker::run_with(job, into, progress).await?;
    drop(target);
    match (answer, blob) {
        (Answer::Saved, _) => Ok(Decrypted::Written),
        (Answer::Downloaded, Some(blob)) => Ok(Decrypted::Blob(blob.unchecked_into())),
        (Answer::Failed(Failure::Cancelled), _) => Ok(Decrypted::Cancelled),
        (answer, _) => Err(transfer_failed(answer)),
    }
}

async fn decrypted(
    organisation_id: OrganisationId,
    node: NodeView,
) -> Result<web_sys::Blob, Problem> {
    match fetch_decrypted(organisation_id, node, Target::Downloads, None).await? {
        Decrypted::Blob(blob) => Ok(blob),
        Decrypted::Written | Decrypted::Cancelled => Err(unexpected()),
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
    // A member of several organisations has a plan in each: say whose.
    let session = crate::session::use_session();
    let heading = move || {
        let org = organisation.get().map(|(org, _)| org);
        session
            .account
            .with(|a| {
                let memberships = &a.as_ref()?.memberships;
                let m = memberships
                    .iter()
                    .find(|m| Some(&m.organisation_id) == org.as_ref())?;
                (memberships.len() > 1)
                    .then(|| tf("Storage in {0}", &[("0", &m.organisation_name)]))
            })
            .unwrap_or_else(|| tr("Storage").to_string())
    };
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
                    <h2>{heading}</h2>
                    {bar}
                    <p data-testid="usage">{words}</p>
                    <crate::ui::ErrorBox message=error />
                </section>
            }
        })
    }
}
