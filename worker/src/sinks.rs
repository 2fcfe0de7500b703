//! Where a download or an export is written (DESIGN "Moving bytes"). When
//! the page passes the handle of a file the person chose
//! (`showSaveFilePicker`), the bytes go into it as the parts are checked and
//! decrypted, so memory stays bounded by a part whatever the file's size;
//! an aborted transfer discards what was written and removes the file.
//! When it passes a `MessagePort` to Coffer's download service worker
//! (`public/download-sw.js`, for browsers without that dialog), each piece
//! goes there as soon as the browser's downloads want more, and memory
//! stays as bounded. Otherwise they are gathered into `Blob` pieces (which
//! the browser may keep on disk) that the page saves at the end.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, FileSystemWritableFileStream, MessageEvent, MessagePort};

use coffer_shared::worker::Failure;

#[wasm_bindgen]
extern "C" {
    /// A `FileSystemFileHandle` with the two methods `web-sys` keeps behind
    /// `web_sys_unstable_apis` (both shipped in Chromium's workers).
    #[wasm_bindgen(js_name = FileSystemFileHandle)]
    pub type ChosenFile;
    #[wasm_bindgen(method, js_name = createWritable)]
    fn create_writable(this: &ChosenFile) -> js_sys::Promise;
    /// Chromium's `FileSystemHandle.remove()`: drops the emptied file.
    #[wasm_bindgen(method, catch)]
    fn remove(this: &ChosenFile) -> Result<js_sys::Promise, JsValue>;
}

/// Bytes gathered before they become one `Blob` piece.
const SPILL: usize = 16 << 20;

pub enum Sink {
    /// The chosen file, written through a swap file the browser moves into
    /// place only on `close`.
    File {
        handle: ChosenFile,
        stream: FileSystemWritableFileStream,
    },
    /// The browser's downloads, through the download service worker.
    Streamed(Streamed),
    Pieces {
        pieces: Vec<Blob>,
        buffer: Vec<u8>,
    },
}

/// The port to the download service worker, and what it has said: "more"
/// each time the browser's downloads want a piece, "cancelled" when the
/// person cancelled the download.
pub struct Streamed {
    port: MessagePort,
    said: futures_channel::mpsc::UnboundedReceiver<JsValue>,
    _listening: Closure<dyn FnMut(MessageEvent)>,
    wanted: u32,
}

impl Streamed {
    fn new(port: MessagePort) -> Streamed {
        let (tell, said) = futures_channel::mpsc::unbounded();
        let listening = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let _ = tell.unbounded_send(ev.data());
        });
        port.set_onmessage(Some(listening.as_ref().unchecked_ref()));
        Streamed {
            port,
            said,
            _listening: listening,
            wanted: 0,
        }
    }

    /// Takes in what the service worker said; `wait` until the downloads
    /// want a piece.
    async fn heard(&mut self, wait: bool) -> Result<(), Failure> {
        loop {
            let next = if wait && self.wanted == 0 {
                self.said.recv().await.ok()
            } else {
                match self.said.try_recv() {
                    Ok(message) => Some(message),
                    // Nothing more for now (or the listener is gone, which
                    // the next wait reports).
                    Err(_) => return Ok(()),
                }
            };
            match next.and_then(|m| m.as_string()).as_deref() {
                Some("more") => self.wanted += 1,
                Some("cancelled") => return Err(Failure::Cancelled),
                _ => return Err(Failure::Unwritable),
            }
        }
    }

    /// No more is heard (the listener goes with the sink); what was
    /// posted is still delivered.
    fn hang_up(&self) {
        self.port.set_onmessage(None);
        self.port.close();
    }

    async fn put(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        self.heard(false).await?;
        if bytes.is_empty() {
            return Ok(());
        }
        self.heard(true).await?;
        self.wanted -= 1;
        // A copy the service worker takes over (transferred, not copied
        // again).
        let buffer = Uint8Array::from(bytes).buffer();
        self.port
            .post_message_with_transferable(&buffer, &Array::of1(&buffer))
            .map_err(|_| Failure::Unwritable)
    }
}

/// What a finished sink leaves for the page.
pub enum Written {
    /// In the chosen file already.
    Saved,
    /// For the page to hand to the browser's downloads.
    Blob(Blob),
}

impl Sink {
    /// The chosen file when `target` is its handle, the download service
    /// worker when it is a port to it, else `Blob` pieces.
    pub async fn open(target: Option<JsValue>) -> Result<Sink, Failure> {
        let target = match target.map(|t| t.dyn_into::<MessagePort>()) {
            Some(Ok(port)) => return Ok(Sink::Streamed(Streamed::new(port))),
            Some(Err(other)) => Some(other),
            None => None,
        };
        match target.and_then(|t| t.dyn_into::<ChosenFile>().ok()) {
            Some(handle) => {
                let stream = JsFuture::from(handle.create_writable())
                    .await
                    .map_err(|_| Failure::Unwritable)?;
                Ok(Sink::File {
                    handle,
                    stream: stream.unchecked_into(),
                })
            }
            None => Ok(Sink::Pieces {
                pieces: Vec::new(),
                buffer: Vec::new(),
            }),
        }
    }

    pub async fn put(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        match self {
            Sink::File { stream, .. } => {
                // A copy on the JavaScript side: the write completes after
                // this call, when the worker's memory may have moved on.
                let chunk = Uint8Array::from(bytes);
                let promise = stream
                    .write_with_js_u8_array(&chunk)
                    .map_err(|_| Failure::Unwritable)?;
                JsFuture::from(promise)
                    .await
                    .map_err(|_| Failure::Unwritable)?;
                Ok(())
            }
            Sink::Streamed(streamed) => streamed.put(bytes).await,
            Sink::Pieces { pieces, buffer } => {
                buffer.extend_from_slice(bytes);
                if buffer.len() >= SPILL {
                    spill(pieces, buffer)?;
                }
                Ok(())
            }
        }
    }

    /// Ends the file: moved into place, or the pieces joined as `mime`.
    pub async fn close(self, mime: &str) -> Result<Written, Failure> {
        match self {
            Sink::File { stream, .. } => {
                JsFuture::from(stream.close())
                    .await
                    .map_err(|_| Failure::Unwritable)?;
                Ok(Written::Saved)
            }
            Sink::Streamed(streamed) => {
                let ended = streamed.port.post_message(&"end".into());
                streamed.hang_up();
                ended.map_err(|_| Failure::Unwritable)?;
                Ok(Written::Saved)
            }
            Sink::Pieces {
                mut pieces,
                mut buffer,
            } => {
                spill(&mut pieces, &mut buffer)?;
                let pieces: Array = pieces.iter().collect();
                let bag = BlobPropertyBag::new();
                bag.set_type(mime);
                Blob::new_with_blob_sequence_and_options(&pieces, &bag)
                    .map(Written::Blob)
                    .map_err(|_| Failure::Unwritable)
            }
        }
    }

    /// Keeps nothing: the swap file is discarded and the chosen file (which
    /// the picker created empty) removed.
    pub async fn abort(self) {
        match self {
            Sink::File { handle, stream } => {
                let _ = JsFuture::from(stream.abort()).await;
                if let Ok(removed) = handle.remove() {
                    let _ = JsFuture::from(removed).await;
                }
            }
            // The browser fails the download and discards what it wrote.
            Sink::Streamed(streamed) => {
                let _ = streamed.port.post_message(&"abort".into());
                streamed.hang_up();
            }
            Sink::Pieces { .. } => {}
        }
    }
}

fn spill(pieces: &mut Vec<Blob>, buffer: &mut Vec<u8>) -> Result<(), Failure> {
    if buffer.is_empty() {
        return Ok(());
    }
    let bytes = Array::of1(&Uint8Array::from(&buffer[..]));
    let piece = Blob::new_with_u8_array_sequence(&bytes).map_err(|_| Failure::Unwritable)?;
    pieces.push(piece);
    buffer.clear();
    Ok(())
}

/// What a synchronous writer (the zip writer of an export) produces, held
/// until the transfer drains it into the sink between two parts.
#[derive(Clone, Default)]
pub struct Spool(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl Spool {
    pub fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.borrow_mut())
    }
}

impl std::io::Write for Spool {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
