//! AUD-2: with no SMTP server configured, mail goes to an outbox folder,
//! and the instance administrator reads it on the Outbox page.

use coffer_shared::audit::{OutboxMail, OutboxSummary};
use coffer_shared::errors::InputError;

use crate::kernel::authz::{authorize, Action, Actor};
use crate::kernel::error::Outcome;
use crate::Coffer;

impl Coffer {
    pub async fn outbox(&self, actor: Option<&Actor>) -> Outcome<Vec<OutboxSummary>> {
        authorize(actor, Action::ReadOutbox)?;
        match self.mailer().outbox_dir() {
            Some(dir) => Ok(crate::kernel::mail::list_outbox(dir)?),
            None => Ok(Vec::new()),
        }
    }

    pub async fn outbox_mail(&self, actor: Option<&Actor>, id: &str) -> Outcome<OutboxMail> {
        authorize(actor, Action::ReadOutbox)?;
        match self.mailer().outbox_dir() {
            Some(dir) => crate::kernel::mail::outbox_mail(dir, id),
            None => Err(InputError::UnknownMail.into()),
        }
    }
}
