//! The audit log (AUD-1) and the mail outbox (AUD-2). Wire types and the
//! domain's refusals, with the words people see.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxSummary {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub sent_at_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMail {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub sent_at_ms: i64,
    pub body: String,
}

/// Filters of an organisation's audit log (AUD-1). Text filters match
/// anywhere (or with `*`/`?` wildcards); dates are inclusive `YYYY-MM-DD`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    pub actor: String,
    pub target: String,
    /// An action code such as `member.added`, or a prefix like `session.`.
    pub action: String,
    pub from: String,
    pub to: String,
    pub page: u32,
    pub page_size: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLogPage {
    pub total: u64,
    pub entries: Vec<AuditEntry>,
}

/// Result of checking an audit chain end to end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainReport {
    pub records: u64,
    /// The first record that does not fit, and why.
    pub first_broken: Option<(i64, String)>,
}
