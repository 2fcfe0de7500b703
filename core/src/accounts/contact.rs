//! ACC-10 "Contact login administrator": someone who cannot sign in asks
//! their organisation's points of contact (or all its administrators) for
//! help. The request is only queued, for any address, so the answer is the
//! same in content and time whether or not the address has an account; the
//! lookups and mail happen afterwards. An account can ask at most once
//! every ten minutes.

use coffer_shared::errors::InputError;
use coffer_shared::policy::normalise_email;
use serde_json::json;

use crate::accounts::store;
use crate::kernel::audit::{AuditAction, Who};
use crate::kernel::db::{new_id, now_ms};
use crate::kernel::error::Outcome;
use crate::kernel::mail::Mail;
use crate::kernel::work::Work;
use crate::Coffer;

const QUIET_MS: i64 = 10 * 60 * 1000;
const MAX_MESSAGE: usize = 2000;
/// Requests handled per pass of the queue.
const BATCH: i64 = 100;

impl Coffer {
    pub async fn contact_login_administrator(&self, email: &str, message: &str) -> Outcome<()> {
        let email = normalise_email(email)?;
        let message = message.trim();
        if message.chars().count() > MAX_MESSAGE {
            return Err(InputError::MessageTooLong.into());
        }
        self.throttle().identifier(&email)?;
        let mut work = self.ceremony().await?;
        store::queue_contact_request(&mut work, &new_id(), &email, message, now_ms()).await?;
        work.commit().await?;
        let coffer = self.clone();
        tokio::spawn(async move {
            if let Err(e) = coffer.deliver_contact_requests().await {
                tracing::warn!(error = ?e, "contact requests stay queued");
            }
        });
        Ok(())
    }

    /// Works through the queued requests (after each request, and at every
    /// housekeeping pass for what a stop left behind).
    pub async fn deliver_contact_requests(&self) -> Outcome<()> {
        loop {
            let mut c = self.db().pool.acquire().await?;
            let queued = store::queued_contact_requests(&mut c, BATCH).await?;
            drop(c);
            if queued.is_empty() {
                return Ok(());
            }
            for (id, email, message) in queued {
                let mut work = self.ceremony().await?;
                if store::take_contact_request(&mut work, &id).await? {
                    self.contact_request(&mut work, &email, &message).await?;
                }
                work.commit().await?;
            }
        }
    }

    async fn contact_request(
        &self,
        work: &mut Work<'_>,
        email: &str,
        message: &str,
    ) -> Outcome<()> {
        let Some(account) = crate::store::account_by_identifier(work, email).await? else {
            return Ok(());
        };
        let now = work.now;
        if !store::claim_contact_request(work, &account.id, now, now - QUIET_MS).await? {
            return Ok(());
        }
        for m in crate::store::memberships_of(work, &account.id).await? {
            for to in store::login_contacts(work, &m.organisation_id).await? {
                let body = format!(
                    "Hello,\n\n{email}, a member of {org}, asked for help signing in to Coffer.\n\n\
                     Their message:\n\n{text}\n\nYou can unlock or reset their account on the Users page.\n",
                    org = m.organisation_name,
                    text = if message.is_empty() { "(no message)" } else { message },
                );
                let subject = format!("Sign-in help requested by {email}");
                work.queue_mail(Mail { to, subject, body }).await?;
            }
            let who = Who::account(&account.id, &account.email);
            work.audit_as(
                who,
                Some(&m.organisation_id),
                AuditAction::ContactRequested,
                email,
                json!({}),
            )
            .await?;
        }
        Ok(())
    }
}
