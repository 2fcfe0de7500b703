//! The unit of work: every change a use case makes goes through one, so no
//! step can be forgotten. `Coffer::begin` authorizes the principal and opens
//! the write transaction; the use case changes rows through it (it derefs
//! to the connection), writes what the audit log must say (`audit`, with
//! the author filled in) and queues mail (`queue_mail`); `commit` commits
//! and then delivers the interactive mail the change queued. A `Work` dropped without `commit` (a refusal, an error,
//! a panic) rolls back everything, its audit records and mail included.

use std::ops::{Deref, DerefMut};

use serde_json::Value;

use super::audit::{self, AuditAction, Who};
use super::authz::{authorize, Action, Actor};
use super::db::{now_ms, Tx};
use super::error::Outcome;
use super::mail::Mail;
use crate::store::Conn;
use crate::Coffer;

pub struct Work<'c> {
    coffer: &'c Coffer,
    tx: Tx,
    /// The account the audit log names: the actor who began it.
    author: &'c Actor,
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
            author: actor,
            now: now_ms(),
            mail_queued: false,
        };
        Ok((work, actor))
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
        let who = Who::account(&self.author.account_id, &self.author.email);
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
