//! SQL for CSV imports (IMP-1 … IMP-6): the import jobs themselves, the
//! lookups a file is planned against, and multi-row inserts, so 100,000
//! members cost a few hundred statements rather than a million.

use std::collections::{HashMap, HashSet};

use sqlx::Row;

use crate::store::bulk::{chunk, multi_row, placeholder, values, Bulk};
use crate::store::{is_sqlite, Conn, R};

/// `p1, …, pn` for an `IN` list.
fn list(c: &Conn, n: usize) -> String {
    let sqlite = is_sqlite(c);
    (1..=n)
        .map(|k| placeholder(sqlite, k))
        .collect::<Vec<_>>()
        .join(", ")
}

// ------------------------------------------------------------------ jobs

pub struct NewImport<'a> {
    pub id: &'a str,
    pub organisation_id: &'a str,
    pub created_by: &'a str,
    pub created_at: i64,
    pub format: &'a str,
    pub rows_total: i64,
    pub source: &'a [u8],
}

pub async fn insert_import(c: &mut Conn, i: &NewImport<'_>) -> R<()> {
    sqlx::query(
        "INSERT INTO imports (id, organisation_id, created_by, created_at, format, state, rows_total, source) \
         VALUES ($1, $2, $3, $4, $5, 'previewed', $6, $7)",
    )
    .bind(i.id)
    .bind(i.organisation_id)
    .bind(i.created_by)
    .bind(i.created_at)
    .bind(i.format)
    .bind(i.rows_total)
    .bind(i.source)
    .execute(c)
    .await?;
    Ok(())
}

pub struct ImportRow {
    pub id: String,
    pub created_by: String,
    pub format: String,
    pub state: String,
    pub rows_total: i64,
    pub imported: i64,
    pub problems: String,
    pub failure: String,
}

pub async fn import_row(c: &mut Conn, organisation_id: &str, id: &str) -> R<Option<ImportRow>> {
    let row = sqlx::query(
        "SELECT id, created_by, format, state, rows_total, imported, problems, failure FROM imports \
         WHERE id = $1 AND organisation_id = $2",
    )
    .bind(id)
    .bind(organisation_id)
    .fetch_optional(c)
    .await?;
    row.map(|r| {
        Ok(ImportRow {
            id: r.try_get(0)?,
            created_by: r.try_get(1)?,
            format: r.try_get(2)?,
            state: r.try_get(3)?,
            rows_total: r.try_get(4)?,
            imported: r.try_get(5)?,
            problems: r.try_get(6)?,
            failure: r.try_get(7)?,
        })
    })
    .transpose()
}

pub async fn import_source(c: &mut Conn, id: &str) -> R<Vec<u8>> {
    sqlx::query_scalar("SELECT source FROM imports WHERE id = $1")
        .bind(id)
        .fetch_one(c)
        .await
}

/// Moves a previewed import to running; false when it was not previewed or
/// another import of the organisation is running.
pub async fn start_import(c: &mut Conn, organisation_id: &str, id: &str, now: i64) -> R<bool> {
    let done = sqlx::query(
        "UPDATE imports SET state = 'running', started_at = $3 WHERE id = $1 AND organisation_id = $2 \
         AND state = 'previewed' AND NOT EXISTS \
         (SELECT 1 FROM imports o WHERE o.organisation_id = $2 AND o.state = 'running')",
    )
    .bind(id)
    .bind(organisation_id)
    .bind(now)
    .execute(c)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn running_import_exists(c: &mut Conn, organisation_id: &str) -> R<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM imports WHERE organisation_id = $1 AND state = 'running'",
    )
    .bind(organisation_id)
    .fetch_one(c)
    .await?;
    Ok(n > 0)
}

/// Written in the same transaction as the members it imported.
pub async fn finish_import(
    c: &mut Conn,
    id: &str,
    imported: i64,
    problems: &str,
    now: i64,
) -> R<()> {
    sqlx::query(
        "UPDATE imports SET state = 'finished', imported = $2, problems = $3, finished_at = $4, source = $5 WHERE id = $1",
    )
    .bind(id)
    .bind(imported)
    .bind(problems)
    .bind(now)
    .bind(Vec::<u8>::new())
    .execute(c)
    .await?;
    Ok(())
}

pub async fn fail_import(c: &mut Conn, id: &str, failure: &str, now: i64) -> R<()> {
    sqlx::query(
        "UPDATE imports SET state = 'failed', failure = $2, finished_at = $3 WHERE id = $1 AND state = 'running'",
    )
    .bind(id)
    .bind(failure)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

/// At start-up: imports that were running when the process stopped. Their
/// transaction never committed, so nothing of them is in the database.
pub async fn fail_interrupted_imports(c: &mut Conn, failure: &str, now: i64) -> R<u64> {
    let done = sqlx::query(
        "UPDATE imports SET state = 'failed', failure = $1, finished_at = $2 WHERE state = 'running'",
    )
    .bind(failure)
    .bind(now)
    .execute(c)
    .await?;
    Ok(done.rows_affected())
}

/// Previews nobody started: the file they keep (personal data) goes.
pub async fn delete_stale_previews(c: &mut Conn, created_before: i64) -> R<u64> {
    let done = sqlx::query("DELETE FROM imports WHERE state = 'previewed' AND created_at < $1")
        .bind(created_before)
        .execute(c)
        .await?;
    Ok(done.rows_affected())
}

// ------------------------------------------------------------------ lookups

pub async fn member_emails(c: &mut Conn, organisation_id: &str) -> R<HashSet<String>> {
    let rows = sqlx::query("SELECT email_key FROM memberships WHERE organisation_id = $1")
        .bind(organisation_id)
        .fetch_all(c)
        .await?;
    rows.iter().map(|r| r.try_get(0)).collect()
}

/// Accounts with any of these emails: id and user name by email.
pub async fn accounts_by_email(
    c: &mut Conn,
    emails: &[&str],
) -> R<HashMap<String, (String, Option<String>)>> {
    let mut out = HashMap::new();
    for part in emails.chunks(chunk(1)) {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT email, id, username FROM accounts WHERE email IN ({})",
            list(c, part.len())
        ));
        let mut q = sqlx::query(sql);
        for e in part {
            q = q.bind(*e);
        }
        for r in q.fetch_all(&mut *c).await? {
            out.insert(r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?));
        }
    }
    Ok(out)
}

/// Holders of any of these user names (compared without case).
pub async fn username_holders(c: &mut Conn, names: &[String]) -> R<HashMap<String, String>> {
    let mut out = HashMap::new();
    for part in names.chunks(chunk(1)) {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT LOWER(username), id FROM accounts WHERE LOWER(username) IN ({})",
            list(c, part.len())
        ));
        let mut q = sqlx::query(sql);
        for n in part {
            q = q.bind(n.to_lowercase());
        }
        for r in q.fetch_all(&mut *c).await? {
            out.insert(r.try_get(0)?, r.try_get(1)?);
        }
    }
    Ok(out)
}

// ------------------------------------------------------------------ bulk writes

pub struct BulkAccount<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub username: Option<&'a str>,
    pub first_name: &'a str,
    pub last_name: &'a str,
}

/// New accounts, with the importing organisation as their home.
pub fn insert_accounts(
    sqlite: bool,
    organisation_id: &str,
    rows: &[BulkAccount<'_>],
    now: i64,
) -> Vec<Bulk> {
    multi_row(
        sqlite,
        "accounts (id, email, username, first_name, last_name, created_at, home_organisation_id)",
        7,
        rows,
        |q, a| {
            q.bind(a.id)
                .bind(a.email)
                .bind(a.username)
                .bind(a.first_name)
                .bind(a.last_name)
                .bind(now)
                .bind(organisation_id.to_string())
        },
    )
}

pub struct BulkMembership<'a> {
    pub account_id: &'a str,
    pub role: &'a str,
    pub group_id: Option<&'a str>,
    pub plan_id: Option<&'a str>,
}

/// Memberships with their search and sort keys computed in the same
/// statement (from the accounts, groups and plans just written), so the
/// key triggers leave them alone: one write per member.
pub fn insert_memberships(
    sqlite: bool,
    organisation_id: &str,
    rows: &[BulkMembership<'_>],
    permissions: &str,
    now: i64,
) -> Vec<Bulk> {
    let sep = if sqlite { "char(31)" } else { "chr(31)" };
    rows.chunks(chunk(4))
        .map(|part| {
            let values = values(sqlite, part.len(), 4);
            let n = part.len() * 4;
            let (org, now_p, perms) = (
                placeholder(sqlite, n + 1),
                placeholder(sqlite, n + 2),
                placeholder(sqlite, n + 3),
            );
            let sql = sqlx::AssertSqlSafe(format!(
                "WITH v(account_id, role, group_id, plan_id) AS (VALUES {values}) \
                 INSERT INTO memberships (organisation_id, account_id, role, admin_tier, created_at, group_id, plan_id, permissions, \
                     email_key, first_key, last_key, locked_key, group_key, plan_key, search_key, mfa_key) \
                 SELECT {org}, v.account_id, v.role, 'none', {now_p}, v.group_id, v.plan_id, {perms}, \
                     LOWER(a.email), LOWER(a.first_name), LOWER(a.last_name), \
                     CASE WHEN a.locked_at IS NULL THEN 0 ELSE 1 END, \
                     COALESCE(LOWER(g.name), ''), COALESCE(LOWER(p.name), ''), \
                     LOWER(a.email) || {sep} || LOWER(a.first_name) || {sep} || LOWER(a.last_name) || {sep} \
                         || (CASE v.role WHEN 'adhoc' THEN 'ad hoc' ELSE v.role END) || {sep} || 'none', \
                     CASE WHEN EXISTS (SELECT 1 FROM totp_factors t WHERE t.account_id = a.id \
                         AND t.confirmed_at IS NOT NULL) \
                         OR EXISTS (SELECT 1 FROM passkeys k WHERE k.account_id = a.id) THEN 1 ELSE 0 END \
                 FROM v JOIN accounts a ON a.id = v.account_id \
                 LEFT JOIN groups g ON g.id = v.group_id LEFT JOIN plans p ON p.id = v.plan_id"
            ));
            let mut q = sqlx::query(sql);
            for m in part {
                q = q
                    .bind(m.account_id)
                    .bind(m.role)
                    .bind(m.group_id)
                    .bind(m.plan_id);
            }
            q.bind(organisation_id).bind(now).bind(permissions)
        })
        .collect()
}

pub struct BulkInvitation<'a> {
    pub token_hash: &'a str,
    pub account_id: &'a str,
}

pub fn insert_invitations(
    sqlite: bool,
    organisation_id: &str,
    created_by: &str,
    rows: &[BulkInvitation<'_>],
    now: i64,
    expires_at: i64,
) -> Vec<Bulk> {
    multi_row(
        sqlite,
        "invitations (token_hash, account_id, organisation_id, created_by, created_at, expires_at, purpose)",
        7,
        rows,
        |q, i| {
            q.bind(i.token_hash)
                .bind(i.account_id)
                .bind(organisation_id)
                .bind(created_by)
                .bind(now)
                .bind(expires_at)
                .bind("invite")
        },
    )
}
