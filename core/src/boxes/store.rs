//! SQL of boxes and folders (BOX-1): nodes and the permits that hold a
//! box's identity. Names are never here, only sealed records.

use coffer_shared::boxes::{NodeKind, NodeView};
use sqlx::Row;

use crate::store::{Conn, R};

pub struct NewRow<'a> {
    pub id: &'a str,
    pub organisation_id: &'a str,
    pub box_id: &'a str,
    pub parent_id: Option<&'a str>,
    pub kind: NodeKind,
    pub public_key: &'a str,
    pub wrapped_key: Option<&'a [u8]>,
    pub sealed_meta: &'a [u8],
    pub created_by: &'a str,
    pub now: i64,
}

pub async fn insert_node(c: &mut Conn, n: &NewRow<'_>) -> R<()> {
    sqlx::query(
        "INSERT INTO nodes (id, organisation_id, box_id, parent_id, kind, public_key, \
         wrapped_key, sealed_meta, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(n.id)
    .bind(n.organisation_id)
    .bind(n.box_id)
    .bind(n.parent_id)
    .bind(n.kind.code())
    .bind(n.public_key)
    .bind(n.wrapped_key)
    .bind(n.sealed_meta)
    .bind(n.created_by)
    .bind(n.now)
    .execute(c)
    .await?;
    Ok(())
}

/// The owner's permit: the box's identity wrapped to their member key.
pub async fn insert_owner_permit(
    c: &mut Conn,
    node_id: &str,
    account_id: &str,
    wrapped_key: &[u8],
    now: i64,
) -> R<()> {
    sqlx::query(
        "INSERT INTO permits (node_id, account_id, owner, wrapped_key, granted_by, created_at) \
         VALUES ($1, $2, 1, $3, $2, $4)",
    )
    .bind(node_id)
    .bind(account_id)
    .bind(wrapped_key)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

/// A node's columns; the arguments are where its wrapped key and sealed
/// record come from (for the root of what a member holds, their permit's;
/// anything else's its own).
macro_rules! node_columns {
    ($wrapped:literal) => {
        node_columns!($wrapped, "n.sealed_meta")
    };
    ($wrapped:literal, $sealed:literal) => {
        concat!(
            "n.id, n.kind, n.parent_id, n.public_key, ",
            $wrapped,
            " AS wrapped_key, ",
            $sealed,
            " AS sealed_meta, n.created_at, n.updated_at, n.trashed_at, \
             (SELECT a.email FROM accounts a WHERE a.id = n.created_by) AS created_by, \
             (SELECT l.name FROM labels l WHERE l.id = n.label_id) AS label"
        )
    };
}
pub(crate) use node_columns;

pub(crate) fn node_from(row: &sqlx::any::AnyRow) -> R<NodeView> {
    let kind: String = row.try_get("kind")?;
    Ok(NodeView {
        id: row.try_get::<String, _>("id")?.into(),
        kind: NodeKind::from_code(&kind).unwrap_or(NodeKind::Folder),
        parent_id: row
            .try_get::<Option<String>, _>("parent_id")?
            .map(Into::into),
        public_key: row.try_get("public_key")?,
        wrapped_key: row
            .try_get::<Option<Vec<u8>>, _>("wrapped_key")?
            .unwrap_or_default()
            .into(),
        sealed_meta: row.try_get::<Vec<u8>, _>("sealed_meta")?.into(),
        created_at_ms: row.try_get("created_at")?,
        updated_at_ms: row.try_get("updated_at")?,
        trashed_at_ms: row.try_get("trashed_at")?,
        created_by: row.try_get("created_by")?,
        label: row.try_get("label")?,
    })
}

/// The boxes of an organisation the account owns, oldest first: those in
/// use, or (`deleted`) those in the trash. Boxes others shared are in
/// "Shared with me".
pub async fn boxes_of(
    c: &mut Conn,
    organisation_id: &str,
    account_id: &str,
    deleted: bool,
) -> R<Vec<NodeView>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        node_columns!("p.wrapped_key"),
        " FROM nodes n JOIN permits p ON p.node_id = n.id \
         WHERE n.organisation_id = $1 AND p.account_id = $2 AND n.parent_id IS NULL \
         AND p.owner = 1 \
         AND (n.trashed_at IS NOT NULL) = $3 \
         ORDER BY n.created_at, n.id"
    ))
    .bind(organisation_id)
    .bind(account_id)
    .bind(deleted)
    .fetch_all(c)
    .await?;
    rows.iter().map(node_from).collect()
}

/// One node as the account sees it, and whether the account holds a
/// permit on it in its window (then its wrapped key and record are the
/// permit's: the account's way in starts here).
pub async fn node(
    c: &mut Conn,
    organisation_id: &str,
    node_id: &str,
    account_id: &str,
    now: i64,
) -> R<Option<(NodeView, bool)>> {
    let row = sqlx::query(concat!(
        "SELECT ",
        node_columns!(
            "COALESCE(p.wrapped_key, n.wrapped_key)",
            "COALESCE(p.sealed_meta, n.sealed_meta)"
        ),
        ", p.node_id AS held FROM nodes n \
         LEFT JOIN permits p ON p.node_id = n.id AND p.account_id = $3 \
         AND (p.not_before IS NULL OR p.not_before <= $4) \
         AND (p.not_after IS NULL OR p.not_after > $4) \
         WHERE n.id = $1 AND n.organisation_id = $2"
    ))
    .bind(node_id)
    .bind(organisation_id)
    .bind(account_id)
    .bind(now)
    .fetch_optional(c)
    .await?;
    match row {
        None => Ok(None),
        Some(row) => {
            let held = row.try_get::<Option<String>, _>("held")?.is_some();
            Ok(Some((node_from(&row)?, held)))
        }
    }
}

pub async fn children(c: &mut Conn, parent_id: &str) -> R<Vec<NodeView>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        node_columns!("n.wrapped_key"),
        " FROM nodes n WHERE n.parent_id = $1 AND n.trashed_at IS NULL \
         ORDER BY n.created_at, n.id"
    ))
    .bind(parent_id)
    .fetch_all(c)
    .await?;
    rows.iter().map(node_from).collect()
}

pub async fn set_sealed_meta(c: &mut Conn, node_id: &str, sealed: &[u8], now: i64) -> R<()> {
    sqlx::query("UPDATE nodes SET sealed_meta = $1, updated_at = $2 WHERE id = $3")
        .bind(sealed)
        .bind(now)
        .bind(node_id)
        .execute(c)
        .await?;
    Ok(())
}

/// BOX-1: a node under a new parent, with its key wrapped to it and its
/// record sealed by it.
pub async fn move_node(
    c: &mut Conn,
    node_id: &str,
    parent_id: &str,
    wrapped_key: &[u8],
    sealed: &[u8],
    now: i64,
) -> R<()> {
    sqlx::query(
        "UPDATE nodes SET parent_id = $1, wrapped_key = $2, sealed_meta = $3, updated_at = $4 \
         WHERE id = $5",
    )
    .bind(parent_id)
    .bind(wrapped_key)
    .bind(sealed)
    .bind(now)
    .bind(node_id)
    .execute(c)
    .await?;
    Ok(())
}

/// BOX-12: a box's latest events (when, who, code, target): those about
/// the box itself and those whose details name it.
pub async fn activity(
    c: &mut Conn,
    organisation_id: &str,
    box_id: &str,
    limit: i64,
) -> R<Vec<(i64, String, String, String)>> {
    let rows = sqlx::query(
        "SELECT at, actor_label, action, target FROM audit_events \
         WHERE organisation_id = $1 AND (target = $2 OR details LIKE $3) \
         ORDER BY id DESC LIMIT $4",
    )
    .bind(organisation_id)
    .bind(box_id)
    .bind(format!("%\"box\":\"{box_id}\"%"))
    .bind(limit)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
        .collect()
}

/// BOX-10: puts an item in the trash, or (with `None`) takes it out.
pub async fn set_trashed(c: &mut Conn, node_id: &str, trashed: Option<(i64, &str)>) -> R<()> {
    sqlx::query("UPDATE nodes SET trashed_at = $1, trashed_by = $2 WHERE id = $3")
        .bind(trashed.map(|(at, _)| at))
        .bind(trashed.map(|(_, by)| by))
        .bind(node_id)
        .execute(c)
        .await?;
    Ok(())
}

/// Whether `node_id` or a node above it is in the trash (or is a deleted
/// box): what is below it is in the trash too.
pub async fn trashed_above(c: &mut Conn, node_id: &str) -> R<bool> {
    Ok(sqlx::query(
        "WITH RECURSIVE up(id, parent_id, trashed_at) AS ( \
           SELECT id, parent_id, trashed_at FROM nodes WHERE id = $1 \
           UNION ALL \
           SELECT n.id, n.parent_id, n.trashed_at FROM nodes n JOIN up ON n.id = up.parent_id \
         ) SELECT 1 FROM up WHERE trashed_at IS NOT NULL LIMIT 1",
    )
    .bind(node_id)
    .fetch_optional(c)
    .await?
    .is_some())
}

/// The ids of a box's trashed items, latest first.
pub async fn trashed_in(c: &mut Conn, box_id: &str) -> R<Vec<String>> {
    sqlx::query_scalar(
        "SELECT id FROM nodes WHERE box_id = $1 AND trashed_at IS NOT NULL \
         ORDER BY trashed_at DESC, id",
    )
    .bind(box_id)
    .fetch_all(c)
    .await
}

/// BOX-10: deletes a box's trashed items and everything inside them, for
/// good; answers how many nodes went.
pub async fn purge_trash(c: &mut Conn, box_id: &str) -> R<u64> {
    let roots = trashed_in(c, box_id).await?;
    purge_subtrees(c, &roots).await
}

/// BOX-10 retention: an organisation's items trashed before `cutoff`,
/// with their boxes.
pub async fn expired_trash(
    c: &mut Conn,
    organisation_id: &str,
    cutoff: i64,
) -> R<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT id, box_id FROM nodes WHERE organisation_id = $1 AND trashed_at IS NOT NULL \
         AND trashed_at < $2 ORDER BY box_id, id",
    )
    .bind(organisation_id)
    .bind(cutoff)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// The organisations with something in a trash.
pub async fn organisations_with_trash(c: &mut Conn) -> R<Vec<String>> {
    sqlx::query_scalar("SELECT DISTINCT organisation_id FROM nodes WHERE trashed_at IS NOT NULL")
        .fetch_all(c)
        .await
}

/// Everything under `root` that is neither in the trash nor inside
/// something that is, parents before their children.
pub async fn live_subtree(c: &mut Conn, root: &str) -> R<Vec<NodeView>> {
    let rows = sqlx::query(concat!(
        "WITH RECURSIVE tree(id, depth) AS ( \
           SELECT id, 0 FROM nodes WHERE id = $1 \
           UNION ALL \
           SELECT n.id, t.depth + 1 FROM nodes n JOIN tree t ON n.parent_id = t.id \
           WHERE n.trashed_at IS NULL \
         ) SELECT ",
        node_columns!("n.wrapped_key"),
        " FROM tree t JOIN nodes n ON n.id = t.id WHERE t.depth > 0 \
         ORDER BY t.depth, n.created_at, n.id"
    ))
    .bind(root)
    .fetch_all(c)
    .await?;
    rows.iter().map(node_from).collect()
}

/// Deletes `roots` and everything inside them, children first, so no row
/// is left pointing at a parent that is gone; a file's content goes with
/// it (its row now, its blobs with the sweeper once this commits).
pub async fn purge_subtrees(c: &mut Conn, roots: &[String]) -> R<u64> {
    let now = crate::kernel::db::now_ms();
    let mut purged = 0;
    for root in roots {
        let doomed: Vec<String> = sqlx::query_scalar(
            "WITH RECURSIVE doomed(id, depth) AS ( \
               SELECT id, 0 FROM nodes WHERE id = $1 \
               UNION ALL \
               SELECT n.id, d.depth + 1 FROM nodes n JOIN doomed d ON n.parent_id = d.id \
             ) SELECT id FROM doomed ORDER BY depth DESC",
        )
        .bind(root)
        .fetch_all(&mut *c)
        .await?;
        for id in &doomed {
            crate::files::store::forget_files(c, id, now).await?;
            crate::files::store::forget_uploads_into(c, id, now).await?;
            for table in [
                "DELETE FROM permits WHERE node_id = $1",
                "DELETE FROM rotations_due WHERE node_id = $1",
                "DELETE FROM pending_shares WHERE node_id = $1",
            ] {
                sqlx::query(table).bind(id).execute(&mut *c).await?;
            }
            sqlx::query("DELETE FROM nodes WHERE id = $1")
                .bind(id)
                .execute(&mut *c)
                .await?;
        }
        purged += doomed.len() as u64;
    }
    Ok(purged)
}
