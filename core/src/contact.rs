//! ACC-10 "Contact login administrator": someone who cannot sign in asks
//! their organisation's points of contact (or all its administrators) for
//! help. The answer is the same whether or not the address has an account,
//! and an account can ask at most once every ten minutes.

use coffer_shared::errors::InputError;
use coffer_shared::policy::normalise_email;
use serde_json::json;

use crate::audit::{self, AuditAction, Who};
use crate::db::now_ms;
use crate::error::Outcome;
use crate::mail::Mail;
use crate::store;
use crate::Coffer;

const QUIET_MS: i64 = 10 * 60 * 1000;
const MAX_MESSAGE: usize = 2000;

impl Coffer {
    pub async fn contact_login_administrator(&self, email: &str, message: &str) -> Outcome<()> {
        let email = normalise_email(email)?;
        let message = message.trim();
        if message.chars().count() > MAX_MESSAGE {
            return Err(InputError::MessageTooLong.into());
        }
        let mut tx = self.db().write().await?;
        let Some(account) = store::account_by_identifier(&mut tx, &email).await? else {
            return Ok(());
        };
        let now = now_ms();
        if !store::claim_contact_request(&mut tx, &account.id, now, now - QUIET_MS).await? {
            return Ok(());
        }
        for m in store::memberships_of(&mut tx, &account.id).await? {
            for to in store::login_contacts(&mut tx, &m.organisation_id).await? {
                let body = format!(
                    "Hello,\n\n{email}, a member of {org}, asked for help signing in to Coffer.\n\n\
                     Their message:\n\n{text}\n\nYou can unlock or reset their account on the Users page.\n",
                    org = m.organisation_name,
                    text = if message.is_empty() { "(no message)" } else { message },
                );
                let subject = format!("Sign-in help requested by {email}");
                self.mailer()
                    .queue(&mut tx, Mail { to, subject, body })
                    .await?;
            }
            let who = Who::account(&account.id, &account.email);
            audit::record(
                &mut tx,
                who,
                Some(&m.organisation_id),
                AuditAction::ContactRequested,
                &email,
                json!({}),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        self.flush_mail().await;
        Ok(())
    }
}
