//! The page's handle on the crypto worker (`worker/`): started once the
//! first page is drawn, it runs every cryptographic step. Jobs are posted
//! as JSON text and answered in order; jobs posted before the worker says
//! it is ready wait here, since a worker drops messages that arrive before
//! its handler is set.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use coffer_api::ApiError;
use coffer_shared::worker::{Answer, Envelope, Job};
use js_sys::{Function, Promise};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageEvent, Worker};

/// Trunk's loader for the worker's wasm-bindgen module (not content-hashed:
/// the server lets browsers keep it only after asking again).
const LOADER: &str = "/coffer-worker_loader.js";

struct Client {
    worker: Worker,
    ready: bool,
    /// Jobs posted before `Ready`.
    /// Jobs posted before the worker was ready, with what they move.
    waiting: Vec<(JsValue, Option<js_sys::Array>)>,
    /// The resolve function of each job's promise.
    pending: HashMap<u32, Function>,
    /// Where a transfer's progress goes, by job.
    progress: HashMap<u32, Rc<dyn Fn(u64, u64)>>,
    next: u32,
}

thread_local! {
    static CLIENT: RefCell<Option<Client>> = const { RefCell::new(None) };
}

fn unavailable() -> ApiError {
    ApiError::Request {
        message: "the browser's crypto worker could not be started".into(),
    }
}

/// Starts the worker if it is not running (called once the first page is
/// drawn, so its download does not delay the page).
pub fn start() {
    CLIENT.with(|c| {
        if c.borrow().is_none() {
            *c.borrow_mut() = spawn();
        }
    });
}

/// `start` once the browser has drawn the page and is idle (or after a
/// moment where it cannot say).
pub fn start_when_idle() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let callback = Closure::once_into_js(start);
    let idle = js_sys::Reflect::get(&window, &"requestIdleCallback".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok());
    match idle {
        Some(request) => {
            let _ = request.call1(&window, &callback);
        }
        None => {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                callback.unchecked_ref(),
                200,
            );
        }
    }
}

fn spawn() -> Option<Client> {
    let worker = Worker::new(LOADER).ok()?;
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        // An answer is JSON text, or [text, attachment] (a download's Blob).
        let data = event.data();
        let text = match data.dyn_ref::<js_sys::Array>() {
            Some(pair) => pair.get(0).as_string(),
            None => data.as_string(),
        };
        let Some(text) = text else {
            return;
        };
        let Ok(answer) = serde_json::from_str::<Envelope<Answer>>(&text) else {
            return;
        };
        match answer.body {
            Answer::Ready => {
                flush_waiting();
                return;
            }
            Answer::Progress { done, total } => {
                let report = CLIENT.with(|c| {
                    c.borrow()
                        .as_ref()
                        .and_then(|c| c.progress.get(&answer.id).cloned())
                });
                if let Some(report) = report {
                    report(done, total);
                }
                return;
            }
            _ => {}
        }
        let resolve = CLIENT.with(|c| {
            c.borrow_mut().as_mut().and_then(|c| {
                c.progress.remove(&answer.id);
                c.pending.remove(&answer.id)
            })
        });
        if let Some(resolve) = resolve {
            let _ = resolve.call1(&JsValue::NULL, &data);
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let on_error = Closure::<dyn FnMut(JsValue)>::new(|_: JsValue| fail_all());
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    Some(Client {
        worker,
        ready: false,
        waiting: Vec::new(),
        pending: HashMap::new(),
        progress: HashMap::new(),
        next: 0,
    })
}

fn flush_waiting() {
    CLIENT.with(|c| {
        if let Some(c) = c.borrow_mut().as_mut() {
            c.ready = true;
            for (message, moved) in c.waiting.drain(..) {
                post(&c.worker, &message, moved.as_ref());
            }
        }
    });
}

fn post(worker: &web_sys::Worker, message: &JsValue, moved: Option<&js_sys::Array>) {
    let _ = match moved {
        Some(moved) => worker.post_message_with_transfer(message, moved),
        None => worker.post_message(message),
    };
}

/// The worker failed to load or crashed: every waiting job ends, and the
/// next job starts a new worker.
fn fail_all() {
    let pending = CLIENT.with(|c| c.borrow_mut().take().map(|c| c.pending));
    for resolve in pending.into_iter().flat_map(|p| p.into_values()) {
        let _ = resolve.call1(&JsValue::NULL, &JsValue::UNDEFINED);
    }
}

/// Runs one job in the worker.
pub async fn run(job: Job) -> Result<Answer, ApiError> {
    run_with(job, None, None).await.map(|(answer, _)| answer)
}

/// Runs one job with an attachment posted beside it (a `File` to upload),
/// reporting its progress; answers with what the worker posted beside its
/// answer (a download's `Blob`).
pub async fn run_with(
    job: Job,
    attachment: Option<JsValue>,
    progress: Option<Rc<dyn Fn(u64, u64)>>,
) -> Result<(Answer, Option<JsValue>), ApiError> {
    start();
    let mut posted = false;
    let promise = Promise::new(&mut |resolve, _reject| {
        CLIENT.with(|c| {
            let mut c = c.borrow_mut();
            let Some(c) = c.as_mut() else { return };
            c.next += 1;
            let id = c.next;
            let Ok(text) = serde_json::to_string(&Envelope {
                id,
                body: job.clone(),
            }) else {
                return;
            };
            c.pending.insert(id, resolve);
            if let Some(report) = progress.clone() {
                c.progress.insert(id, report);
            }
            let message = match &attachment {
                None => JsValue::from_str(&text),
                Some(a) => js_sys::Array::of2(&JsValue::from_str(&text), a).into(),
            };
            // A port (to the download service worker) can only be moved,
            // not copied.
            let moved = attachment
                .as_ref()
                .filter(|a| a.is_instance_of::<web_sys::MessagePort>())
                .map(js_sys::Array::of1);
            if c.ready {
                post(&c.worker, &message, moved.as_ref());
            } else {
                c.waiting.push((message, moved));
            }
            posted = true;
        });
    });
    if !posted {
        return Err(unavailable());
    }
    let data = JsFuture::from(promise).await.map_err(|_| unavailable())?;
    let (text, beside) = match data.dyn_ref::<js_sys::Array>() {
        Some(pair) => (pair.get(0).as_string(), Some(pair.get(1))),
        None => (data.as_string(), None),
    };
    let text = text.ok_or_else(unavailable)?;
    serde_json::from_str::<Envelope<Answer>>(&text)
        .map(|e| (e.body, beside))
        .map_err(|_| unavailable())
}
