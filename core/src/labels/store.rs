//! SQL of labels and clearances (BOX-4).

use coffer_shared::ids::LabelId;
use coffer_shared::labels::LabelView;
use sqlx::Row;

use crate::store::{Conn, R};

/// A node's ancestors and itself (`up`), and itself and its descendants
/// (`down`): what a label on any of them covers when it is shared.
macro_rules! around {
    () => {
        "WITH RECURSIVE up(id, parent_id) AS ( \
           SELECT id, parent_id FROM nodes WHERE id = $1 \
           UNION ALL \
           SELECT n.id, n.parent_id FROM nodes n JOIN up ON n.id = up.parent_id \
         ), down(id) AS ( \
           SELECT id FROM nodes WHERE id = $1 \
           UNION ALL \
           SELECT n.id FROM nodes n JOIN down ON n.parent_id = down.id \
         ) "
    };
}

pub async fn labels(c: &mut Conn, organisation_id: &str) -> R<Vec<LabelView>> {
    let rows = sqlx::query(
        "SELECT l.id, l.name, \
         (SELECT COUNT(*) FROM clearances k WHERE k.label_id = l.id), \
         (SELECT COUNT(*) FROM nodes n WHERE n.label_id = l.id) \
         FROM labels l WHERE l.organisation_id = $1 ORDER BY l.name_key",
    )
    .bind(organisation_id)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(LabelView {
                id: LabelId::new(r.try_get::<String, _>(0)?),
                name: r.try_get(1)?,
                cleared: r.try_get::<i64, _>(2)? as u64,
                items: r.try_get::<i64, _>(3)? as u64,
            })
        })
        .collect()
}

pub async fn insert_label(
    c: &mut Conn,
    id: &str,
    organisation_id: &str,
    name: &str,
    now: i64,
) -> R<()> {
    sqlx::query(
        "INSERT INTO labels (id, organisation_id, name, name_key, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(organisation_id)
    .bind(name)
    .bind(name.to_lowercase())
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn name_taken(c: &mut Conn, organisation_id: &str, name: &str) -> R<bool> {
    Ok(
        sqlx::query("SELECT 1 FROM labels WHERE organisation_id = $1 AND name_key = $2")
            .bind(organisation_id)
            .bind(name.to_lowercase())
            .fetch_optional(c)
            .await?
            .is_some(),
    )
}

/// The label's name, when it is one of the organisation's.
pub async fn label_in(c: &mut Conn, organisation_id: &str, label_id: &str) -> R<Option<String>> {
    sqlx::query_scalar("SELECT name FROM labels WHERE organisation_id = $1 AND id = $2")
        .bind(organisation_id)
        .bind(label_id)
        .fetch_optional(c)
        .await
}

/// The label goes, and with it every item's use of it and every clearance.
pub async fn delete_label(c: &mut Conn, label_id: &str) -> R<()> {
    for sql in [
        "UPDATE nodes SET label_id = NULL WHERE label_id = $1",
        "DELETE FROM clearances WHERE label_id = $1",
        "DELETE FROM labels WHERE id = $1",
    ] {
        sqlx::query(sql).bind(label_id).execute(&mut *c).await?;
    }
    Ok(())
}

pub async fn clearances_of(
    c: &mut Conn,
    organisation_id: &str,
    account_id: &str,
) -> R<Vec<LabelId>> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT k.label_id FROM clearances k JOIN labels l ON l.id = k.label_id \
         WHERE k.organisation_id = $1 AND k.account_id = $2 ORDER BY l.name_key",
    )
    .bind(organisation_id)
    .bind(account_id)
    .fetch_all(c)
    .await?;
    Ok(ids.into_iter().map(LabelId::new).collect())
}

pub async fn set_clearances(
    c: &mut Conn,
    organisation_id: &str,
    account_id: &str,
    labels: &[LabelId],
) -> R<()> {
    sqlx::query("DELETE FROM clearances WHERE organisation_id = $1 AND account_id = $2")
        .bind(organisation_id)
        .bind(account_id)
        .execute(&mut *c)
        .await?;
    for label in labels {
        sqlx::query(
            "INSERT INTO clearances (organisation_id, account_id, label_id) VALUES ($1, $2, $3)",
        )
        .bind(organisation_id)
        .bind(account_id)
        .bind(label.as_str())
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

/// A member's clearances end with their membership.
pub async fn forget_clearances(c: &mut Conn, organisation_id: &str, account_id: &str) -> R<()> {
    set_clearances(c, organisation_id, account_id, &[]).await
}

pub async fn set_node_label(c: &mut Conn, node_id: &str, label_id: Option<&str>) -> R<()> {
    sqlx::query("UPDATE nodes SET label_id = $2 WHERE id = $1")
        .bind(node_id)
        .bind(label_id)
        .execute(c)
        .await?;
    Ok(())
}

/// Whether a label on the node, above it or inside it is one the account
/// is not cleared for in the organisation.
pub async fn uncleared(
    c: &mut Conn,
    node_id: &str,
    organisation_id: &str,
    account_id: &str,
) -> R<bool> {
    Ok(sqlx::query(concat!(
        around!(),
        "SELECT 1 FROM nodes n WHERE n.label_id IS NOT NULL \
         AND (n.id IN (SELECT id FROM up) OR n.id IN (SELECT id FROM down)) \
         AND NOT EXISTS (SELECT 1 FROM clearances k WHERE k.organisation_id = $2 \
           AND k.account_id = $3 AND k.label_id = n.label_id) \
         LIMIT 1"
    ))
    .bind(node_id)
    .bind(organisation_id)
    .bind(account_id)
    .fetch_optional(c)
    .await?
    .is_some())
}

/// Whether someone holds a permit (not an owner's) that reaches the node
/// or something in it and is not cleared for `label_id`.
pub async fn holders_uncleared(
    c: &mut Conn,
    node_id: &str,
    organisation_id: &str,
    label_id: &str,
) -> R<bool> {
    Ok(sqlx::query(concat!(
        around!(),
        "SELECT 1 FROM permits p WHERE p.owner = 0 \
         AND (p.node_id IN (SELECT id FROM up) OR p.node_id IN (SELECT id FROM down)) \
         AND NOT EXISTS (SELECT 1 FROM clearances k WHERE k.organisation_id = $2 \
           AND k.account_id = p.account_id AND k.label_id = $3) \
         LIMIT 1"
    ))
    .bind(node_id)
    .bind(organisation_id)
    .bind(label_id)
    .fetch_optional(c)
    .await?
    .is_some())
}

/// The nodes the account holds a permit on (not as owner) that a node
/// labelled `label_id` is on, above or inside: what a clearance taken away
/// no longer covers.
pub async fn permits_under_label(c: &mut Conn, account_id: &str, label_id: &str) -> R<Vec<String>> {
    sqlx::query_scalar(
        "WITH RECURSIVE above(id, parent_id) AS ( \
           SELECT id, parent_id FROM nodes WHERE label_id = $2 \
           UNION ALL \
           SELECT n.id, n.parent_id FROM nodes n JOIN above a ON n.id = a.parent_id \
         ), below(id) AS ( \
           SELECT id FROM nodes WHERE label_id = $2 \
           UNION ALL \
           SELECT n.id FROM nodes n JOIN below b ON n.parent_id = b.id \
         ) SELECT p.node_id FROM permits p WHERE p.account_id = $1 AND p.owner = 0 \
         AND (p.node_id IN (SELECT id FROM above) OR p.node_id IN (SELECT id FROM below)) \
         ORDER BY p.node_id",
    )
    .bind(account_id)
    .bind(label_id)
    .fetch_all(c)
    .await
}
