//! SQL of carrying out ORG-5 transfers.

use coffer_shared::types::Bytes;
use coffer_shared::worker::{KeyStep, SealedNode};
use sqlx::Row;

use crate::store::{Conn, R};

pub struct PendingTransfer {
    pub id: String,
    pub account_id: String,
    pub email: String,
    pub transfer_to: String,
    pub recipient: String,
    pub recipient_public_key: Option<String>,
    pub folder_name: String,
}

/// Removals with a transfer not carried out yet, oldest first.
pub async fn pending(c: &mut Conn, organisation_id: &str) -> R<Vec<PendingTransfer>> {
    let rows = sqlx::query(
        "SELECT r.id, r.account_id, r.email, r.transfer_to, a.email, a.public_key, r.folder_name \
         FROM member_removals r JOIN accounts a ON a.id = r.transfer_to \
         WHERE r.organisation_id = $1 AND r.done_at IS NULL ORDER BY r.removed_at",
    )
    .bind(organisation_id)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PendingTransfer {
                id: r.try_get(0)?,
                account_id: r.try_get(1)?,
                email: r.try_get(2)?,
                transfer_to: r.try_get(3)?,
                recipient: r.try_get(4)?,
                recipient_public_key: r.try_get(5)?,
                folder_name: r.try_get(6)?,
            })
        })
        .collect()
}

fn sealed_nodes(rows: &[sqlx::any::AnyRow]) -> R<Vec<SealedNode>> {
    rows.iter()
        .map(|r| {
            Ok(SealedNode {
                id: r.try_get(0)?,
                step: KeyStep {
                    public_key: r.try_get(1)?,
                    wrapped: Bytes(r.try_get(2)?),
                },
                sealed: Bytes(r.try_get(3)?),
            })
        })
        .collect()
}

/// The boxes `owner` owns in the organisation, each with its key as
/// wrapped to `holder` (the owner's own permit, or `holder`'s permit on
/// the box: only boxes it holds one on).
pub async fn boxes_of(
    c: &mut Conn,
    organisation_id: &str,
    owner: &str,
    holder: &str,
) -> R<Vec<SealedNode>> {
    let rows = sqlx::query(
        "SELECT n.id, n.public_key, h.wrapped_key, n.sealed_meta FROM permits o \
         JOIN nodes n ON n.id = o.node_id \
         JOIN permits h ON h.node_id = n.id AND h.account_id = $3 \
         WHERE o.account_id = $1 AND o.owner = 1 AND n.organisation_id = $2 AND n.kind = 'box' \
         ORDER BY n.id",
    )
    .bind(owner)
    .bind(organisation_id)
    .bind(holder)
    .fetch_all(c)
    .await?;
    sealed_nodes(&rows)
}

/// The ids of the boxes `owner` owns in the organisation.
pub async fn owned_box_ids(c: &mut Conn, organisation_id: &str, owner: &str) -> R<Vec<String>> {
    sqlx::query_scalar(
        "SELECT n.id FROM permits o JOIN nodes n ON n.id = o.node_id \
         WHERE o.account_id = $1 AND o.owner = 1 AND n.organisation_id = $2 AND n.kind = 'box' \
         ORDER BY n.id",
    )
    .bind(owner)
    .bind(organisation_id)
    .fetch_all(c)
    .await
}

/// A box becomes a folder of `new_box`: its key wrapped to the new box,
/// its record sealed by it, everything in it now in the new box (and on
/// the recipient's plan). The old owner's permit, and the recipient's own
/// share of it, go: the recipient owns what holds it now.
pub async fn move_box(
    c: &mut Conn,
    old: &str,
    new_box: &str,
    wrapped_key: &[u8],
    sealed_meta: &[u8],
    recipient: &str,
    now: i64,
) -> R<bool> {
    let moved = sqlx::query(
        "UPDATE nodes SET kind = 'folder', parent_id = $1, wrapped_key = $2, sealed_meta = $3, \
         updated_at = $4 WHERE id = $5 AND kind = 'box'",
    )
    .bind(new_box)
    .bind(wrapped_key)
    .bind(sealed_meta)
    .bind(now)
    .bind(old)
    .execute(&mut *c)
    .await?
    .rows_affected();
    if moved != 1 {
        return Ok(false);
    }
    sqlx::query("UPDATE nodes SET box_id = $1 WHERE box_id = $2")
        .bind(new_box)
        .bind(old)
        .execute(&mut *c)
        .await?;
    sqlx::query("UPDATE uploads SET box_id = $1, charged_to = $2 WHERE box_id = $3")
        .bind(new_box)
        .bind(recipient)
        .bind(old)
        .execute(&mut *c)
        .await?;
    sqlx::query("DELETE FROM permits WHERE node_id = $1 AND (owner = 1 OR account_id = $2)")
        .bind(old)
        .bind(recipient)
        .execute(&mut *c)
        .await?;
    Ok(true)
}

/// The new box's files count against the recipient's plan from now on;
/// answers the bytes that moved onto it.
pub async fn charge_to(c: &mut Conn, new_box: &str, recipient: &str) -> R<i64> {
    let bytes: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(f.stored_bytes), 0) AS BIGINT) FROM files f \
         JOIN nodes n ON n.id = f.node_id WHERE n.box_id = $1 AND f.charged_to <> $2",
    )
    .bind(new_box)
    .bind(recipient)
    .fetch_one(&mut *c)
    .await?;
    sqlx::query(
        "UPDATE files SET charged_to = $1 WHERE charged_to <> $1 \
         AND node_id IN (SELECT id FROM nodes WHERE box_id = $2)",
    )
    .bind(recipient)
    .bind(new_box)
    .execute(c)
    .await?;
    Ok(bytes)
}

pub async fn mark_done(c: &mut Conn, removal_id: &str, now: i64) -> R<bool> {
    Ok(
        sqlx::query("UPDATE member_removals SET done_at = $1 WHERE id = $2 AND done_at IS NULL")
            .bind(now)
            .bind(removal_id)
            .execute(c)
            .await?
            .rows_affected()
            == 1,
    )
}
