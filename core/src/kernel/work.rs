//! The unit of work: every change a use case makes goes through one, so no
//! step can be forgotten. `Coffer::begin` authorizes the principal and opens
//! the write transaction; the use case changes rows through it (it derefs
//! to the connection), writes what the audit log must say (`audit`, with
//! the author filled in) and queues mail (`queue_mail`); `commit` commits
//! and then delivers the interactive mail the change queued. A `Work`
//! dropped without `commit` (a refusal, an error, a panic) rolls back
//! everything, its audit records and mail included.
//!
//! The ceremonies that start before anyone is signed in (setup, accepting
//! an invitation, signing in, links, "contact us", lockouts Coffer makes
//! itself) have no principal to authorize: `Coffer::ceremony` opens the
//! same unit of work, and its audit records name whoever the ceremony has
//! established (`audit_as`).

use std::ops::{Deref, DerefMut};

use serde_json::Value;

use super::audit::{self, AuditAction, Who};
use super::authz::{authorize, Action, Actor};
use super::db::now_ms;
use super::error::Outcome;
use super::mail::Mail;
use crate::store::Conn;
use crate::Coffer;

pub struct Work<'c> {
    coffer: &'c Coffer,
    /// From the pool, or on a connection a long job set up for itself (an
    /// import's bulk settings).
    tx: sqlx::Transaction<'c, sqlx::Any>,
    /// The account the audit log names: the actor who began it; none in a
    /// ceremony, whose records name their author themselves.
    author: Option<&'c Actor>,
    /// When the change happens: one time for all its rows and records.
    pub now: i64,
    mail_queued: bool,
}

impl Coffer {
    /// Authorizes `action` for `actor` and opens the change it makes; the
    /// audit log will name the actor.
    pub async fn begin<'c>(
        &'c self,
        actor: Option<&'c Actor>,
        action: Action<'_>,
    ) -> Outcome<(Work<'c>, &'c Actor)> {
        let actor = authorize(actor, action)?;
        let work = Work {
            coffer: self,
            tx: self.db().write().await?,
            author: Some(actor),
            now: now_ms(),
            mail_queued: false,
        };
        Ok((work, actor))
    }

    /// Opens a change that no principal begins: a ceremony before sign-in,
    /// or Coffer's own housekeeping. The use case decides who may go on
    /// (a valid link, a correct password) and names the author of each
    /// audit record with `audit_as`.
    pub async fn ceremony(&self) -> Outcome<Work<'_>> {
        Ok(Work {
            coffer: self,
            tx: self.db().write().await?,
            author: None,
            now: now_ms(),
            mail_queued: false,
        })
    }
}

impl<'c> Work<'c> {
    /// A unit of work over a transaction the caller opened on a connection
    /// of its own: a background job authorized when it was requested (an
    /// import), whose audit records name `author`.
    pub fn on_connection(
        coffer: &'c Coffer,
        tx: sqlx::Transaction<'c, sqlx::Any>,
        author: &'c Actor,
    ) -> Work<'c> {
        Work {
            coffer,
            tx,
            author: Some(author),
            now: now_ms(),
            mail_queued: false,
        }
    }
}

impl Work<'_> {
    /// Writes one audit record of this change, in `organisation`'s chain
    /// (`None`: the instance's), naming the change's author. It is kept
    /// only if the change commits.
    pub async fn audit(
        &mut self,
        organisation: Option<&str>,
        action: AuditAction,
        target: impl Into<String>,
        details: Value,
    ) -> Outcome<()> {
        let Some(author) = self.author else {
            return Err(anyhow::anyhow!("a ceremony's audit record must name its author").into());
        };
        let who = Who::account(&author.account_id, &author.email);
        self.audit_as(who, organisation, action, target, details)
            .await
    }

    /// Writes one audit record naming `who`: in a ceremony, the person it
    /// has established (the account signing in, the holder of a link) or
    /// Coffer itself.
    pub async fn audit_as(
        &mut self,
        who: Who<'_>,
        organisation: Option<&str>,
        action: AuditAction,
        target: impl Into<String>,
        details: Value,
    ) -> Outcome<()> {
        audit::record_many(
            &mut self.tx,
            self.coffer.audit_key(),
            who,
            organisation,
            &[(action, target.into(), details)],
            self.now,
        )
        .await?;
        Ok(())
    }

    /// Queues a mail in this change; it is delivered right after commit
    /// (interactive mail: someone is waiting for it).
    pub async fn queue_mail(&mut self, mail: Mail) -> Outcome<()> {
        self.coffer.mailer().queue(&mut self.tx, mail).await?;
        self.mail_queued = true;
        Ok(())
    }

    /// A helper given this change's connection queued mail on it (an
    /// enrolment's invitation, a lockout's notice): deliver after commit.
    pub fn deliver_mail_after_commit(&mut self) {
        self.mail_queued = true;
    }

    pub async fn commit(self) -> Outcome<()> {
        Ok(self.commit_or_database_error().await?)
    }

    /// `commit`, answering the database's own error, for a use case that
    /// tells a constraint refused at commit (two setups racing) from a
    /// failure.
    pub async fn commit_or_database_error(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await?;
        if self.mail_queued {
            self.coffer.flush_mail().await;
        }
        Ok(())
    }
}

impl Deref for Work<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.tx
    }
}

impl DerefMut for Work<'_> {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.tx
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    async fn coffer(dir: &tempfile::TempDir) -> Coffer {
        let config = Config {
            data_dir: dir.path().to_path_buf(),
            ..Config::default()
        };
        Coffer::open(config).await.unwrap()
    }

    async fn records(coffer: &Coffer) -> Vec<(Option<String>, String, String)> {
        let mut c = coffer.db().pool.acquire().await.unwrap();
        sqlx::query_as(
            "SELECT actor_account_id, actor_label, target FROM audit_events ORDER BY seq",
        )
        .fetch_all(&mut *c)
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn a_ceremony_names_its_author_and_keeps_nothing_it_did_not_commit() {
        let dir = tempfile::tempdir().unwrap();
        let coffer = coffer(&dir).await;

        // Nobody began a ceremony: a record that does not name its author
        // is refused rather than written under a made-up name.
        let mut work = coffer.ceremony().await.unwrap();
        let unnamed = work
            .audit(None, AuditAction::SignedOut, "x", serde_json::json!({}))
            .await;
        assert!(unnamed.is_err());
        drop(work);

        // Dropped without commit: its record goes with it.
        let mut work = coffer.ceremony().await.unwrap();
        let who = Who::account("acc-1", "ann@example.test");
        work.audit_as(
            who,
            None,
            AuditAction::SignedOut,
            "dropped",
            serde_json::json!({}),
        )
        .await
        .unwrap();
        drop(work);
        assert!(records(&coffer).await.is_empty());

        let mut work = coffer.ceremony().await.unwrap();
        work.audit_as(
            Who::system(),
            None,
            AuditAction::AccountLocked,
            "kept",
            serde_json::json!({}),
        )
        .await
        .unwrap();
        work.commit().await.unwrap();
        assert_eq!(
            records(&coffer).await,
            vec![(None, "Coffer".to_string(), "kept".to_string())]
        );
    }
}
