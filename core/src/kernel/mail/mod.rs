//! Outgoing mail. Messages are queued in the database inside the transaction
//! that causes them, then delivered: over SMTP when configured, otherwise as
//! `.eml` files in the outbox folder. A failed delivery is retried with
//! back-off, so a crash or an SMTP outage loses nothing.
//!
//! Interactive mail (a person is waiting: resets, unlock and set-up links,
//! single invitations, contact requests) is delivered right after the
//! request that queued it, ahead of anything else. Bulk mail (an import's
//! invitations) is delivered by a background pass that sends as fast as the
//! transport allows: many outbox files or several SMTP connections at once.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use coffer_shared::audit::{OutboxMail, OutboxSummary};
use coffer_shared::errors::InputError;
use futures::StreamExt as _;
use lettre::message::{header::ContentType, Mailbox};
use lettre::Message;

mod smtp;

use crate::kernel::db::{new_id, now_ms, Db};
use crate::kernel::error::Outcome;
use crate::store::{self, Conn};

/// A message ready to queue.
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[derive(Clone)]
pub enum Transport {
    Outbox(PathBuf),
    Smtp(std::sync::Arc<smtp::Smtp>),
}

#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
    /// Mails in flight at once.
    parallel: usize,
}

/// Which queued mail a delivery pass takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pass {
    /// What a request just queued for a person who is waiting: interactive
    /// mail only, one batch, so the request stays quick.
    Interactive,
    /// Everything due, until nothing is left.
    Drain,
}

/// Mails leased per batch.
const BATCH: i64 = 500;
/// A lease long enough for a batch; a process that dies mid-batch frees its
/// mails when the lease ends.
const LEASE_MS: i64 = 120_000;
/// Outbox files written at once.
const OUTBOX_PARALLEL: usize = 16;

impl Mailer {
    pub fn new(
        from: &str,
        smtp_url: Option<&str>,
        outbox: &Path,
        smtp_connections: u32,
    ) -> anyhow::Result<Mailer> {
        let from: Mailbox = from
            .parse()
            .with_context(|| format!("smtp_from {from:?} is not a mail address"))?;
        let connections = smtp_connections.max(1);
        let transport = match smtp_url {
            Some(url) => Transport::Smtp(std::sync::Arc::new(smtp::Smtp::new(url, connections)?)),
            None => {
                std::fs::create_dir_all(outbox)
                    .with_context(|| format!("cannot create {}", outbox.display()))?;
                tracing::warn!(
                    outbox = %outbox.display(),
                    "no SMTP server configured (smtp_url): mail, with its sign-in links, is written \
                     to the outbox folder and shown to the instance administrator; this is for \
                     evaluation, not for use with real people"
                );
                Transport::Outbox(outbox.to_path_buf())
            }
        };
        let parallel = match transport {
            Transport::Outbox(_) => OUTBOX_PARALLEL,
            Transport::Smtp(_) => connections as usize,
        };
        Ok(Mailer {
            from,
            transport,
            parallel,
        })
    }

    /// Queues the message in the caller's transaction.
    pub async fn queue(&self, c: &mut Conn, mail: Mail) -> Outcome<()> {
        let m = self.compose(mail)?;
        store::enqueue_mail(c, &m.id, &m.recipient, &m.subject, &m.message, now_ms()).await?;
        Ok(())
    }

    /// The queued form of a mail: the whole RFC 5322 message.
    pub(crate) fn compose(&self, mail: Mail) -> Outcome<crate::store::BulkMail> {
        let to: Mailbox = mail.to.parse().map_err(|_| InputError::InvalidEmail)?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body)
            .context("building a mail message")?;
        Ok(crate::store::BulkMail {
            id: new_id(),
            recipient: mail.to,
            subject: mail.subject,
            message: message.formatted(),
        })
    }

    /// Delivers due mail; returns how many were delivered.
    pub async fn deliver(&self, db: &Db, pass: Pass) -> anyhow::Result<usize> {
        let max_priority = match pass {
            Pass::Interactive => store::MAIL_INTERACTIVE,
            Pass::Drain => store::MAIL_BULK,
        };
        let mut delivered = 0;
        loop {
            let now = now_ms();
            let mut c = db.pool.acquire().await?;
            let batch =
                store::lease_due_mail(&mut c, now, now + LEASE_MS, max_priority, BATCH).await?;
            drop(c);
            if batch.is_empty() {
                return Ok(delivered);
            }
            let outcomes: Vec<(store::QueuedMail, anyhow::Result<()>)> =
                futures::stream::iter(batch)
                    .map(|m| async move {
                        let sent = self.send(&m).await;
                        (m, sent)
                    })
                    .buffer_unordered(self.parallel)
                    .collect()
                    .await;
            let mut done = Vec::with_capacity(outcomes.len());
            let mut c = db.pool.acquire().await?;
            for (m, sent) in outcomes {
                match sent {
                    Ok(()) => done.push(m.id),
                    Err(e) => {
                        let backoff = 30_000i64.saturating_mul(1 << m.attempts.clamp(0, 10));
                        tracing::warn!(mail = %m.id, attempts = m.attempts + 1, error = %format!("{e:#}"), "mail delivery failed");
                        store::mail_failed(&mut c, &m.id, &format!("{e:#}"), now_ms() + backoff)
                            .await?;
                    }
                }
            }
            delivered += done.len();
            store::mails_delivered(&mut c, &done).await?;
            if pass == Pass::Interactive {
                return Ok(delivered);
            }
        }
    }

    async fn send(&self, m: &store::QueuedMail) -> anyhow::Result<()> {
        match &self.transport {
            Transport::Outbox(dir) => {
                let name = format!("{}-{}", now_ms(), m.id);
                let tmp = dir.join(format!(".{name}.tmp"));
                tokio::fs::write(&tmp, &m.message).await?;
                tokio::fs::rename(&tmp, dir.join(format!("{name}.eml"))).await?;
                Ok(())
            }
            Transport::Smtp(smtp) => {
                let to: lettre::Address = m.recipient.parse()?;
                let envelope =
                    lettre::address::Envelope::new(Some(self.from.email.clone()), vec![to])?;
                smtp.send(&envelope, &m.message).await
            }
        }
    }

    pub fn outbox_dir(&self) -> Option<&Path> {
        match &self.transport {
            Transport::Outbox(dir) => Some(dir),
            Transport::Smtp(_) => None,
        }
    }
}

// ------------------------------------------------------------------ outbox reading

fn parse_name(name: &str) -> Option<(i64, &str)> {
    let stem = name.strip_suffix(".eml")?;
    let (ms, _) = stem.split_once('-')?;
    Some((ms.parse().ok()?, stem))
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() < 80 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn read_mail(dir: &Path, id: &str, sent_at_ms: i64) -> anyhow::Result<OutboxMail> {
    let bytes = std::fs::read(dir.join(format!("{id}.eml")))?;
    let msg = mail_parser::MessageParser::default()
        .parse(&bytes)
        .context("outbox file is not a mail message")?;
    let to = msg
        .to()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap_or_default()
        .to_string();
    Ok(OutboxMail {
        id: id.to_string(),
        to,
        subject: msg.subject().unwrap_or_default().to_string(),
        sent_at_ms,
        body: msg.body_text(0).map(|b| b.into_owned()).unwrap_or_default(),
    })
}

/// Newest first.
pub fn list_outbox(dir: &Path) -> anyhow::Result<Vec<OutboxSummary>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if let Some((ms, id)) = parse_name(&name) {
            let m = read_mail(dir, id, ms)?;
            found.push(OutboxSummary {
                id: m.id,
                to: m.to,
                subject: m.subject,
                sent_at_ms: ms,
            });
        }
    }
    found.sort_by(|a, b| b.sent_at_ms.cmp(&a.sent_at_ms).then(b.id.cmp(&a.id)));
    Ok(found)
}

pub fn outbox_mail(dir: &Path, id: &str) -> Outcome<OutboxMail> {
    let ms = id
        .split_once('-')
        .and_then(|(ms, _)| ms.parse::<i64>().ok());
    match ms {
        Some(ms) if valid_id(id) && dir.join(format!("{id}.eml")).is_file() => {
            Ok(read_mail(dir, id, ms)?)
        }
        _ => Err(InputError::UnknownMail.into()),
    }
}

#[cfg(test)]
mod tests {
    use coffer_shared::policy::normalise_email;
    use lettre::message::Mailbox;

    /// The one email rule every door uses never lets through an address
    /// the mail library refuses, so an invitation can always be composed.
    fn composable(address: &str) {
        if let Ok(e) = normalise_email(address) {
            assert!(
                e.parse::<Mailbox>().is_ok(),
                "{e:?} passes the rule but not lettre"
            );
        }
    }

    #[test]
    fn known_hard_cases() {
        for a in [
            "=HYPERLINK(\"http://evil.example\",\"x\")@h.example",
            "o'brien+tag@x.org",
            "{}|~@x.org",
            "ann@münchen.de",
            "a@b.c",
        ] {
            composable(a);
        }
    }

    proptest::proptest! {
        #[test]
        fn accepted_addresses_are_composable(local in "[a-z0-9.!#$%&'*+/=?^_`{|}~\"(),:;<>@\\[\\] -]{1,12}",
                                             domain in "[a-z0-9.ü_-]{1,12}") {
            composable(&format!("{local}@{domain}"));
        }
    }
}
