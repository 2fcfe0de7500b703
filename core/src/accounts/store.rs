//! SQL of the account's own profile (ACC-9) and of the "contact us" requests
//! a signed-out visitor sends (ACC-8).

use coffer_shared::accounts::Profile;
use coffer_shared::i18n::Language;
use sqlx::Row;

use crate::store::{Conn, R};

pub async fn profile(c: &mut Conn, account_id: &str) -> R<Option<Profile>> {
    let row = sqlx::query(
        "SELECT first_name, last_name, other_name, mobile, language FROM accounts WHERE id = $1",
    )
    .bind(account_id)
    .fetch_optional(c)
    .await?;
    row.map(|r| {
        Ok(Profile {
            first_name: r.try_get(0)?,
            last_name: r.try_get(1)?,
            other_name: r.try_get(2)?,
            mobile: r.try_get(3)?,
            language: Language::from_code(&r.try_get::<String, _>(4)?).unwrap_or_default(),
        })
    })
    .transpose()
}

pub async fn set_profile(c: &mut Conn, account_id: &str, p: &Profile) -> R<()> {
    sqlx::query(
        "UPDATE accounts SET first_name = $1, last_name = $2, other_name = $3, mobile = $4, \
         language = $5 WHERE id = $6",
    )
    .bind(&p.first_name)
    .bind(&p.last_name)
    .bind(&p.other_name)
    .bind(&p.mobile)
    .bind(p.language.code())
    .bind(account_id)
    .execute(c)
    .await?;
    Ok(())
}

/// Who receives "Contact login administrator" mail for an organisation:
/// its points of contact, or every administrator when it has none.
pub async fn login_contacts(c: &mut Conn, organisation_id: &str) -> R<Vec<String>> {
    let chosen: Vec<String> = sqlx::query_scalar(
        "SELECT a.email FROM memberships m JOIN accounts a ON a.id = m.account_id \
         WHERE m.organisation_id = $1 AND m.point_of_contact = 1 ORDER BY a.email",
    )
    .bind(organisation_id)
    .fetch_all(&mut *c)
    .await?;
    if !chosen.is_empty() {
        return Ok(chosen);
    }
    sqlx::query_scalar(
        "SELECT a.email FROM memberships m JOIN accounts a ON a.id = m.account_id \
         WHERE m.organisation_id = $1 AND m.admin_tier IN ('admin', 'liaison') ORDER BY a.email",
    )
    .bind(organisation_id)
    .fetch_all(c)
    .await
}

/// Records a contact request unless one was made since `since`; false when
/// the account asked too recently.
pub async fn claim_contact_request(
    c: &mut Conn,
    account_id: &str,
    now: i64,
    since: i64,
) -> R<bool> {
    let done = sqlx::query(
        "UPDATE accounts SET contact_requested_at = $1 WHERE id = $2 \
         AND (contact_requested_at IS NULL OR contact_requested_at < $3)",
    )
    .bind(now)
    .bind(account_id)
    .bind(since)
    .execute(c)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn queue_contact_request(
    c: &mut Conn,
    id: &str,
    email: &str,
    message: &str,
    now: i64,
) -> R<()> {
    sqlx::query(
        "INSERT INTO contact_queue (id, email, message, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(email)
    .bind(message)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

/// Queued contact requests, oldest first: id, email, message.
pub async fn queued_contact_requests(c: &mut Conn, limit: i64) -> R<Vec<(String, String, String)>> {
    let rows = sqlx::query(
        "SELECT id, email, message FROM contact_queue ORDER BY created_at, id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// Takes a queued request out; false when another process already did.
pub async fn take_contact_request(c: &mut Conn, id: &str) -> R<bool> {
    Ok(sqlx::query("DELETE FROM contact_queue WHERE id = $1")
        .bind(id)
        .execute(c)
        .await?
        .rows_affected()
        == 1)
}
