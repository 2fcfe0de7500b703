//! SQL of organisation key recovery (CRY-6) and of resets that keep the
//! member's keys (ACC-7).

use coffer_shared::ids::AccountId;
use coffer_shared::recovery::{Handover, Keyholder, ResetLosses, SharedLoss, WaitingReset};
use coffer_shared::types::Bytes;
use sqlx::Row;

use crate::store::{Conn, R};

pub struct RecoveryKey {
    pub public_key: String,
    pub enabled_at: i64,
    pub enabled_by: String,
}

pub async fn key(c: &mut Conn, organisation_id: &str) -> R<Option<RecoveryKey>> {
    let row = sqlx::query(
        "SELECT r.public_key, r.enabled_at, a.email FROM recovery_keys r \
         JOIN accounts a ON a.id = r.enabled_by WHERE r.organisation_id = $1",
    )
    .bind(organisation_id)
    .fetch_optional(c)
    .await?;
    row.map(|r| {
        Ok(RecoveryKey {
            public_key: r.try_get(0)?,
            enabled_at: r.try_get(1)?,
            enabled_by: r.try_get(2)?,
        })
    })
    .transpose()
}

/// False when recovery was turned on meanwhile.
pub async fn insert_key(
    c: &mut Conn,
    organisation_id: &str,
    public_key: &str,
    enabled_by: &str,
    now: i64,
) -> R<bool> {
    Ok(sqlx::query(
        "INSERT INTO recovery_keys (organisation_id, public_key, enabled_by, enabled_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (organisation_id) DO NOTHING",
    )
    .bind(organisation_id)
    .bind(public_key)
    .bind(enabled_by)
    .bind(now)
    .execute(c)
    .await?
    .rows_affected()
        == 1)
}

/// Everything recovery kept for an organisation: key, holders, escrows.
pub async fn forget_all(c: &mut Conn, organisation_id: &str) -> R<u64> {
    let escrows = sqlx::query("DELETE FROM recovery_escrows WHERE organisation_id = $1")
        .bind(organisation_id)
        .execute(&mut *c)
        .await?
        .rows_affected();
    for sql in [
        "DELETE FROM recovery_holders WHERE organisation_id = $1",
        "DELETE FROM recovery_keys WHERE organisation_id = $1",
    ] {
        sqlx::query(sql)
            .bind(organisation_id)
            .execute(&mut *c)
            .await?;
    }
    Ok(escrows)
}

/// The organisation's Liaisons with keys, holding the recovery key or not.
pub async fn liaisons(c: &mut Conn, organisation_id: &str) -> R<Vec<(Keyholder, bool)>> {
    let rows = sqlx::query(
        "SELECT a.id, a.email, a.public_key, \
         (SELECT COUNT(*) FROM recovery_holders h WHERE h.organisation_id = m.organisation_id \
            AND h.account_id = a.id AND h.member_public_key = a.public_key) \
         FROM memberships m JOIN accounts a ON a.id = m.account_id \
         WHERE m.organisation_id = $1 AND m.admin_tier = 'liaison' \
           AND a.public_key IS NOT NULL ORDER BY a.email",
    )
    .bind(organisation_id)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                Keyholder {
                    account_id: AccountId::new(r.try_get::<String, _>(0)?),
                    email: r.try_get(1)?,
                    public_key: r.try_get(2)?,
                },
                r.try_get::<i64, _>(3)? > 0,
            ))
        })
        .collect()
}

pub async fn put_holder(
    c: &mut Conn,
    organisation_id: &str,
    account_id: &str,
    member_public_key: &str,
    wrapped: &[u8],
) -> R<()> {
    sqlx::query(
        "INSERT INTO recovery_holders (organisation_id, account_id, member_public_key, wrapped_key) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (organisation_id, account_id) \
         DO UPDATE SET member_public_key = $3, wrapped_key = $4",
    )
    .bind(organisation_id)
    .bind(account_id)
    .bind(member_public_key)
    .bind(wrapped)
    .execute(c)
    .await?;
    Ok(())
}

/// The recovery identity as wrapped to this account's current key.
pub async fn holder_wrap(
    c: &mut Conn,
    organisation_id: &str,
    account_id: &str,
) -> R<Option<Vec<u8>>> {
    sqlx::query_scalar(
        "SELECT h.wrapped_key FROM recovery_holders h JOIN accounts a ON a.id = h.account_id \
         WHERE h.organisation_id = $1 AND h.account_id = $2 AND h.member_public_key = a.public_key",
    )
    .bind(organisation_id)
    .bind(account_id)
    .fetch_optional(c)
    .await
}

/// A Liaison no more (tier lowered, membership ended): their wrapping of
/// the recovery key goes.
pub async fn forget_holder(c: &mut Conn, organisation_id: &str, account_id: &str) -> R<()> {
    sqlx::query("DELETE FROM recovery_holders WHERE organisation_id = $1 AND account_id = $2")
        .bind(organisation_id)
        .bind(account_id)
        .execute(c)
        .await?;
    Ok(())
}

/// A membership ended: the organisation keeps no copy of their keys.
pub async fn forget_member(c: &mut Conn, organisation_id: &str, account_id: &str) -> R<()> {
    forget_holder(&mut *c, organisation_id, account_id).await?;
    sqlx::query("DELETE FROM recovery_escrows WHERE organisation_id = $1 AND account_id = $2")
        .bind(organisation_id)
        .bind(account_id)
        .execute(c)
        .await?;
    Ok(())
}

/// Members with keys, and how many of them have their current keys
/// escrowed.
pub async fn escrow_counts(c: &mut Conn, organisation_id: &str) -> R<(u64, u64)> {
    let row = sqlx::query(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM recovery_escrows e \
            WHERE e.organisation_id = m.organisation_id AND e.account_id = a.id \
              AND e.member_public_key = a.public_key) THEN 1 ELSE 0 END), 0) \
         FROM memberships m JOIN accounts a ON a.id = m.account_id \
         WHERE m.organisation_id = $1 AND a.public_key IS NOT NULL",
    )
    .bind(organisation_id)
    .fetch_one(c)
    .await?;
    Ok((
        row.try_get::<i64, _>(1)? as u64,
        row.try_get::<i64, _>(0)? as u64,
    ))
}

pub async fn put_escrow(
    c: &mut Conn,
    organisation_id: &str,
    account_id: &str,
    member_public_key: &str,
    escrow: &[u8],
    now: i64,
) -> R<()> {
    sqlx::query(
        "INSERT INTO recovery_escrows (organisation_id, account_id, member_public_key, escrow, \
         created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (organisation_id, account_id) \
         DO UPDATE SET member_public_key = $3, escrow = $4, created_at = $5",
    )
    .bind(organisation_id)
    .bind(account_id)
    .bind(member_public_key)
    .bind(escrow)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

/// Whether the organisation, with recovery on, holds this account's
/// current keys.
pub async fn escrow_covers(c: &mut Conn, organisation_id: &str, account_id: &str) -> R<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM recovery_escrows e \
         JOIN accounts a ON a.id = e.account_id AND a.public_key = e.member_public_key \
         JOIN recovery_keys r ON r.organisation_id = e.organisation_id \
         WHERE e.organisation_id = $1 AND e.account_id = $2",
    )
    .bind(organisation_id)
    .bind(account_id)
    .fetch_one(c)
    .await?;
    Ok(n > 0)
}

/// The escrow of a member's keys, while recovery is on: (member key, escrow).
pub async fn escrow_of(
    c: &mut Conn,
    organisation_id: &str,
    account_id: &str,
) -> R<Option<(String, Vec<u8>)>> {
    let row = sqlx::query(
        "SELECT e.member_public_key, e.escrow FROM recovery_escrows e \
         JOIN recovery_keys r ON r.organisation_id = e.organisation_id \
         WHERE e.organisation_id = $1 AND e.account_id = $2",
    )
    .bind(organisation_id)
    .bind(account_id)
    .fetch_optional(c)
    .await?;
    row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
}

/// Organisations of this member with recovery on that do not hold the
/// member's current keys: (id, name, recovery public key).
pub async fn due(c: &mut Conn, account_id: &str) -> R<Vec<(String, String, String)>> {
    let rows = sqlx::query(
        "SELECT o.id, o.name, r.public_key FROM memberships m \
         JOIN organisations o ON o.id = m.organisation_id \
         JOIN recovery_keys r ON r.organisation_id = m.organisation_id \
         JOIN accounts a ON a.id = m.account_id \
         WHERE m.account_id = $1 AND a.public_key IS NOT NULL AND NOT EXISTS ( \
           SELECT 1 FROM recovery_escrows e WHERE e.organisation_id = m.organisation_id \
             AND e.account_id = a.id AND e.member_public_key = a.public_key) \
         ORDER BY o.name",
    )
    .bind(account_id)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

// ------------------------------------------------------------ handovers (ACC-7)

pub async fn put_handover(
    c: &mut Conn,
    account_id: &str,
    organisation_id: &str,
    handover_public_key: &str,
    wrapped_handover: &[u8],
    now: i64,
) -> R<()> {
    sqlx::query(
        "INSERT INTO key_handovers (account_id, organisation_id, handover_public_key, \
         wrapped_handover, handed_over, handed_over_by, requested_at) \
         VALUES ($1, $2, $3, $4, NULL, NULL, $5) ON CONFLICT (account_id) DO UPDATE SET \
         organisation_id = $2, handover_public_key = $3, wrapped_handover = $4, \
         handed_over = NULL, handed_over_by = NULL, requested_at = $5",
    )
    .bind(account_id)
    .bind(organisation_id)
    .bind(handover_public_key)
    .bind(wrapped_handover)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn forget_handover(c: &mut Conn, account_id: &str) -> R<bool> {
    Ok(
        sqlx::query("DELETE FROM key_handovers WHERE account_id = $1")
            .bind(account_id)
            .execute(c)
            .await?
            .rows_affected()
            == 1,
    )
}

/// Whether a reset of this account waits for a Liaison.
pub async fn awaiting_liaison(c: &mut Conn, account_id: &str) -> R<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM key_handovers WHERE account_id = $1 AND handed_over IS NULL",
    )
    .bind(account_id)
    .fetch_one(c)
    .await?;
    Ok(n > 0)
}

/// The handover a Liaison's browser made, for the member's next sign-in.
pub async fn handed_over(c: &mut Conn, account_id: &str) -> R<Option<Handover>> {
    let row = sqlx::query(
        "SELECT handover_public_key, wrapped_handover, handed_over FROM key_handovers \
         WHERE account_id = $1 AND handed_over IS NOT NULL",
    )
    .bind(account_id)
    .fetch_optional(c)
    .await?;
    row.map(|r| {
        Ok(Handover {
            public_key: r.try_get(0)?,
            wrapped_secret: Bytes(r.try_get(1)?),
            handed_over: Bytes(r.try_get(2)?),
        })
    })
    .transpose()
}

/// Resets in this organisation still waiting, with the escrow of each.
pub async fn waiting(c: &mut Conn, organisation_id: &str) -> R<Vec<WaitingReset>> {
    let rows = sqlx::query(
        "SELECT a.id, a.email, e.member_public_key, e.escrow, k.handover_public_key, \
         k.requested_at FROM key_handovers k \
         JOIN accounts a ON a.id = k.account_id \
         JOIN recovery_escrows e ON e.organisation_id = k.organisation_id \
           AND e.account_id = k.account_id AND e.member_public_key = a.public_key \
         WHERE k.organisation_id = $1 AND k.handed_over IS NULL ORDER BY k.requested_at",
    )
    .bind(organisation_id)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(WaitingReset {
                account_id: AccountId::new(r.try_get::<String, _>(0)?),
                email: r.try_get(1)?,
                member_public_key: r.try_get(2)?,
                escrow: Bytes(r.try_get(3)?),
                handover_public_key: r.try_get(4)?,
                requested_at_ms: r.try_get(5)?,
            })
        })
        .collect()
}

pub async fn count_waiting(c: &mut Conn, organisation_id: &str) -> R<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM key_handovers WHERE organisation_id = $1 AND handed_over IS NULL",
    )
    .bind(organisation_id)
    .fetch_one(c)
    .await
}

/// False unless a reset of this account in this organisation was waiting.
pub async fn record_handover(
    c: &mut Conn,
    organisation_id: &str,
    account_id: &str,
    handed_over: &[u8],
    by: &str,
) -> R<bool> {
    Ok(sqlx::query(
        "UPDATE key_handovers SET handed_over = $1, handed_over_by = $2 \
         WHERE account_id = $3 AND organisation_id = $4 AND handed_over IS NULL",
    )
    .bind(handed_over)
    .bind(by)
    .bind(account_id)
    .bind(organisation_id)
    .execute(c)
    .await?
    .rows_affected()
        == 1)
}

/// The password is new but the keys are kept: the old wrapping (under the
/// old password) goes, and the handover stands in until it is taken.
pub async fn set_password_keep_keys(c: &mut Conn, account_id: &str, opaque_record: &[u8]) -> R<()> {
    sqlx::query("UPDATE accounts SET opaque_record = $1, wrapped_private_key = $2 WHERE id = $3")
        .bind(opaque_record)
        .bind(Vec::<u8>::new())
        .bind(account_id)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn set_wrapped_private_key(c: &mut Conn, account_id: &str, wrapped: &[u8]) -> R<()> {
    sqlx::query("UPDATE accounts SET wrapped_private_key = $1 WHERE id = $2")
        .bind(wrapped)
        .bind(account_id)
        .execute(c)
        .await?;
    Ok(())
}

// ------------------------------------------------------------ a reset without recovery

/// What the account's keys open: boxes it owns, and items shared with it
/// by each sharer.
pub async fn losses(c: &mut Conn, account_id: &str) -> R<ResetLosses> {
    let boxes: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM permits WHERE account_id = $1 AND owner = 1")
            .bind(account_id)
            .fetch_one(&mut *c)
            .await?;
    let rows = sqlx::query(
        "SELECT a.email, COUNT(*) FROM permits p JOIN accounts a ON a.id = p.granted_by \
         WHERE p.account_id = $1 AND p.owner = 0 GROUP BY a.email ORDER BY a.email",
    )
    .bind(account_id)
    .fetch_all(c)
    .await?;
    Ok(ResetLosses {
        boxes: boxes as u64,
        shared: rows
            .iter()
            .map(|r| {
                Ok(SharedLoss {
                    by: r.try_get(0)?,
                    items: r.try_get::<i64, _>(1)? as u64,
                })
            })
            .collect::<R<_>>()?,
    })
}

/// New keys open none of what was shared with the old ones: those shares
/// go (the sharers can share again, to the new key).
pub async fn drop_shares_of(c: &mut Conn, account_id: &str) -> R<u64> {
    Ok(
        sqlx::query("DELETE FROM permits WHERE account_id = $1 AND owner = 0")
            .bind(account_id)
            .execute(c)
            .await?
            .rows_affected(),
    )
}

/// Escrows and handovers of keys the account no longer has.
pub async fn forget_old_keys(c: &mut Conn, account_id: &str) -> R<()> {
    for sql in [
        "DELETE FROM recovery_escrows WHERE account_id = $1",
        "DELETE FROM key_handovers WHERE account_id = $1",
    ] {
        sqlx::query(sql).bind(account_id).execute(&mut *c).await?;
    }
    Ok(())
}
