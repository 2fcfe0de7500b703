//! SQL for second factors (MFA-1): authenticator secrets, recovery codes,
//! and the attempts against a sign-in waiting for its second factor.

use sqlx::Row;

use super::{Conn, R};

pub struct TotpRow {
    pub secret: String,
    pub confirmed: bool,
    pub last_step: i64,
}

pub async fn totp_factor(c: &mut Conn, account_id: &str) -> R<Option<TotpRow>> {
    let row = sqlx::query(
        "SELECT secret, CASE WHEN confirmed_at IS NULL THEN 0 ELSE 1 END, last_step FROM totp_factors \
         WHERE account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(c)
    .await?;
    row.map(|r| {
        Ok(TotpRow {
            secret: r.try_get(0)?,
            confirmed: r.try_get::<i64, _>(1)? == 1,
            last_step: r.try_get(2)?,
        })
    })
    .transpose()
}

/// A new, unconfirmed secret; replaces an unconfirmed one, never a
/// confirmed one (false then).
pub async fn begin_totp(c: &mut Conn, account_id: &str, secret: &str, now: i64) -> R<bool> {
    sqlx::query("DELETE FROM totp_factors WHERE account_id = $1 AND confirmed_at IS NULL")
        .bind(account_id)
        .execute(&mut *c)
        .await?;
    let done = sqlx::query(
        "INSERT INTO totp_factors (account_id, secret, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id) DO NOTHING",
    )
    .bind(account_id)
    .bind(secret)
    .bind(now)
    .execute(c)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn confirm_totp(c: &mut Conn, account_id: &str, step: i64, now: i64) -> R<()> {
    sqlx::query("UPDATE totp_factors SET confirmed_at = $1, last_step = $2 WHERE account_id = $3")
        .bind(now)
        .bind(step)
        .bind(account_id)
        .execute(c)
        .await?;
    Ok(())
}

/// Records that a code of `step` was accepted; false when that step (or a
/// later one) already was, so two requests racing with one code cannot
/// both pass.
pub async fn use_totp_step(c: &mut Conn, account_id: &str, step: i64) -> R<bool> {
    let done = sqlx::query(
        "UPDATE totp_factors SET last_step = $1 WHERE account_id = $2 AND last_step < $1 \
         AND confirmed_at IS NOT NULL",
    )
    .bind(step)
    .bind(account_id)
    .execute(c)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete_totp(c: &mut Conn, account_id: &str) -> R<()> {
    sqlx::query("DELETE FROM totp_factors WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *c)
        .await?;
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
        .bind(account_id)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn replace_recovery_codes(c: &mut Conn, account_id: &str, hashes: &[String]) -> R<()> {
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *c)
        .await?;
    for h in hashes {
        sqlx::query("INSERT INTO recovery_codes (account_id, code_hash) VALUES ($1, $2)")
            .bind(account_id)
            .bind(h)
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

/// Uses up a recovery code; false when it is unknown or already used.
pub async fn use_recovery_code(c: &mut Conn, account_id: &str, hash: &str, now: i64) -> R<bool> {
    let done = sqlx::query(
        "UPDATE recovery_codes SET used_at = $1 WHERE account_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(now)
    .bind(account_id)
    .bind(hash)
    .execute(c)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn recovery_codes_left(c: &mut Conn, account_id: &str) -> R<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL",
    )
    .bind(account_id)
    .fetch_one(c)
    .await
}

/// A sign-in waiting for its second factor, by ticket.
pub struct WaitingSignIn {
    pub account_id: String,
    pub expires_at: i64,
    pub attempts: i64,
}

pub async fn waiting_sign_in(
    c: &mut Conn,
    ticket: &str,
    purpose: &str,
) -> R<Option<WaitingSignIn>> {
    let row = sqlx::query(
        "SELECT account_id, expires_at, attempts FROM pending_logins WHERE id = $1 AND purpose = $2 \
         AND account_id IS NOT NULL",
    )
    .bind(ticket)
    .bind(purpose)
    .fetch_optional(c)
    .await?;
    row.map(|r| {
        Ok(WaitingSignIn {
            account_id: r.try_get(0)?,
            expires_at: r.try_get(1)?,
            attempts: r.try_get(2)?,
        })
    })
    .transpose()
}

/// One more wrong code on a sign-in's ticket; the new count (one statement).
pub async fn count_second_factor_attempt(c: &mut Conn, ticket: &str) -> R<i64> {
    sqlx::query_scalar(
        "UPDATE pending_logins SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts",
    )
    .bind(ticket)
    .fetch_one(c)
    .await
}

pub async fn delete_pending_login(c: &mut Conn, ticket: &str) -> R<()> {
    sqlx::query("DELETE FROM pending_logins WHERE id = $1")
        .bind(ticket)
        .execute(c)
        .await?;
    Ok(())
}

// ------------------------------------------------------------------ enforcement (MFA-2, MFA-3)

/// Once a second factor is set up, the member's half-trusted sessions
/// become whole and a re-seed is settled.
pub async fn second_factor_settled(c: &mut Conn, account_id: &str) -> R<()> {
    sqlx::query("UPDATE sessions SET setup_only = 0 WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *c)
        .await?;
    sqlx::query("UPDATE accounts SET two_step_reseeded = 0 WHERE id = $1")
        .bind(account_id)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn mark_reseeded(c: &mut Conn, account_id: &str) -> R<()> {
    sqlx::query("UPDATE accounts SET two_step_reseeded = 1 WHERE id = $1")
        .bind(account_id)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn is_reseeded(c: &mut Conn, account_id: &str) -> R<bool> {
    let n: Option<i64> = sqlx::query_scalar("SELECT two_step_reseeded FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_optional(c)
        .await?;
    Ok(n.unwrap_or(0) != 0)
}

/// Whether an unused, unexpired link of this purpose is out for the account.
pub async fn live_link_exists(c: &mut Conn, account_id: &str, purpose: &str, now: i64) -> R<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM invitations WHERE account_id = $1 AND purpose = $2 AND used_at IS NULL \
         AND expires_at > $3",
    )
    .bind(account_id)
    .bind(purpose)
    .bind(now)
    .fetch_one(c)
    .await?;
    Ok(n > 0)
}

/// Activated members of an organisation with no confirmed authenticator
/// and no passkey,
/// with their permission flags: who enforcement must reach.
pub async fn members_without_second_factor(
    c: &mut Conn,
    organisation_id: &str,
) -> R<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT m.account_id, m.permissions FROM memberships m JOIN accounts a ON a.id = m.account_id \
         WHERE m.organisation_id = $1 AND a.opaque_record IS NOT NULL AND NOT EXISTS \
         (SELECT 1 FROM totp_factors t WHERE t.account_id = m.account_id AND t.confirmed_at IS NOT NULL) \
         AND NOT EXISTS (SELECT 1 FROM passkeys k WHERE k.account_id = m.account_id)",
    )
    .bind(organisation_id)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// A password proved inside a session: the guess it counted is cleared.
pub async fn clear_failed_sign_ins(c: &mut Conn, account_id: &str) -> R<()> {
    sqlx::query("UPDATE accounts SET failed_sign_ins = 0 WHERE id = $1")
        .bind(account_id)
        .execute(c)
        .await?;
    Ok(())
}
