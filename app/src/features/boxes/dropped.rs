//! BOX-1: what a person drops on a folder's table. Files come as they are;
//! a dropped folder is walked through the browser's entries API
//! (`webkitGetAsEntry`, in every current browser) into its files, each
//! with its path inside the drop, and its folders, empty ones too, so its
//! tree is made again the way a picked folder's is.

use coffer_shared::boxes::check_name;
use js_sys::{Array, Function, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DataTransfer, File, FileSystemDirectoryEntry, FileSystemDirectoryReader, FileSystemEntry,
    FileSystemFileEntry,
};

use crate::i18n::tf;
use crate::ui::Problem;

/// A file to upload and where it sat in what was picked or dropped
/// (`Photos/2024/a.jpg`; only its name when it came by itself).
#[derive(Clone)]
pub struct Placed {
    pub file: File,
    pub path: String,
}

/// A folder's worth of files and the folders to make for them.
#[derive(Clone, Default)]
pub struct Tree {
    pub files: Vec<Placed>,
    /// Every folder of the tree, parents before their children (the
    /// folders of the files' paths are among them, and empty ones too).
    pub folders: Vec<String>,
}

impl Tree {
    /// A picked folder (`webkitdirectory`): each file knows its path.
    pub fn picked(files: Vec<File>) -> Tree {
        let files = files
            .into_iter()
            .map(|file| Placed {
                path: relative_path(&file),
                file,
            })
            .collect();
        Tree {
            files,
            folders: Vec::new(),
        }
    }
}

/// Where a file of a picked folder sat in it (`webkitRelativePath`, which
/// `web-sys` does not bind); empty for a single file.
fn relative_path(file: &File) -> String {
    js_sys::Reflect::get(file, &"webkitRelativePath".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// The drop's entries, taken while the drop event lasts (the browser
/// empties the data transfer after it).
pub fn entries(data: &DataTransfer) -> Vec<FileSystemEntry> {
    let items = data.items();
    (0..items.length())
        .filter_map(|i| items.get(i))
        .filter(|item| item.kind() == "file")
        .filter_map(|item| item.webkit_get_as_entry().ok().flatten())
        .collect()
}

/// Whether a folder was dropped (and not only files).
pub fn holds_a_folder(entries: &[FileSystemEntry]) -> bool {
    entries.iter().any(FileSystemEntry::is_directory)
}

/// Every file and folder under the dropped entries.
pub async fn walk(entries: Vec<FileSystemEntry>) -> Result<Tree, Problem> {
    let mut tree = Tree::default();
    let mut todo: Vec<(FileSystemEntry, String)> = entries
        .into_iter()
        .map(|e| {
            let name = e.name();
            (e, name)
        })
        .collect();
    while let Some((entry, path)) = todo.pop() {
        // A name the browser hands over may still be one Coffer refuses
        // ("..", or with "/" on some systems): say which before anything
        // is made.
        check_name(&entry.name()).map_err(|e| Problem::Api(e.into()))?;
        if entry.is_directory() {
            let reader = entry
                .unchecked_into::<FileSystemDirectoryEntry>()
                .create_reader();
            // Chromium answers at most 100 entries a call: read until empty.
            loop {
                let batch = read_entries(&reader).await.map_err(|_| unreadable(&path))?;
                if batch.is_empty() {
                    break;
                }
                for e in batch {
                    let inner = format!("{path}/{}", e.name());
                    todo.push((e, inner));
                }
            }
            tree.folders.push(path);
        } else if entry.is_file() {
            let file = file_of(entry.unchecked_ref())
                .await
                .map_err(|_| unreadable(&path))?;
            tree.files.push(Placed { file, path });
        }
    }
    // Parents sort before their children; files queue in name order.
    tree.folders.sort();
    tree.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(tree)
}

fn unreadable(path: &str) -> Problem {
    Problem::from(tf(
        "The browser could not read “{0}” from what was dropped.",
        &[("0", path)],
    ))
}

/// A callback API's answer as a future: `call(resolve, reject)`.
async fn answer(
    call: impl Fn(&Function, &Function) -> Result<(), JsValue>,
) -> Result<JsValue, JsValue> {
    let mut failed = None;
    let promise = Promise::new(&mut |resolve, reject| {
        if let Err(e) = call(&resolve, &reject) {
            failed = Some(e);
        }
    });
    if let Some(e) = failed {
        return Err(e);
    }
    JsFuture::from(promise).await
}

async fn read_entries(reader: &FileSystemDirectoryReader) -> Result<Vec<FileSystemEntry>, JsValue> {
    let batch = answer(|ok, err| reader.read_entries_with_callback_and_callback(ok, err)).await?;
    Ok(batch
        .unchecked_into::<Array>()
        .iter()
        .map(JsCast::unchecked_into)
        .collect())
}

async fn file_of(entry: &FileSystemFileEntry) -> Result<File, JsValue> {
    let file = answer(|ok, err| {
        entry.file_with_callback_and_callback(ok, err);
        Ok(())
    })
    .await?;
    file.dyn_into::<File>()
}
