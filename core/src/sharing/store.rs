//! SQL of sharing (BOX-2, BOX-3): permits beyond a box owner's, and the
//! members an item can be shared with.

use coffer_shared::boxes::NodeView;
use coffer_shared::ids::AccountId;
use coffer_shared::sharing::{Access, Keeper, Notices, Permission, PermitProof, Recipient, Window};
use coffer_shared::types::Bytes;
use coffer_shared::worker::{KeyStep, SealedNode};
use sqlx::Row;

use crate::boxes::store::{node_columns, node_from};
use crate::store::{Conn, R};

/// A member of the organisation by email (any case), with their member
/// key when they have one.
pub async fn member_by_email(
    c: &mut Conn,
    organisation_id: &str,
    email: &str,
) -> R<Option<(Recipient, bool)>> {
    let row = sqlx::query(
        "SELECT a.id, a.email, a.first_name, a.last_name, a.public_key FROM memberships m \
         JOIN accounts a ON a.id = m.account_id \
         WHERE m.organisation_id = $1 AND m.email_key = $2",
    )
    .bind(organisation_id)
    .bind(email.trim().to_lowercase())
    .fetch_optional(c)
    .await?;
    row.as_ref().map(recipient_from).transpose()
}

/// Up to `limit` members whose email or name starts with `prefix`, with
/// keys (only they can be chosen), for the Share panel's suggestions.
pub async fn members_like(
    c: &mut Conn,
    organisation_id: &str,
    prefix: &str,
    limit: i64,
) -> R<Vec<Recipient>> {
    let like = like_prefix(prefix);
    let rows = sqlx::query(
        "SELECT a.id, a.email, a.first_name, a.last_name, a.public_key FROM memberships m \
         JOIN accounts a ON a.id = m.account_id \
         WHERE m.organisation_id = $1 AND a.public_key IS NOT NULL \
         AND (m.email_key LIKE $2 ESCAPE '\\' OR m.first_key LIKE $2 ESCAPE '\\' \
              OR m.last_key LIKE $2 ESCAPE '\\') \
         ORDER BY m.email_key LIMIT $3",
    )
    .bind(organisation_id)
    .bind(like)
    .bind(limit)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| recipient_from(r).map(|(rec, _)| rec))
        .collect()
}

fn full_name(first: String, last: String) -> String {
    format!("{first} {last}").trim().to_string()
}

fn recipient_from(row: &sqlx::any::AnyRow) -> R<(Recipient, bool)> {
    let key: Option<String> = row.try_get(4)?;
    Ok((
        Recipient {
            account_id: row.try_get::<String, _>(0)?.into(),
            email: row.try_get(1)?,
            name: full_name(row.try_get(2)?, row.try_get(3)?),
            public_key: key.clone().unwrap_or_default(),
            pin: None,
        },
        key.is_some(),
    ))
}

/// A member's signing key (hex), if they have made one.
pub async fn signing_key_of(c: &mut Conn, account_id: &str) -> R<Option<String>> {
    sqlx::query_scalar("SELECT signing_public_key FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_optional(c)
        .await
        .map(Option::flatten)
}

/// BOX-9: the key `account_id` last shared with `subject_id`, as their
/// browser sealed it.
pub async fn pin_of(c: &mut Conn, account_id: &str, subject_id: &str) -> R<Option<Bytes>> {
    let sealed: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT sealed FROM key_pins WHERE account_id = $1 AND subject_id = $2")
            .bind(account_id)
            .bind(subject_id)
            .fetch_optional(c)
            .await?;
    Ok(sealed.map(Bytes))
}

pub async fn put_pin(
    c: &mut Conn,
    account_id: &str,
    subject_id: &str,
    sealed: &[u8],
    now: i64,
) -> R<()> {
    sqlx::query(
        "INSERT INTO key_pins (account_id, subject_id, sealed, pinned_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (account_id, subject_id) DO UPDATE SET sealed = $3, pinned_at = $4",
    )
    .bind(account_id)
    .bind(subject_id)
    .bind(sealed)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

pub struct PermitRow<'a> {
    pub node_id: &'a str,
    pub account_id: &'a str,
    pub permission: Permission,
    pub window: Window,
    pub wrapped_key: &'a [u8],
    pub sealed_meta: &'a [u8],
    pub signature: &'a [u8],
    pub granted_by: &'a str,
    pub now: i64,
}

/// A permit given or given again (a new permission, window or key); an
/// owner's permit is never replaced. Answers whether one was there before.
pub async fn put_permit(c: &mut Conn, p: &PermitRow<'_>) -> R<bool> {
    let before =
        sqlx::query("DELETE FROM permits WHERE node_id = $1 AND account_id = $2 AND owner = 0")
            .bind(p.node_id)
            .bind(p.account_id)
            .execute(&mut *c)
            .await?
            .rows_affected()
            > 0;
    sqlx::query(
        "INSERT INTO permits (node_id, account_id, owner, wrapped_key, granted_by, created_at, \
         permission, not_before, not_after, sealed_meta, signature, signing_key) \
         SELECT $1, $2, 0, $3, $4, $5, $6, $7, $8, $9, $10, signing_public_key \
         FROM accounts WHERE id = $4",
    )
    .bind(p.node_id)
    .bind(p.account_id)
    .bind(p.wrapped_key)
    .bind(p.granted_by)
    .bind(p.now)
    .bind(p.permission.code())
    .bind(p.window.not_before_ms)
    .bind(p.window.not_after_ms)
    .bind(p.sealed_meta)
    .bind(p.signature)
    .execute(c)
    .await?;
    Ok(before)
}

/// Removes a member's own permit on a node (never an owner's); answers
/// whether there was one.
pub async fn remove_permit(c: &mut Conn, node_id: &str, account_id: &str) -> R<bool> {
    Ok(
        sqlx::query("DELETE FROM permits WHERE node_id = $1 AND account_id = $2 AND owner = 0")
            .bind(node_id)
            .bind(account_id)
            .execute(c)
            .await?
            .rows_affected()
            > 0,
    )
}

/// Whether the account owns (holds the owner's permit on) `node_id`.
pub async fn owns(c: &mut Conn, node_id: &str, account_id: &str) -> R<bool> {
    Ok(
        sqlx::query("SELECT 1 FROM permits WHERE node_id = $1 AND account_id = $2 AND owner = 1")
            .bind(node_id)
            .bind(account_id)
            .fetch_optional(c)
            .await?
            .is_some(),
    )
}

/// Everyone's permits on `node_id` and on the nodes above it, the node's
/// own first, then upwards (an inherited one names where it is held).
pub async fn access_to(c: &mut Conn, node_id: &str) -> R<Vec<Access>> {
    let rows = sqlx::query(
        "WITH RECURSIVE up(id, parent_id, depth) AS ( \
           SELECT id, parent_id, 0 FROM nodes WHERE id = $1 \
           UNION ALL \
           SELECT n.id, n.parent_id, up.depth + 1 FROM nodes n JOIN up ON n.id = up.parent_id \
         ) SELECT p.account_id, a.email, a.first_name, a.last_name, p.permission, \
           p.not_before, p.not_after, p.owner, up.id, up.depth, g.email \
         FROM up JOIN permits p ON p.node_id = up.id \
         JOIN accounts a ON a.id = p.account_id \
         LEFT JOIN accounts g ON g.id = p.granted_by AND p.owner = 0 \
         ORDER BY up.depth, p.owner DESC, a.email",
    )
    .bind(node_id)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            let depth: i64 = r.try_get(9)?;
            let code: String = r.try_get(4)?;
            Ok(Access {
                account_id: r.try_get::<String, _>(0)?.into(),
                email: r.try_get(1)?,
                name: full_name(r.try_get(2)?, r.try_get(3)?),
                permission: Permission::from_code(&code).unwrap_or(Permission::View),
                window: Window {
                    not_before_ms: r.try_get(5)?,
                    not_after_ms: r.try_get(6)?,
                },
                owner: r.try_get::<i64, _>(7)? == 1,
                inherited_from: (depth > 0)
                    .then(|| r.try_get::<String, _>(8).map(Into::into))
                    .transpose()?,
                granted_by: r.try_get(10)?,
                pending: false,
            })
        })
        .collect()
}

/// What the granter of the account's permit on `node_id` signed, for the
/// holder's browser to check; none for an owner's own permit.
pub async fn proof(c: &mut Conn, node_id: &str, account_id: &str) -> R<Option<PermitProof>> {
    let row = sqlx::query(
        "SELECT h.public_key, p.permission, p.not_before, p.not_after, p.granted_by, \
         p.signing_key, p.signature FROM permits p \
         JOIN accounts h ON h.id = p.account_id \
         WHERE p.node_id = $1 AND p.account_id = $2 AND p.owner = 0",
    )
    .bind(node_id)
    .bind(account_id)
    .fetch_optional(c)
    .await?;
    row.as_ref().map(proof_from).transpose()
}

fn proof_from(r: &sqlx::any::AnyRow) -> R<PermitProof> {
    let code: String = r.try_get(1)?;
    Ok(PermitProof {
        grantee_public_key: r.try_get::<Option<String>, _>(0)?.unwrap_or_default(),
        permission: Permission::from_code(&code).unwrap_or(Permission::View),
        window: Window {
            not_before_ms: r.try_get(2)?,
            not_after_ms: r.try_get(3)?,
        },
        granted_by: AccountId::from(r.try_get::<String, _>(4)?),
        granter_signing_key: r.try_get::<Option<String>, _>(5)?.unwrap_or_default(),
        signature: r
            .try_get::<Option<Vec<u8>>, _>(6)?
            .unwrap_or_default()
            .into(),
    })
}

/// One item shared with the account (not in a trash), as it sees it.
pub struct SharedRow {
    pub node: NodeView,
    pub owner: String,
    pub granted_by: String,
    pub proof: PermitProof,
}

/// "Shared with me": the account's permits from others in the
/// organisation that hold now, newest first.
pub async fn shared_with(
    c: &mut Conn,
    organisation_id: &str,
    account_id: &str,
    now: i64,
) -> R<Vec<SharedRow>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        node_columns!("p.wrapped_key", "p.sealed_meta"),
        ", h.public_key AS grantee_key, p.permission, p.not_before, p.not_after, p.granted_by, \
         p.signing_key, p.signature, g.email AS granter_email, \
         (SELECT o.email FROM permits op JOIN accounts o ON o.id = op.account_id \
          WHERE op.node_id = n.box_id AND op.owner = 1) AS owner_email \
         FROM permits p JOIN nodes n ON n.id = p.node_id \
         JOIN accounts h ON h.id = p.account_id JOIN accounts g ON g.id = p.granted_by \
         WHERE n.organisation_id = $1 AND p.account_id = $2 AND p.owner = 0 \
         AND n.trashed_at IS NULL \
         AND (p.not_before IS NULL OR p.not_before <= $3) \
         AND (p.not_after IS NULL OR p.not_after > $3) \
         ORDER BY p.created_at DESC, n.id"
    ))
    .bind(organisation_id)
    .bind(account_id)
    .bind(now)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            let code: String = r.try_get("permission")?;
            Ok(SharedRow {
                node: node_from(r)?,
                owner: r
                    .try_get::<Option<String>, _>("owner_email")?
                    .unwrap_or_default(),
                granted_by: r.try_get("granter_email")?,
                proof: PermitProof {
                    grantee_public_key: r
                        .try_get::<Option<String>, _>("grantee_key")?
                        .unwrap_or_default(),
                    permission: Permission::from_code(&code).unwrap_or(Permission::View),
                    window: Window {
                        not_before_ms: r.try_get("not_before")?,
                        not_after_ms: r.try_get("not_after")?,
                    },
                    granted_by: AccountId::from(r.try_get::<String, _>("granted_by")?),
                    granter_signing_key: r
                        .try_get::<Option<String>, _>("signing_key")?
                        .unwrap_or_default(),
                    signature: r
                        .try_get::<Option<Vec<u8>>, _>("signature")?
                        .unwrap_or_default()
                        .into(),
                },
            })
        })
        .collect()
}

/// The box a node is in.
pub async fn box_of(c: &mut Conn, node_id: &str) -> R<Option<String>> {
    sqlx::query_scalar("SELECT box_id FROM nodes WHERE id = $1")
        .bind(node_id)
        .fetch_optional(c)
        .await
}

/// A member's email, when the account is a member of the organisation.
pub async fn member_email(
    c: &mut Conn,
    organisation_id: &str,
    account_id: &str,
) -> R<Option<String>> {
    sqlx::query_scalar(
        "SELECT a.email FROM memberships m JOIN accounts a ON a.id = m.account_id \
         WHERE m.organisation_id = $1 AND m.account_id = $2",
    )
    .bind(organisation_id)
    .bind(account_id)
    .fetch_optional(c)
    .await
}

/// A permit whose window has ended, with what its audit record names.
pub struct Expired {
    pub organisation_id: String,
    pub node_id: String,
    pub box_id: String,
    pub account_id: String,
    pub email: String,
    pub not_after: i64,
}

/// Permits whose window ended before `now` (at most a thousand a pass).
pub async fn expired_permits(c: &mut Conn, now: i64) -> R<Vec<Expired>> {
    let rows: Vec<(String, String, String, String, String, i64)> = sqlx::query_as(
        "SELECT n.organisation_id, p.node_id, n.box_id, p.account_id, a.email, p.not_after \
         FROM permits p JOIN nodes n ON n.id = p.node_id JOIN accounts a ON a.id = p.account_id \
         WHERE p.owner = 0 AND p.not_after IS NOT NULL AND p.not_after <= $1 \
         ORDER BY p.not_after LIMIT 1000",
    )
    .bind(now)
    .fetch_all(c)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(organisation_id, node_id, box_id, account_id, email, not_after)| Expired {
                organisation_id,
                node_id,
                box_id,
                account_id,
                email,
                not_after,
            },
        )
        .collect())
}

/// CRY-4: `node_id` (a box or folder; a file keeps its key) needs a new
/// identity.
pub async fn rotation_due(c: &mut Conn, node_id: &str, now: i64) -> R<()> {
    sqlx::query(
        "INSERT INTO rotations_due (node_id, organisation_id, since) \
         SELECT id, organisation_id, $2 FROM nodes WHERE id = $1 AND kind <> 'file' \
         ON CONFLICT (node_id) DO NOTHING",
    )
    .bind(node_id)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

/// CRY-4: every box and folder the account held a permit on in the
/// organisation needs a new identity (their membership ends).
pub async fn rotations_due_for(
    c: &mut Conn,
    organisation_id: &str,
    account_id: &str,
    now: i64,
) -> R<()> {
    sqlx::query(
        "INSERT INTO rotations_due (node_id, organisation_id, since) \
         SELECT n.id, n.organisation_id, $3 FROM permits p JOIN nodes n ON n.id = p.node_id \
         WHERE p.account_id = $1 AND p.owner = 0 AND n.organisation_id = $2 \
         AND n.kind <> 'file' \
         ON CONFLICT (node_id) DO NOTHING",
    )
    .bind(account_id)
    .bind(organisation_id)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

/// CRY-4: the nodes of the organisation waiting for a new identity that
/// `account_id` holds a permit on or above: only they could give one. Rows
/// nobody can act on (a box whose owner left without a transfer) would
/// otherwise be walked on every Boxes page of every member.
pub async fn rotations_due_in(
    c: &mut Conn,
    organisation_id: &str,
    account_id: &str,
) -> R<Vec<String>> {
    sqlx::query_scalar(
        "WITH RECURSIVE up(due, since, id, parent_id) AS ( \
           SELECT r.node_id, r.since, n.id, n.parent_id FROM rotations_due r \
           JOIN nodes n ON n.id = r.node_id WHERE r.organisation_id = $1 \
           UNION ALL \
           SELECT up.due, up.since, n.id, n.parent_id FROM nodes n JOIN up ON n.id = up.parent_id \
         ) SELECT up.due FROM up JOIN permits p ON p.node_id = up.id AND p.account_id = $2 \
         GROUP BY up.due, up.since ORDER BY up.since, up.due",
    )
    .bind(organisation_id)
    .bind(account_id)
    .fetch_all(c)
    .await
}

pub async fn rotation_done(c: &mut Conn, node_id: &str) -> R<()> {
    sqlx::query("DELETE FROM rotations_due WHERE node_id = $1")
        .bind(node_id)
        .execute(c)
        .await?;
    Ok(())
}

/// What is directly in a node, with the keys and records under its key:
/// folders and files (also in the trash) and unfinished uploads.
pub async fn children_keys(c: &mut Conn, node_id: &str) -> R<Vec<SealedNode>> {
    let rows: Vec<(String, String, Vec<u8>, Vec<u8>)> = sqlx::query_as(
        "SELECT id, public_key, wrapped_key, sealed_meta FROM nodes WHERE parent_id = $1 \
         UNION ALL \
         SELECT node_id, public_key, wrapped_key, sealed_meta FROM uploads WHERE parent_id = $1 \
         ORDER BY 1",
    )
    .bind(node_id)
    .fetch_all(c)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, public_key, wrapped, sealed)| SealedNode {
            id,
            step: KeyStep {
                public_key,
                wrapped: wrapped.into(),
            },
            sealed: sealed.into(),
        })
        .collect())
}

/// Who holds a permit on the node itself, with their member keys, terms
/// and `asker`'s pins of their keys; the owner's (of a box) apart.
pub async fn keepers(c: &mut Conn, node_id: &str, asker: &str) -> R<(Option<Keeper>, Vec<Keeper>)> {
    let rows = sqlx::query(
        "SELECT p.account_id, a.public_key, p.permission, p.not_before, p.not_after, p.owner, \
         a.email, k.sealed FROM permits p JOIN accounts a ON a.id = p.account_id \
         LEFT JOIN key_pins k ON k.account_id = $2 AND k.subject_id = p.account_id \
         WHERE p.node_id = $1 ORDER BY p.account_id",
    )
    .bind(node_id)
    .bind(asker)
    .fetch_all(c)
    .await?;
    let (mut owner, mut others) = (None, Vec::new());
    for r in &rows {
        let code: String = r.try_get(2)?;
        let keeper = Keeper {
            account_id: AccountId::from(r.try_get::<String, _>(0)?),
            public_key: r.try_get::<Option<String>, _>(1)?.unwrap_or_default(),
            permission: Permission::from_code(&code).unwrap_or(Permission::View),
            window: Window {
                not_before_ms: r.try_get(3)?,
                not_after_ms: r.try_get(4)?,
            },
            email: r.try_get(6)?,
            pin: r.try_get::<Option<Vec<u8>>, _>(7)?.map(Bytes),
        };
        if r.try_get::<i64, _>(5)? == 1 {
            owner = Some(keeper);
        } else {
            others.push(keeper);
        }
    }
    Ok((owner, others))
}

/// The node's identity replaced, unless it no longer is `old_public_key`
/// (someone renewed it meanwhile); a box's wrapped key is its owner's
/// permit's. Answers whether it was replaced.
pub async fn replace_node_key(
    c: &mut Conn,
    node_id: &str,
    old_public_key: &str,
    public_key: &str,
    wrapped_key: Option<&[u8]>,
    sealed_meta: &[u8],
) -> R<bool> {
    Ok(sqlx::query(
        "UPDATE nodes SET public_key = $3, wrapped_key = $4, sealed_meta = $5 \
         WHERE id = $1 AND public_key = $2",
    )
    .bind(node_id)
    .bind(old_public_key)
    .bind(public_key)
    .bind(wrapped_key)
    .bind(sealed_meta)
    .execute(c)
    .await?
    .rows_affected()
        == 1)
}

/// A box owner's permit, for the box's new identity.
pub async fn rewrap_owner(c: &mut Conn, node_id: &str, wrapped_key: &[u8]) -> R<bool> {
    Ok(
        sqlx::query("UPDATE permits SET wrapped_key = $2 WHERE node_id = $1 AND owner = 1")
            .bind(node_id)
            .bind(wrapped_key)
            .execute(c)
            .await?
            .rows_affected()
            == 1,
    )
}

/// A child (or unfinished upload) of `parent_id` wrapped and sealed under
/// the parent's new identity; answers whether it is still there.
pub async fn rekey_child(
    c: &mut Conn,
    parent_id: &str,
    child_id: &str,
    wrapped_key: &[u8],
    sealed_meta: &[u8],
) -> R<bool> {
    for table in [
        "UPDATE nodes SET wrapped_key = $3, sealed_meta = $4 WHERE id = $2 AND parent_id = $1",
        "UPDATE uploads SET wrapped_key = $3, sealed_meta = $4 \
         WHERE node_id = $2 AND parent_id = $1",
    ] {
        let done = sqlx::query(table)
            .bind(parent_id)
            .bind(child_id)
            .bind(wrapped_key)
            .bind(sealed_meta)
            .execute(&mut *c)
            .await?
            .rows_affected();
        if done == 1 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A keeper's permit made again for the node's new identity (same terms,
/// now signed by `granted_by`); answers whether it is still there.
pub async fn renew_permit(
    c: &mut Conn,
    node_id: &str,
    account_id: &str,
    wrapped_key: &[u8],
    sealed_meta: &[u8],
    signature: &[u8],
    granted_by: &str,
) -> R<bool> {
    Ok(sqlx::query(
        "UPDATE permits SET wrapped_key = $3, sealed_meta = $4, signature = $5, granted_by = $6, \
         signing_key = (SELECT signing_public_key FROM accounts WHERE id = $6) \
         WHERE node_id = $1 AND account_id = $2 AND owner = 0",
    )
    .bind(node_id)
    .bind(account_id)
    .bind(wrapped_key)
    .bind(sealed_meta)
    .bind(signature)
    .bind(granted_by)
    .execute(c)
    .await?
    .rows_affected()
        == 1)
}

/// BOX-5: a share waiting for an outside recipient's keys; answers false
/// when one for this item and person is already waiting.
pub async fn put_pending(
    c: &mut Conn,
    node_id: &str,
    account_id: &str,
    permission: Permission,
    window: Window,
    granted_by: &str,
    now: i64,
) -> R<bool> {
    Ok(sqlx::query(
        "INSERT INTO pending_shares (node_id, account_id, permission, not_before, not_after, \
         granted_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (node_id, account_id) DO NOTHING",
    )
    .bind(node_id)
    .bind(account_id)
    .bind(permission.code())
    .bind(window.not_before_ms)
    .bind(window.not_after_ms)
    .bind(granted_by)
    .bind(now)
    .execute(c)
    .await?
    .rows_affected()
        == 1)
}

/// The waiting share goes (completed or withdrawn); answers whether there
/// was one.
pub async fn drop_pending(c: &mut Conn, node_id: &str, account_id: &str) -> R<bool> {
    Ok(
        sqlx::query("DELETE FROM pending_shares WHERE node_id = $1 AND account_id = $2")
            .bind(node_id)
            .bind(account_id)
            .execute(c)
            .await?
            .rows_affected()
            > 0,
    )
}

/// The shares of an item waiting for their recipients, as the Share panel
/// lists them.
pub async fn pending_on(c: &mut Conn, node_id: &str) -> R<Vec<Access>> {
    let rows = sqlx::query(
        "SELECT s.account_id, a.email, a.first_name, a.last_name, s.permission, \
         s.not_before, s.not_after, g.email FROM pending_shares s \
         JOIN accounts a ON a.id = s.account_id JOIN accounts g ON g.id = s.granted_by \
         WHERE s.node_id = $1 ORDER BY a.email",
    )
    .bind(node_id)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            let code: String = r.try_get(4)?;
            Ok(Access {
                account_id: r.try_get::<String, _>(0)?.into(),
                email: r.try_get(1)?,
                name: full_name(r.try_get(2)?, r.try_get(3)?),
                permission: Permission::from_code(&code).unwrap_or(Permission::View),
                window: Window {
                    not_before_ms: r.try_get(5)?,
                    not_after_ms: r.try_get(6)?,
                },
                owner: false,
                inherited_from: None,
                granted_by: r.try_get(7)?,
                pending: true,
            })
        })
        .collect()
}

/// A waiting share whose recipient has set up their keys.
pub struct Ready {
    pub node_id: String,
    pub to: Recipient,
    pub permission: Permission,
    pub window: Window,
}

/// The shares `granted_by` made in the organisation that wait for
/// recipients who now have keys.
pub async fn pending_ready(c: &mut Conn, organisation_id: &str, granted_by: &str) -> R<Vec<Ready>> {
    let rows = sqlx::query(
        "SELECT a.id, a.email, a.first_name, a.last_name, a.public_key, s.node_id, \
         s.permission, s.not_before, s.not_after FROM pending_shares s \
         JOIN nodes n ON n.id = s.node_id JOIN accounts a ON a.id = s.account_id \
         WHERE n.organisation_id = $1 AND s.granted_by = $2 AND a.public_key IS NOT NULL \
         ORDER BY s.created_at, s.node_id",
    )
    .bind(organisation_id)
    .bind(granted_by)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            let code: String = r.try_get(6)?;
            Ok(Ready {
                to: recipient_from(r)?.0,
                node_id: r.try_get(5)?,
                permission: Permission::from_code(&code).unwrap_or(Permission::View),
                window: Window {
                    not_before_ms: r.try_get(7)?,
                    not_after_ms: r.try_get(8)?,
                },
            })
        })
        .collect()
}

/// Whether the member is an outside recipient (Ad hoc, or an external
/// account) of the organisation.
pub async fn is_outsider(c: &mut Conn, organisation_id: &str, account_id: &str) -> R<bool> {
    Ok(sqlx::query(
        "SELECT 1 FROM memberships WHERE organisation_id = $1 AND account_id = $2 \
         AND (role = 'adhoc' OR account_type = 'external')",
    )
    .bind(organisation_id)
    .bind(account_id)
    .fetch_optional(c)
    .await?
    .is_some())
}

/// BOX-5: the member was invited by a share, from outside.
pub async fn mark_external(c: &mut Conn, organisation_id: &str, account_id: &str) -> R<()> {
    sqlx::query(
        "UPDATE memberships SET account_type = 'external' \
         WHERE organisation_id = $1 AND account_id = $2",
    )
    .bind(organisation_id)
    .bind(account_id)
    .execute(c)
    .await?;
    Ok(())
}

/// An account's permits from others on an organisation's nodes, deleted
/// (their membership there ended).
pub async fn remove_permits_in(c: &mut Conn, organisation_id: &str, account_id: &str) -> R<u64> {
    Ok(sqlx::query(
        "DELETE FROM permits WHERE account_id = $1 AND owner = 0 \
         AND node_id IN (SELECT id FROM nodes WHERE organisation_id = $2)",
    )
    .bind(account_id)
    .bind(organisation_id)
    .execute(&mut *c)
    .await?
    .rows_affected()
        + sqlx::query(
            "DELETE FROM pending_shares WHERE account_id = $1 \
             AND node_id IN (SELECT id FROM nodes WHERE organisation_id = $2)",
        )
        .bind(account_id)
        .bind(organisation_id)
        .execute(c)
        .await?
        .rows_affected())
}

/// BOX-9: one more share from `account_id` to `contact_id`.
pub async fn remember_contact(
    c: &mut Conn,
    account_id: &str,
    organisation_id: &str,
    contact_id: &str,
    now: i64,
) -> R<()> {
    sqlx::query(
        "INSERT INTO share_contacts (account_id, organisation_id, contact_id, shares, last_shared_at) \
         VALUES ($1, $2, $3, 1, $4) \
         ON CONFLICT (account_id, organisation_id, contact_id) \
         DO UPDATE SET shares = share_contacts.shares + 1, last_shared_at = excluded.last_shared_at",
    )
    .bind(account_id)
    .bind(organisation_id)
    .bind(contact_id)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

/// BOX-9: the member's contacts still in the organisation with keys,
/// most often shared with first, whose email or name starts with `prefix`
/// (all of them for an empty one).
pub async fn contacts_like(
    c: &mut Conn,
    account_id: &str,
    organisation_id: &str,
    prefix: &str,
    limit: i64,
) -> R<Vec<Recipient>> {
    let rows = sqlx::query(
        "SELECT a.id, a.email, a.first_name, a.last_name, a.public_key FROM share_contacts s \
         JOIN memberships m ON m.organisation_id = s.organisation_id AND m.account_id = s.contact_id \
         JOIN accounts a ON a.id = s.contact_id \
         WHERE s.account_id = $1 AND s.organisation_id = $2 AND a.public_key IS NOT NULL \
         AND (m.email_key LIKE $3 ESCAPE '\\' OR m.first_key LIKE $3 ESCAPE '\\' \
              OR m.last_key LIKE $3 ESCAPE '\\') \
         ORDER BY s.shares DESC, s.last_shared_at DESC LIMIT $4",
    )
    .bind(account_id)
    .bind(organisation_id)
    .bind(like_prefix(prefix))
    .bind(limit)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| recipient_from(r).map(|(rec, _)| rec))
        .collect()
}

/// A `LIKE` pattern for what starts with `prefix`, any case.
fn like_prefix(prefix: &str) -> String {
    format!(
        "{}%",
        prefix
            .trim()
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

/// AUD-3: the member's notice choices (all, until they choose).
pub async fn notices_of(c: &mut Conn, account_id: &str) -> R<Notices> {
    let row: Option<(i64, i64, i64)> = sqlx::query_as(
        "SELECT shares, uploads, expiring FROM notice_preferences WHERE account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(c)
    .await?;
    Ok(row.map_or_else(Notices::default, |(s, u, e)| Notices {
        shares: s == 1,
        uploads: u == 1,
        expiring: e == 1,
    }))
}

pub async fn set_notices(c: &mut Conn, account_id: &str, n: Notices) -> R<()> {
    sqlx::query(
        "INSERT INTO notice_preferences (account_id, shares, uploads, expiring) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (account_id) \
         DO UPDATE SET shares = excluded.shares, uploads = excluded.uploads, \
         expiring = excluded.expiring",
    )
    .bind(account_id)
    .bind(i64::from(n.shares))
    .bind(i64::from(n.uploads))
    .bind(i64::from(n.expiring))
    .execute(c)
    .await?;
    Ok(())
}

/// A permit that ends within a day and whose holder was not told yet.
pub struct EndingSoon {
    pub node_id: String,
    pub account_id: String,
    pub email: String,
    pub organisation: String,
    pub not_after: i64,
}

pub async fn ending_soon(c: &mut Conn, now: i64, within: i64) -> R<Vec<EndingSoon>> {
    let rows: Vec<(String, String, String, String, i64)> = sqlx::query_as(
        "SELECT p.node_id, p.account_id, a.email, o.name, p.not_after FROM permits p \
         JOIN nodes n ON n.id = p.node_id JOIN organisations o ON o.id = n.organisation_id \
         JOIN accounts a ON a.id = p.account_id \
         WHERE p.owner = 0 AND p.expiry_noticed_at IS NULL AND p.not_after IS NOT NULL \
         AND p.not_after > $1 AND p.not_after <= $2 \
         AND (p.not_before IS NULL OR p.not_before <= $1) \
         ORDER BY p.not_after LIMIT 1000",
    )
    .bind(now)
    .bind(now + within)
    .fetch_all(c)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(node_id, account_id, email, organisation, not_after)| EndingSoon {
                node_id,
                account_id,
                email,
                organisation,
                not_after,
            },
        )
        .collect())
}

pub async fn mark_expiry_noticed(c: &mut Conn, node_id: &str, account_id: &str, now: i64) -> R<()> {
    sqlx::query("UPDATE permits SET expiry_noticed_at = $1 WHERE node_id = $2 AND account_id = $3")
        .bind(now)
        .bind(node_id)
        .bind(account_id)
        .execute(c)
        .await?;
    Ok(())
}

/// The email of a box's owner and the organisation's name, for an upload
/// notice.
pub async fn box_owner(c: &mut Conn, box_id: &str) -> R<Option<(String, String, String)>> {
    let row: Option<(String, String, String)> = sqlx::query_as(
        "SELECT a.id, a.email, o.name FROM permits p JOIN accounts a ON a.id = p.account_id \
         JOIN nodes n ON n.id = p.node_id JOIN organisations o ON o.id = n.organisation_id \
         WHERE p.node_id = $1 AND p.owner = 1",
    )
    .bind(box_id)
    .fetch_optional(c)
    .await?;
    Ok(row)
}

pub async fn organisation_name(c: &mut Conn, organisation_id: &str) -> R<String> {
    sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1")
        .bind(organisation_id)
        .fetch_one(c)
        .await
}
