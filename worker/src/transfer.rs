//! The worker's byte path (WebAssembly only): reading the chosen `File` in
//! slices, sending each part as soon as it is encrypted (retrying with
//! back-off after a drop, so an acknowledged part is never sent again),
//! and fetching, checking and decrypting a download part by part. Nothing
//! of a download reaches the page unless every check passed.

use std::cell::RefCell;
use std::rc::Rc;

use base64::Engine as _;
use coffer_crypto::{ContentHash, Cut};
use coffer_shared::files::{
    BoxExport, FileContent, PartReceipt, SigningKey, PART_CIPHER, PART_PLAIN,
};
use coffer_shared::ids::NodeId;
use coffer_shared::site;
use coffer_shared::worker::{Answer, Failure, Steer};
use js_sys::Uint8Array;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DedicatedWorkerGlobalScope, File, Headers, ReadableStreamDefaultReader, Request, RequestInit,
    Response,
};

use crate::files::{content_matches, open_download, Outgoing};
use crate::sinks::{Sink, Spool, Written};

/// Posts an answer (or progress) for job `id`, with a transferable
/// attachment when there is one.
pub type Post = Rc<dyn Fn(u32, Answer, Option<JsValue>)>;

/// How much of the file is read at once (each read is a round trip to
/// the browser's file reader).
const SLICE: u64 = 4 << 20;
/// Attempts per part before the transfer gives up (about a minute).
const TRIES: u32 = 8;

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = JsFuture::from(promise).await;
}

/// What became of a request after its retries.
enum Reply {
    Ok(Vec<u8>),
    /// Refused by the server: its `ApiError` JSON.
    Refused(String),
    Network,
}

/// The pause before attempt `attempt` (none before the first), growing
/// from half a second to eight.
async fn back_off(attempt: u32) {
    if attempt > 0 {
        sleep(500 * (1 << (attempt - 1).min(4))).await;
    }
}

/// Answers worth asking again: a server fault, a timeout, "busy". Any
/// other refusal is final.
fn passing(status: u16) -> bool {
    status >= 500 || status == 408 || status == 429
}

/// A part's `PUT`, with retries (`back_off`, `passing`, network errors).
async fn put(url: &str, part: &Outbound) -> Reply {
    for attempt in 0..TRIES {
        back_off(attempt).await;
        let init = RequestInit::new();
        init.set_method("PUT");
        let Ok(headers) = Headers::new() else {
            return Reply::Network;
        };
        let digest = base64::engine::general_purpose::STANDARD.encode(part.sha256);
        let _ = headers.set("Content-Digest", &format!("sha-256=:{digest}:"));
        let _ = headers.set("Content-Type", "application/octet-stream");
        init.set_headers(&headers);
        init.set_body(&part.body);
        let Ok(req) = Request::new_with_str_and_init(url, &init) else {
            return Reply::Network;
        };
        let Ok(resp) = JsFuture::from(scope().fetch_with_request(&req)).await else {
            continue;
        };
        let resp: Response = resp.unchecked_into();
        let status = resp.status();
        let Ok(buffer) = resp.array_buffer() else {
            continue;
        };
        let Ok(buffer) = JsFuture::from(buffer).await else {
            continue;
        };
        let bytes = Uint8Array::new(&buffer).to_vec();
        if resp.ok() {
            return Reply::Ok(bytes);
        }
        if passing(status) {
            continue;
        }
        return Reply::Refused(String::from_utf8_lossy(&bytes).into_owned());
    }
    Reply::Network
}

/// A download part: fetched as it streams in and, after a drop, asked for
/// again from the first byte not yet here (`Range`), so what arrived is
/// kept. A server that answers the whole part instead is taken at its word.
async fn fetch_part(url: &str) -> Reply {
    let mut got: Vec<u8> = Vec::new();
    for attempt in 0..TRIES {
        back_off(attempt).await;
        let init = RequestInit::new();
        init.set_method("GET");
        if !got.is_empty() {
            let Ok(headers) = Headers::new() else {
                return Reply::Network;
            };
            let _ = headers.set("Range", &format!("bytes={}-", got.len()));
            init.set_headers(&headers);
        }
        let Ok(req) = Request::new_with_str_and_init(url, &init) else {
            return Reply::Network;
        };
        let Ok(resp) = JsFuture::from(scope().fetch_with_request(&req)).await else {
            continue;
        };
        let resp: Response = resp.unchecked_into();
        match resp.status() {
            200 => got.clear(),
            206 if resumes_at(&resp) == Some(got.len() as u64) => {}
            // Not where this download stopped: start the part again.
            206 | 416 => {
                got.clear();
                continue;
            }
            s if passing(s) => continue,
            _ => {
                let text = match resp.text() {
                    Ok(p) => JsFuture::from(p).await.ok().and_then(|t| t.as_string()),
                    Err(_) => None,
                };
                return Reply::Refused(text.unwrap_or_default());
            }
        }
        if read_body(&resp, &mut got).await.is_ok() {
            return Reply::Ok(got);
        }
    }
    Reply::Network
}

/// Where a `206` answer starts (`Content-Range: bytes 123-456/789`).
fn resumes_at(resp: &Response) -> Option<u64> {
    let range = resp.headers().get("Content-Range").ok()??;
    range
        .strip_prefix("bytes ")?
        .split_once('-')?
        .0
        .parse()
        .ok()
}

/// Appends the answer's body to `got` as it arrives; `Err` when the
/// connection drops (what arrived stays in `got`), or when more arrives
/// than a part can hold.
async fn read_body(resp: &Response, got: &mut Vec<u8>) -> Result<(), ()> {
    let body = resp.body().ok_or(())?;
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(|_| ())?;
        let done = js_sys::Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            return Ok(());
        }
        let value: Uint8Array = js_sys::Reflect::get(&chunk, &"value".into())
            .map_err(|_| ())?
            .unchecked_into();
        let at = got.len();
        if at + value.length() as usize > PART_CIPHER as usize {
            got.clear();
            return Err(());
        }
        got.resize(at + value.length() as usize, 0);
        value.copy_to(&mut got[at..]);
    }
}

fn failed(reply: Reply) -> Answer {
    match reply {
        Reply::Refused(text) => Answer::PartRefused(text),
        _ => Answer::Failed(Failure::Network),
    }
}

/// A part ready to send: its bytes already in the browser's memory (the
/// request body), and their SHA-256.
struct Outbound {
    n: u32,
    body: Uint8Array,
    sha256: [u8; 32],
}

impl Outbound {
    /// Copies the part out of WebAssembly once, as the body it will be
    /// sent as, and hashes it there.
    async fn of(cut: &Cut) -> Outbound {
        let body = Uint8Array::from(&cut.bytes[..]);
        let sha256 =
            match web_sha256(|subtle| subtle.digest_with_str_and_js_u8_array("SHA-256", &body))
                .await
            {
                Some(hash) => hash,
                None => coffer_crypto::sha256(&cut.bytes),
            };
        Outbound {
            n: cut.n,
            body,
            sha256,
        }
    }
}

/// SHA-256 by WebCrypto: the browser's native code (SHA-NI where the CPU
/// has it) on its own thread, several times faster than SHA-256 compiled
/// to WebAssembly. `None` where the page has no WebCrypto (a plain-HTTP
/// address other than localhost), and the caller hashes in WebAssembly.
async fn web_sha256(
    digest: impl FnOnce(&web_sys::SubtleCrypto) -> Result<js_sys::Promise, JsValue>,
) -> Option<[u8; 32]> {
    let subtle = scope().crypto().ok()?.subtle();
    // A page without WebCrypto has `crypto` but no `subtle`.
    if JsValue::from(subtle.clone()).is_undefined() {
        return None;
    }
    let promise = digest(&subtle).ok()?;
    let buffer = JsFuture::from(promise).await.ok()?;
    Uint8Array::new(&buffer).to_vec().try_into().ok()
}

/// The SHA-256 of bytes in WebAssembly's memory (WebCrypto copies them
/// before it answers), by WebCrypto where there is one.
async fn sha256_of(bytes: &[u8]) -> [u8; 32] {
    match web_sha256(|subtle| subtle.digest_with_str_and_u8_array("SHA-256", bytes)).await {
        Some(hash) => hash,
        None => coffer_crypto::sha256(bytes),
    }
}

async fn send_part(upload_id: &str, part: &Outbound) -> Result<(), Answer> {
    let url = site::upload_part(upload_id, part.n);
    match put(&url, part).await {
        Reply::Ok(body) => {
            let receipt: Option<PartReceipt> = serde_json::from_slice(&body).ok();
            if receipt.is_some_and(|r| r.sha256 == hex::encode(part.sha256)) {
                Ok(())
            } else {
                Err(Answer::Failed(Failure::Network))
            }
        }
        other => Err(failed(other)),
    }
}

async fn read_slice(file: &File, from: u64, to: u64) -> Option<Vec<u8>> {
    let blob = file.slice_with_f64_and_f64(from as f64, to as f64).ok()?;
    let buffer = JsFuture::from(blob.array_buffer()).await.ok()?;
    Some(Uint8Array::new(&buffer).to_vec())
}

thread_local! {
    /// What the page last asked of each upload in progress.
    static STEERING: std::cell::RefCell<std::collections::HashMap<String, Steer>> =
        Default::default();
}

/// Records what the page asks of `upload_id`; the transfer reads it
/// before each part.
pub fn steer(upload_id: String, to: Steer) {
    STEERING.with(|s| s.borrow_mut().insert(upload_id, to));
}

/// Waits while the upload is paused; `Err` once it is cancelled.
async fn steered(upload_id: &str) -> Result<(), Answer> {
    loop {
        match STEERING.with(|s| s.borrow().get(upload_id).copied()) {
            Some(Steer::Cancel) => return Err(Answer::Failed(Failure::Cancelled)),
            Some(Steer::Pause) => sleep(200).await,
            Some(Steer::Resume) | None => return Ok(()),
        }
    }
}

/// `SendFile`: every part sent and acknowledged, then the completion.
pub async fn send(
    id: u32,
    out: Option<Outgoing>,
    file: Option<File>,
    upload_id: String,
    secret: String,
    signing: SigningKey,
    post: Post,
) {
    let answer = match (out, file) {
        (Some(out), Some(file)) => send_all(id, out, &file, &upload_id, &secret, &signing, &post)
            .await
            .unwrap_or_else(|a| a),
        (None, _) => Answer::Failed(Failure::UnknownCeremony),
        (_, None) => Answer::Failed(Failure::Unreadable),
    };
    STEERING.with(|s| s.borrow_mut().remove(&upload_id));
    post(id, answer, None);
}

async fn send_all(
    id: u32,
    mut out: Outgoing,
    file: &File,
    upload_id: &str,
    secret: &str,
    signing: &SigningKey,
    post: &Post,
) -> Result<Answer, Answer> {
    let total = out.size();
    if file.size() as u64 != total {
        return Err(Answer::Failed(Failure::Unreadable));
    }
    // Parts on their way while the next is read and encrypted: the
    // network, the server's disk and the cipher work at the same time.
    let mut in_flight = InFlight::default();
    let mut offset = 0;
    while offset < total {
        let end = (offset + SLICE).min(total);
        let plain = read_slice(file, offset, end)
            .await
            .ok_or(Answer::Failed(Failure::Unreadable))?;
        offset = end;
        for cut in out.cut(&plain) {
            let part = Outbound::of(&cut).await;
            out.hashed(part.n, part.sha256);
            in_flight.send(upload_id, part, id, total, post).await?;
        }
    }
    let (cuts, mut closing) = out.cut_last();
    for cut in cuts {
        let part = Outbound::of(&cut).await;
        closing.hashed(part.n, part.sha256);
        in_flight.send(upload_id, part, id, total, post).await?;
    }
    let completion = closing
        .complete(secret, signing)
        .map_err(|_| Answer::Failed(Failure::UnwrapFailed))?;
    while let Some(sending) = in_flight.0.pop_front() {
        sending.done(id, total, post).await?;
    }
    Ok(Answer::FileSent(completion))
}

/// Parts sent at once, at most (DESIGN "Moving bytes": at most four).
const PARTS_IN_FLIGHT: usize = 3;

/// The parts on their way, oldest first.
#[derive(Default)]
struct InFlight(std::collections::VecDeque<Sending>);

impl InFlight {
    /// Starts sending `part` once there is room and the page has not
    /// paused or cancelled the upload; progress is reported in order.
    async fn send(
        &mut self,
        upload_id: &str,
        part: Outbound,
        id: u32,
        total: u64,
        post: &Post,
    ) -> Result<(), Answer> {
        while self.0.len() >= PARTS_IN_FLIGHT {
            if let Some(oldest) = self.0.pop_front() {
                oldest.done(id, total, post).await?;
            }
        }
        steered(upload_id).await?;
        self.0.push_back(Sending::start(upload_id, part));
        Ok(())
    }
}

/// A part being sent in the background.
struct Sending {
    n: u32,
    answer: futures_channel::oneshot::Receiver<Result<(), Answer>>,
}

impl Sending {
    fn start(upload_id: &str, part: Outbound) -> Sending {
        let (tell, answer) = futures_channel::oneshot::channel();
        let upload_id = upload_id.to_string();
        let n = part.n;
        wasm_bindgen_futures::spawn_local(async move {
            let _ = tell.send(send_part(&upload_id, &part).await);
        });
        Sending { n, answer }
    }

    /// Waits for the part's acknowledgement, then reports progress.
    async fn done(self, id: u32, total: u64, post: &Post) -> Result<(), Answer> {
        self.answer
            .await
            .unwrap_or(Err(Answer::Failed(Failure::Network)))?;
        let done = (u64::from(self.n) + 1)
            .saturating_mul(PART_PLAIN)
            .min(total);
        post(id, Answer::Progress { done, total }, None);
        Ok(())
    }
}

/// `Download`: every part fetched, checked against the signed manifest and
/// decrypted into `target` (the chosen file) or `Blob` pieces; the
/// plaintext's hash checked against the sealed record before the file is
/// closed, so nothing of a file that fails a check is kept.
pub async fn download(
    id: u32,
    secret: String,
    content: FileContent,
    target: Option<JsValue>,
    post: Post,
) {
    let mut sink = match Sink::open(target).await {
        Ok(sink) => sink,
        Err(failure) => return post(id, Answer::Failed(failure), None),
    };
    match download_into(id, &secret, &content, &mut sink, &post).await {
        Ok(mime) => finish(id, sink, &mime, Answer::Downloaded, &post).await,
        Err(answer) => {
            sink.abort().await;
            post(id, answer, None);
        }
    }
}

/// Closes the sink and answers: `Saved`, or `with_blob` and the `Blob`.
async fn finish(id: u32, sink: Sink, mime: &str, with_blob: Answer, post: &Post) {
    match sink.close(mime).await {
        Ok(Written::Saved) => post(id, Answer::Saved, None),
        Ok(Written::Blob(blob)) => post(id, with_blob, Some(blob.into())),
        Err(failure) => post(id, Answer::Failed(failure), None),
    }
}

async fn download_into(
    id: u32,
    secret: &str,
    content: &FileContent,
    sink: &mut Sink,
    post: &Post,
) -> Result<String, Answer> {
    let tampered = || Answer::Failed(Failure::Tampered);
    let (mut reader, facts) = open_download(secret, content).map_err(|_| tampered())?;
    let node = content.file_id().ok_or_else(tampered)?;
    let mut hash = ContentHash::default();
    let mut done = 0u64;
    let parts = reader.parts();
    let mut ahead = std::collections::VecDeque::new();
    let mut next = 0;
    for _ in 0..parts {
        // The next parts are on their way while this one is decrypted.
        while next < parts && ahead.len() < PARTS_AHEAD {
            ahead.push_back(fetching(site::file_part(
                &content.organisation_id,
                node,
                next,
            )));
            next += 1;
        }
        let reply = match ahead.pop_front() {
            Some(coming) => coming.await.unwrap_or(Reply::Network),
            None => Reply::Network,
        };
        let bytes = match reply {
            Reply::Ok(bytes) => bytes,
            other => return Err(failed(other)),
        };
        let sha256 = sha256_of(&bytes).await;
        let plain = reader
            .part_hashed(&bytes, &sha256)
            .map_err(|_| tampered())?;
        hash.update(&plain);
        done += plain.len() as u64;
        sink.put(&plain).await.map_err(Answer::Failed)?;
        post(
            id,
            Answer::Progress {
                done,
                total: content.plain_size,
            },
            None,
        );
    }
    if !content_matches(&facts, &hash.hex()) {
        return Err(tampered());
    }
    Ok(facts.mime)
}

/// Parts of a download fetched ahead of the one being decrypted.
const PARTS_AHEAD: usize = 3;

/// Fetches `url` in the background (with the retries of `request`).
fn fetching(url: String) -> futures_channel::oneshot::Receiver<Reply> {
    let (tell, answer) = futures_channel::oneshot::channel();
    wasm_bindgen_futures::spawn_local(async move {
        let _ = tell.send(fetch_part(&url).await);
    });
    answer
}

/// `Export` (BOX-8): the zip, written into `target` (the chosen file) or
/// `Blob` pieces as the parts arrive, never whole in this worker's memory.
pub async fn export(
    id: u32,
    secret: String,
    export: BoxExport,
    passphrase: String,
    target: Option<JsValue>,
    post: Post,
) {
    let plan = match crate::export::plan(&secret, &export, &passphrase) {
        Ok(plan) => plan,
        Err(_) => return post(id, Answer::Failed(Failure::Tampered), None),
    };
    let sink = match Sink::open(target).await {
        Ok(sink) => Rc::new(RefCell::new(Some(sink))),
        Err(failure) => return post(id, Answer::Failed(failure), None),
    };
    // The zip writer writes into the spool; before each part is fetched,
    // what it wrote so far goes on into the sink.
    let spool = Spool::default();
    let organisation = export.organisation_id.clone();
    let fetch = |node: NodeId, n: u32| {
        let url = site::file_part(&organisation, &node, n);
        let (sink, spool) = (sink.clone(), spool.clone());
        async move {
            drain(&sink, &spool).await?;
            match fetch_part(&url).await {
                Reply::Ok(bytes) => {
                    let sha256 = sha256_of(&bytes).await;
                    Ok((bytes, sha256))
                }
                _ => Err(Failure::Network),
            }
        }
    };
    let progress = |done, total| post(id, Answer::Progress { done, total }, None);
    let written = match crate::export::write(plan, spool.clone(), fetch, progress).await {
        Ok(_) => drain(&sink, &spool).await,
        Err(failure) => Err(failure),
    };
    let Some(sink) = sink.borrow_mut().take() else {
        return post(id, Answer::Failed(Failure::Unwritable), None);
    };
    match written {
        Ok(()) => finish(id, sink, "application/zip", Answer::Exported, &post).await,
        Err(failure) => {
            sink.abort().await;
            post(id, Answer::Failed(failure), None);
        }
    }
}

/// Moves what the spool holds into the sink (taken out of its cell while
/// the write is awaited, so no borrow is held across it).
async fn drain(sink: &RefCell<Option<Sink>>, spool: &Spool) -> Result<(), Failure> {
    let Some(mut taken) = sink.borrow_mut().take() else {
        return Err(Failure::Unwritable);
    };
    let result = taken.put(&spool.take()).await;
    *sink.borrow_mut() = Some(taken);
    result
}
