//! SQL for second factors (MFA-1): authenticator secrets, recovery codes,
//! and the attempts against a sign-in waiting for its second factor; and
//! for passkeys (MFA-4) and the key wrappings their PRF output unlocks
//! (MFA-5).

use sqlx::Row;

use crate::store::{Conn, R};

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

// ------------------------------------------------------------------ passkeys (MFA-4, MFA-5)

pub struct PasskeyRow {
    pub id: String,
    pub account_id: String,
    pub credential_id: String,
    pub name: String,
    /// webauthn-rs's `Passkey`, as JSON.
    pub credential: String,
    pub prf_wrapped_key: Option<Vec<u8>>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

const COLUMNS: &str =
    "id, account_id, credential_id, name, credential, prf_wrapped_key, created_at, last_used_at";

fn row(r: &sqlx::any::AnyRow) -> R<PasskeyRow> {
    Ok(PasskeyRow {
        id: r.try_get(0)?,
        account_id: r.try_get(1)?,
        credential_id: r.try_get(2)?,
        name: r.try_get(3)?,
        credential: r.try_get(4)?,
        prf_wrapped_key: r.try_get(5)?,
        created_at: r.try_get(6)?,
        last_used_at: r.try_get(7)?,
    })
}

pub async fn insert_passkey(c: &mut Conn, p: &PasskeyRow) -> R<()> {
    sqlx::query(
        "INSERT INTO passkeys (id, account_id, credential_id, name, credential, prf_wrapped_key, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&p.id)
    .bind(&p.account_id)
    .bind(&p.credential_id)
    .bind(&p.name)
    .bind(&p.credential)
    .bind(&p.prf_wrapped_key)
    .bind(p.created_at)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn passkeys_of(c: &mut Conn, account_id: &str) -> R<Vec<PasskeyRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM passkeys WHERE account_id = $1 ORDER BY created_at, id"
    ));
    let rows = sqlx::query(sql).bind(account_id).fetch_all(c).await?;
    rows.iter().map(row).collect()
}

pub async fn passkey_by_credential_id(c: &mut Conn, credential_id: &str) -> R<Option<PasskeyRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM passkeys WHERE credential_id = $1"
    ));
    let found = sqlx::query(sql)
        .bind(credential_id)
        .fetch_optional(c)
        .await?;
    found.as_ref().map(row).transpose()
}

/// After a sign-in with it: the new signature counter and the time.
pub async fn passkey_used(c: &mut Conn, id: &str, credential: &str, now: i64) -> R<()> {
    sqlx::query("UPDATE passkeys SET credential = $1, last_used_at = $2 WHERE id = $3")
        .bind(credential)
        .bind(now)
        .bind(id)
        .execute(c)
        .await?;
    Ok(())
}

/// False when the account has no passkey of that id.
pub async fn rename_passkey(c: &mut Conn, account_id: &str, id: &str, name: &str) -> R<bool> {
    let done = sqlx::query("UPDATE passkeys SET name = $1 WHERE id = $2 AND account_id = $3")
        .bind(name)
        .bind(id)
        .bind(account_id)
        .execute(c)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// False when the account has no passkey of that id.
pub async fn set_passkey_key(c: &mut Conn, account_id: &str, id: &str, wrapped: &[u8]) -> R<bool> {
    let done =
        sqlx::query("UPDATE passkeys SET prf_wrapped_key = $1 WHERE id = $2 AND account_id = $3")
            .bind(wrapped)
            .bind(id)
            .bind(account_id)
            .execute(c)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// False when the account has no passkey of that id.
pub async fn delete_passkey(c: &mut Conn, account_id: &str, id: &str) -> R<bool> {
    let done = sqlx::query("DELETE FROM passkeys WHERE id = $1 AND account_id = $2")
        .bind(id)
        .bind(account_id)
        .execute(c)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete_passkeys_of(c: &mut Conn, account_id: &str) -> R<u64> {
    let done = sqlx::query("DELETE FROM passkeys WHERE account_id = $1")
        .bind(account_id)
        .execute(c)
        .await?;
    Ok(done.rows_affected())
}

/// The member's keys were replaced (password reset): wrappings of the old
/// private key are useless, the passkeys themselves still sign in.
pub async fn forget_passkey_keys(c: &mut Conn, account_id: &str) -> R<()> {
    sqlx::query("UPDATE passkeys SET prf_wrapped_key = NULL WHERE account_id = $1")
        .bind(account_id)
        .execute(c)
        .await?;
    Ok(())
}
