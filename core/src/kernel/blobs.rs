//! Where ciphertext lives: an `object_store` (a local folder by default,
//! S3-compatible storage when boxes come), behind the few operations the
//! domains need. Keys are Coffer's own (`BlobKey`), never a file's name.
//! Writes go to a temporary name and appear whole (the local store renames;
//! S3 puts are atomic), so a crash leaves no half-written object under a
//! real key.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt as _, PutPayload};

/// The name of one stored object: lower-case letters, digits, `-` and `/`
/// only (no `..`), so no key can leave the store's folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobKey(String);

impl BlobKey {
    pub fn new(key: &str) -> Option<BlobKey> {
        let ok = !key.is_empty()
            && key.len() <= 200
            && key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'/')
            && key.split('/').all(|part| !part.is_empty());
        ok.then(|| BlobKey(key.to_string()))
    }

    fn path(&self) -> ObjectPath {
        ObjectPath::from(self.0.as_str())
    }
}

/// A local write cut short (the process killed mid-part) leaves its
/// staging file, `<name>#<n>`, beside where the object would be; listing
/// skips such files, so a prefix's are removed here, with the folder once
/// it is empty.
async fn remove_staging(dir: &Path) -> anyhow::Result<()> {
    let mut entries = match tokio::fs::read_dir(dir).await {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", dir.display())),
    };
    while let Some(entry) = entries.next_entry().await? {
        if entry.file_name().to_string_lossy().contains('#') {
            match tokio::fs::remove_file(entry.path()).await {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(e).with_context(|| format!("removing {}", entry.path().display()))
                }
            }
        }
    }
    // Not empty (another object was written meanwhile): it stays.
    let _ = tokio::fs::remove_dir(dir).await;
    Ok(())
}

#[derive(Clone)]
pub struct BlobStore {
    store: Arc<dyn ObjectStore>,
    /// The folder of a local store.
    local_root: Option<std::path::PathBuf>,
}

impl BlobStore {
    /// Objects as files under `dir` (created if missing).
    pub fn local(dir: &Path) -> anyhow::Result<BlobStore> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the blob folder {}", dir.display()))?;
        // A part is acknowledged only once it is on stable storage, as
        // S3 promises; an upload's folder goes with its last part.
        let store = LocalFileSystem::new_with_prefix(dir)
            .with_context(|| format!("cannot use {} as the blob store", dir.display()))?
            .with_fsync(true)
            .with_automatic_cleanup(true);
        Ok(BlobStore {
            store: Arc::new(store),
            local_root: Some(dir.to_path_buf()),
        })
    }

    /// S3-compatible storage at `url` (`s3://bucket[/prefix]`); the
    /// credentials, region and endpoint come from the `AWS_…` variables
    /// (`AWS_ENDPOINT_URL`, `AWS_ALLOW_HTTP=true` for a local server).
    pub fn s3(url: &str) -> anyhow::Result<BlobStore> {
        let parsed = url::Url::parse(url).with_context(|| format!("{url} is not a URL"))?;
        let bucket = parsed.host_str().unwrap_or_default();
        let store = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()
            .with_context(|| format!("cannot use {url} as the blob store"))?;
        let prefix = parsed.path().trim_matches('/');
        let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
            Arc::new(store)
        } else {
            Arc::new(object_store::prefix::PrefixStore::new(store, prefix))
        };
        Ok(BlobStore {
            store,
            local_root: None,
        })
    }

    pub async fn put(&self, key: &BlobKey, bytes: Vec<u8>) -> anyhow::Result<()> {
        self.store
            .put(&key.path(), PutPayload::from(bytes))
            .await
            .with_context(|| format!("storing {key:?}"))?;
        Ok(())
    }

    /// The object's bytes, or `None` when there is none under the key.
    pub async fn get(&self, key: &BlobKey) -> anyhow::Result<Option<Vec<u8>>> {
        match self.store.get(&key.path()).await {
            // Taken over without a copy (the bytes are this call's alone).
            Ok(found) => Ok(Some(Vec::from(found.bytes().await?))),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading {key:?}")),
        }
    }

    /// Removes the object; removing one that is not there is not an error.
    pub async fn delete(&self, key: &BlobKey) -> anyhow::Result<()> {
        match self.store.delete(&key.path()).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e).with_context(|| format!("removing {key:?}")),
        }
    }

    /// Removes every object under `prefix` (an upload's parts).
    pub async fn delete_prefix(&self, prefix: &str) -> anyhow::Result<()> {
        use futures::TryStreamExt as _;
        let Some(prefix) = BlobKey::new(prefix) else {
            anyhow::bail!("not a blob prefix: {prefix:?}");
        };
        let found: Vec<_> = self
            .store
            .list(Some(&prefix.path()))
            .map_ok(|meta| meta.location)
            .try_collect()
            .await
            .with_context(|| format!("listing {prefix:?}"))?;
        for location in found {
            match self.store.delete(&location).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(e).with_context(|| format!("removing {location}")),
            }
        }
        if let Some(root) = &self.local_root {
            remove_staging(&root.join(prefix.path().as_ref())).await?;
        }
        Ok(())
    }

    /// Every key under `prefix`, for checks (`coffer admin storage check`,
    /// tests).
    pub async fn keys_under(&self, prefix: &str) -> anyhow::Result<Vec<String>> {
        use futures::TryStreamExt as _;
        let Some(prefix) = BlobKey::new(prefix) else {
            anyhow::bail!("not a blob prefix: {prefix:?}");
        };
        self.store
            .list(Some(&prefix.path()))
            .map_ok(|meta| meta.location.to_string())
            .try_collect()
            .await
            .with_context(|| format!("listing {prefix:?}"))
    }

    /// Whether the store takes a write and gives it back (for `/health`).
    pub async fn answers(&self) -> bool {
        let Some(probe) = BlobKey::new("health/probe") else {
            return false;
        };
        self.put(&probe, b"ok".to_vec()).await.is_ok()
            && matches!(self.get(&probe).await, Ok(Some(b)) if b == b"ok")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ops::Not as _;

    #[test]
    fn keys_cannot_leave_the_store() {
        assert!(BlobKey::new("parts/0193abc/7").is_some());
        for bad in [
            "", "../x", "a//b", "/abs", "a/", "UPPER", "a b", "a/../b", "x.tmp",
        ] {
            assert!(BlobKey::new(bad).is_none(), "{bad:?}");
        }
    }

    #[tokio::test]
    async fn objects_round_trip_and_vanish() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::local(dir.path()).unwrap();
        round_trip(&store).await;
        // Objects are plain files under the folder.
        store
            .put(&BlobKey::new("parts/x/0").unwrap(), b"y".to_vec())
            .await
            .unwrap();
        assert!(dir.path().join("parts/x/0").is_file());
        // A part whose write was cut short by a killed process left its
        // staging file; deleting the upload's parts removes it too.
        std::fs::write(dir.path().join("parts/x/1-abc#1"), b"half").unwrap();
        store.delete_prefix("parts/x").await.unwrap();
        assert!(!dir.path().join("parts/x").exists());
    }

    /// PLT-1: the same against the S3-compatible server the test command
    /// starts (`COFFER_TEST_S3_URL`, with the `AWS_…` variables), each run
    /// under a prefix of its own.
    #[tokio::test]
    async fn s3_objects_round_trip_and_vanish() {
        let bucket = std::env::var("COFFER_TEST_S3_URL")
            .expect("COFFER_TEST_S3_URL: scripts/test.sh starts an S3-compatible server");
        let url = format!("{bucket}/unit-{}", uuid::Uuid::new_v4());
        let store = BlobStore::s3(&url).unwrap();
        round_trip(&store).await;
        assert!(BlobStore::s3("s3://no-such-bucket-here")
            .unwrap()
            .answers()
            .await
            .not());
    }

    async fn round_trip(store: &BlobStore) {
        let key = BlobKey::new("parts/abc/0").unwrap();
        assert_eq!(store.get(&key).await.unwrap(), None);
        store.put(&key, b"ciphertext".to_vec()).await.unwrap();
        assert_eq!(
            store.get(&key).await.unwrap().as_deref(),
            Some(&b"ciphertext"[..])
        );
        store
            .put(&BlobKey::new("parts/abc/1").unwrap(), b"x".to_vec())
            .await
            .unwrap();
        assert_eq!(store.keys_under("parts/abc").await.unwrap().len(), 2);
        store.delete_prefix("parts/abc").await.unwrap();
        assert!(store.keys_under("parts").await.unwrap().is_empty());
        store.delete(&key).await.unwrap();
        assert_eq!(store.get(&key).await.unwrap(), None);
        assert!(store.answers().await);
    }
}
