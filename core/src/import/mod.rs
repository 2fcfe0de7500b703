//! IMP-1 … IMP-6: bulk import of members from CSV. `parse` reads the file,
//! `plan` decides every row against the organisation, and this module runs
//! the import: a preview first, then one transaction that writes every
//! admitted member, their invitation (a single-use token, never a
//! temporary password), their mail, the audit records and the finished
//! report together — so an import is wholly there or not at all.

pub mod parse;
pub mod plan;
pub mod store;
mod write;

use coffer_shared::ids::{ImportId, OrganisationId};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use coffer_shared::import::{
    ImportError, ImportFormat, ImportPreview, ImportState, ImportStatus, RowOutcome, RowPlan,
};
use serde_json::json;

use crate::kernel::audit::{AuditAction, ChainLink};
use crate::kernel::authz::{authorize, Action, Actor};
use crate::kernel::db::{new_id, now_ms};
use crate::kernel::error::Outcome;
use crate::kernel::notices;
use crate::kernel::work::Work;
use crate::store::Conn;
use crate::Coffer;

use self::plan::{Admission, Lookups};

/// The largest file accepted (about 400,000 typical rows).
pub const MAX_IMPORT_BYTES: usize = 32 * 1024 * 1024;
/// Rows shown in the preview; the full report is downloadable.
pub const PREVIEW_ROWS: usize = 500;
/// How long a preview waits to be started before housekeeping drops it.
pub const PREVIEW_KEPT_MS: i64 = 24 * 3_600_000;
/// Problems listed in the importing administrator's mail.
const MAILED_PROBLEMS: usize = 1_000;
const INTERRUPTED: &str =
    "The server stopped during the import. Nothing was imported; start it again.";

/// Rows done per running import, for the progress bar.
#[derive(Default)]
pub struct Progress(Mutex<HashMap<String, Arc<AtomicU64>>>);

impl Progress {
    fn track(&self, id: &str) -> Arc<AtomicU64> {
        let counter = Arc::new(AtomicU64::new(0));
        if let Ok(mut m) = self.0.lock() {
            m.insert(id.to_string(), counter.clone());
        }
        counter
    }
    fn get(&self, id: &str) -> Option<u64> {
        self.0
            .lock()
            .ok()?
            .get(id)
            .map(|c| c.load(Ordering::Relaxed))
    }
    /// Imports running, and the rows they have written so far.
    pub(crate) fn totals(&self) -> (usize, u64) {
        self.0
            .lock()
            .map(|m| {
                let done = m.values().map(|c| c.load(Ordering::Relaxed)).sum();
                (m.len(), done)
            })
            .unwrap_or((0, 0))
    }
    fn forget(&self, id: &str) {
        if let Ok(mut m) = self.0.lock() {
            m.remove(id);
        }
    }
}

fn format_code(f: ImportFormat) -> &'static str {
    match f {
        ImportFormat::Named => "named",
        ImportFormat::EmailRole => "email_role",
    }
}

fn format_from(code: &str) -> ImportFormat {
    if code == "named" {
        ImportFormat::Named
    } else {
        ImportFormat::EmailRole
    }
}

fn state_from(code: &str) -> ImportState {
    match code {
        "previewed" => ImportState::Previewed,
        "running" => ImportState::Running,
        "finished" => ImportState::Finished,
        _ => ImportState::Failed,
    }
}

impl Coffer {
    async fn lookups(
        &self,
        c: &mut Conn,
        organisation_id: &str,
        rows: &[parse::ParsedRow],
    ) -> Outcome<Lookups> {
        let emails: Vec<&str> = rows
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|c| c.email.as_str())
            .collect();
        let usernames: Vec<String> = rows
            .iter()
            .filter_map(|r| r.as_ref().ok()?.username.clone())
            .collect();
        let seats = crate::organisations::store::seats(c, organisation_id)
            .await?
            .ok_or(coffer_shared::members::MemberError::UnknownOrganisation)?;
        let groups = crate::members::store::groups(c, organisation_id)
            .await?
            .into_iter()
            .map(|g| (g.name.to_lowercase(), g.id.into_string()))
            .collect();
        Ok(Lookups {
            members: store::member_emails(c, organisation_id).await?,
            accounts: store::accounts_by_email(c, &emails).await?,
            usernames: store::username_holders(c, &usernames).await?,
            groups,
            seats_left: seats.licence_seats
                - self.seats_taken(c, organisation_id, seats.used).await?,
        })
    }

    /// Reads and plans a file; nothing changes but the stored preview.
    pub async fn import_preview(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        file: &[u8],
        choice: Option<ImportFormat>,
    ) -> Outcome<ImportPreview> {
        let actor = authorize(actor, Action::ManageMembers(organisation_id))?;
        if file.len() > MAX_IMPORT_BYTES {
            return Err(ImportError::TooLarge {
                max_mb: (MAX_IMPORT_BYTES / (1024 * 1024)) as u64,
            }
            .into());
        }
        let parsed = parse_off_thread(file.to_vec(), choice).await?;
        let mut c = self.db().pool.acquire().await?;
        let lookups = self.lookups(&mut c, organisation_id, &parsed.rows).await?;
        let planned = plan::plan(&parsed.rows, &lookups);
        let id = new_id();
        store::insert_import(
            &mut c,
            &store::NewImport {
                id: &id,
                organisation_id,
                created_by: &actor.account_id,
                created_at: now_ms(),
                format: format_code(parsed.format),
                rows_total: planned.rows.len() as i64,
                source: file,
            },
        )
        .await?;
        let count = |f: fn(&RowOutcome) -> bool| {
            planned.rows.iter().filter(|r| f(&r.outcome)).count() as u64
        };
        Ok(ImportPreview {
            import_id: id.into(),
            format: parsed.format,
            rows_total: planned.rows.len() as u64,
            to_add: count(|o| *o == RowOutcome::Add),
            skipped: count(|o| matches!(o, RowOutcome::Skip(_))),
            rows: planned.rows.into_iter().take(PREVIEW_ROWS).collect(),
        })
    }

    /// Starts a previewed import in the background; poll `import_status`.
    pub async fn import_start(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        import_id: &ImportId,
    ) -> Outcome<ImportStatus> {
        let (actor, counter) = self.claim_import(actor, organisation_id, import_id).await?;
        let (me, org, id) = (
            self.clone(),
            organisation_id.to_string(),
            import_id.to_string(),
        );
        tokio::spawn(async move { me.finish_import(&actor, &org, &id, &counter).await });
        self.read_import_status(organisation_id, import_id).await
    }

    /// The same import, waited for (the admin command line).
    pub async fn import_and_wait(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        import_id: &ImportId,
    ) -> Outcome<ImportStatus> {
        let (actor, counter) = self.claim_import(actor, organisation_id, import_id).await?;
        self.finish_import(&actor, organisation_id, import_id, &counter)
            .await;
        self.read_import_status(organisation_id, import_id).await
    }

    /// Checks who may start it and marks it running.
    async fn claim_import(
        &self,
        actor: Option<&Actor>,
        organisation_id: &str,
        import_id: &str,
    ) -> Outcome<(Actor, Arc<AtomicU64>)> {
        let actor = authorize(actor, Action::ManageMembers(organisation_id))?.clone();
        let mut c = self.db().pool.acquire().await?;
        let row = store::import_row(&mut c, organisation_id, import_id)
            .await?
            .filter(|r| r.created_by == actor.account_id)
            .ok_or(ImportError::Unknown)?;
        if row.state != "previewed" {
            return Err(ImportError::AlreadyStarted.into());
        }
        if !store::start_import(&mut c, organisation_id, import_id, now_ms()).await? {
            return Err(ImportError::Busy.into());
        }
        Ok((actor, self.import_progress().track(import_id)))
    }

    async fn finish_import(
        &self,
        actor: &Actor,
        organisation_id: &str,
        import_id: &str,
        counter: &AtomicU64,
    ) {
        if let Err(e) = self
            .run_import(actor, organisation_id, import_id, counter)
            .await
        {
            tracing::warn!(import = %import_id, error = ?e, "import failed");
            if let Ok(mut c) = self.db().pool.acquire().await {
                let _ = store::fail_import(&mut c, import_id, &e.to_string(), now_ms()).await;
            }
        }
        self.import_progress().forget(import_id);
        // The import's invitations, as fast as the transport allows; mail a
        // person waits for still goes first (see `mail::Pass`).
        self.drain_mail().await;
    }

    pub async fn import_status(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        import_id: &ImportId,
    ) -> Outcome<ImportStatus> {
        authorize(actor, Action::ManageMembers(organisation_id))?;
        self.read_import_status(organisation_id, import_id).await
    }

    async fn read_import_status(
        &self,
        organisation_id: &str,
        import_id: &str,
    ) -> Outcome<ImportStatus> {
        let mut c = self.db().pool.acquire().await?;
        let row = store::import_row(&mut c, organisation_id, import_id)
            .await?
            .ok_or(ImportError::Unknown)?;
        let state = state_from(&row.state);
        let rows_done = match state {
            ImportState::Finished => row.rows_total as u64,
            ImportState::Running => self.import_progress().get(import_id).unwrap_or(0),
            _ => 0,
        };
        Ok(ImportStatus {
            import_id: row.id.into(),
            state,
            format: format_from(&row.format),
            rows_total: row.rows_total as u64,
            rows_done,
            imported: row.imported as u64,
            problems: serde_json::from_str(&row.problems).unwrap_or_default(),
            failure: row.failure,
        })
    }

    /// At start-up: an import whose process died never committed.
    pub async fn fail_interrupted_imports(&self) -> Outcome<u64> {
        let mut c = self.db().pool.acquire().await?;
        Ok(store::fail_interrupted_imports(&mut c, INTERRUPTED, now_ms()).await?)
    }

    async fn run_import(
        &self,
        actor: &Actor,
        organisation_id: &str,
        import_id: &str,
        progress: &AtomicU64,
    ) -> Outcome<()> {
        let sqlite = self.db().engine == crate::kernel::db::Engine::Sqlite;
        let mut conn = self.db().pool.acquire().await?;
        if sqlite {
            // A 100,000-member transaction touches more pages than the
            // usual cache holds; spilling them early writes them twice. And
            // the commit would copy its whole write-ahead log into the
            // database before returning (SQLite checkpoints at the commit
            // that passes 1,000 pages): 1.5 s of the benchmark. The
            // checkpoint runs after the import reads as finished instead.
            sqlx::query("PRAGMA cache_size = -262144")
                .execute(&mut *conn)
                .await?;
            sqlx::query("PRAGMA wal_autocheckpoint = 0")
                .execute(&mut *conn)
                .await?;
        }
        let outcome = self
            .import_in(
                &mut conn,
                sqlite,
                actor,
                organisation_id,
                import_id,
                progress,
            )
            .await;
        if sqlite {
            // Back to the pool's settings (`db::connect` and SQLite's
            // default checkpoint interval), whatever happened.
            let restored = async {
                sqlx::query("PRAGMA cache_size = -16000")
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("PRAGMA wal_autocheckpoint = 1000")
                    .execute(&mut *conn)
                    .await?;
                // Passive: readers and writers go on meanwhile.
                sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                    .execute(&mut *conn)
                    .await
            }
            .await;
            if let Err(e) = restored {
                tracing::warn!(error = %e, "restoring a connection after an import");
                conn.close_on_drop();
            }
        }
        outcome
    }

    /// The import's one transaction, on the connection given.
    async fn import_in(
        &self,
        conn: &mut Conn,
        sqlite: bool,
        actor: &Actor,
        organisation_id: &str,
        import_id: &str,
        progress: &AtomicU64,
    ) -> Outcome<()> {
        let tx = crate::kernel::db::begin_write(conn, sqlite).await?;
        let mut tx = Work::on_connection(self, tx, actor);
        if !sqlite {
            // The member-search settings of `db::connect` do not suit bulk
            // writes (the 100,000-row benchmark took 34 s with them, 27 s
            // without): the statements repeat with thousands of parameters,
            // so a kept plan saves planning each one again.
            sqlx::query("SET LOCAL plan_cache_mode = auto")
                .execute(&mut *tx)
                .await?;
            sqlx::query("SET LOCAL random_page_cost = 4")
                .execute(&mut *tx)
                .await?;
        }
        let source = store::import_source(&mut tx, import_id).await?;
        let format = store::import_row(&mut tx, organisation_id, import_id)
            .await?
            .map(|r| format_from(&r.format))
            .ok_or(ImportError::Unknown)?;
        let parsed = parse_off_thread(source, Some(format)).await?;
        // Planned again inside the transaction: the organisation may have
        // changed since the preview.
        let lookups = self.lookups(&mut tx, organisation_id, &parsed.rows).await?;
        let mut planned = plan::plan(&parsed.rows, &lookups);
        let admissions = std::mem::take(&mut planned.admissions);
        let imported = self
            .admit_all(&mut tx, actor, organisation_id, admissions, progress)
            .await?;
        let problems: Vec<&RowPlan> = planned
            .rows
            .iter()
            .filter(|r| matches!(r.outcome, RowOutcome::Skip(_)))
            .collect();
        let seats = crate::organisations::store::seats(&mut tx, organisation_id)
            .await?
            .ok_or(coffer_shared::members::MemberError::UnknownOrganisation)?;
        let report = notices::import_report(
            &actor.email,
            &seats.organisation_name,
            imported,
            planned.rows.len() as u64,
            &problems
                .iter()
                .take(MAILED_PROBLEMS)
                .map(|r| (r.line, r.email.clone(), outcome_text(&r.outcome)))
                .collect::<Vec<_>>(),
            problems.len(),
        );
        tx.queue_mail(report).await?;
        // The import ends now, however long it ran.
        tx.now = now_ms();
        let now = tx.now;
        let details = json!({
            "import": import_id,
            "imported": imported,
            "rows": planned.rows.len(),
            "skipped": problems.len(),
        });
        tx.audit(
            Some(organisation_id),
            AuditAction::MembersImported,
            "",
            details,
        )
        .await?;
        let problems_json = serde_json::to_string(&problems).unwrap_or_else(|_| "[]".into());
        store::finish_import(&mut tx, import_id, imported as i64, &problems_json, now).await?;
        progress.store(planned.rows.len() as u64, Ordering::Relaxed);
        tx.commit().await?;
        Ok(())
    }

    /// Writes every admitted row in bulk; returns how many joined.
    async fn admit_all(
        &self,
        tx: &mut Conn,
        actor: &Actor,
        organisation_id: &str,
        admissions: Vec<Admission>,
        progress: &AtomicU64,
    ) -> Outcome<u64> {
        if admissions.is_empty() {
            return Ok(0);
        }
        let now = now_ms();
        let settings = self.settings_in(tx, organisation_id).await?;
        let writer = write::Writer {
            sqlite: self.db().engine == crate::kernel::db::Engine::Sqlite,
            organisation_id: organisation_id.to_string(),
            organisation_name: crate::organisations::store::seats(tx, organisation_id)
                .await?
                .map(|s| s.organisation_name)
                .unwrap_or_default(),
            actor_id: actor.account_id.clone(),
            actor_email: actor.email.clone(),
            now,
            expires_at: now + i64::from(settings.invitation_expiry_hours) * 3_600_000,
            permissions: crate::organisations::settings::flags_to(&settings.default_flags()),
            default_plan: crate::organisations::store::default_plan(tx, organisation_id).await?,
            public_url: self.public_url(),
            mailer: self.mailer().clone(),
        };
        // The audit chain's positions for every record are taken now; the
        // writer thread hashes them in order and the head is set at the end.
        let (first, prev) =
            crate::store::advance_chain_by(tx, organisation_id, admissions.len() as i64).await?;
        let (send, mut prepared) = tokio::sync::mpsc::channel(2);
        let key = self.audit_key().clone();
        let preparing = tokio::task::spawn_blocking(move || {
            let mut link = ChainLink {
                seq: first,
                prev,
                key,
            };
            for batch in admissions.chunks(write::BATCH) {
                let next = writer.prepare(batch, &mut link);
                let failed = next.is_err();
                // A closed channel means the writing side failed and stopped.
                if send.blocking_send(next).is_err() || failed {
                    break;
                }
            }
            link.prev
        });
        let mut done = 0u64;
        while let Some(batch) = prepared.recv().await {
            let batch = batch?;
            crate::store::run_bulk(tx, batch.statements).await?;
            done += batch.rows;
            progress.store(done, Ordering::Relaxed);
        }
        let head = preparing
            .await
            .map_err(|e| anyhow::anyhow!("preparing import rows: {e}"))?;
        crate::store::set_chain_head(tx, organisation_id, &head).await?;
        Ok(done)
    }
}

impl Coffer {
    /// IMP-4: the problems of a finished import as CSV (cells neutralised
    /// like every export, since they echo the uploaded file).
    pub async fn import_report_csv(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        import_id: &ImportId,
    ) -> Outcome<Vec<u8>> {
        let status = self
            .import_status(actor, organisation_id, import_id)
            .await?;
        let mut w = csv::Writer::from_writer(Vec::new());
        let neutral = crate::members::export::neutralise;
        w.write_record(["Line", "Email", "Result"])
            .map_err(anyhow::Error::from)?;
        for p in &status.problems {
            w.write_record([
                p.line.to_string(),
                neutral(&p.email).into_owned(),
                neutral(&outcome_text(&p.outcome)).into_owned(),
            ])
            .map_err(anyhow::Error::from)?;
        }
        Ok(w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?)
    }
}

/// Parsing a file of up to 32 MB is CPU work for seconds: on a blocking
/// thread, so the async workers keep answering other requests.
async fn parse_off_thread(
    bytes: Vec<u8>,
    choice: Option<ImportFormat>,
) -> Outcome<parse::ParsedFile> {
    Ok(
        tokio::task::spawn_blocking(move || parse::parse(&bytes, choice))
            .await
            .map_err(|e| anyhow::anyhow!("import parsing task: {e}"))??,
    )
}

/// How a report line reads.
pub fn outcome_text(o: &RowOutcome) -> String {
    match o {
        RowOutcome::Add => "Added".into(),
        RowOutcome::Skip(reason) => reason.to_string(),
    }
}
