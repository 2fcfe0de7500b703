//! AUD-1: an organisation's audit log as its administrators read it:
//! filtered pages, CSV export, and verification of the hash chain; and the
//! mail outbox (AUD-2, `outbox.rs`).

pub mod outbox;
pub mod store;

use coffer_shared::audit::{AuditEntry, AuditLogPage, AuditQuery, ChainReport};
use coffer_shared::errors::InputError;
use coffer_shared::ids::OrganisationId;

use crate::kernel::audit;
use crate::kernel::authz::{authorize, Action, Actor};
use crate::kernel::error::Outcome;
use crate::members::like_pattern;
use crate::store::AuditRecord;
use crate::Coffer;

const DAY_MS: i64 = 86_400_000;

fn day_start_ms(date: &str) -> Result<Option<i64>, InputError> {
    if date.trim().is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(date.trim(), &format).map_err(|_| InputError::InvalidDate)?;
    Ok(Some(d.midnight().assume_utc().unix_timestamp() * 1000))
}

fn entry(r: AuditRecord) -> AuditEntry {
    AuditEntry {
        seq: r.seq,
        at_ms: r.at,
        actor: r.actor_label,
        action: r.action,
        target: r.target,
        details: r.details,
    }
}

fn optional_like(text: &str) -> Option<String> {
    (!text.trim().is_empty()).then(|| like_pattern(text))
}

impl Coffer {
    pub async fn audit_log(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        q: &AuditQuery,
    ) -> Outcome<AuditLogPage> {
        authorize(actor, Action::ReadAuditLog(organisation_id))?;
        let from_ms = day_start_ms(&q.from)?;
        let to_ms = day_start_ms(&q.to)?.map(|t| t + DAY_MS - 1);
        let (actor_like, target_like) = (optional_like(&q.actor), optional_like(&q.target));
        let action_like = (!q.action.trim().is_empty())
            .then(|| format!("{}%", q.action.trim().replace('%', "\\%")));
        let filter = store::AuditFilter {
            actor: actor_like.as_deref(),
            target: target_like.as_deref(),
            action: action_like.as_deref(),
            from_ms,
            to_ms,
        };
        let page_size = if q.page_size == 0 {
            i64::MAX
        } else {
            i64::from(q.page_size.min(500))
        };
        let offset = i64::from(q.page).saturating_mul(page_size.min(500));
        let mut c = self.db().pool.acquire().await?;
        let (total, rows) =
            store::audit_page(&mut c, organisation_id, &filter, page_size, offset).await?;
        Ok(AuditLogPage {
            total: total as u64,
            entries: rows.into_iter().map(entry).collect(),
        })
    }

    /// All matching records as CSV (`page_size` is ignored).
    pub async fn audit_log_csv(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        q: &AuditQuery,
    ) -> Outcome<Vec<u8>> {
        let all = AuditQuery {
            page: 0,
            page_size: 0,
            ..q.clone()
        };
        let page = self.audit_log(actor, organisation_id, &all).await?;
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([
            "Sequence",
            "Time (UTC)",
            "Actor",
            "Action",
            "Target",
            "Details",
        ])
        .map_err(anyhow::Error::from)?;
        for e in page.entries {
            let when = time::OffsetDateTime::from_unix_timestamp(e.at_ms / 1000)
                .map(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .unwrap_or_default()
                })
                .unwrap_or_default();
            let row = [
                e.seq.to_string(),
                when,
                e.actor,
                e.action,
                e.target,
                e.details,
            ];
            w.write_record(
                row.iter()
                    .map(|c| crate::members::export::neutralise(c).into_owned()),
            )
            .map_err(anyhow::Error::from)?;
        }
        Ok(w.into_inner()
            .map_err(|e| anyhow::anyhow!("finishing the CSV: {e}"))?)
    }

    pub async fn verify_audit_log(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
    ) -> Outcome<ChainReport> {
        authorize(actor, Action::ReadAuditLog(organisation_id))?;
        let mut c = self.db().pool.acquire().await?;
        let records = store::chain_records(&mut c, organisation_id).await?;
        let head = crate::store::chain_head(&mut c, organisation_id).await?;
        Ok(
            match audit::verify(
                self.audit_key(),
                &records,
                head.as_ref().map(|(s, h)| (*s, h.as_str())),
            ) {
                Ok(n) => ChainReport {
                    records: n,
                    first_broken: None,
                },
                Err(b) => ChainReport {
                    records: records.len() as u64,
                    first_broken: Some((b.seq, b.reason.to_string())),
                },
            },
        )
    }
}
