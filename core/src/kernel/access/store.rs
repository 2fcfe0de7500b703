//! The rows an access check reads, inside the caller's transaction.

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

/// Whether the account holds a permit on the box `node_id` is in.
pub async fn holds_permit(
    c: &mut Conn,
    organisation_id: &str,
    node_id: &str,
    account_id: &str,
) -> R<bool> {
    Ok(sqlx::query(
        "SELECT 1 FROM nodes n JOIN permits p ON p.node_id = n.box_id \
         WHERE n.id = $1 AND n.organisation_id = $2 AND p.account_id = $3",
    )
    .bind(node_id)
    .bind(organisation_id)
    .bind(account_id)
    .fetch_optional(c)
    .await?
    .is_some())
}
