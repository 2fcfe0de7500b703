//! Where a download or an export is written (DESIGN "Moving bytes"). When
//! the page passes the handle of a file the person chose
//! (`showSaveFilePicker`), the bytes go into it as the parts are checked and
//! decrypted, so memory stays bounded by a part whatever the file's size;
//! an aborted transfer discards what was written and removes the file.
//! Otherwise they are gathered into `Blob` pieces (which the browser may
//! keep on disk) that the page saves at the end.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, FileSystemWritableFileStream};

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
    Pieces {
        pieces: Vec<Blob>,
        buffer: Vec<u8>,
    },
}

/// What a finished sink leaves for the page.
pub enum Written {
    /// In the chosen file already.
    Saved,
    /// For the page to hand to the browser's downloads.
    Blob(Blob),
}

impl Sink {
    /// The chosen file when `target` is its handle, else `Blob` pieces.
    pub async fn open(target: Option<JsValue>) -> Result<Sink, Failure> {
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
        if let Sink::File { handle, stream } = self {
            let _ = JsFuture::from(stream.abort()).await;
            if let Ok(removed) = handle.remove() {
                let _ = JsFuture::from(removed).await;
            }
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
