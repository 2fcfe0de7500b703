//! SQL of files (BOX-1, CRY-2, BOX-6): uploads in progress and their parts,
//! complete files, the blobs waiting to be swept, members' signing keys and
//! what each account's files take of its plan.

use std::collections::HashMap;

use coffer_shared::files::SigningKey;
use sqlx::Row;

use crate::store::{Conn, R};

/// An upload as `create` stored it.
pub struct Upload {
    pub id: String,
    pub organisation_id: String,
    pub box_id: String,
    pub parent_id: String,
    pub node_id: String,
    pub public_key: String,
    pub wrapped_key: Vec<u8>,
    pub header: Vec<u8>,
    pub plain_size: i64,
    pub payload_size: i64,
    pub parts: i64,
    pub charged_to: String,
    pub created_by: String,
}

pub async fn insert_upload(
    c: &mut Conn,
    u: &Upload,
    sealed: &[u8],
    now: i64,
    expires: i64,
) -> R<()> {
    sqlx::query(
        "INSERT INTO uploads (id, organisation_id, box_id, parent_id, node_id, public_key, \
         wrapped_key, sealed_meta, header, plain_size, payload_size, parts, charged_to, \
         created_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(&u.id)
    .bind(&u.organisation_id)
    .bind(&u.box_id)
    .bind(&u.parent_id)
    .bind(&u.node_id)
    .bind(&u.public_key)
    .bind(&u.wrapped_key)
    .bind(sealed)
    .bind(&u.header)
    .bind(u.plain_size)
    .bind(u.payload_size)
    .bind(u.parts)
    .bind(&u.charged_to)
    .bind(&u.created_by)
    .bind(now)
    .bind(expires)
    .execute(c)
    .await?;
    Ok(())
}

/// An upload that has not expired.
pub async fn upload(c: &mut Conn, id: &str, now: i64) -> R<Option<Upload>> {
    let row = sqlx::query(
        "SELECT id, organisation_id, box_id, parent_id, node_id, public_key, wrapped_key, \
         header, plain_size, payload_size, parts, charged_to, created_by \
         FROM uploads WHERE id = $1 AND expires_at > $2",
    )
    .bind(id)
    .bind(now)
    .fetch_optional(c)
    .await?;
    row.map(|r| {
        Ok(Upload {
            id: r.try_get(0)?,
            organisation_id: r.try_get(1)?,
            box_id: r.try_get(2)?,
            parent_id: r.try_get(3)?,
            node_id: r.try_get(4)?,
            public_key: r.try_get(5)?,
            wrapped_key: r.try_get(6)?,
            header: r.try_get(7)?,
            plain_size: r.try_get(8)?,
            payload_size: r.try_get(9)?,
            parts: r.try_get(10)?,
            charged_to: r.try_get(11)?,
            created_by: r.try_get(12)?,
        })
    })
    .transpose()
}

/// Whether an id is taken by a node or an upload in progress.
pub async fn node_id_taken(c: &mut Conn, id: &str) -> R<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM nodes WHERE id = $1) \
         + (SELECT COUNT(*) FROM uploads WHERE node_id = $1)",
    )
    .bind(id)
    .fetch_one(c)
    .await?;
    Ok(n > 0)
}

/// The parts received so far: number and hex SHA-256, in order.
pub async fn parts(c: &mut Conn, upload_id: &str) -> R<Vec<(u32, String)>> {
    let rows = sqlx::query("SELECT n, sha256 FROM upload_parts WHERE upload_id = $1 ORDER BY n")
        .bind(upload_id)
        .fetch_all(c)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get::<i64, _>(0)? as u32, r.try_get(1)?)))
        .collect()
}

pub async fn part_hash(c: &mut Conn, upload_id: &str, n: u32) -> R<Option<String>> {
    sqlx::query_scalar("SELECT sha256 FROM upload_parts WHERE upload_id = $1 AND n = $2")
        .bind(upload_id)
        .bind(i64::from(n))
        .fetch_optional(c)
        .await
}

pub async fn insert_part(c: &mut Conn, upload_id: &str, n: u32, size: u64, sha256: &str) -> R<()> {
    sqlx::query("INSERT INTO upload_parts (upload_id, n, size, sha256) VALUES ($1, $2, $3, $4)")
        .bind(upload_id)
        .bind(i64::from(n))
        .bind(size as i64)
        .bind(sha256)
        .execute(c)
        .await?;
    Ok(())
}

/// Removes an upload's rows; answers whether it was there (so of two
/// racing completions only one goes on).
pub async fn delete_upload(c: &mut Conn, upload_id: &str) -> R<bool> {
    sqlx::query("DELETE FROM upload_parts WHERE upload_id = $1")
        .bind(upload_id)
        .execute(&mut *c)
        .await?;
    let gone = sqlx::query("DELETE FROM uploads WHERE id = $1")
        .bind(upload_id)
        .execute(&mut *c)
        .await?;
    Ok(gone.rows_affected() == 1)
}

/// A complete file's row.
pub struct FileRow<'a> {
    pub node_id: &'a str,
    pub blob_prefix: &'a str,
    pub header: &'a [u8],
    pub plain_size: i64,
    pub stored_bytes: i64,
    pub part_sha256: &'a str,
    pub signature: &'a [u8],
    pub signed_by: &'a str,
    pub charged_to: &'a str,
}

pub async fn insert_file(c: &mut Conn, f: &FileRow<'_>) -> R<()> {
    sqlx::query(
        "INSERT INTO files (node_id, blob_prefix, header, plain_size, stored_bytes, \
         part_sha256, signature, signed_by, charged_to) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(f.node_id)
    .bind(f.blob_prefix)
    .bind(f.header)
    .bind(f.plain_size)
    .bind(f.stored_bytes)
    .bind(f.part_sha256)
    .bind(f.signature)
    .bind(f.signed_by)
    .bind(f.charged_to)
    .execute(c)
    .await?;
    Ok(())
}

/// A stored file: where its parts are, its header, size, part hashes and
/// signature.
pub struct StoredFile {
    pub blob_prefix: String,
    pub header: Vec<u8>,
    pub plain_size: i64,
    pub part_sha256: Vec<String>,
    pub signature: Vec<u8>,
}

pub async fn file(c: &mut Conn, node_id: &str) -> R<Option<StoredFile>> {
    let row = sqlx::query(
        "SELECT blob_prefix, header, plain_size, part_sha256, signature FROM files \
         WHERE node_id = $1",
    )
    .bind(node_id)
    .fetch_optional(c)
    .await?;
    row.as_ref().map(|r| stored_from(r, 0)).transpose()
}

/// A `files` row read from column `at` on: blob_prefix, header,
/// plain_size, part_sha256, signature.
fn stored_from(r: &sqlx::any::AnyRow, at: usize) -> R<StoredFile> {
    let hashes: String = r.try_get(at + 3)?;
    Ok(StoredFile {
        blob_prefix: r.try_get(at)?,
        header: r.try_get(at + 1)?,
        plain_size: r.try_get(at + 2)?,
        part_sha256: hashes.split(',').map(str::to_string).collect(),
        signature: r.try_get(at + 4)?,
    })
}

/// The files anywhere under `root` (trashed or not: the caller picks), by
/// node id.
pub async fn files_under(c: &mut Conn, root: &str) -> R<HashMap<String, StoredFile>> {
    let rows = sqlx::query(
        "WITH RECURSIVE tree(id) AS ( \
           SELECT id FROM nodes WHERE id = $1 \
           UNION ALL \
           SELECT n.id FROM nodes n JOIN tree t ON n.parent_id = t.id \
         ) SELECT f.node_id, f.blob_prefix, f.header, f.plain_size, f.part_sha256, f.signature \
         FROM tree t JOIN files f ON f.node_id = t.id",
    )
    .bind(root)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, stored_from(r, 1)?)))
        .collect()
}

/// Queues a blob prefix for the sweeper (after the transaction commits).
pub async fn queue_sweep(c: &mut Conn, prefix: &str, parts: i64, now: i64) -> R<()> {
    sqlx::query(
        "INSERT INTO blob_sweep (prefix, parts, queued_at) VALUES ($1, $2, $3) \
         ON CONFLICT (prefix) DO NOTHING",
    )
    .bind(prefix)
    .bind(parts)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

/// Uploads still running into a folder that goes away for good: gone with
/// it, their parts queued for the sweeper.
pub async fn forget_uploads_into(c: &mut Conn, parent_id: &str, now: i64) -> R<()> {
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM uploads WHERE parent_id = $1")
        .bind(parent_id)
        .fetch_all(&mut *c)
        .await?;
    for id in ids {
        queue_sweep(c, &id, 0, now).await?;
        delete_upload(c, &id).await?;
    }
    Ok(())
}

/// A file going away for good: its row is deleted, its bytes no longer
/// count against the plan, and its blobs are queued for the sweeper.
pub async fn forget_files(c: &mut Conn, node_id: &str, now: i64) -> R<()> {
    let row = sqlx::query(
        "SELECT f.blob_prefix, f.stored_bytes, f.charged_to, n.organisation_id FROM files f \
         JOIN nodes n ON n.id = f.node_id WHERE f.node_id = $1",
    )
    .bind(node_id)
    .fetch_optional(&mut *c)
    .await?;
    if let Some(row) = row {
        let prefix: String = row.try_get(0)?;
        let stored: i64 = row.try_get(1)?;
        let charged: String = row.try_get(2)?;
        let org: String = row.try_get(3)?;
        add_usage(c, &org, &charged, -stored).await?;
        queue_sweep(c, &prefix, 0, now).await?;
        sqlx::query("DELETE FROM files WHERE node_id = $1")
            .bind(node_id)
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

/// Uploads past their time: their rows go and their blobs are queued.
pub async fn expire_uploads(c: &mut Conn, now: i64) -> R<u64> {
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM uploads WHERE expires_at <= $1")
        .bind(now)
        .fetch_all(&mut *c)
        .await?;
    for id in &ids {
        queue_sweep(c, id, 0, now).await?;
        delete_upload(c, id).await?;
    }
    Ok(ids.len() as u64)
}

pub async fn sweep_queue(c: &mut Conn, limit: i64) -> R<Vec<String>> {
    sqlx::query_scalar("SELECT prefix FROM blob_sweep ORDER BY queued_at LIMIT $1")
        .bind(limit)
        .fetch_all(c)
        .await
}

pub async fn swept(c: &mut Conn, prefix: &str) -> R<()> {
    sqlx::query("DELETE FROM blob_sweep WHERE prefix = $1")
        .bind(prefix)
        .execute(c)
        .await?;
    Ok(())
}

/// Whether an upload id or file still refers to the prefix (then its blobs
/// are not orphans, whatever the queue says).
pub async fn prefix_in_use(c: &mut Conn, prefix: &str) -> R<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM uploads WHERE id = $1) \
         + (SELECT COUNT(*) FROM files WHERE blob_prefix = $1)",
    )
    .bind(prefix)
    .fetch_one(c)
    .await?;
    Ok(n > 0)
}

pub async fn signing_key(c: &mut Conn, account_id: &str) -> R<Option<SigningKey>> {
    let row = sqlx::query(
        "SELECT signing_public_key, wrapped_signing_key FROM accounts WHERE id = $1 \
         AND signing_public_key IS NOT NULL",
    )
    .bind(account_id)
    .fetch_optional(c)
    .await?;
    row.map(|r| {
        Ok(SigningKey {
            public_key: r.try_get(0)?,
            wrapped: r.try_get::<Vec<u8>, _>(1)?.into(),
        })
    })
    .transpose()
}

/// Sets the key unless one is set; answers whether it was set now.
pub async fn set_signing_key(c: &mut Conn, account_id: &str, key: &SigningKey) -> R<bool> {
    let done = sqlx::query(
        "UPDATE accounts SET signing_public_key = $1, wrapped_signing_key = $2 \
         WHERE id = $3 AND signing_public_key IS NULL",
    )
    .bind(&key.public_key)
    .bind(&key.wrapped.0)
    .bind(account_id)
    .execute(c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// ACC-7: a reset that makes new member keys leaves the signing key
/// wrapped to the old ones, which no longer open; the browser makes a new
/// one when it next needs it. What was signed with the old one still
/// verifies: file records and permits name the key they were signed with.
pub async fn forget_signing_key(c: &mut Conn, account_id: &str) -> R<()> {
    sqlx::query(
        "UPDATE accounts SET signing_public_key = NULL, wrapped_signing_key = NULL WHERE id = $1",
    )
    .bind(account_id)
    .execute(c)
    .await?;
    Ok(())
}

/// BOX-6: the box's owner, whose plan its files count against.
pub async fn box_owner(c: &mut Conn, box_id: &str) -> R<Option<String>> {
    sqlx::query_scalar("SELECT account_id FROM permits WHERE node_id = $1 AND owner = 1")
        .bind(box_id)
        .fetch_optional(c)
        .await
}

/// The account's plan quota in the organisation (its own plan, else the
/// default); `None` when the organisation has no plan.
pub async fn quota(c: &mut Conn, organisation_id: &str, account_id: &str) -> R<Option<i64>> {
    sqlx::query_scalar(
        "SELECT p.quota_bytes FROM memberships m JOIN plans p ON p.id = COALESCE(m.plan_id, \
         (SELECT d.id FROM plans d WHERE d.organisation_id = m.organisation_id AND d.is_default = 1)) \
         WHERE m.organisation_id = $1 AND m.account_id = $2",
    )
    .bind(organisation_id)
    .bind(account_id)
    .fetch_optional(c)
    .await
}

/// BOX-6: changes the stored usage of a membership (and its sort key).
pub async fn add_usage(c: &mut Conn, organisation_id: &str, account_id: &str, delta: i64) -> R<()> {
    let used: Option<i64> = sqlx::query_scalar(
        "UPDATE memberships SET used_bytes = used_bytes + $1 \
         WHERE organisation_id = $2 AND account_id = $3 RETURNING used_bytes",
    )
    .bind(delta)
    .bind(organisation_id)
    .bind(account_id)
    .fetch_optional(&mut *c)
    .await?;
    if let Some(used) = used {
        sqlx::query(
            "UPDATE memberships SET usage_key = $1 WHERE organisation_id = $2 AND account_id = $3",
        )
        .bind(format!("{:020}", used.max(0)))
        .bind(organisation_id)
        .bind(account_id)
        .execute(c)
        .await?;
    }
    Ok(())
}

/// The stored usage of a membership.
pub async fn stored_usage(c: &mut Conn, organisation_id: &str, account_id: &str) -> R<i64> {
    Ok(sqlx::query_scalar(
        "SELECT used_bytes FROM memberships WHERE organisation_id = $1 AND account_id = $2",
    )
    .bind(organisation_id)
    .bind(account_id)
    .fetch_optional(c)
    .await?
    .unwrap_or(0))
}

/// Every membership whose stored usage differs from the sum of its
/// files: (organisation, account, stored, recomputed).
pub async fn usage_differences(c: &mut Conn) -> R<Vec<(String, String, i64, i64)>> {
    let rows = sqlx::query(
        "SELECT m.organisation_id, m.account_id, m.used_bytes, CAST(COALESCE(( \
           SELECT SUM(f.stored_bytes) FROM files f JOIN nodes n ON n.id = f.node_id \
           WHERE f.charged_to = m.account_id AND n.organisation_id = m.organisation_id), 0) \
           AS BIGINT) AS counted \
         FROM memberships m",
    )
    .fetch_all(c)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let (stored, counted): (i64, i64) = (r.try_get(2)?, r.try_get(3)?);
        if stored != counted {
            out.push((r.try_get(0)?, r.try_get(1)?, stored, counted));
        }
    }
    Ok(out)
}

/// Bytes the account's files take in the organisation (payload plus
/// header), and what its unfinished uploads have reserved; `except` leaves
/// one upload out (the one being completed).
pub async fn usage(
    c: &mut Conn,
    organisation_id: &str,
    account_id: &str,
    now: i64,
    except: &str,
) -> R<i64> {
    let used: i64 = sqlx::query_scalar(
        // PostgreSQL's SUM of BIGINT is NUMERIC: cast back.
        "SELECT CAST(COALESCE((SELECT m.used_bytes FROM memberships m \
           WHERE m.account_id = $2 AND m.organisation_id = $1), 0) \
         + COALESCE((SELECT SUM(u.payload_size + LENGTH(u.header)) FROM uploads u \
           WHERE u.charged_to = $2 AND u.organisation_id = $1 AND u.expires_at > $3 \
           AND u.id <> $4), 0) AS BIGINT)",
    )
    .bind(organisation_id)
    .bind(account_id)
    .bind(now)
    .bind(except)
    .fetch_one(c)
    .await?;
    Ok(used)
}
