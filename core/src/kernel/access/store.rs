//! The rows an access check reads, inside the caller's transaction.

use coffer_shared::sharing::{Permission, Window};
use coffer_shared::types::AdminTier;

use crate::store::Conn;

type R<T> = Result<T, sqlx::Error>;

pub async fn organisation_exists(c: &mut Conn, organisation_id: &str) -> R<bool> {
    Ok(sqlx::query("SELECT 1 FROM organisations WHERE id = $1")
        .bind(organisation_id)
        .fetch_optional(c)
        .await?
        .is_some())
}

/// A member's tier in an organisation and their account's home
/// organisation, or `None` when they are not a member there.
pub async fn membership(
    c: &mut Conn,
    organisation_id: &str,
    account_id: &str,
) -> R<Option<(AdminTier, Option<String>)>> {
    let row: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT m.admin_tier, a.home_organisation_id FROM memberships m \
         JOIN accounts a ON a.id = m.account_id \
         WHERE m.organisation_id = $1 AND m.account_id = $2",
    )
    .bind(organisation_id)
    .bind(account_id)
    .fetch_optional(c)
    .await?;
    Ok(row.map(|(tier, home)| (crate::store::tier_from(&tier), home)))
}

pub async fn group_in(c: &mut Conn, organisation_id: &str, group_id: &str) -> R<bool> {
    Ok(
        sqlx::query("SELECT 1 FROM groups WHERE id = $1 AND organisation_id = $2")
            .bind(group_id)
            .bind(organisation_id)
            .fetch_optional(c)
            .await?
            .is_some(),
    )
}

pub async fn import_in(c: &mut Conn, organisation_id: &str, import_id: &str) -> R<bool> {
    Ok(
        sqlx::query("SELECT 1 FROM imports WHERE id = $1 AND organisation_id = $2")
            .bind(import_id)
            .bind(organisation_id)
            .fetch_optional(c)
            .await?
            .is_some(),
    )
}

/// The permit that decides what an account may do to a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Held {
    pub permission: Permission,
    pub window: Window,
    /// The box owner's own permit.
    pub owner: bool,
}

/// The account's closest permit in its window on `node_id`: one on the
/// node itself, else on the nearest folder above it, up to its box. One
/// indexed step per level (primary keys only).
pub async fn closest_permit(
    c: &mut Conn,
    organisation_id: &str,
    node_id: &str,
    account_id: &str,
    now: i64,
) -> R<Option<Held>> {
    let row: Option<(String, Option<i64>, Option<i64>, i64)> = sqlx::query_as(
        "WITH RECURSIVE up(id, parent_id, depth) AS ( \
           SELECT id, parent_id, 0 FROM nodes WHERE id = $1 AND organisation_id = $2 \
           UNION ALL \
           SELECT n.id, n.parent_id, up.depth + 1 FROM nodes n JOIN up ON n.id = up.parent_id \
         ) SELECT p.permission, p.not_before, p.not_after, p.owner FROM up \
         JOIN permits p ON p.node_id = up.id \
         WHERE p.account_id = $3 AND (p.not_before IS NULL OR p.not_before <= $4) \
         AND (p.not_after IS NULL OR p.not_after > $4) \
         ORDER BY up.depth LIMIT 1",
    )
    .bind(node_id)
    .bind(organisation_id)
    .bind(account_id)
    .bind(now)
    .fetch_optional(c)
    .await?;
    Ok(row.map(|(code, not_before_ms, not_after_ms, owner)| Held {
        // An unknown code (a newer server's) allows nothing beyond seeing.
        permission: Permission::from_code(&code).unwrap_or(Permission::View),
        window: Window {
            not_before_ms,
            not_after_ms,
        },
        owner: owner == 1,
    }))
}
