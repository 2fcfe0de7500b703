//! Coffer's domain. Plain Rust over sqlx: no HTTP, no Leptos. The server
//! functions and the admin command line are thin doors onto `Coffer`.

/// Every program that runs Coffer (the server, the admin command line, the
/// tests and benchmarks) links this crate, so they all get this allocator.
/// glibc's spent a fifth of a 100,000-row import in `malloc` and `free`,
/// with the driver's worker thread and the async runtime's threads
/// allocating at once; mimalloc keeps a heap per thread.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod accounts;
pub mod audit;
pub mod boxes;
pub mod config;
pub mod files;
pub mod import;
pub mod kernel;
pub mod labels;
pub mod members;
pub mod mfa;
pub mod operations;
pub mod organisations;
pub mod recovery;
pub mod security;
pub mod sharing;
pub mod store;
pub mod transfers;

use std::sync::Arc;

use anyhow::Context as _;
use coffer_crypto::ServerSecret;

pub use config::Config;
pub use kernel::authz::Actor;
pub use kernel::error::{Failure, Outcome};
use kernel::{blobs, db, mail, throttle};

/// Where a request came from, for the session list.
#[derive(Clone, Debug, Default)]
pub struct ClientInfo {
    pub user_agent: String,
    pub ip: String,
}

/// Handle on every service; cheap to clone.
#[derive(Clone)]
pub struct Coffer {
    inner: Arc<Inner>,
}

struct Inner {
    db: db::Db,
    config: Config,
    secret: ServerSecret,
    mailer: mail::Mailer,
    blobs: blobs::BlobStore,
    imports: import::Progress,
    /// MFA-4: `None` when the public URL has no domain name.
    relying_party: Option<webauthn_rs::prelude::Webauthn>,
    throttle: throttle::Throttle,
    /// ACC-1: the code first-run setup asks for, while setup is pending.
    setup_code: Option<String>,
    audit_key: kernel::audit::AuditKey,
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot use the data folder {path}: {reason}")]
    DataDir {
        path: String,
        reason: std::io::Error,
    },
    #[error("cannot open the database ({url}): {reason}")]
    Database { url: String, reason: sqlx::Error },
    #[error("cannot apply database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0:#}")]
    Other(#[from] anyhow::Error),
}

impl Coffer {
    /// Opens the data folder and database, applies migrations, and loads (or
    /// on first start creates) the server's OPAQUE secret.
    pub async fn open(config: Config) -> Result<Coffer, OpenError> {
        std::fs::create_dir_all(&config.data_dir).map_err(|reason| OpenError::DataDir {
            path: config.data_dir.display().to_string(),
            reason,
        })?;
        let url = config.database_url();
        let db = db::Db::connect(&url)
            .await
            .map_err(|reason| OpenError::Database {
                url: redact(&url),
                reason,
            })?;
        db.migrate().await?;
        let secret = load_or_create_secret(&config.secret_key_path())?;
        let mut c = db
            .pool
            .acquire()
            .await
            .map_err(|reason| OpenError::Database {
                url: redact(&url),
                reason,
            })?;
        let set_up =
            store::instance_is_set_up(&mut c)
                .await
                .map_err(|reason| OpenError::Database {
                    url: redact(&url),
                    reason,
                })?;
        drop(c);
        let setup_code = accounts::setup_code(&config.setup_code_path(), set_up)?;
        let mailer = mail::Mailer::new(
            &config.smtp_from,
            config.smtp_url.as_deref(),
            &config.outbox_dir(),
            config.smtp_connections,
        )?;
        let blobs = match &config.blob_url {
            Some(url) => blobs::BlobStore::s3(url)?,
            None => blobs::BlobStore::local(&config.blob_dir())?,
        };
        let public_url = config.public_url.clone().unwrap_or_default();
        let audit_key = kernel::audit::AuditKey::new(*secret.derive_key("audit-chain"));
        let throttle = throttle::Throttle::new(
            config.rate_limit_per_address,
            config.rate_limit_per_identifier,
        );
        Ok(Coffer {
            inner: Arc::new(Inner {
                db,
                config,
                secret,
                mailer,
                blobs,
                imports: import::Progress::default(),
                relying_party: mfa::passkeys::relying_party(&public_url),
                throttle,
                setup_code,
                audit_key,
            }),
        })
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn blobs(&self) -> &blobs::BlobStore {
        &self.inner.blobs
    }

    pub fn db(&self) -> &db::Db {
        &self.inner.db
    }

    pub(crate) fn secret(&self) -> &ServerSecret {
        &self.inner.secret
    }

    pub fn mailer(&self) -> &mail::Mailer {
        &self.inner.mailer
    }

    pub(crate) fn relying_party(&self) -> Option<&webauthn_rs::prelude::Webauthn> {
        self.inner.relying_party.as_ref()
    }

    /// The audit chain's MAC key (from the server secret file).
    pub(crate) fn audit_key(&self) -> &kernel::audit::AuditKey {
        &self.inner.audit_key
    }

    /// ACC-1: the setup code to show the operator, while setup is pending.
    pub fn setup_code(&self) -> Option<&str> {
        self.inner.setup_code.as_deref()
    }

    /// The rate limits on anonymous calls.
    pub fn throttle(&self) -> &throttle::Throttle {
        &self.inner.throttle
    }

    pub(crate) fn import_progress(&self) -> &import::Progress {
        &self.inner.imports
    }

    /// The origin links in mail point to.
    pub fn public_url(&self) -> String {
        self.inner
            .config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.inner.config.bind))
    }

    /// Delivers the interactive mail a request just queued (someone is
    /// waiting for it), ahead of any bulk mail; failures stay queued for
    /// the next attempt.
    pub async fn flush_mail(&self) {
        self.deliver_mail(mail::Pass::Interactive).await;
    }

    /// Delivers everything due, bulk mail included, as fast as the transport
    /// allows (after an import, and at every housekeeping pass).
    pub async fn drain_mail(&self) {
        self.deliver_mail(mail::Pass::Drain).await;
    }

    async fn deliver_mail(&self, pass: mail::Pass) {
        if let Err(e) = self.inner.mailer.deliver(&self.inner.db, pass).await {
            tracing::warn!(error = %format!("{e:#}"), "mail delivery pass failed");
        }
    }

    /// Periodic housekeeping: mail retries and expired rows.
    pub async fn housekeeping(&self) -> anyhow::Result<()> {
        self.drain_mail().await;
        self.inner.throttle.forget_idle();
        let mut c = self.inner.db.pool.acquire().await?;
        let now = db::now_ms();
        store::delete_expired_sessions(&mut c, now).await?;
        store::delete_expired_pending_logins(&mut c, now).await?;
        crate::import::store::delete_stale_previews(&mut c, now - import::PREVIEW_KEPT_MS).await?;
        drop(c);
        self.sweep_blobs().await;
        self.purge_expired_trash(now)
            .await
            .map_err(|e| anyhow::anyhow!("trash retention: {e:?}"))?;
        self.tell_of_ending_access(now)
            .await
            .map_err(|e| anyhow::anyhow!("ending access notices: {e:?}"))?;
        self.remove_expired_permits(now)
            .await
            .map_err(|e| anyhow::anyhow!("expired permits: {e:?}"))?;
        self.lock_inactive_accounts(now)
            .await
            .map_err(|e| anyhow::anyhow!("inactivity locks: {e:?}"))?;
        self.deliver_contact_requests()
            .await
            .map_err(|e| anyhow::anyhow!("contact requests: {e:?}"))?;
        Ok(())
    }
}

/// Hides a password in a database URL before it reaches a message.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// The OPAQUE server secret lives in the data folder, not the database, so a
/// stolen database alone cannot be used to test password guesses offline.
fn load_or_create_secret(path: &std::path::Path) -> anyhow::Result<ServerSecret> {
    if path.exists() {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        return ServerSecret::from_bytes(&bytes)
            .map_err(|_| anyhow::anyhow!("{} is corrupt", path.display()));
    }
    let secret = ServerSecret::generate();
    let tmp = path.with_extension("tmp");
    write_private(&tmp, &secret.to_bytes())?;
    std::fs::rename(&tmp, path)?;
    Ok(secret)
}

#[cfg(unix)]
pub(crate) fn write_private(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

#[cfg(not(unix))]
pub(crate) fn write_private(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes)?;
    Ok(())
}
