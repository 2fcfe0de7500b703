//! SQL for account security (ACC-5/6/7), member removal (ORG-5) and the
//! per-member history (ORG-11).

use sqlx::Row;

use crate::store::{audit_from, AuditRecord, Conn, AUDIT_COLUMNS, R};

/// Counts a started sign-in as failed until it succeeds; returns the count.
/// Counts one more failure and returns the new count, in one statement, so
/// parallel requests cannot both read the old count and slip past a limit.
pub async fn count_sign_in_attempt(c: &mut Conn, account_id: &str) -> R<i64> {
    sqlx::query_scalar(
        "UPDATE accounts SET failed_sign_ins = failed_sign_ins + 1 WHERE id = $1 \
         RETURNING failed_sign_ins",
    )
    .bind(account_id)
    .fetch_one(c)
    .await
}

pub async fn sign_in_succeeded(c: &mut Conn, account_id: &str, now: i64) -> R<()> {
    sqlx::query("UPDATE accounts SET failed_sign_ins = 0, last_sign_in_at = $1 WHERE id = $2")
        .bind(now)
        .bind(account_id)
        .execute(c)
        .await?;
    Ok(())
}

/// Locks the account for `reason`; false when it already was locked.
pub async fn lock_account(c: &mut Conn, account_id: &str, now: i64, reason: &str) -> R<bool> {
    let done = sqlx::query(
        "UPDATE accounts SET locked_at = $1, lock_reason = $2 WHERE id = $3 AND locked_at IS NULL",
    )
    .bind(now)
    .bind(reason)
    .bind(account_id)
    .execute(c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Unlocks the account and forgets earlier failures; false when it was not
/// locked.
pub async fn unlock_account(c: &mut Conn, account_id: &str) -> R<bool> {
    let done = sqlx::query(
        "UPDATE accounts SET locked_at = NULL, lock_reason = NULL, failed_sign_ins = 0 \
         WHERE id = $1 AND locked_at IS NOT NULL",
    )
    .bind(account_id)
    .execute(c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// After a password reset: no lock, no failures.
pub async fn clear_lock(c: &mut Conn, account_id: &str) -> R<()> {
    sqlx::query(
        "UPDATE accounts SET locked_at = NULL, lock_reason = NULL, failed_sign_ins = 0 WHERE id = $1",
    )
        .bind(account_id)
        .execute(c)
        .await?;
    Ok(())
}

/// The stored configuration of every organisation the account belongs to.
/// The stored settings of the account's home organisation, if it saved any.
pub async fn home_settings_of(c: &mut Conn, account_id: &str) -> R<Option<String>> {
    sqlx::query_scalar(
        "SELECT s.settings FROM accounts a JOIN organisation_settings s \
         ON s.organisation_id = a.home_organisation_id WHERE a.id = $1",
    )
    .bind(account_id)
    .fetch_optional(c)
    .await
}

pub async fn set_security_question(
    c: &mut Conn,
    account_id: &str,
    question: &str,
    answer_hash: &str,
) -> R<()> {
    sqlx::query(
        "UPDATE accounts SET security_question = $1, security_answer_hash = $2 WHERE id = $3",
    )
    .bind(question)
    .bind(answer_hash)
    .bind(account_id)
    .execute(c)
    .await?;
    Ok(())
}

/// Counts a wrong security answer against a link; returns the count.
/// One more wrong security answer on a link; the new count (one statement).
pub async fn count_failed_answer(c: &mut Conn, token_hash: &str) -> R<i64> {
    sqlx::query_scalar(
        "UPDATE invitations SET failed_answers = failed_answers + 1 WHERE token_hash = $1 \
         RETURNING failed_answers",
    )
    .bind(token_hash)
    .fetch_one(c)
    .await
}

/// Voids an account's unused links of one purpose (a newer one replaces
/// them), optionally only those of one organisation.
pub async fn void_links(
    c: &mut Conn,
    account_id: &str,
    purpose: &str,
    organisation_id: Option<&str>,
    now: i64,
) -> R<u64> {
    let done = sqlx::query(
        "UPDATE invitations SET used_at = $1 WHERE account_id = $2 AND purpose = $3 \
         AND used_at IS NULL AND ($4 = '' OR organisation_id = $4)",
    )
    .bind(now)
    .bind(account_id)
    .bind(purpose)
    .bind(organisation_id.unwrap_or(""))
    .execute(c)
    .await?;
    Ok(done.rows_affected())
}

// ------------------------------------------------------------------ removal (ORG-5)

pub struct NewRemoval<'a> {
    pub id: &'a str,
    pub organisation_id: &'a str,
    pub account_id: &'a str,
    pub email: &'a str,
    pub removed_at: i64,
    pub removed_by: &'a str,
    pub transfer_to: Option<&'a str>,
    pub folder_name: &'a str,
}

pub async fn remove_membership(c: &mut Conn, r: &NewRemoval<'_>) -> R<bool> {
    let gone =
        sqlx::query("DELETE FROM memberships WHERE organisation_id = $1 AND account_id = $2")
            .bind(r.organisation_id)
            .bind(r.account_id)
            .execute(&mut *c)
            .await?;
    if gone.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO member_removals (id, organisation_id, account_id, email, removed_at, removed_by, \
         disposition, transfer_to, folder_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(r.id)
    .bind(r.organisation_id)
    .bind(r.account_id)
    .bind(r.email)
    .bind(r.removed_at)
    .bind(r.removed_by)
    .bind(if r.transfer_to.is_some() { "transfer" } else { "delete" })
    .bind(r.transfer_to)
    .bind(r.folder_name)
    .execute(c)
    .await?;
    Ok(true)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemovalRow {
    pub account_id: String,
    pub email: String,
    pub disposition: String,
    pub transfer_to: Option<String>,
    pub folder_name: String,
}

/// Removals whose items still wait to be moved or deleted.
pub async fn pending_removals(c: &mut Conn, organisation_id: &str) -> R<Vec<RemovalRow>> {
    let rows = sqlx::query(
        "SELECT account_id, email, disposition, transfer_to, folder_name FROM member_removals \
         WHERE organisation_id = $1 AND done_at IS NULL ORDER BY removed_at",
    )
    .bind(organisation_id)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(RemovalRow {
                account_id: r.try_get(0)?,
                email: r.try_get(1)?,
                disposition: r.try_get(2)?,
                transfer_to: r.try_get(3)?,
                folder_name: r.try_get(4)?,
            })
        })
        .collect()
}

/// Originators of an organisation other than one account, by email.
pub async fn originators_except(
    c: &mut Conn,
    organisation_id: &str,
    account_id: &str,
) -> R<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT a.id, a.email FROM memberships m JOIN accounts a ON a.id = m.account_id \
         WHERE m.organisation_id = $1 AND m.role = 'originator' AND a.id <> $2 ORDER BY a.email LIMIT 500",
    )
    .bind(organisation_id)
    .bind(account_id)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

// ------------------------------------------------------------------ history (ORG-11)

/// Account-wide actions shown in every organisation's history of a member.
pub const ACCOUNT_ACTIONS: &[&str] = &[
    "invitation.accepted",
    "account.password_changed",
    "account.profile_updated",
    "account.security_question_set",
    "account.locked",
    "account.unlocked",
    "account.password_reset",
    "mfa.totp_enabled",
    "mfa.totp_disabled",
    "mfa.recovery_codes_renewed",
    "mfa.passkey_added",
    "mfa.passkey_renamed",
    "mfa.passkey_removed",
];

/// A member's history in one organisation, newest first, with whether each
/// actor belongs to that organisation. `account_wide` adds the account's
/// own records (sign-in security, profile) kept outside any organisation:
/// only for the account's home organisation.
pub async fn member_history(
    c: &mut Conn,
    organisation_id: &str,
    email: &str,
    account_wide: bool,
    limit: i64,
) -> R<Vec<(AuditRecord, bool)>> {
    let actions = ACCOUNT_ACTIONS
        .iter()
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let scope = if account_wide {
        format!("(chain = $1 OR (chain = '' AND action IN ({actions})))")
    } else {
        "chain = $1".to_string()
    };
    // Fixed fragments only; the organisation and email are bound.
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {AUDIT_COLUMNS}, CASE WHEN EXISTS (SELECT 1 FROM memberships am \
         WHERE am.organisation_id = $1 AND am.account_id = audit_events.actor_account_id) \
         THEN 1 ELSE 0 END FROM audit_events WHERE target = $2 AND {scope} \
         ORDER BY at DESC, seq DESC LIMIT $3"
    ));
    let rows = sqlx::query(sql)
        .bind(organisation_id)
        .bind(email)
        .bind(limit)
        .fetch_all(c)
        .await?;
    rows.iter()
        .map(|r| Ok((audit_from(r)?, r.try_get::<i64, _>(10)? != 0)))
        .collect()
}

/// Unlocked, activated members of an organisation whose last sign-in (or
/// activation) is before `cutoff`, with their permission flags.
pub async fn idle_members(
    c: &mut Conn,
    organisation_id: &str,
    cutoff: i64,
) -> R<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT a.id, m.permissions FROM memberships m JOIN accounts a ON a.id = m.account_id \
         WHERE m.organisation_id = $1 AND a.home_organisation_id = $1 \
         AND a.locked_at IS NULL AND a.activated_at IS NOT NULL \
         AND COALESCE(a.last_sign_in_at, a.activated_at) < $2",
    )
    .bind(organisation_id)
    .bind(cutoff)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Organisations that saved a configuration.
pub async fn configured_organisations(c: &mut Conn) -> R<Vec<String>> {
    sqlx::query_scalar("SELECT organisation_id FROM organisation_settings")
        .fetch_all(c)
        .await
}
