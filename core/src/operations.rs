//! PLT-7: what an operator watches. Gauges read when `/metrics` is scraped,
//! and whether the storage answers for `/health`. Counters are recorded
//! where things happen (`metrics::counter!`), through the `metrics` facade;
//! the server installs the exporter.

use crate::{store, Coffer};

/// The state of the queues and the pool at one moment.
pub struct Gauges {
    /// Mail waiting, by priority (0 interactive, 1 bulk).
    pub mail_queued: Vec<(i64, i64)>,
    pub imports_running: usize,
    /// Rows written so far by the imports running.
    pub import_rows_done: u64,
    /// Database connections open, and how many of them are idle.
    pub pool_size: u32,
    pub pool_idle: usize,
}

impl Coffer {
    pub async fn gauges(&self) -> anyhow::Result<Gauges> {
        let mut c = self.db().pool.acquire().await?;
        let mail_queued = store::queued_mail_by_priority(&mut c).await?;
        drop(c);
        let (imports_running, import_rows_done) = self.import_progress().totals();
        Ok(Gauges {
            mail_queued,
            imports_running,
            import_rows_done,
            pool_size: self.db().pool.size(),
            pool_idle: self.db().pool.num_idle(),
        })
    }

    /// Whether the database answers a query.
    pub async fn database_answers(&self) -> bool {
        sqlx::query("SELECT 1")
            .execute(&self.db().pool)
            .await
            .is_ok()
    }

    /// Whether the blob store takes a write and gives it back.
    pub async fn blob_store_answers(&self) -> bool {
        self.blobs().answers().await
    }
}
