//! BOX-8 in the worker, in plain Rust (tested natively): an export of a box
//! or folder as one zip that opens without Coffer. Every file goes in as
//! Coffer stores it — its age header, then its payload — under its
//! decrypted path with `.age` added; `identities.age` holds each file's
//! identity, sealed with the passphrase the member typed. Every name,
//! key and manifest is checked as a download checks them, and every part's
//! hash as it arrives, so a server cannot slip a changed file into an
//! export either.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::io::Write;

use coffer_crypto::{seal_with_passphrase, CryptoError, MemberKeys, NodeKey, PartChecker};
use coffer_shared::boxes::{NodeKind, NodeRecord};
use coffer_shared::files::BoxExport;
use coffer_shared::ids::NodeId;
use coffer_shared::worker::{Failure, KeyStep, SealedNode};
use rawzip::time::UtcDateTime;
use rawzip::{CompressionMethod, ZipArchiveWriter};
use zeroize::Zeroizing;

use crate::files::{open_file, Stored};
use crate::nodes::{read_path, walk};

/// The key file's name inside the zip.
pub const KEY_FILE: &str = "identities.age";
/// What the zip says about itself, beside the key file.
const READ_ME: &str = "\
This export opens with age (https://age-encryption.org) and nothing else.

1. Open the key file with the passphrase you chose when you exported:
     age -d -o identities.txt identities.age
2. Decrypt any file with it:
     age -d -i identities.txt -o report.pdf \"Box/report.pdf.age\"

identities.txt holds the keys of every file in this export: keep it as
safe as the files themselves, and delete it when you are done.
";

/// One file of the export, checked and ready to be fetched.
pub struct ExportFile {
    pub node_id: NodeId,
    pub zip_path: String,
    pub header: Vec<u8>,
    pub checker: PartChecker,
    pub modified_at_ms: i64,
    /// Header plus payload: what the zip entry will hold.
    pub stored_size: u64,
}

/// Everything the zip holds but the payloads.
pub struct ExportPlan {
    /// The exported box's or folder's name: the zip's top folder.
    pub name: String,
    pub folders: Vec<String>,
    pub files: Vec<ExportFile>,
    pub key_file: Vec<u8>,
}

impl ExportPlan {
    /// Bytes of files the zip will hold (for progress).
    pub fn total(&self) -> u64 {
        self.files.iter().map(|f| f.stored_size).sum()
    }
}

/// A name as one component of a path in the zip: no separators, no `.` or
/// `..`, never empty (a sealed name is whatever a member typed).
fn component(name: &str) -> String {
    let cleaned: String = name
        .trim()
        .chars()
        .map(|c| match c {
            '/' | '\\' | '\0' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    match cleaned.as_str() {
        "" | "." | ".." => "_".to_string(),
        _ => cleaned,
    }
}

/// `name` inside `dir`, with " (2)", " (3)"… before the extension when
/// another item there already took it.
fn unique(taken: &mut HashSet<String>, dir: &str, name: &str) -> String {
    let (stem, ext) = match name.rfind('.') {
        Some(at) if at > 0 => name.split_at(at),
        _ => (name, ""),
    };
    let mut candidate = format!("{dir}/{name}");
    let mut n = 2;
    while !taken.insert(candidate.to_lowercase()) {
        candidate = format!("{dir}/{stem} ({n}){ext}");
        n += 1;
    }
    candidate
}

/// Opens every key and record of an export, and checks every file's
/// signed manifest. Anything that does not open or check stops the export
/// (`ContentBroken`: "changed outside Coffer").
pub fn plan(secret: &str, export: &BoxExport, passphrase: &str) -> Result<ExportPlan, CryptoError> {
    let broken = |_| CryptoError::ContentBroken;
    let member = MemberKeys::from_secret_text(secret)?;
    let steps: Vec<KeyStep> = export.path.iter().map(KeyStep::from).collect();
    let root_key = walk(&member, &steps)?.ok_or(CryptoError::ContentBroken)?;
    let sealed: Vec<SealedNode> = export.path.iter().map(SealedNode::from).collect();
    let root_record = read_path(secret, &sealed)?
        .pop()
        .flatten()
        .ok_or(CryptoError::ContentBroken)?;
    let root_id = export
        .path
        .last()
        .ok_or(CryptoError::ContentBroken)?
        .id
        .clone();
    let name = component(&root_record.name);

    let mut taken = HashSet::new();
    let mut folders_by_id: HashMap<NodeId, (NodeKey, String)> = HashMap::new();
    folders_by_id.insert(root_id, (root_key, name.clone()));
    let mut folders = Vec::new();
    let mut files = Vec::new();
    let mut identities = Zeroizing::new(String::new());
    for item in &export.items {
        let node = &item.node;
        let parent_id = node.parent_id.as_ref().ok_or(CryptoError::ContentBroken)?;
        let (parent, dir) = folders_by_id
            .get(parent_id)
            .ok_or(CryptoError::ContentBroken)?;
        match (&node.kind, &item.file) {
            (NodeKind::File, Some(stored)) => {
                let stored = Stored {
                    header: &stored.header.0,
                    plain_size: stored.plain_size,
                    part_sha256: &stored.part_sha256,
                    signature: &stored.signature.0,
                };
                let opened = open_file(parent, Some(parent), node, &stored)?;
                let checker = PartChecker::new(
                    opened.manifest,
                    stored.header,
                    &opened.record.signer,
                    stored.signature,
                )?;
                let zip_path = unique(&mut taken, dir, &format!("{}.age", component(&opened.name)));
                identities.push_str(&format!(
                    "# {zip_path}\n{}\n",
                    opened.key.identity_text().as_str()
                ));
                files.push(ExportFile {
                    node_id: node.id.clone(),
                    stored_size: stored.header.len() as u64
                        + coffer_crypto::payload_size(stored.plain_size),
                    header: stored.header.to_vec(),
                    checker,
                    modified_at_ms: opened.modified_at_ms,
                    zip_path,
                });
            }
            (NodeKind::Folder, None) => {
                let key = NodeKey::unwrap(&node.wrapped_key.0, parent, &node.public_key)
                    .map_err(broken)?;
                let plain = parent
                    .open(&node.id, &node.public_key, &node.sealed_meta.0)
                    .map_err(broken)?;
                let record: NodeRecord =
                    serde_json::from_slice(&plain).map_err(|_| CryptoError::ContentBroken)?;
                let path = unique(&mut taken, dir, &component(&record.name));
                folders.push(path.clone());
                folders_by_id.insert(node.id.clone(), (key, path));
            }
            _ => return Err(CryptoError::ContentBroken),
        }
    }
    let key_file = seal_with_passphrase(identities.as_bytes(), passphrase)?;
    Ok(ExportPlan {
        name,
        folders,
        files,
        key_file,
    })
}

fn zip_failed(_: rawzip::Error) -> Failure {
    Failure::Unreadable
}

fn modified(ms: i64) -> UtcDateTime {
    UtcDateTime::from_unix(ms.div_euclid(1000))
}

/// Writes the zip to `out`: the read-me, the key file, the folders, then
/// each file's header and its parts as `fetch(file, n)` brings them (with
/// their SHA-256), each checked against the signed manifest before it is
/// written. `progress` hears the bytes of files written so far.
pub async fn write<W, F, Fut>(
    plan: ExportPlan,
    out: W,
    mut fetch: F,
    mut progress: impl FnMut(u64, u64),
) -> Result<W, Failure>
where
    W: Write,
    F: FnMut(NodeId, u32) -> Fut,
    Fut: Future<Output = Result<(Vec<u8>, [u8; 32]), Failure>>,
{
    let total = plan.total();
    let mut archive = ZipArchiveWriter::new(out);
    let small = |archive: &mut ZipArchiveWriter<W>, path: &str, body: &[u8]| {
        let (mut entry, config) = archive
            .new_file(path)
            .compression_method(CompressionMethod::STORE)
            .start()
            .map_err(zip_failed)?;
        let mut writer = config.wrap(&mut entry);
        writer.write_all(body).map_err(|_| Failure::Unreadable)?;
        let (_, descriptor) = writer.finish().map_err(zip_failed)?;
        entry.finish(descriptor).map_err(zip_failed)?;
        Ok::<(), Failure>(())
    };
    small(&mut archive, "README.txt", READ_ME.as_bytes())?;
    small(&mut archive, KEY_FILE, &plan.key_file)?;
    for folder in &plan.folders {
        archive
            .new_dir(format!("{folder}/").as_str())
            .create()
            .map_err(zip_failed)?;
    }
    let mut done = 0u64;
    for mut file in plan.files {
        let (mut entry, config) = archive
            .new_file(&file.zip_path)
            .compression_method(CompressionMethod::STORE)
            .last_modified(modified(file.modified_at_ms))
            .start()
            .map_err(zip_failed)?;
        let mut writer = config.wrap(&mut entry);
        writer
            .write_all(&file.header)
            .map_err(|_| Failure::Unreadable)?;
        done += file.header.len() as u64;
        for n in 0..file.checker.parts() {
            let (bytes, sha256) = fetch(file.node_id.clone(), n).await?;
            file.checker
                .check_hash(&sha256)
                .map_err(|_| Failure::Tampered)?;
            writer.write_all(&bytes).map_err(|_| Failure::Unreadable)?;
            done += bytes.len() as u64;
            progress(done, total);
        }
        let (_, descriptor) = writer.finish().map_err(zip_failed)?;
        entry.finish(descriptor).map_err(zip_failed)?;
    }
    archive.finish().map_err(zip_failed)
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::str::FromStr;

    use coffer_shared::boxes::{FileFacts, NodeView};
    use coffer_shared::files::{ExportItem, StoredFile};

    use super::*;
    use crate::files::{make_signing_key, prepare};

    fn record(name: &str, size: Option<u64>) -> NodeRecord {
        NodeRecord {
            name: name.into(),
            created_at_ms: 1,
            modified_at_ms: 1_700_000_000_000,
            file: size.map(|size| FileFacts {
                size,
                mime: "text/plain".into(),
                sha256: String::new(),
                signer: String::new(),
            }),
        }
    }

    fn view(
        node: &coffer_shared::boxes::NewNode,
        kind: NodeKind,
        parent: Option<&NodeId>,
    ) -> NodeView {
        NodeView {
            id: node.id.clone(),
            kind,
            parent_id: parent.cloned(),
            public_key: node.public_key.clone(),
            wrapped_key: node.wrapped_key.clone(),
            sealed_meta: node.sealed_meta.clone(),
            created_at_ms: 0,
            updated_at_ms: 0,
            trashed_at_ms: None,
            created_by: None,
            label: None,
        }
    }

    /// A box "Case 7" holding `notes.txt` and a folder "Drafts/" with
    /// another `notes.txt`: the export's items and each file's parts.
    struct Fixture {
        secret: String,
        export: BoxExport,
        parts: HashMap<NodeId, Vec<Vec<u8>>>,
        bodies: Vec<(String, Vec<u8>)>,
    }

    fn fixture() -> Fixture {
        let member = MemberKeys::generate();
        let secret = member.secret_text().to_string();
        let signing = make_signing_key(&secret).unwrap();
        let the_box = crate::nodes::make(&secret, &[], &record("Case 7", None)).unwrap();
        let box_view = view(&the_box, NodeKind::Box, None);
        let box_path = vec![KeyStep::from(&box_view)];
        let folder = crate::nodes::make(&secret, &box_path, &record("Drafts", None)).unwrap();
        let folder_view = view(&folder, NodeKind::Folder, Some(&box_view.id));
        let folder_path = vec![KeyStep::from(&box_view), KeyStep::from(&folder_view)];
        let mut items = vec![ExportItem {
            node: folder_view.clone(),
            file: None,
        }];
        let mut parts = HashMap::new();
        let mut bodies = Vec::new();
        for (path, parent, body) in [
            (&box_path, &box_view.id, b"first notes".to_vec()),
            (&folder_path, &folder_view.id, vec![7u8; 100_000]),
        ] {
            let (out, upload) =
                prepare(&secret, path, &record("notes.txt", Some(body.len() as u64))).unwrap();
            let (sent, completion) = out.sent_natively(&body, &secret, &signing);
            let mut node = view(&upload.node, NodeKind::File, Some(parent));
            node.sealed_meta = completion.sealed_meta;
            items.push(ExportItem {
                node,
                file: Some(StoredFile {
                    header: upload.header,
                    plain_size: body.len() as u64,
                    part_sha256: sent.iter().map(|p| hex::encode(p.sha256)).collect(),
                    signature: completion.signature,
                }),
            });
            parts.insert(
                upload.node.id.clone(),
                sent.into_iter().map(|p| p.bytes).collect(),
            );
            bodies.push((upload.node.id.to_string(), body));
        }
        Fixture {
            secret,
            export: BoxExport {
                organisation_id: "o".to_string().into(),
                path: vec![box_view],
                items,
            },
            parts,
            bodies,
        }
    }

    fn zip_of(f: &Fixture, parts: &HashMap<NodeId, Vec<Vec<u8>>>) -> Result<Vec<u8>, Failure> {
        let plan = plan(&f.secret, &f.export, "a long passphrase").unwrap();
        let fetch = |id: NodeId, n: u32| {
            let bytes = parts[&id][n as usize].clone();
            let sha256 = coffer_crypto::sha256(&bytes);
            async move { Ok((bytes, sha256)) }
        };
        futures_executor::block_on(write(plan, Vec::new(), fetch, |_, _| {}))
    }

    fn entries(zip: &[u8]) -> HashMap<String, Vec<u8>> {
        let archive = rawzip::ZipArchive::from_slice(zip).unwrap();
        let mut found = HashMap::new();
        let mut list = archive.entries();
        while let Some(entry) = list.next_entry().unwrap() {
            let path = entry
                .file_path()
                .try_normalize()
                .unwrap()
                .as_ref()
                .to_string();
            let local = archive.get_entry(entry.wayfinder()).unwrap();
            let mut body = Vec::new();
            local
                .verifying_reader(local.data())
                .read_to_end(&mut body)
                .unwrap();
            found.insert(path, body);
        }
        found
    }

    fn age_open(file: &[u8], identity: &dyn age::Identity) -> Vec<u8> {
        let decryptor = age::Decryptor::new_buffered(file).unwrap();
        let mut reader = decryptor.decrypt(std::iter::once(identity)).unwrap();
        let mut plain = Vec::new();
        reader.read_to_end(&mut plain).unwrap();
        plain
    }

    /// What `age -d` does with the zip: the key file opens with the
    /// passphrase, and its identities open every file, which holds what
    /// was uploaded.
    #[test]
    fn an_export_opens_with_age_alone() {
        let f = fixture();
        let zip = zip_of(&f, &f.parts).unwrap();
        let entries = entries(&zip);
        let mut names: Vec<&str> = entries.keys().map(String::as_str).collect();
        names.sort();
        assert_eq!(
            names,
            [
                "Case 7/Drafts/",
                "Case 7/Drafts/notes.txt.age",
                "Case 7/notes.txt.age",
                "README.txt",
                "identities.age"
            ]
        );
        let passphrase = age::scrypt::Identity::new("a long passphrase".to_string().into());
        let keys = String::from_utf8(age_open(&entries["identities.age"], &passphrase)).unwrap();
        let identities: Vec<age::x25519::Identity> = keys
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(|l| age::x25519::Identity::from_str(l).unwrap())
            .collect();
        assert_eq!(identities.len(), 2);
        let open = |path: &str| {
            let file = &entries[path];
            identities
                .iter()
                .find_map(|id| {
                    age::Decryptor::new_buffered(&file[..])
                        .ok()?
                        .decrypt(std::iter::once(id as &dyn age::Identity))
                        .ok()
                        .map(|_| age_open(file, id))
                })
                .unwrap()
        };
        assert_eq!(open("Case 7/notes.txt.age"), f.bodies[0].1);
        assert_eq!(open("Case 7/Drafts/notes.txt.age"), f.bodies[1].1);
    }

    #[test]
    fn a_changed_part_or_name_stops_the_export() {
        let f = fixture();
        let mut parts = f.parts.clone();
        let first: NodeId = f.bodies[0].0.clone().into();
        parts.get_mut(&first).unwrap()[0][3] ^= 1;
        assert_eq!(zip_of(&f, &parts), Err(Failure::Tampered));

        let mut swapped = f.export.clone();
        let (a, b) = (
            swapped.items[1].node.sealed_meta.clone(),
            swapped.items[2].node.sealed_meta.clone(),
        );
        swapped.items[1].node.sealed_meta = b;
        swapped.items[2].node.sealed_meta = a;
        assert!(plan(&f.secret, &swapped, "pass").is_err());

        let stranger = MemberKeys::generate().secret_text().to_string();
        assert!(plan(&stranger, &f.export, "pass").is_err());
    }

    #[test]
    fn names_become_safe_unique_paths() {
        let mut taken = HashSet::new();
        assert_eq!(
            unique(&mut taken, "B", &component("../etc/passwd")),
            "B/.._etc_passwd"
        );
        assert_eq!(unique(&mut taken, "B", &component("a.txt")), "B/a.txt");
        assert_eq!(unique(&mut taken, "B", &component("A.TXT")), "B/A (2).TXT");
        assert_eq!(unique(&mut taken, "B", &component("a.txt")), "B/a (3).txt");
        assert_eq!(unique(&mut taken, "B", &component("..")), "B/_");
        assert_eq!(unique(&mut taken, "B", &component(" ")), "B/_ (2)");
    }
}
