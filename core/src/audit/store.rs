//! SQL of the audit log page (AUD-1): an organisation's chain, filtered and
//! paged, and the whole chain for verification.

use crate::store::{audit_from, AuditRecord, Conn, AUDIT_COLUMNS, R};

pub async fn chain_records(c: &mut Conn, chain: &str) -> R<Vec<AuditRecord>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_events WHERE chain = $1 ORDER BY seq"
    ));
    let rows = sqlx::query(sql).bind(chain).fetch_all(c).await?;
    rows.iter().map(audit_from).collect()
}

/// Filters of the audit log page; text filters are lower-case `LIKE`
/// patterns, times inclusive Unix milliseconds.
pub struct AuditFilter<'a> {
    pub actor: Option<&'a str>,
    pub target: Option<&'a str>,
    pub action: Option<&'a str>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
}

/// Newest first. Every condition is always present with a "match all"
/// value when unused, so the parameter numbers never shift.
pub async fn audit_page(
    c: &mut Conn,
    chain: &str,
    f: &AuditFilter<'_>,
    limit: i64,
    offset: i64,
) -> R<(i64, Vec<AuditRecord>)> {
    const WHERE: &str = "WHERE chain = $1 AND LOWER(actor_label) LIKE $2 ESCAPE '\\' \
        AND LOWER(target) LIKE $3 ESCAPE '\\' AND action LIKE $4 ESCAPE '\\' AND at >= $5 AND at <= $6";
    let args = (
        f.actor.unwrap_or("%"),
        f.target.unwrap_or("%"),
        f.action.unwrap_or("%"),
        f.from_ms.unwrap_or(i64::MIN),
        f.to_ms.unwrap_or(i64::MAX),
    );
    let count_sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM audit_events {WHERE}"));
    let total: i64 = sqlx::query_scalar(count_sql)
        .bind(chain)
        .bind(args.0)
        .bind(args.1)
        .bind(args.2)
        .bind(args.3)
        .bind(args.4)
        .fetch_one(&mut *c)
        .await?;
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_events {WHERE} ORDER BY seq DESC LIMIT $7 OFFSET $8"
    ));
    let rows = sqlx::query(sql)
        .bind(chain)
        .bind(args.0)
        .bind(args.1)
        .bind(args.2)
        .bind(args.3)
        .bind(args.4)
        .bind(limit)
        .bind(offset)
        .fetch_all(c)
        .await?;
    Ok((total, rows.iter().map(audit_from).collect::<R<Vec<_>>>()?))
}
