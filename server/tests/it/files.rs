//! BOX-1, CRY-1, CRY-2, CRY-5 files over HTTP on SQLite and PostgreSQL:
//! encrypted, cut into parts and signed as the browser's worker does it
//! (coffer-crypto's `FileWriter`), sent part by part, completed, read back
//! and checked (`FileReader`); the part protocol's refusals; who may do
//! what; tampering caught; purged content leaves no blob behind.

use base64::Engine as _;
use coffer_api::ApiError;
use coffer_crypto::{
    hashes_from_hex, sha256, FileReader, FileWriter, Manifest, MemberKeys, NodeKey, Part,
    SigningKeys,
};
use coffer_shared::boxes::{BoxError, FileFacts, NewNode, NodeKind, NodeRecord, NodeView};
use coffer_shared::errors::{AuthError, Refusal};
use coffer_shared::files::{
    BoxExport, Completion, FileError, NewUpload, PartReceipt, SigningKey, UploadState, PART_CIPHER,
};
use coffer_shared::organisations::PlanError;
use coffer_shared::site;
use coffer_shared::types::Bytes;

use crate::boxes::{
    boxes, colleague, create_folder, folder, her_box, make, name_of, open, owner, restore_node,
    trash_node, Owner,
};
use crate::common::*;

const SECRET_NAME: &str = "Merger-plan-Zebra.txt";
const SECRET_BODY: &str = "The acquisition price is forty-two million";

/// A file as the worker prepares it: its node, all its parts, the final
/// sealed record (with the content hash) and the signature.
pub(crate) struct Prepared {
    pub node: NewNode,
    header: Vec<u8>,
    parts: Vec<Part>,
    sealed: Vec<u8>,
    signature: [u8; 64],
    size: u64,
}

fn facts_record(name: &str, size: u64, sha: &str, signer: &SigningKeys) -> Vec<u8> {
    serde_json::to_vec(&NodeRecord {
        name: name.into(),
        created_at_ms: 1,
        modified_at_ms: 1,
        file: Some(FileFacts {
            size,
            mime: "text/plain".into(),
            sha256: sha.into(),
            signer: signer.public_key_hex(),
        }),
    })
    .unwrap()
}

pub(crate) fn prepare(parent: &NodeKey, signer: &SigningKeys, name: &str, body: &[u8]) -> Prepared {
    let key = NodeKey::generate();
    let id = uuid::Uuid::new_v4().to_string();
    let mut writer = FileWriter::new(&id, &key.public_key()).unwrap();
    let header = writer.header().to_vec();
    let mut parts = writer.push(body);
    let done = writer.finish(signer);
    parts.extend(done.parts);
    let size = body.len() as u64;
    let first = parent.seal(
        &id,
        &key.public_key(),
        &facts_record(name, size, "", signer),
    );
    let sealed = parent.seal(
        &id,
        &key.public_key(),
        &facts_record(name, size, &done.content_sha256, signer),
    );
    Prepared {
        node: NewNode {
            id: id.into(),
            public_key: key.public_key(),
            wrapped_key: Bytes(key.wrap_to(&parent.public_key()).unwrap()),
            sealed_meta: Bytes(first),
            under: parent.public_key(),
        },
        header,
        parts,
        sealed,
        signature: done.signature,
        size,
    }
}

pub(crate) async fn signing_key(b: &Browser, keys: &MemberKeys) -> SigningKeys {
    let signer = SigningKeys::generate();
    b.run(coffer_api::SetSigningKey {
        key: SigningKey {
            public_key: signer.public_key_hex(),
            wrapped: Bytes(signer.wrap_to(&keys.public_key()).unwrap()),
        },
    })
    .await
    .unwrap();
    signer
}

async fn start(
    b: &Browser,
    org: &str,
    parent: &str,
    p: &Prepared,
) -> Result<UploadState, ApiError> {
    b.run(coffer_api::CreateUpload {
        organisation_id: org.into(),
        parent_id: parent.into(),
        upload: NewUpload {
            node: p.node.clone(),
            header: Bytes(p.header.clone()),
            plain_size: p.size,
        },
    })
    .await
}

async fn put_part(
    b: &Browser,
    upload: &str,
    n: u32,
    bytes: &[u8],
    digest: Option<[u8; 32]>,
) -> reqwest::Response {
    let mut req = b
        .http
        .put(format!("{}{}", b.base, site::upload_part(upload, n)))
        .header("Origin", &b.base)
        .body(bytes.to_vec());
    if let Some(d) = digest {
        let b64 = base64::engine::general_purpose::STANDARD.encode(d);
        req = req.header("Content-Digest", format!("sha-256=:{b64}:"));
    }
    req.send().await.unwrap()
}

async fn complete(b: &Browser, upload: &str, p: &Prepared) -> Result<NodeView, ApiError> {
    b.run(coffer_api::CompleteUpload {
        upload_id: upload.into(),
        completion: Completion {
            sealed_meta: Bytes(p.sealed.clone()),
            signature: Bytes(p.signature.to_vec()),
        },
    })
    .await
}

/// The whole protocol, as the worker runs it.
pub(crate) async fn upload(
    b: &Browser,
    org: &str,
    parent: &str,
    p: &Prepared,
) -> Result<NodeView, ApiError> {
    let state = start(b, org, parent, p).await?;
    assert_eq!(state.parts as usize, p.parts.len());
    for part in &p.parts {
        let res = put_part(b, &state.upload_id, part.n, &part.bytes, Some(part.sha256)).await;
        assert!(
            res.status().is_success(),
            "part {}: {}",
            part.n,
            res.status()
        );
        let receipt: PartReceipt = res.json().await.unwrap();
        assert_eq!(receipt.sha256, hex::encode(part.sha256));
    }
    complete(b, &state.upload_id, p).await
}

/// What the worker does to download: walk the keys down from the member's,
/// open the sealed record (its signer, its hash), check the signature,
/// then each part's hash, and decrypt. `Err` says which step refused.
pub(crate) async fn download(
    b: &Browser,
    org: &str,
    file: &str,
    member: &MemberKeys,
) -> Result<Vec<u8>, String> {
    let content = b
        .run(coffer_api::OpenFile {
            organisation_id: org.into(),
            node_id: file.into(),
        })
        .await
        .map_err(|e| e.to_string())?;
    let mut keys: Vec<NodeKey> = Vec::new();
    for n in &content.path {
        let key = match keys.last() {
            None => NodeKey::unwrap(&n.wrapped_key.0, member, &n.public_key),
            Some(k) => NodeKey::unwrap(&n.wrapped_key.0, k, &n.public_key),
        }
        .map_err(|_| "key".to_string())?;
        keys.push(key);
    }
    let node = content.path.last().unwrap();
    let parent = &keys[keys.len() - 2];
    let record: NodeRecord = parent
        .open(&node.id, &node.public_key, &node.sealed_meta.0)
        .ok()
        .and_then(|plain| serde_json::from_slice(&plain).ok())
        .ok_or("record")?;
    let facts = record.file.ok_or("record")?;
    let manifest = Manifest {
        file_id: node.id.to_string(),
        plain_size: content.plain_size,
        header_sha256: sha256(&content.header.0),
        part_sha256: hashes_from_hex(&content.part_sha256).map_err(|_| "manifest")?,
    };
    let mut reader = FileReader::new(
        keys.last().unwrap(),
        manifest,
        &content.header.0,
        &facts.signer,
        &content.signature.0,
    )
    .map_err(|_| "signature".to_string())?;
    let mut plain = Vec::new();
    for n in 0..reader.parts() {
        let res = b
            .http
            .get(format!("{}{}", b.base, site::file_part(org, file, n)))
            .send()
            .await
            .unwrap();
        if !res.status().is_success() {
            return Err(format!("part {n}: {}", res.status()));
        }
        let bytes = res.bytes().await.unwrap();
        plain.extend(
            reader
                .part(&bytes)
                .map_err(|_| format!("part {n} content"))?,
        );
    }
    if hex::encode(sha256(&plain)) != facts.sha256 || plain.len() as u64 != facts.size {
        return Err("content hash".into());
    }
    Ok(plain)
}

/// Every file under a folder, recursively, with its bytes.
fn files_under(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            let bytes = std::fs::read(&path).unwrap();
            out.push((path, bytes));
        }
    }
    out
}

fn forms(text: &str) -> Vec<Vec<u8>> {
    let b64 = base64::engine::general_purpose::STANDARD;
    vec![
        text.as_bytes().to_vec(),
        hex::encode(text).into_bytes(),
        b64.encode(text).into_bytes(),
        text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
    ]
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A download that dropped goes on from where it stopped (`Range`): the
/// rest of the part from that byte, 416 beyond its end, the whole part
/// for a `Range` that does not parse or asks for several.
async fn part_ranges(b: &Browser, org: &str, file: &str) {
    let url = format!("{}{}", b.base, site::file_part(org, file, 0));
    let get = |range: Option<&'static str>| {
        let mut req = b.http.get(&url);
        if let Some(r) = range {
            req = req.header("Range", r);
        }
        req.send()
    };
    let whole = get(None).await.unwrap();
    assert_eq!(whole.headers()["accept-ranges"], "bytes");
    let whole = whole.bytes().await.unwrap();
    let len = whole.len();
    assert_eq!(len as u64, coffer_shared::files::PART_CIPHER);

    let rest = get(Some("bytes=1000-")).await.unwrap();
    assert_eq!(rest.status(), 206);
    assert_eq!(
        rest.headers()["content-range"],
        format!("bytes 1000-{}/{len}", len - 1).as_str()
    );
    assert_eq!(rest.bytes().await.unwrap(), whole.slice(1000..));

    let beyond = get(Some("bytes=99999999-")).await.unwrap();
    assert_eq!(beyond.status(), 416);
    assert_eq!(
        beyond.headers()["content-range"],
        format!("bytes */{len}").as_str()
    );
    for ignored in ["bytes=abc", "bytes=0-9,20-29"] {
        let answer = get(Some(ignored)).await.unwrap();
        assert_eq!(answer.status(), 200, "{ignored}");
        assert_eq!(answer.bytes().await.unwrap(), whole, "{ignored}");
    }
}

async fn files_round_trip(backend: Backend) {
    let Owner {
        server,
        lia,
        org,
        keys: mine,
        ..
    } = owner(backend).await;
    let signer = signing_key(&lia, &mine).await;
    let (box_key, the_box) = her_box(&lia, &org, &mine, "Deals").await;
    let (folder_key, folder_node) = make(&box_key.public_key(), Some(&box_key), "Board");
    create_folder(&lia, &org, &the_box.id, &folder_node)
        .await
        .unwrap();

    let secret = SECRET_BODY.repeat(100);
    let big: Vec<u8> = (0..(8 * 1024 * 1024 + 1))
        .map(|i| (i % 239) as u8)
        .collect();
    let bodies: [(&str, &[u8]); 3] = [
        (SECRET_NAME, secret.as_bytes()),
        ("empty.txt", b""),
        ("big.bin", &big),
    ];
    let mut made = Vec::new();
    for (name, body) in bodies {
        let p = prepare(&folder_key, &signer, name, body);
        let node = upload(&lia, &org, &folder_node.id, &p).await.unwrap();
        assert_eq!(node.kind, NodeKind::File);
        made.push((node, body.to_vec(), p.parts.len()));
    }
    assert_eq!(made[2].2, 2, "8 MiB + 1 byte is two parts");

    // Listed in the folder, names open with the folder's key.
    let inside = folder(&lia, &org, &folder_node.id).await.unwrap();
    let names: Vec<String> = inside
        .children
        .iter()
        .map(|n| name_of(&open(&box_key, &inside.path[1]), n))
        .collect();
    assert_eq!(names, [SECRET_NAME, "empty.txt", "big.bin"]);
    for (node, body, _) in &made {
        assert_eq!(&download(&lia, &org, &node.id, &mine).await.unwrap(), body);
    }
    part_ranges(&lia, &org, &made[2].0.id.to_string()).await;

    // Usage: what the files take is what is stored, nothing reserved.
    assert_eq!(server.count("SELECT COUNT(*) FROM uploads").await, 0);
    let stored = server
        .count("SELECT CAST(SUM(stored_bytes) AS BIGINT) FROM files")
        .await;
    let expected: u64 = made
        .iter()
        .map(|(_, b, _)| coffer_shared::files::payload_size(b.len() as u64))
        .sum();
    assert!(stored as u64 > expected && (stored as u64) < expected + 3 * 1024);
    // BOX-6: the figure kept with the membership is the same, on My account
    // and in the Users list (and its export).
    let mine_now = lia
        .run(coffer_api::MyStorage {
            organisation_id: org.clone().into(),
        })
        .await
        .unwrap();
    assert_eq!(mine_now.used_bytes, stored);
    assert_eq!(mine_now.quota_bytes, None);
    let row = member_row(&lia, &org, "lia@acme.test").await.unwrap();
    assert_eq!(row.used_bytes, stored);
    assert_eq!(
        row.cell(coffer_shared::members::MemberColumn::Usage),
        coffer_shared::files::size_label(stored as u64)
    );

    // CRY-1: neither the name nor the body is anywhere the server writes:
    // database rows, blob files, the audit log; raw, hex, base64, UTF-16.
    let db = server.db().await;
    let rows: Vec<(Vec<u8>,)> = sqlx::query_as(
        "SELECT sealed_meta FROM nodes UNION ALL SELECT header FROM files \
         UNION ALL SELECT signature FROM files",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    let texts: Vec<(String,)> =
        sqlx::query_as("SELECT COALESCE(details, '') || target FROM audit_events")
            .fetch_all(&db)
            .await
            .unwrap();
    let blobs = files_under(&server.data.path().join("blobs"));
    assert_eq!(
        blobs
            .iter()
            .filter(|(p, _)| p.to_string_lossy().contains("parts"))
            .count(),
        4
    );
    let mut everything: Vec<Vec<u8>> = rows.into_iter().map(|(r,)| r).collect();
    everything.extend(texts.into_iter().map(|(t,)| t.into_bytes()));
    everything.extend(blobs.into_iter().map(|(_, b)| b));
    if backend == Backend::Sqlite {
        for f in files_under(server.data.path()) {
            if !f.0.starts_with(server.data.path().join("blobs")) {
                everything.push(f.1);
            }
        }
    }
    for needle in [SECRET_NAME, SECRET_BODY] {
        for form in forms(needle) {
            assert!(
                !everything.iter().any(|hay| contains(hay, &form)),
                "{needle} found in what the server stores"
            );
        }
    }
    // The positive control: the search does find what is there.
    assert!(everything
        .iter()
        .any(|hay| contains(hay, b"age-encryption.org/v1")));

    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM audit_events WHERE action = 'file.uploaded'")
            .await,
        3
    );
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM audit_events WHERE action = 'file.downloaded'")
            .await,
        3
    );

    // BOX-12: the box's activity, newest first, each item with the way to
    // it so the browser opens its name.
    let activity = lia
        .run(coffer_api::BoxActivity {
            organisation_id: org.clone().into(),
            box_id: the_box.id.clone(),
        })
        .await
        .unwrap();
    let actions: Vec<&str> = activity.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "file.downloaded",
            "file.downloaded",
            "file.downloaded",
            "file.uploaded",
            "file.uploaded",
            "file.uploaded",
            "box.folder_created",
            "box.created"
        ]
    );
    assert!(activity.iter().all(|a| a.actor == "lia@acme.test"));
    let first_upload = &activity[5];
    let node = first_upload.path.last().unwrap();
    assert_eq!(first_upload.path.len(), 3);
    assert_eq!(name_of(&folder_key, node), SECRET_NAME);
    let other = colleague(&server, &lia, &org).await;
    assert_eq!(
        other
            .run(coffer_api::BoxActivity {
                organisation_id: org.clone().into(),
                box_id: the_box.id.clone(),
            })
            .await
            .err()
            .map(refusal),
        Some(Refusal::Box(BoxError::Unknown))
    );
}

async fn part_protocol_refusals(backend: Backend) {
    let Owner {
        server,
        lia,
        org,
        keys: mine,
        ..
    } = owner(backend).await;
    let (box_key, the_box) = her_box(&lia, &org, &mine, "Deals").await;
    let unsigned = SigningKeys::generate();
    let p = prepare(&box_key, &unsigned, "a.txt", b"hello");
    // No signing key yet: refused before anything is reserved.
    assert_eq!(
        start(&lia, &org, &the_box.id, &p).await.err().map(refusal),
        Some(Refusal::File(FileError::NoSigningKey))
    );
    let signer = signing_key(&lia, &mine).await;
    // A second key is refused: the first stays.
    let again = SigningKeys::generate();
    let refused = lia
        .run(coffer_api::SetSigningKey {
            key: SigningKey {
                public_key: again.public_key_hex(),
                wrapped: Bytes(again.wrap_to(&mine.public_key()).unwrap()),
            },
        })
        .await;
    assert_eq!(
        refused.err().map(refusal),
        Some(Refusal::File(FileError::SigningKeySet))
    );

    let body: Vec<u8> = (0..(8 * 1024 * 1024 + 100))
        .map(|i| (i % 7) as u8)
        .collect();
    let p = prepare(&box_key, &signer, "two parts.bin", &body);
    let state = start(&lia, &org, &the_box.id, &p).await.unwrap();
    let id = state.upload_id.clone();
    assert_eq!(state.parts, 2);
    let last = &p.parts[1];

    // Wrong length, wrong announced hash, a part past the end.
    let res = put_part(&lia, &id, 1, &last.bytes[1..], None).await;
    assert_eq!(res.status(), 400);
    assert_eq!(
        refusal_words(res).await,
        format!(
            "Part 1 must be {} bytes; {} arrived.",
            last.bytes.len(),
            last.bytes.len() - 1
        )
    );
    let res = put_part(&lia, &id, 1, &last.bytes, Some([0; 32])).await;
    assert_eq!(
        refusal_words(res).await,
        "Part 1 did not arrive intact (its SHA-256 differs)."
    );
    let res = put_part(&lia, &id, 2, &last.bytes, None).await;
    assert_eq!(
        refusal_words(res).await,
        "Part 2 is not part of this upload."
    );
    let res = put_part(&lia, &id, 0, &vec![0; PART_CIPHER as usize + 1], None).await;
    assert!(res.status().is_client_error());

    // Completing with a part missing; then the part arrives, twice (the
    // same body is acknowledged again; a different one is a conflict).
    assert!(put_part(&lia, &id, 1, &last.bytes, Some(last.sha256))
        .await
        .status()
        .is_success());
    assert_eq!(
        complete(&lia, &id, &p).await.err().map(refusal),
        Some(Refusal::File(FileError::MissingParts { missing: 1 }))
    );
    let resumed = lia
        .run(coffer_api::ResumeUpload {
            upload_id: id.clone(),
        })
        .await
        .unwrap();
    assert_eq!(resumed.received, [1]);
    assert!(put_part(&lia, &id, 1, &last.bytes, None)
        .await
        .status()
        .is_success());
    let mut other = last.bytes.clone();
    other[0] ^= 1;
    let res = put_part(&lia, &id, 1, &other, None).await;
    assert_eq!(res.status(), 409);
    assert_eq!(
        refusal_words(res).await,
        "Part 1 was already received with different content."
    );
    assert!(put_part(&lia, &id, 0, &p.parts[0].bytes, None)
        .await
        .status()
        .is_success());

    // A signature by someone else, or on other parts, is refused.
    let mut forged = p.signature;
    forged[3] ^= 1;
    let forged_done = Prepared {
        signature: forged,
        node: p.node.clone(),
        header: p.header.clone(),
        parts: Vec::new(),
        sealed: p.sealed.clone(),
        size: p.size,
    };
    assert_eq!(
        complete(&lia, &id, &forged_done).await.err().map(refusal),
        Some(Refusal::File(FileError::BadSignature))
    );
    assert_eq!(server.count("SELECT COUNT(*) FROM files").await, 0);
    complete(&lia, &id, &p).await.unwrap();
    // Completed once; the upload is gone.
    assert_eq!(
        complete(&lia, &id, &p).await.err().map(refusal),
        Some(Refusal::File(FileError::UnknownUpload))
    );

    // Bad shapes: not an age header, the same node id again.
    let mut bad = prepare(&box_key, &signer, "b.txt", b"x");
    bad.header = b"not age".to_vec();
    assert_eq!(
        start(&lia, &org, &the_box.id, &bad)
            .await
            .err()
            .map(refusal),
        Some(Refusal::File(FileError::InvalidHeader))
    );
    assert_eq!(
        start(&lia, &org, &the_box.id, &p).await.err().map(refusal),
        Some(Refusal::Box(BoxError::IdTaken))
    );

    // BOX-6: a 5 GiB file on a 1 GB plan is refused before any part;
    // nothing is reserved.
    lia.run(coffer_api::SavePlan {
        organisation_id: org.clone().into(),
        plan_id: None,
        name: "Small".into(),
        quota_gb: 1,
    })
    .await
    .unwrap();
    let mut huge = prepare(&box_key, &signer, "huge.bin", b"x");
    huge.size = 5 << 30;
    let refused = start(&lia, &org, &the_box.id, &huge)
        .await
        .err()
        .map(refusal);
    assert!(
        matches!(refused, Some(Refusal::Plan(PlanError::OverQuota { .. }))),
        "{refused:?}"
    );
    let words = refused.unwrap().to_string();
    assert!(
        words.starts_with("This upload needs 5.4 GB; your plan has ")
            && words.ends_with(" MB left."),
        "{words}"
    );
    assert_eq!(server.count("SELECT COUNT(*) FROM uploads").await, 0);
    assert_eq!(server.count("SELECT COUNT(*) FROM files").await, 1);
}

async fn who_may_transfer(backend: Backend) {
    use AuthError::{Forbidden, NotSignedIn};
    let Owner {
        server,
        admin,
        lia,
        org,
        keys: mine,
    } = owner(backend).await;
    let signer = signing_key(&lia, &mine).await;
    let (box_key, the_box) = her_box(&lia, &org, &mine, "Deals").await;
    let stored = prepare(&box_key, &signer, "kept.txt", b"kept");
    let file = upload(&lia, &org, &the_box.id, &stored).await.unwrap();
    let pending = prepare(&box_key, &signer, "pending.txt", b"pending");
    let upload_id = start(&lia, &org, &the_box.id, &pending)
        .await
        .unwrap()
        .upload_id;

    let colleague = colleague(&server, &lia, &org).await;
    let bea = member(&server, &admin, "Bravo", "bea@bravo.test", "bravo password").await;
    let anonymous = server.browser();
    let unknown_upload = Some(Refusal::File(FileError::UnknownUpload));
    let unknown_file = Some(Refusal::File(FileError::UnknownFile));
    // Who × (start an upload in her box, send a part of hers, complete
    // hers, open her file, fetch a part of it, export her box).
    let table: [(&str, &Browser, [Option<Refusal>; 6]); 4] = [
        (
            "Originator without a permit",
            &colleague,
            [
                Some(Refusal::Box(BoxError::Unknown)),
                unknown_upload.clone(),
                unknown_upload.clone(),
                unknown_file.clone(),
                unknown_file.clone(),
                Some(Refusal::Box(BoxError::Unknown)),
            ],
        ),
        (
            "administrator of another organisation",
            &bea,
            [
                Some(Refusal::Auth(Forbidden)),
                unknown_upload.clone(),
                unknown_upload.clone(),
                Some(Refusal::Auth(Forbidden)),
                Some(Refusal::Auth(Forbidden)),
                Some(Refusal::Auth(Forbidden)),
            ],
        ),
        (
            "instance administrator",
            &admin,
            [
                Some(Refusal::Auth(Forbidden)),
                unknown_upload.clone(),
                unknown_upload.clone(),
                Some(Refusal::Auth(Forbidden)),
                Some(Refusal::Auth(Forbidden)),
                Some(Refusal::Auth(Forbidden)),
            ],
        ),
        (
            "anonymous",
            &anonymous,
            [const { Some(Refusal::Auth(NotSignedIn)) }; 6],
        ),
    ];
    for (who, b, want) in table {
        let theirs = prepare(&box_key, &signer, "theirs.txt", b"theirs");
        let part = &pending.parts[0];
        let part_res = put_part(b, &upload_id, 0, &part.bytes, None).await;
        let part_refusal = (!part_res.status().is_success()).then_some(());
        let part_refusal = match part_refusal {
            Some(()) => Some(refusal(
                serde_json::from_str(&part_res.text().await.unwrap()).unwrap(),
            )),
            None => None,
        };
        // Asked from a byte on, as a download that dropped asks: the
        // `Range` changes nothing about who may have the part.
        let fetched = b
            .http
            .get(format!("{}{}", b.base, site::file_part(&org, &file.id, 0)))
            .header("Range", "bytes=1-")
            .send()
            .await
            .unwrap();
        let fetch_refusal = if fetched.status().is_success() {
            None
        } else {
            Some(refusal(
                serde_json::from_str(&fetched.text().await.unwrap()).unwrap(),
            ))
        };
        let got = [
            start(b, &org, &the_box.id, &theirs)
                .await
                .err()
                .map(refusal),
            part_refusal,
            complete(b, &upload_id, &pending).await.err().map(refusal),
            b.run(coffer_api::OpenFile {
                organisation_id: org.clone().into(),
                node_id: file.id.clone(),
            })
            .await
            .err()
            .map(refusal),
            fetch_refusal,
            export(b, &org, &the_box.id).await.err().map(refusal),
        ];
        assert_eq!(got, want, "{who}");
    }
    // The owner still completes hers, and nothing the others tried stuck.
    assert_eq!(server.count("SELECT COUNT(*) FROM upload_parts").await, 0);
    put_part(&lia, &upload_id, 0, &pending.parts[0].bytes, None).await;
    complete(&lia, &upload_id, &pending).await.unwrap();
    assert_eq!(
        &download(&lia, &org, &file.id, &mine).await.unwrap(),
        b"kept"
    );
}

async fn export(b: &Browser, org: &str, node: &str) -> Result<BoxExport, ApiError> {
    b.run(coffer_api::ExportItems {
        organisation_id: org.into(),
        node_id: node.into(),
    })
    .await
}

/// BOX-8: an export lists everything under the box or folder that is not
/// in the trash, parents before children, each file with its header and
/// signed manifest as stored; a file, or a folder in the trash, is not
/// something to export.
async fn exports_leave_out_the_trash(backend: Backend) {
    let Owner {
        server,
        lia,
        org,
        keys: mine,
        ..
    } = owner(backend).await;
    let signer = signing_key(&lia, &mine).await;
    let (box_key, the_box) = her_box(&lia, &org, &mine, "Deals").await;
    let (board_key, board) = make(&box_key.public_key(), Some(&box_key), "Board");
    let (old_key, old) = make(&box_key.public_key(), Some(&box_key), "Old");
    for f in [&board, &old] {
        create_folder(&lia, &org, &the_box.id, f).await.unwrap();
    }
    let a = prepare(&box_key, &signer, "a.txt", b"in the box");
    let b = prepare(&board_key, &signer, "b.txt", b"in the board");
    let c = prepare(&old_key, &signer, "c.txt", b"in the old folder");
    let d = prepare(&box_key, &signer, "d.txt", b"deleted");
    let a_node = upload(&lia, &org, &the_box.id, &a).await.unwrap();
    let b_node = upload(&lia, &org, &board.id, &b).await.unwrap();
    upload(&lia, &org, &old.id, &c).await.unwrap();
    let d_node = upload(&lia, &org, &the_box.id, &d).await.unwrap();
    trash_node(&lia, &org, &old.id).await.unwrap();
    trash_node(&lia, &org, &d_node.id).await.unwrap();

    let whole = export(&lia, &org, &the_box.id).await.unwrap();
    assert_eq!(whole.path.len(), 1);
    let ids: Vec<String> = whole.items.iter().map(|i| i.node.id.to_string()).collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    for id in [&board.id, &a_node.id, &b_node.id] {
        assert!(ids.contains(&id.to_string()), "{id} in {ids:?}");
    }
    let at = |id: &str| ids.iter().position(|i| i == id).unwrap();
    assert!(at(board.id.as_str()) < at(b_node.id.as_str()));
    for item in &whole.items {
        let stored = item.file.as_ref();
        if item.node.id == a_node.id || item.node.id == b_node.id {
            let p = if item.node.id == a_node.id { &a } else { &b };
            let stored = stored.unwrap();
            assert_eq!(stored.header.0, p.header);
            assert_eq!(stored.signature.0, p.signature.to_vec());
            assert_eq!(stored.plain_size, p.size);
            let hashes: Vec<String> = p.parts.iter().map(|x| hex::encode(x.sha256)).collect();
            assert_eq!(stored.part_sha256, hashes);
        } else {
            assert!(stored.is_none());
        }
    }

    let folder_only = export(&lia, &org, &board.id).await.unwrap();
    assert_eq!(folder_only.path.len(), 2);
    assert_eq!(folder_only.items.len(), 1);
    assert_eq!(folder_only.items[0].node.id, b_node.id);

    for not_exportable in [&a_node.id, &old.id] {
        assert_eq!(
            export(&lia, &org, not_exportable).await.err().map(refusal),
            Some(Refusal::Box(BoxError::Unknown))
        );
    }
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM audit_events WHERE action = 'box.exported'")
            .await,
        2
    );
}

async fn deleted_boxes(b: &Browser, org: &str) -> Vec<NodeView> {
    b.run(coffer_api::DeletedBoxes {
        organisation_id: org.into(),
    })
    .await
    .unwrap()
}

async fn purge_box(b: &Browser, org: &str, the_box: &str) -> Result<u64, ApiError> {
    b.run(coffer_api::PurgeBox {
        organisation_id: org.into(),
        box_id: the_box.into(),
    })
    .await
}

/// BOX-10 for a whole box: deleted, it leaves the list of boxes and
/// nothing in it opens; restored, it is back; deleted for good (by its
/// owner only, and only from the trash), nothing of it is left: no node,
/// permit, file, upload still running into it, usage or blob. A deleted
/// box past the retention goes the same way.
async fn boxes_are_deleted_restored_and_purged(backend: Backend) {
    let Owner {
        server,
        lia,
        org,
        keys: mine,
        ..
    } = owner(backend).await;
    let signer = signing_key(&lia, &mine).await;
    let (box_key, the_box) = her_box(&lia, &org, &mine, "Closed case").await;
    let (folder_key, drafts) = make(&box_key.public_key(), Some(&box_key), "Drafts");
    create_folder(&lia, &org, &the_box.id, &drafts)
        .await
        .unwrap();
    let p = prepare(&folder_key, &signer, "draft.txt", b"a draft");
    let file = upload(&lia, &org, &drafts.id, &p).await.unwrap();
    let pending = prepare(&folder_key, &signer, "pending.txt", b"half sent");
    start(&lia, &org, &drafts.id, &pending).await.unwrap();
    let listed = |b: Vec<NodeView>| b.into_iter().map(|n| n.id).collect::<Vec<_>>();

    assert_eq!(
        purge_box(&lia, &org, &the_box.id).await.err().map(refusal),
        Some(Refusal::Box(BoxError::NotInTrash))
    );
    trash_node(&lia, &org, &the_box.id).await.unwrap();
    assert!(listed(boxes(&lia, &org).await.unwrap()).is_empty());
    assert_eq!(
        listed(deleted_boxes(&lia, &org).await),
        std::slice::from_ref(&the_box.id)
    );
    for inside in [&the_box.id, &drafts.id] {
        assert_eq!(
            folder(&lia, &org, inside).await.err().map(refusal),
            Some(Refusal::Box(BoxError::Unknown))
        );
    }
    assert!(download(&lia, &org, &file.id, &mine).await.is_err());
    restore_node(&lia, &org, &the_box.id).await.unwrap();
    assert_eq!(
        listed(boxes(&lia, &org).await.unwrap()),
        std::slice::from_ref(&the_box.id)
    );
    assert_eq!(
        &download(&lia, &org, &file.id, &mine).await.unwrap(),
        b"a draft"
    );

    trash_node(&lia, &org, &the_box.id).await.unwrap();
    let colleague = colleague(&server, &lia, &org).await;
    assert_eq!(
        purge_box(&colleague, &org, &the_box.id)
            .await
            .err()
            .map(refusal),
        Some(Refusal::Box(BoxError::Unknown))
    );
    let anonymous = server.browser();
    assert_eq!(
        purge_box(&anonymous, &org, &the_box.id)
            .await
            .err()
            .map(refusal),
        Some(Refusal::Auth(AuthError::NotSignedIn))
    );
    let listing = anonymous
        .run(coffer_api::DeletedBoxes {
            organisation_id: org.clone().into(),
        })
        .await;
    assert_eq!(
        listing.err().map(refusal),
        Some(Refusal::Auth(AuthError::NotSignedIn))
    );
    assert_eq!(purge_box(&lia, &org, &the_box.id).await.unwrap(), 3);
    assert!(deleted_boxes(&lia, &org).await.is_empty());
    for table in ["nodes", "permits", "files", "uploads", "upload_parts"] {
        assert_eq!(
            server.count(&format!("SELECT COUNT(*) FROM {table}")).await,
            0,
            "{table}"
        );
    }
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM memberships WHERE used_bytes <> 0")
            .await,
        0
    );
    assert!(files_under(&server.data.path().join("blobs")).is_empty());
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM audit_events WHERE action = 'box.deleted'")
            .await,
        1
    );

    // Past the retention, a deleted box is purged by housekeeping.
    let (old_key, old_box) = her_box(&lia, &org, &mine, "Old case").await;
    let old = prepare(&old_key, &signer, "old.txt", b"old");
    upload(&lia, &org, &old_box.id, &old).await.unwrap();
    trash_node(&lia, &org, &old_box.id).await.unwrap();
    sqlx::query("UPDATE nodes SET trashed_at = trashed_at - $1 WHERE id = $2")
        .bind(31 * 86_400_000i64)
        .bind(old_box.id.to_string())
        .execute(&server.db().await)
        .await
        .unwrap();
    server.running.coffer.housekeeping().await.unwrap();
    assert!(deleted_boxes(&lia, &org).await.is_empty());
    assert_eq!(server.count("SELECT COUNT(*) FROM nodes").await, 0);
    assert!(files_under(&server.data.path().join("blobs")).is_empty());
}

async fn tampering_is_caught(backend: Backend) {
    let Owner {
        server,
        lia,
        org,
        keys: mine,
        ..
    } = owner(backend).await;
    let signer = signing_key(&lia, &mine).await;
    let (box_key, the_box) = her_box(&lia, &org, &mine, "Deals").await;
    let body: Vec<u8> = (0..(8 * 1024 * 1024 + 9)).map(|i| (i % 5) as u8).collect();
    let p = prepare(&box_key, &signer, "t.bin", &body);
    let file = upload(&lia, &org, &the_box.id, &p).await.unwrap();
    assert_eq!(download(&lia, &org, &file.id, &mine).await.unwrap(), body);
    let db = server.db().await;
    let blob_dir = server.data.path().join("blobs");
    let mut parts: Vec<std::path::PathBuf> = files_under(&blob_dir)
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| p.to_string_lossy().contains("parts"))
        .collect();
    parts.sort();
    assert_eq!(parts.len(), 2);

    // One byte of a stored payload.
    let original = std::fs::read(&parts[0]).unwrap();
    let mut flipped = original.clone();
    flipped[1000] ^= 1;
    std::fs::write(&parts[0], &flipped).unwrap();
    assert_eq!(
        download(&lia, &org, &file.id, &mine).await,
        Err("part 0 content".into())
    );
    std::fs::write(&parts[0], &original).unwrap();

    // Two parts' hashes swapped in the manifest the server answers.
    let hashes: String = sqlx::query_scalar("SELECT part_sha256 FROM files")
        .fetch_one(&db)
        .await
        .unwrap();
    let swapped: Vec<&str> = hashes.split(',').rev().collect();
    let set = |v: String| {
        let db = db.clone();
        async move {
            sqlx::query("UPDATE files SET part_sha256 = $1")
                .bind(v)
                .execute(&db)
                .await
                .unwrap();
        }
    };
    set(swapped.join(",")).await;
    assert_eq!(
        download(&lia, &org, &file.id, &mine).await,
        Err("signature".into())
    );
    set(hashes).await;

    // One byte of the header.
    let header: Vec<u8> = sqlx::query_scalar("SELECT header FROM files")
        .fetch_one(&db)
        .await
        .unwrap();
    let mut bad = header.clone();
    let i = bad.len() - 5;
    bad[i] ^= 1;
    sqlx::query("UPDATE files SET header = $1")
        .bind(&bad)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(
        download(&lia, &org, &file.id, &mine).await,
        Err("signature".into())
    );
    sqlx::query("UPDATE files SET header = $1")
        .bind(&header)
        .execute(&db)
        .await
        .unwrap();

    // One byte of the sealed name.
    let sealed: Vec<u8> = sqlx::query_scalar("SELECT sealed_meta FROM nodes WHERE kind = 'file'")
        .fetch_one(&db)
        .await
        .unwrap();
    let mut bad = sealed.clone();
    bad[30] ^= 1;
    sqlx::query("UPDATE nodes SET sealed_meta = $1 WHERE kind = 'file'")
        .bind(&bad)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(
        download(&lia, &org, &file.id, &mine).await,
        Err("record".into())
    );
    sqlx::query("UPDATE nodes SET sealed_meta = $1 WHERE kind = 'file'")
        .bind(&sealed)
        .execute(&db)
        .await
        .unwrap();

    // The file's key replaced by one the server made (wrapped to the
    // folder's public key, as anyone can).
    let server_key = NodeKey::generate();
    let wrapped = server_key.wrap_to(&box_key.public_key()).unwrap();
    sqlx::query("UPDATE nodes SET wrapped_key = $1 WHERE kind = 'file'")
        .bind(&wrapped)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(
        download(&lia, &org, &file.id, &mine).await,
        Err("key".into())
    );
}

async fn purged_files_leave_no_blob(backend: Backend) {
    let Owner {
        server,
        lia,
        org,
        keys: mine,
        ..
    } = owner(backend).await;
    let signer = signing_key(&lia, &mine).await;
    let (box_key, the_box) = her_box(&lia, &org, &mine, "Deals").await;
    let (folder_key, folder_node) = make(&box_key.public_key(), Some(&box_key), "Old");
    create_folder(&lia, &org, &the_box.id, &folder_node)
        .await
        .unwrap();
    let p = prepare(&folder_key, &signer, "gone.txt", b"soon gone");
    upload(&lia, &org, &folder_node.id, &p).await.unwrap();
    // An abandoned upload, cancelled.
    let q = prepare(&folder_key, &signer, "never.txt", b"never");
    let id = start(&lia, &org, &folder_node.id, &q)
        .await
        .unwrap()
        .upload_id;
    put_part(&lia, &id, 0, &q.parts[0].bytes, None).await;
    lia.run(coffer_api::CancelUpload { upload_id: id })
        .await
        .unwrap();
    let blobs = || {
        files_under(&server.data.path().join("blobs"))
            .into_iter()
            .filter(|(p, _)| p.to_string_lossy().contains("parts"))
            .count()
    };
    assert_eq!(blobs(), 1, "the cancelled upload's part is swept");

    lia.run(coffer_api::TrashNode {
        organisation_id: org.clone().into(),
        node_id: folder_node.id.clone(),
    })
    .await
    .unwrap();
    assert_eq!(blobs(), 1, "in the trash, the content is kept");
    lia.run(coffer_api::EmptyTrash {
        organisation_id: org.clone().into(),
        box_id: the_box.id.clone(),
    })
    .await
    .unwrap();
    assert_eq!(blobs(), 0);
    assert_eq!(server.count("SELECT COUNT(*) FROM files").await, 0);
    assert_eq!(
        server
            .count("SELECT CAST(SUM(used_bytes) AS BIGINT) FROM memberships")
            .await,
        0,
        "purged files no longer count"
    );
    assert_eq!(server.count("SELECT COUNT(*) FROM blob_sweep").await, 0);
}

/// BOX-10 retention: the organisation keeps trashed items for its number
/// of days (30 unless configured, 1 to 3,650); housekeeping then deletes
/// them, their content and blobs, and records it.
async fn trash_is_purged_after_retention(backend: Backend) {
    let Owner {
        server,
        lia,
        org,
        keys: mine,
        ..
    } = owner(backend).await;
    let signer = signing_key(&lia, &mine).await;
    let (box_key, the_box) = her_box(&lia, &org, &mine, "Deals").await;
    let (folder_key, old) = make(&box_key.public_key(), Some(&box_key), "Old");
    create_folder(&lia, &org, &the_box.id, &old).await.unwrap();
    let p = prepare(&folder_key, &signer, "old.txt", b"old content");
    upload(&lia, &org, &old.id, &p).await.unwrap();
    let recent = prepare(&box_key, &signer, "recent.txt", b"recent");
    let recent = upload(&lia, &org, &the_box.id, &recent).await.unwrap();
    for node in [&old.id, &recent.id] {
        lia.run(coffer_api::TrashNode {
            organisation_id: org.clone().into(),
            node_id: node.clone(),
        })
        .await
        .unwrap();
    }
    let mut settings = lia
        .run(coffer_api::OrganisationSettings {
            organisation_id: org.clone().into(),
        })
        .await
        .unwrap();
    assert_eq!(settings.trash_retention_days, 30);
    for bad in [0, 3651] {
        settings.trash_retention_days = bad;
        let refused = lia
            .run(coffer_api::UpdateOrganisationSettings {
                organisation_id: org.clone().into(),
                settings: settings.clone(),
            })
            .await;
        assert_eq!(
            refused.err().map(refusal),
            Some(Refusal::Settings(
                coffer_shared::organisations::SettingsError::InvalidTrashRetention
            ))
        );
    }
    settings.trash_retention_days = 2;
    lia.run(coffer_api::UpdateOrganisationSettings {
        organisation_id: org.clone().into(),
        settings,
    })
    .await
    .unwrap();
    // The folder was deleted three days ago, the file one day ago.
    let db = server.db().await;
    let day = 86_400_000i64;
    sqlx::query("UPDATE nodes SET trashed_at = trashed_at - $1 WHERE id = $2")
        .bind(3 * day)
        .bind(old.id.to_string())
        .execute(&db)
        .await
        .unwrap();
    sqlx::query("UPDATE nodes SET trashed_at = trashed_at - $1 WHERE id = $2")
        .bind(day)
        .bind(recent.id.to_string())
        .execute(&db)
        .await
        .unwrap();
    server.running.coffer.housekeeping().await.unwrap();
    let trash: Vec<coffer_shared::boxes::TrashItem> = lia
        .run(coffer_api::ListTrash {
            organisation_id: org.clone().into(),
            box_id: the_box.id.clone(),
        })
        .await
        .unwrap();
    assert_eq!(trash.len(), 1, "only the recent file is left");
    assert_eq!(trash[0].path.last().unwrap().id, recent.id);
    assert_eq!(server.count("SELECT COUNT(*) FROM files").await, 1);
    let parts = files_under(&server.data.path().join("blobs"))
        .into_iter()
        .filter(|(p, _)| p.to_string_lossy().contains("parts"))
        .count();
    assert_eq!(parts, 1, "the purged file's blob is swept");
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM audit_events WHERE action = 'box.purged'")
            .await,
        1
    );
    let row = member_row(&lia, &org, "lia@acme.test").await.unwrap();
    assert_eq!(
        row.used_bytes,
        server
            .count("SELECT CAST(SUM(stored_bytes) AS BIGINT) FROM files")
            .await
    );
}

/// PLT-1, PLT-2: ciphertext in S3-compatible storage (the server the test
/// command starts), and three `coffer serve` processes sharing one
/// PostgreSQL and one bucket: an upload whose parts go to two of them
/// completes, and the third serves the download. Nothing is written to
/// the local folder, and the bucket holds no name or body.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_servers_share_one_database_and_bucket() {
    let bucket = std::env::var("COFFER_TEST_S3_URL")
        .expect("COFFER_TEST_S3_URL: scripts/test.sh starts an S3-compatible server");
    let blob_url = format!("{bucket}/it-{}", uuid::Uuid::new_v4());
    let url = blob_url.clone();
    let Owner {
        server: a,
        lia,
        org,
        keys: mine,
        ..
    } = crate::boxes::owner_with(Backend::Postgres, move |c| c.blob_url = Some(url)).await;
    let shared = |database: String, blobs: String| {
        move |c: &mut coffer_core::Config| {
            c.database_url = Some(database);
            c.blob_url = Some(blobs);
        }
    };
    let b = TestServer::start_with(
        Backend::Postgres,
        shared(a.database_url.clone(), blob_url.clone()),
    )
    .await;
    let c = TestServer::start_with(
        Backend::Postgres,
        shared(a.database_url.clone(), blob_url.clone()),
    )
    .await;
    // The same person, her session cookie, speaking to another process.
    let via = |s: &TestServer| Browser {
        http: lia.http.clone(),
        base: s.url().to_string(),
        setup_code: None,
    };
    let (lia_b, lia_c) = (via(&b), via(&c));

    let signer = signing_key(&lia, &mine).await;
    let (box_key, the_box) = her_box(&lia, &org, &mine, "Deals").await;
    let body: Vec<u8> = SECRET_BODY
        .as_bytes()
        .iter()
        .copied()
        .cycle()
        .take(9 * 1024 * 1024)
        .collect();
    let p = prepare(&box_key, &signer, SECRET_NAME, &body);
    let state = start(&lia, &org, &the_box.id, &p).await.unwrap();
    assert_eq!(state.parts, 2);
    for (who, part) in [(&lia, &p.parts[0]), (&lia_b, &p.parts[1])] {
        let res = put_part(
            who,
            &state.upload_id,
            part.n,
            &part.bytes,
            Some(part.sha256),
        )
        .await;
        assert!(res.status().is_success(), "{}", res.status());
    }
    let resumed = lia_c
        .run(coffer_api::ResumeUpload {
            upload_id: state.upload_id.clone(),
        })
        .await
        .unwrap();
    assert_eq!(resumed.received, [0, 1]);
    let file = complete(&lia_b, &state.upload_id, &p).await.unwrap();
    assert_eq!(download(&lia_c, &org, &file.id, &mine).await.unwrap(), body);

    // Nothing in the local folders; in the bucket, ciphertext only.
    for s in [&a, &b, &c] {
        assert!(files_under(&s.data.path().join("blobs")).is_empty());
    }
    let store = coffer_core::kernel::blobs::BlobStore::s3(&blob_url).unwrap();
    let keys = store.keys_under("parts").await.unwrap();
    assert_eq!(keys.len(), 2, "{keys:?}");
    let mut stored = Vec::new();
    for k in &keys {
        let key = coffer_core::kernel::blobs::BlobKey::new(k).unwrap();
        stored.push(store.get(&key).await.unwrap().unwrap());
    }
    for needle in [SECRET_NAME, SECRET_BODY] {
        for form in forms(needle) {
            assert!(!stored.iter().any(|hay| contains(hay, &form)), "{needle}");
        }
    }
    assert_eq!(
        stored.iter().map(Vec::len).sum::<usize>() as u64,
        coffer_shared::files::payload_size(body.len() as u64)
    );
}

/// The real binary on a data folder, killed with SIGKILL when dropped.
struct Process {
    child: std::process::Child,
    base: String,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn serve(data: &std::path::Path) -> Process {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_coffer"))
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(data)
        .arg("--site-dir")
        .arg(std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../dist"))
        .env_remove("COFFER_DATABASE_URL")
        .env_remove("COFFER_BLOB_URL")
        .env("COFFER_LOG", "error")
        .env("COFFER_RATE_LIMIT_PER_ADDRESS", "1000000")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Owned (and killed on drop) before anything can fail.
    let process = Process {
        child,
        base: format!("http://localhost:{port}"),
    };
    for _ in 0..200 {
        let up = reqwest::get(format!("{}/health", process.base)).await;
        if up.is_ok_and(|r| r.status().is_success()) {
            return process;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("coffer serve did not start");
}

/// Restart safety: the server killed with SIGKILL in the middle of an
/// upload, and again while completing one. After each restart the upload
/// resumes from its acknowledged parts (or the file is complete), no
/// half-visible file exists, usage equals the files stored, and the
/// storage check finds no orphan.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_loses_no_upload() {
    use crate::admin_cli::{admin, text};
    let Owner {
        server,
        lia,
        org,
        keys: mine,
        ..
    } = owner(Backend::Sqlite).await;
    let signer = signing_key(&lia, &mine).await;
    let (box_key, the_box) = her_box(&lia, &org, &mine, "Deals").await;
    let data = server.data.path().to_path_buf();
    let TestServer {
        running, data: dir, ..
    } = server;
    let _ = running.shutdown.send(());
    let _ = running.task.await;
    drop(running.coffer);
    let db = format!("sqlite://{}?mode=rwc", data.join("coffer.db").display());
    let count = |sql: &'static str| {
        let db = db.clone();
        async move {
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(&db).await.unwrap();
            let n: i64 = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
            pool.close().await;
            n
        }
    };

    let body: Vec<u8> = (0..(8 * 1024 * 1024 + 4096))
        .map(|i| (i % 233) as u8)
        .collect();
    let p = prepare(&box_key, &signer, "kept.bin", &body);
    let first = serve(&data).await;
    let at = |base: &str| Browser {
        http: lia.http.clone(),
        base: base.to_string(),
        setup_code: None,
    };
    let b = at(&first.base);
    let state = start(&b, &org, &the_box.id, &p).await.unwrap();
    let res = put_part(
        &b,
        &state.upload_id,
        0,
        &p.parts[0].bytes,
        Some(p.parts[0].sha256),
    )
    .await;
    assert!(res.status().is_success());
    // Killed while the second part is on its way.
    let sending = {
        let (b, id, bytes) = (
            at(&first.base),
            state.upload_id.clone(),
            p.parts[1].bytes.clone(),
        );
        tokio::spawn(async move {
            let _ = b
                .http
                .put(format!("{}{}", b.base, site::upload_part(&id, 1)))
                .header("Origin", &b.base)
                .body(bytes)
                .send()
                .await;
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    drop(first);
    let _ = sending.await;

    let second = serve(&data).await;
    let b = at(&second.base);
    let resumed = b
        .run(coffer_api::ResumeUpload {
            upload_id: state.upload_id.clone(),
        })
        .await
        .unwrap();
    assert!(
        resumed.received.contains(&0),
        "the acknowledged part survived"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM nodes WHERE kind = 'file'").await,
        0
    );
    for part in &p.parts {
        if !resumed.received.contains(&part.n) {
            let res = put_part(&b, &state.upload_id, part.n, &part.bytes, Some(part.sha256)).await;
            assert!(res.status().is_success());
        }
    }
    // Killed while completing: either it completed, or the upload is
    // still there to complete again. Never half of each.
    let completing = {
        let (b, id) = (at(&second.base), state.upload_id.clone());
        let done = Completion {
            sealed_meta: Bytes(p.sealed.clone()),
            signature: Bytes(p.signature.to_vec()),
        };
        tokio::spawn(cut_short(
            b,
            coffer_api::CompleteUpload {
                upload_id: id,
                completion: done,
            },
        ))
    };
    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    drop(second);
    let _ = completing.await;
    let files = count("SELECT COUNT(*) FROM files").await;
    let uploads = count("SELECT COUNT(*) FROM uploads").await;
    assert_eq!(files + uploads, 1, "files {files}, uploads {uploads}");
    assert_eq!(
        count("SELECT COUNT(*) FROM nodes WHERE kind = 'file'").await,
        files
    );

    let third = serve(&data).await;
    let b = at(&third.base);
    if uploads == 1 {
        complete(&b, &state.upload_id, &p).await.unwrap();
    }
    assert_eq!(download(&b, &org, &p.node.id, &mine).await.unwrap(), body);
    assert_eq!(
        count("SELECT used_bytes FROM memberships WHERE used_bytes > 0").await,
        count("SELECT CAST(SUM(stored_bytes) AS BIGINT) FROM files").await
    );

    // Killed while the trash is emptied: a folder of 200 folders and the
    // file go in one transaction or not at all, and the parts of a purge
    // that committed are swept by the next process (nothing is orphaned).
    let (folder_key, folder_node) = make(&box_key.public_key(), Some(&box_key), "Old");
    create_folder(&b, &org, &the_box.id, &folder_node)
        .await
        .unwrap();
    for i in 0..200 {
        let (_, inner) = make(&folder_key.public_key(), Some(&folder_key), &format!("{i}"));
        create_folder(&b, &org, &folder_node.id, &inner)
            .await
            .unwrap();
    }
    for node in [&folder_node.id, &p.node.id] {
        trash_node(&b, &org, node).await.unwrap();
    }
    let before = count("SELECT COUNT(*) FROM nodes").await;
    drop(third);
    // Killed sooner or later into emptying it, until a purge gets through.
    let mut purged = false;
    for delay in [5, 20, 60, 150, 400] {
        let server = serve(&data).await;
        let emptying = {
            let (b, box_id, org) = (at(&server.base), the_box.id.clone(), org.clone());
            tokio::spawn(cut_short(
                b,
                coffer_api::EmptyTrash {
                    organisation_id: org.into(),
                    box_id,
                },
            ))
        };
        tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
        drop(server);
        let _ = emptying.await;
        let nodes = count("SELECT COUNT(*) FROM nodes").await;
        let files = count("SELECT COUNT(*) FROM files").await;
        assert!(
            (nodes == before && files == 1) || (nodes == 1 && files == 0),
            "half a purge after {delay} ms: {nodes} of {before} nodes, {files} files"
        );
        if nodes == 1 {
            purged = true;
            break;
        }
    }
    let fourth = serve(&data).await;
    if !purged {
        empty_trash(&at(&fourth.base), &org, &the_box.id).await;
    }
    // The restarted server's first housekeeping sweeps what was queued
    // (the storage check counts queued parts as accounted for, so wait for
    // the parts themselves to go; a loaded CI machine can take seconds).
    let parts_left = || -> Vec<_> {
        files_under(&data.join("blobs").join("parts"))
            .into_iter()
            .map(|(p, _)| p)
            .collect()
    };
    let mut left = parts_left();
    for _ in 0..300 {
        if left.is_empty() && count("SELECT COUNT(*) FROM blob_sweep").await == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        left = parts_left();
    }
    assert!(left.is_empty(), "not swept after 30 s: {left:?}");
    assert_eq!(count("SELECT COUNT(*) FROM blob_sweep").await, 0);
    assert_eq!(count("SELECT COUNT(*) FROM nodes").await, 1);
    assert_eq!(
        count("SELECT COUNT(*) FROM memberships WHERE used_bytes <> 0").await,
        0
    );
    drop(fourth);
    let out = admin(&data, &["storage", "check"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    drop(dir);
}

/// Sends a call to a server about to be killed: the connection may break
/// before any answer, which is the point, so no answer is expected.
async fn cut_short<F>(b: Browser, call: F)
where
    F: leptos::server_fn::ServerFn + serde::Serialize,
{
    let _ = b
        .http
        .post(format!("{}{}", b.base, F::PATH))
        .header("Origin", &b.base)
        .json(&call)
        .send()
        .await;
}

async fn empty_trash(b: &Browser, org: &str, box_id: &coffer_shared::ids::NodeId) {
    b.run(coffer_api::EmptyTrash {
        organisation_id: org.into(),
        box_id: box_id.clone(),
    })
    .await
    .unwrap();
}

/// PLT-3 `coffer admin storage check`: clean after uploads and a purge;
/// an orphan blob or a usage figure that differs is reported, exit 1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storage_check_finds_orphans_and_usage_differences() {
    use crate::admin_cli::{admin, text};
    let Owner {
        server,
        lia,
        org,
        keys: mine,
        ..
    } = owner(Backend::Sqlite).await;
    let signer = signing_key(&lia, &mine).await;
    let (box_key, the_box) = her_box(&lia, &org, &mine, "Deals").await;
    for name in ["a.txt", "b.txt"] {
        let p = prepare(&box_key, &signer, name, name.as_bytes());
        upload(&lia, &org, &the_box.id, &p).await.unwrap();
    }
    let data = server.data.path();
    let out = admin(data, &["storage", "check"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "Storage is consistent.\n");

    let stray = data.join("blobs/parts/0193aaaa-0000-4000-8000-000000000000");
    std::fs::create_dir_all(&stray).unwrap();
    std::fs::write(stray.join("0-abcdef"), b"left behind").unwrap();
    sqlx::query("UPDATE memberships SET used_bytes = used_bytes + 7")
        .execute(&server.db().await)
        .await
        .unwrap();
    let out = admin(data, &["storage", "check"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.contains("orphan blobs: parts/0193aaaa-0000-4000-8000-000000000000/"),
        "{said}"
    );
    assert!(said.contains("usage differs"), "{said}");
    assert!(said.contains(", counted "), "{said}");

    // `coffer admin org create`: a new organisation, its administrator
    // invited.
    let out = admin(
        data,
        &[
            "org",
            "create",
            "--name",
            "Bravo",
            "--seats",
            "3",
            "--expiry",
            "2099-01-31",
            "--admin",
            "bea@bravo.test",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("Created Bravo ("));
    assert!(text(&out.stdout).ends_with("bea@bravo.test is invited.\n"));
    assert_eq!(server.invitation_tokens("bea@bravo.test").len(), 1);
    let out = admin(
        data,
        &[
            "org",
            "create",
            "--name",
            "bravo",
            "--seats",
            "3",
            "--expiry",
            "2099-01-31",
            "--admin",
            "x@bravo.test",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(!text(&out.stderr).is_empty());
}

on_both!(
    files_round_trip,
    part_protocol_refusals,
    who_may_transfer,
    exports_leave_out_the_trash,
    boxes_are_deleted_restored_and_purged,
    tampering_is_caught,
    purged_files_leave_no_blob,
    trash_is_purged_after_retention
);
