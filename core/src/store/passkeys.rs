//! SQL for passkeys (MFA-4) and the key wrappings their PRF output unlocks
//! (MFA-5).

use sqlx::Row;

use super::{Conn, R};

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
