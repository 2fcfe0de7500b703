//! BOX-1, BOX-8: a large download or export in a browser without a save
//! dialog for the page (Firefox, Safari) goes to the browser's downloads as
//! a stream, through Coffer's download service worker
//! (`public/download-sw.js`, DESIGN "Moving bytes"). The page introduces
//! the crypto worker to the service worker (a `MessageChannel`), then opens
//! the download's address in a hidden frame, which the service worker
//! answers with the stream the crypto worker fills as it checks and
//! decrypts each part.

use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageChannel, MessageEvent, MessagePort, ServiceWorker};

const SCRIPT: &str = "/public/download-sw.js";
const SCOPE: &str = "/public/download/";
/// How long the service worker may take to start or to answer.
const WAIT_MS: i32 = 5_000;
/// The service worker is pinged this often while a download runs: a
/// browser may stop one that hears nothing, even mid-stream.
const PING_MS: i32 = 10_000;

/// A download the service worker is ready to stream.
pub struct StreamedDownload {
    worker: ServiceWorker,
    /// The crypto worker's end of the channel.
    port: MessagePort,
    url: String,
    frame: Option<web_sys::HtmlIFrameElement>,
    pings: Option<(i32, Closure<dyn FnMut()>)>,
}

impl StreamedDownload {
    /// Tells the service worker about a download of `name` (`size` bytes
    /// when known); `None` when there is no service worker to take it
    /// (none in this browser, blocked, or it did not answer in time).
    pub async fn prepare(name: &str, size: Option<u64>) -> Option<StreamedDownload> {
        let worker = download_worker().await?;
        let id = random_id()?;
        let channel = MessageChannel::new().ok()?;
        let ready = MessageChannel::new().ok()?;
        let message = Object::new();
        let set = |k: &str, v: &JsValue| Reflect::set(&message, &k.into(), v).is_ok();
        let filled = set("id", &id.as_str().into())
            && set("name", &name.into())
            && set("port", &channel.port1())
            && set("ready", &ready.port1())
            && size.is_none_or(|s| set("size", &(s as f64).into()));
        if !filled {
            return None;
        }
        let answered = answer_on(&ready.port2());
        let moved = Array::of2(&channel.port1(), &ready.port1());
        worker
            .post_message_with_transferable(&message, &moved)
            .ok()?;
        within(answered, WAIT_MS).await?.ok()?;
        Some(StreamedDownload {
            worker,
            port: channel.port2(),
            url: format!("{SCOPE}{id}"),
            frame: None,
            pings: None,
        })
    }

    /// What the crypto worker writes into.
    pub fn port(&self) -> JsValue {
        self.port.clone().into()
    }

    /// Opens the download's address in a hidden frame (a navigation, which
    /// the service worker answers with the stream and the browser turns
    /// into a download; a link with `download` would not reach it) and
    /// keeps the service worker awake until this is dropped.
    pub fn start(&mut self) -> Option<()> {
        let window = web_sys::window()?;
        let document = window.document()?;
        let frame: web_sys::HtmlIFrameElement =
            document.create_element("iframe").ok()?.unchecked_into();
        frame.set_hidden(true);
        frame.set_src(&self.url);
        document.body()?.append_child(&frame).ok()?;
        self.frame = Some(frame);
        let worker = self.worker.clone();
        let ping = Closure::<dyn FnMut()>::new(move || {
            let _ = worker.post_message(&"ping".into());
        });
        let timer = window
            .set_interval_with_callback_and_timeout_and_arguments_0(
                ping.as_ref().unchecked_ref(),
                PING_MS,
            )
            .ok()?;
        self.pings = Some((timer, ping));
        Some(())
    }
}

impl Drop for StreamedDownload {
    /// The download is the browser's now: the frame and the pings go.
    fn drop(&mut self) {
        if let (Some((timer, _)), Some(window)) = (self.pings.take(), web_sys::window()) {
            window.clear_interval_with_handle(timer);
        }
        if let Some(frame) = self.frame.take() {
            frame.remove();
        }
    }
}

/// The download service worker, registered on first use, once active.
async fn download_worker() -> Option<ServiceWorker> {
    let container = web_sys::window()?.navigator().service_worker();
    // Browsers without service workers (or private modes that refuse
    // them) have no `register`.
    if JsValue::from(container.clone()).is_undefined() {
        return None;
    }
    let options = web_sys::RegistrationOptions::new();
    options.set_scope(SCOPE);
    let registered = container.register_with_options(SCRIPT, &options);
    let registration: web_sys::ServiceWorkerRegistration =
        within(JsFuture::from(registered), WAIT_MS)
            .await?
            .ok()?
            .unchecked_into();
    for _ in 0..(WAIT_MS / 50) {
        if let Some(active) = registration.active() {
            if active.state() == web_sys::ServiceWorkerState::Activated {
                return Some(active);
            }
        }
        sleep(50).await;
    }
    None
}

/// 16 random bytes as 32 hex digits: the download's name in the link.
fn random_id() -> Option<String> {
    let crypto = web_sys::window()?.crypto().ok()?;
    let mut bytes = [0u8; 16];
    crypto.get_random_values_with_u8_array(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Resolves with the first message `port` hears.
fn answer_on(port: &MessagePort) -> JsFuture {
    let port = port.clone();
    JsFuture::from(Promise::new(&mut |resolve, _| {
        let heard = Closure::once_into_js(move |ev: MessageEvent| {
            let _ = resolve.call1(&JsValue::NULL, &ev.data());
        });
        port.set_onmessage(Some(heard.unchecked_ref()));
    }))
}

async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// `future`'s answer, or `None` after `ms`.
async fn within<F: std::future::Future>(future: F, ms: i32) -> Option<F::Output> {
    use std::future::Future as _;
    use std::pin::pin;
    use std::task::Poll;
    let mut future = pin!(future);
    let mut timer = pin!(sleep(ms));
    std::future::poll_fn(|cx| {
        if let Poll::Ready(out) = future.as_mut().poll(cx) {
            return Poll::Ready(Some(out));
        }
        timer.as_mut().poll(cx).map(|()| None)
    })
    .await
}
