//! BOX-1 files, CRY-2 their content, CRY-5 the uploader's signature, BOX-6
//! the plan they count against. The browser encrypts (age, to the file
//! node's own key), cuts the payload into parts and signs the manifest; the
//! server checks lengths, hashes, the signature and the quota, stores parts
//! as blobs, and makes the file visible only when every part is there.
//! It never sees a name or a byte of plaintext.

pub mod store;

use coffer_crypto::{verify_manifest, Manifest};
use coffer_shared::boxes::{BoxError, NodeKind, NodeView};
use coffer_shared::files::{
    part_count, part_length, payload_size, BoxExport, Completion, ExportItem, FileContent,
    FileError, NewUpload, PartReceipt, SigningKey, StorageUsage, StoredFile, UploadState, FILE_MAX,
    HEADER_MAX,
};
use coffer_shared::ids::{NodeId, OrganisationId};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::boxes::{self, in_trash};
use crate::kernel::access::Need;
use crate::kernel::audit::AuditAction;
use crate::kernel::authz::{authorize, Action, Actor};
use crate::kernel::blobs::BlobKey;
use crate::kernel::db::{new_handle, now_ms};
use crate::kernel::error::Outcome;
use crate::organisations::plans::may_store;
use crate::{Coffer, Failure};

/// An unfinished upload is swept after a day (DESIGN "Moving bytes").
pub const UPLOAD_KEPT_MS: i64 = 24 * 60 * 60 * 1000;
const AGE_MAGIC: &[u8] = b"age-encryption.org/v1\n";

/// Where part `n` of an upload is stored; the hash is in the name, so two
/// racing bodies for one part never overwrite each other's object.
pub fn part_key(prefix: &str, n: u32, sha256_hex: &str) -> Option<BlobKey> {
    BlobKey::new(&format!(
        "parts/{prefix}/{n}-{}",
        &sha256_hex[..16.min(sha256_hex.len())]
    ))
}

/// The blob prefix an upload's parts live under.
pub fn parts_prefix(upload_id: &str) -> String {
    format!("parts/{upload_id}")
}

fn check_header(header: &[u8], plain_size: u64) -> Result<(), FileError> {
    if !header.starts_with(AGE_MAGIC) || header.len() > HEADER_MAX || plain_size > FILE_MAX {
        return Err(FileError::InvalidHeader);
    }
    Ok(())
}

/// The manifest the uploader signed, as the server rebuilds it.
fn manifest(node_id: &str, plain_size: u64, header: &[u8], parts: &[String]) -> Option<Manifest> {
    let part_sha256 = parts
        .iter()
        .map(|h| hex::decode(h).ok()?.try_into().ok())
        .collect::<Option<Vec<[u8; 32]>>>()?;
    Some(Manifest {
        file_id: node_id.to_string(),
        plain_size,
        header_sha256: Sha256::digest(header).into(),
        part_sha256,
    })
}

impl Coffer {
    /// BOX-6: what the actor's files take in the organisation, against
    /// their plan.
    pub async fn storage_usage(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
    ) -> Outcome<StorageUsage> {
        let actor = authorize(actor, Action::UseBoxes(organisation_id))?;
        let mut c = self.db().pool.acquire().await?;
        Ok(StorageUsage {
            used_bytes: store::stored_usage(&mut c, organisation_id, &actor.account_id).await?,
            quota_bytes: store::quota(&mut c, organisation_id, &actor.account_id).await?,
        })
    }

    /// CRY-5: the member's signing key, if they have one yet.
    pub async fn signing_key(&self, actor: Option<&Actor>) -> Outcome<Option<SigningKey>> {
        let actor = authorize(actor, Action::ManageOwnAccount)?;
        let mut c = self.db().pool.acquire().await?;
        Ok(store::signing_key(&mut c, &actor.account_id).await?)
    }

    /// CRY-5: a member's first signing key (made in the browser at their
    /// next sign-in); it is never replaced from here.
    pub async fn set_signing_key(&self, actor: Option<&Actor>, key: &SigningKey) -> Outcome<()> {
        let (mut work, actor) = self.begin(actor, Action::ManageOwnAccount).await?;
        if !coffer_crypto::is_valid_signing_key(&key.public_key)
            || !key.wrapped.0.starts_with(AGE_MAGIC)
            || key.wrapped.0.len() > coffer_shared::boxes::WRAPPED_KEY_MAX
        {
            return Err(BoxError::InvalidKeyMaterial.into());
        }
        if !store::set_signing_key(&mut work, &actor.account_id, key).await? {
            return Err(FileError::SigningKeySet.into());
        }
        work.commit().await?;
        Ok(())
    }

    /// Starts an upload into the folder `parent_id`: checks the shapes, the
    /// uploader's permit and the box owner's plan (the whole ciphertext is
    /// reserved now), and answers the upload's id and part count.
    pub async fn create_upload(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        parent_id: &NodeId,
        new: &NewUpload,
    ) -> Outcome<UploadState> {
        let (mut work, actor, path) = self
            .change_node(actor, organisation_id, parent_id, Need::Upload)
            .await?;
        let Some(parent) = path.last() else {
            return Err(BoxError::Unknown.into());
        };
        if in_trash(&path) || parent.kind == NodeKind::File {
            return Err(BoxError::Unknown.into());
        }
        boxes::check_new_node(&new.node)?;
        boxes::still_current(&new.node.under, &parent.public_key)?;
        let box_id = boxes::box_of(&mut work, &path).await?;
        check_header(&new.header.0, new.plain_size)?;
        if store::signing_key(&mut work, &actor.account_id)
            .await?
            .is_none()
        {
            return Err(FileError::NoSigningKey.into());
        }
        if store::node_id_taken(&mut work, &new.node.id).await? {
            return Err(BoxError::IdTaken.into());
        }
        let Some(owner) = store::box_owner(&mut work, &box_id).await? else {
            return Err(BoxError::Unknown.into());
        };
        let payload = payload_size(new.plain_size);
        let stored = payload + new.header.0.len() as u64;
        let now = work.now;
        if let Some(quota) = store::quota(&mut work, organisation_id, &owner).await? {
            let used = store::usage(&mut work, organisation_id, &owner, now, "").await?;
            may_store(quota, used, stored as i64)?;
        }
        let upload = store::Upload {
            id: new_handle(),
            organisation_id: organisation_id.to_string(),
            box_id: box_id.to_string(),
            parent_id: parent_id.to_string(),
            node_id: new.node.id.to_string(),
            public_key: new.node.public_key.clone(),
            wrapped_key: new.node.wrapped_key.0.clone(),
            header: new.header.0.clone(),
            plain_size: new.plain_size as i64,
            payload_size: payload as i64,
            parts: i64::from(part_count(payload)),
            charged_to: owner,
            created_by: actor.account_id.clone(),
        };
        store::insert_upload(
            &mut work,
            &upload,
            &new.node.sealed_meta.0,
            now,
            now + UPLOAD_KEPT_MS,
        )
        .await?;
        work.commit().await?;
        Ok(UploadState {
            upload_id: upload.id,
            parts: part_count(payload),
            received: Vec::new(),
        })
    }

    /// The uploader's own upload, unexpired.
    async fn own_upload(&self, actor: Option<&Actor>, upload_id: &str) -> Outcome<store::Upload> {
        let actor = authorize(actor, Action::ManageOwnAccount)?;
        let mut c = self.db().pool.acquire().await?;
        match store::upload(&mut c, upload_id, now_ms()).await? {
            Some(u)
                if u.created_by == actor.account_id
                    && authorize(Some(actor), Action::UseBoxes(&u.organisation_id)).is_ok() =>
            {
                Ok(u)
            }
            _ => Err(FileError::UnknownUpload.into()),
        }
    }

    /// Which parts the server holds (to resume after a drop).
    pub async fn upload_state(
        &self,
        actor: Option<&Actor>,
        upload_id: &str,
    ) -> Outcome<UploadState> {
        let upload = self.own_upload(actor, upload_id).await?;
        let mut c = self.db().pool.acquire().await?;
        let received = store::parts(&mut c, upload_id).await?;
        Ok(UploadState {
            upload_id: upload.id,
            parts: upload.parts as u32,
            received: received.into_iter().map(|(n, _)| n).collect(),
        })
    }

    /// One part: exactly its length, the hash the client announced (if
    /// any) checked, stored whole before it is acknowledged. The same part
    /// again is acknowledged again; a different body for it is refused.
    pub async fn put_part(
        &self,
        actor: Option<&Actor>,
        upload_id: &str,
        n: u32,
        body: Vec<u8>,
        announced_sha256: Option<&str>,
    ) -> Outcome<PartReceipt> {
        let upload = self.own_upload(actor, upload_id).await?;
        let Some(expected) = part_length(upload.payload_size as u64, n) else {
            return Err(FileError::NoSuchPart { part: n }.into());
        };
        if body.len() as u64 != expected {
            return Err(FileError::WrongPartLength {
                part: n,
                expected,
                received: body.len() as u64,
            }
            .into());
        }
        let sha256 = hex::encode(Sha256::digest(&body));
        if announced_sha256.is_some_and(|a| a != sha256) {
            return Err(FileError::PartDamaged { part: n }.into());
        }
        let receipt = PartReceipt { part: n, sha256 };
        let mut c = self.db().pool.acquire().await?;
        match store::part_hash(&mut c, upload_id, n).await? {
            Some(h) if h == receipt.sha256 => return Ok(receipt),
            Some(_) => return Err(FileError::PartConflict { part: n }.into()),
            None => {}
        }
        drop(c);
        let key = part_key(&upload.id, n, &receipt.sha256).ok_or(FileError::UnknownUpload)?;
        self.blobs().put(&key, body).await?;
        let mut work = self.ceremony().await?;
        let inserted = store::insert_part(&mut work, upload_id, n, expected, &receipt.sha256).await;
        match inserted {
            Ok(()) => {
                work.commit().await?;
                Ok(receipt)
            }
            // Another request stored this part first: same body or not?
            Err(e) if crate::kernel::error::is_unique_violation(&e) => {
                drop(work);
                let mut c = self.db().pool.acquire().await?;
                match store::part_hash(&mut c, upload_id, n).await? {
                    Some(h) if h == receipt.sha256 => Ok(receipt),
                    _ => Err(FileError::PartConflict { part: n }.into()),
                }
            }
            // The upload went (cancelled, expired) while this part was
            // being stored: its blob would be left with nothing referring
            // to it, so it goes the way of the rest of the upload.
            Err(e) => {
                drop(work);
                let mut work = self.ceremony().await?;
                let now = work.now;
                store::queue_sweep(&mut work, upload_id, 0, now).await?;
                let gone = store::upload(&mut work, upload_id, now).await?.is_none();
                work.commit().await?;
                self.sweep_blobs().await;
                if gone {
                    Err(FileError::UnknownUpload.into())
                } else {
                    Err(e.into())
                }
            }
        }
    }

    /// Ends an upload: every part there, the signature on the manifest the
    /// uploader's, the plan checked again (uploads may have raced); only
    /// now does the file appear, in one transaction.
    pub async fn complete_upload(
        &self,
        actor: Option<&Actor>,
        upload_id: &str,
        done: &Completion,
    ) -> Outcome<NodeView> {
        let upload = self.own_upload(actor, upload_id).await?;
        let org = OrganisationId::from(upload.organisation_id.clone());
        let parent = NodeId::from(upload.parent_id.clone());
        let (mut work, actor, path) = self.change_node(actor, &org, &parent, Need::Upload).await?;
        if in_trash(&path) {
            return Err(BoxError::Unknown.into());
        }
        boxes::check_sealed(&done.sealed_meta.0)?;
        let parts = store::parts(&mut work, upload_id).await?;
        let missing = upload.parts as usize - parts.len();
        if missing > 0 {
            return Err(FileError::MissingParts {
                missing: missing as u32,
            }
            .into());
        }
        let hashes: Vec<String> = parts.into_iter().map(|(_, h)| h).collect();
        let signer = store::signing_key(&mut work, &actor.account_id)
            .await?
            .ok_or(FileError::NoSigningKey)?;
        let signed = manifest(
            &upload.node_id,
            upload.plain_size as u64,
            &upload.header,
            &hashes,
        )
        .ok_or(FileError::BadSignature)?;
        if verify_manifest(&signer.public_key, &signed, &done.signature.0).is_err() {
            return Err(FileError::BadSignature.into());
        }
        let now = work.now;
        let stored = upload.payload_size + upload.header.len() as i64;
        if let Some(quota) = store::quota(&mut work, &org, &upload.charged_to).await? {
            let used = store::usage(&mut work, &org, &upload.charged_to, now, upload_id).await?;
            may_store(quota, used, stored)?;
        }
        if !store::delete_upload(&mut work, upload_id).await? {
            return Err(FileError::UnknownUpload.into());
        }
        let row = crate::boxes::store::NewRow {
            id: &upload.node_id,
            organisation_id: &org,
            box_id: &upload.box_id,
            parent_id: Some(&parent),
            kind: NodeKind::File,
            public_key: &upload.public_key,
            wrapped_key: Some(&upload.wrapped_key),
            sealed_meta: &done.sealed_meta.0,
            created_by: &upload.created_by,
            now,
        };
        crate::boxes::store::insert_node(&mut work, &row).await?;
        store::add_usage(&mut work, &org, &upload.charged_to, stored).await?;
        let joined = hashes.join(",");
        store::insert_file(
            &mut work,
            &store::FileRow {
                node_id: &upload.node_id,
                blob_prefix: &upload.id,
                header: &upload.header,
                plain_size: upload.plain_size,
                stored_bytes: stored,
                part_sha256: &joined,
                signature: &done.signature.0,
                signed_by: &actor.account_id,
                charged_to: &upload.charged_to,
            },
        )
        .await?;
        work.audit(
            Some(&org),
            AuditAction::FileUploaded,
            &upload.node_id,
            json!({ "box": upload.box_id, "parent": parent, "bytes": stored }),
        )
        .await?;
        if let Some(mail) = self
            .upload_notice(&mut work, &upload.box_id, actor, &org)
            .await?
        {
            work.queue_mail(mail).await?;
        }
        work.commit().await?;
        Ok(NodeView {
            id: upload.node_id.into(),
            kind: NodeKind::File,
            parent_id: Some(parent),
            public_key: upload.public_key,
            wrapped_key: upload.wrapped_key.into(),
            sealed_meta: done.sealed_meta.clone(),
            created_at_ms: now,
            updated_at_ms: now,
            trashed_at_ms: None,
            created_by: Some(actor.email.clone()),
            label: None,
        })
    }

    /// Gives up an upload: its rows go at once, its parts with the sweeper.
    pub async fn cancel_upload(&self, actor: Option<&Actor>, upload_id: &str) -> Outcome<()> {
        self.own_upload(actor, upload_id).await?;
        let mut work = self.ceremony().await?;
        let now = work.now;
        store::queue_sweep(&mut work, upload_id, 0, now).await?;
        store::delete_upload(&mut work, upload_id).await?;
        work.commit().await?;
        self.sweep_blobs().await;
        Ok(())
    }

    /// What a download needs besides the payload: the way to the file's
    /// key, its header, part hashes and signature. Recorded as a download
    /// in the box's activity.
    pub async fn file_content(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        node_id: &NodeId,
    ) -> Outcome<FileContent> {
        let (mut work, actor) = self.begin(actor, Action::UseBoxes(organisation_id)).await?;
        boxes::require(&mut work, actor, organisation_id, node_id, Need::See)
            .await
            .map_err(unknown_file)?;
        let path = boxes::path_to(&mut work, actor, organisation_id, node_id).await?;
        let stored = match path.last() {
            Some(n) if n.kind == NodeKind::File && !in_trash(&path) => {
                store::file(&mut work, node_id).await?
            }
            _ => None,
        };
        let Some(stored) = stored else {
            return Err(FileError::UnknownFile.into());
        };
        let box_id = boxes::box_of(&mut work, &path).await?;
        work.audit(
            Some(organisation_id),
            AuditAction::FileDownloaded,
            node_id,
            json!({ "box": box_id }),
        )
        .await?;
        work.commit().await?;
        Ok(FileContent {
            organisation_id: organisation_id.clone(),
            path,
            header: stored.header.into(),
            plain_size: stored.plain_size as u64,
            part_sha256: stored.part_sha256,
            signature: stored.signature.into(),
        })
    }

    /// BOX-8: what an export of a box or folder needs: the way down to it
    /// and everything under it that is not in the trash, files with their
    /// headers and signed manifests (the parts come through `file_part`).
    /// Recorded in the box's activity.
    pub async fn export(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        node_id: &NodeId,
    ) -> Outcome<BoxExport> {
        let (mut work, actor) = self.begin(actor, Action::UseBoxes(organisation_id)).await?;
        boxes::require(&mut work, actor, organisation_id, node_id, Need::Download).await?;
        let path = boxes::path_to(&mut work, actor, organisation_id, node_id).await?;
        if in_trash(&path) || path.last().is_none_or(|n| n.kind == NodeKind::File) {
            return Err(BoxError::Unknown.into());
        }
        let nodes = boxes::store::live_subtree(&mut work, node_id).await?;
        let mut files = store::files_under(&mut work, node_id).await?;
        let items: Vec<ExportItem> = nodes
            .into_iter()
            .map(|node| {
                let file = files.remove(node.id.as_str()).map(|f| StoredFile {
                    header: f.header.into(),
                    plain_size: f.plain_size as u64,
                    part_sha256: f.part_sha256,
                    signature: f.signature.into(),
                });
                ExportItem { node, file }
            })
            .collect();
        let box_id = boxes::box_of(&mut work, &path).await?;
        work.audit(
            Some(organisation_id),
            AuditAction::BoxExported,
            node_id,
            json!({ "box": box_id, "items": items.len() }),
        )
        .await?;
        work.commit().await?;
        Ok(BoxExport {
            organisation_id: organisation_id.clone(),
            path,
            items,
        })
    }

    /// One part of a file's payload, as stored.
    pub async fn file_part(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        node_id: &NodeId,
        n: u32,
    ) -> Outcome<Vec<u8>> {
        let actor = authorize(actor, Action::UseBoxes(organisation_id))?;
        let mut c = self.db().pool.acquire().await?;
        boxes::require(&mut c, actor, organisation_id, node_id, Need::See)
            .await
            .map_err(unknown_file)?;
        let path = boxes::path_to(&mut c, actor, organisation_id, node_id).await?;
        if in_trash(&path) {
            return Err(FileError::UnknownFile.into());
        }
        let stored = store::file(&mut c, node_id)
            .await?
            .ok_or(FileError::UnknownFile)?;
        drop(c);
        let hash = stored
            .part_sha256
            .get(n as usize)
            .ok_or(FileError::NoSuchPart { part: n })?;
        let key = part_key(&stored.blob_prefix, n, hash).ok_or(FileError::UnknownFile)?;
        match self.blobs().get(&key).await? {
            Some(bytes) => Ok(bytes),
            None => Err(anyhow::anyhow!(
                "part {n} of file {node_id} is missing from the blob store"
            )
            .into()),
        }
    }

    /// Deletes the blobs of purged files and abandoned uploads (after the
    /// transactions that let go of them committed), and expires uploads
    /// older than a day.
    pub async fn sweep_blobs(&self) {
        if let Err(e) = self.try_sweep_blobs().await {
            tracing::warn!(error = %format!("{e:#}"), "blob sweep failed");
        }
    }

    async fn try_sweep_blobs(&self) -> Outcome<()> {
        let mut work = self.ceremony().await?;
        let now = work.now;
        store::expire_uploads(&mut work, now).await?;
        work.commit().await?;
        let mut c = self.db().pool.acquire().await?;
        for prefix in store::sweep_queue(&mut c, 100).await? {
            if !store::prefix_in_use(&mut c, &prefix).await? {
                self.blobs().delete_prefix(&parts_prefix(&prefix)).await?;
            }
            store::swept(&mut c, &prefix).await?;
        }
        Ok(())
    }
}

/// PLT-3 `coffer admin storage check`: blobs no row refers to, and stored
/// usage figures that differ from the files counted.
#[derive(Debug, Default)]
pub struct StorageReport {
    /// Blob prefixes (one upload's parts) that no upload, file or sweep
    /// refers to.
    pub orphans: Vec<String>,
    /// (organisation, account, stored, counted).
    pub usage: Vec<(String, String, i64, i64)>,
}

impl StorageReport {
    pub fn is_clean(&self) -> bool {
        self.orphans.is_empty() && self.usage.is_empty()
    }
}

impl Coffer {
    /// Compares the blob store and the stored usage with the database.
    /// Only the instance administrator (the command line) asks.
    pub async fn storage_check(&self, actor: Option<&Actor>) -> Outcome<StorageReport> {
        authorize(actor, Action::ListOrganisations)?;
        let mut c = self.db().pool.acquire().await?;
        let mut prefixes: Vec<String> = self
            .blobs()
            .keys_under("parts")
            .await?
            .into_iter()
            .filter_map(|k| k.split('/').nth(1).map(str::to_string))
            .collect();
        prefixes.sort();
        prefixes.dedup();
        let queued = store::sweep_queue(&mut c, i64::MAX).await?;
        let mut orphans = Vec::new();
        for prefix in prefixes {
            if !queued.contains(&prefix) && !store::prefix_in_use(&mut c, &prefix).await? {
                orphans.push(prefix);
            }
        }
        Ok(StorageReport {
            orphans,
            usage: store::usage_differences(&mut c).await?,
        })
    }
}

fn unknown_file(f: Failure) -> Failure {
    match f {
        Failure::Refused(coffer_shared::Refusal::Box(BoxError::Unknown)) => {
            FileError::UnknownFile.into()
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_keys_stay_inside_the_store() {
        let key = part_key("0193c0de-1111-4222-8333-444455556666", 3, &"ab".repeat(32));
        assert!(key.is_some());
        assert!(part_key("../x", 0, "ab").is_none());
    }

    #[test]
    fn headers_are_age_and_sizes_bounded() {
        assert_eq!(check_header(b"age-encryption.org/v1\n-> X25519", 5), Ok(()));
        assert_eq!(check_header(b"not age", 5), Err(FileError::InvalidHeader));
        assert_eq!(
            check_header(b"age-encryption.org/v1\n", FILE_MAX + 1),
            Err(FileError::InvalidHeader)
        );
    }
}
