//! Outgoing mail. Messages are queued in the database inside the transaction
//! that causes them, then delivered: over SMTP when configured, otherwise as
//! `.eml` files in the outbox folder. A failed delivery is retried with
//! back-off, so a crash or an SMTP outage loses nothing.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use coffer_shared::errors::InputError;
use coffer_shared::types::{OutboxMail, OutboxSummary};
use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::db::{new_id, now_ms, Db};
use crate::error::Outcome;
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
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

impl Mailer {
    pub fn new(from: &str, smtp_url: Option<&str>, outbox: &Path) -> anyhow::Result<Mailer> {
        let from: Mailbox = from
            .parse()
            .with_context(|| format!("smtp_from {from:?} is not a mail address"))?;
        let transport = match smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .context("smtp_url is not usable")?
                    .build(),
            ),
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
        Ok(Mailer { from, transport })
    }

    /// Queues the message in the caller's transaction.
    pub async fn queue(&self, c: &mut Conn, mail: Mail) -> Outcome<()> {
        let m = self.compose(mail)?;
        store::enqueue_mail(c, &m.id, &m.recipient, &m.subject, &m.message, now_ms()).await?;
        Ok(())
    }

    /// The queued form of a mail: the whole RFC 5322 message.
    pub(crate) fn compose(&self, mail: Mail) -> Outcome<store::BulkMail> {
        let to: Mailbox = mail.to.parse().map_err(|_| InputError::InvalidEmail)?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body)
            .context("building a mail message")?;
        Ok(store::BulkMail {
            id: new_id(),
            recipient: mail.to,
            subject: mail.subject,
            message: message.formatted(),
        })
    }

    /// Sends everything that is due; returns how many were delivered.
    pub async fn deliver_due(&self, db: &Db) -> anyhow::Result<usize> {
        let mut c = db.pool.acquire().await?;
        let now = now_ms();
        let due = store::due_mail(&mut c, now, 100).await?;
        let mut delivered = 0;
        for m in due {
            // Lease it for two minutes so a second server process skips it.
            if !store::lease_mail(&mut c, &m.id, m.next_attempt_at, now + 120_000).await? {
                continue;
            }
            match self.send(&m).await {
                Ok(()) => {
                    store::mail_delivered(&mut c, &m.id).await?;
                    delivered += 1;
                }
                Err(e) => {
                    let backoff = 30_000i64.saturating_mul(1 << m.attempts.clamp(0, 10));
                    tracing::warn!(mail = %m.id, attempts = m.attempts + 1, error = %format!("{e:#}"), "mail delivery failed");
                    store::mail_failed(&mut c, &m.id, &format!("{e:#}"), now_ms() + backoff)
                        .await?;
                }
            }
        }
        Ok(delivered)
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
                smtp.send_raw(&envelope, &m.message).await?;
                Ok(())
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
