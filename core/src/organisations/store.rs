//! SQL for organisation configuration (ORG-12), member permissions
//! (PKG-8), plans (ORG-8) and logos (ORG-10).

use coffer_shared::organisations::PlanView;
use sqlx::Row;

use crate::store::{Conn, R};

// ------------------------------------------------------------------ settings

pub async fn organisation_settings(c: &mut Conn, organisation_id: &str) -> R<Option<String>> {
    sqlx::query_scalar("SELECT settings FROM organisation_settings WHERE organisation_id = $1")
        .bind(organisation_id)
        .fetch_optional(c)
        .await
}

pub async fn set_organisation_settings(
    c: &mut Conn,
    organisation_id: &str,
    settings: &str,
) -> R<()> {
    sqlx::query(
        "INSERT INTO organisation_settings (organisation_id, settings) VALUES ($1, $2) \
         ON CONFLICT (organisation_id) DO UPDATE SET settings = excluded.settings",
    )
    .bind(organisation_id)
    .bind(settings)
    .execute(c)
    .await?;
    Ok(())
}

/// A member's own permission flags, comma-separated codes.
pub async fn member_permissions(
    c: &mut Conn,
    organisation_id: &str,
    account_id: &str,
) -> R<Option<String>> {
    sqlx::query_scalar(
        "SELECT permissions FROM memberships WHERE organisation_id = $1 AND account_id = $2",
    )
    .bind(organisation_id)
    .bind(account_id)
    .fetch_optional(c)
    .await
}

pub async fn set_member_permissions(
    c: &mut Conn,
    organisation_id: &str,
    account_id: &str,
    codes: &str,
) -> R<()> {
    sqlx::query(
        "UPDATE memberships SET permissions = $1 WHERE organisation_id = $2 AND account_id = $3",
    )
    .bind(codes)
    .bind(organisation_id)
    .bind(account_id)
    .execute(c)
    .await?;
    Ok(())
}

// ------------------------------------------------------------------ plans

pub async fn plans(c: &mut Conn, organisation_id: &str) -> R<Vec<PlanView>> {
    let rows = sqlx::query(
        "SELECT p.id, p.name, p.quota_bytes, p.is_default, \
         (SELECT COUNT(*) FROM memberships m WHERE m.plan_id = p.id) \
         FROM plans p WHERE p.organisation_id = $1 ORDER BY p.name_key",
    )
    .bind(organisation_id)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PlanView {
                id: r.try_get::<String, _>(0)?.into(),
                name: r.try_get(1)?,
                quota_bytes: r.try_get(2)?,
                is_default: r.try_get::<i64, _>(3)? != 0,
                members: r.try_get(4)?,
            })
        })
        .collect()
}

pub async fn plan_name_taken(
    c: &mut Conn,
    organisation_id: &str,
    name_key: &str,
    except_id: &str,
) -> R<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM plans WHERE organisation_id = $1 AND name_key = $2 AND id <> $3",
    )
    .bind(organisation_id)
    .bind(name_key)
    .bind(except_id)
    .fetch_one(c)
    .await?;
    Ok(n > 0)
}

pub struct NewPlanRow<'a> {
    pub id: &'a str,
    pub organisation_id: &'a str,
    pub name: &'a str,
    pub name_key: &'a str,
    pub quota_bytes: i64,
    pub now: i64,
}

pub async fn insert_plan(c: &mut Conn, p: &NewPlanRow<'_>) -> R<()> {
    sqlx::query(
        "INSERT INTO plans (id, organisation_id, name, name_key, quota_bytes, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(p.id)
    .bind(p.organisation_id)
    .bind(p.name)
    .bind(p.name_key)
    .bind(p.quota_bytes)
    .bind(p.now)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn plan_in(c: &mut Conn, organisation_id: &str, plan_id: &str) -> R<Option<PlanView>> {
    Ok(plans(c, organisation_id)
        .await?
        .into_iter()
        .find(|p| p.id == plan_id))
}

pub async fn update_plan(
    c: &mut Conn,
    plan_id: &str,
    name: &str,
    name_key: &str,
    quota_bytes: i64,
) -> R<()> {
    sqlx::query("UPDATE plans SET name = $1, name_key = $2, quota_bytes = $3 WHERE id = $4")
        .bind(name)
        .bind(name_key)
        .bind(quota_bytes)
        .bind(plan_id)
        .execute(c)
        .await?;
    Ok(())
}

/// Makes one plan the organisation's only default.
pub async fn set_default_plan(c: &mut Conn, organisation_id: &str, plan_id: &str) -> R<()> {
    sqlx::query(
        "UPDATE plans SET is_default = CASE WHEN id = $1 THEN 1 ELSE 0 END WHERE organisation_id = $2",
    )
    .bind(plan_id)
    .bind(organisation_id)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn default_plan(c: &mut Conn, organisation_id: &str) -> R<Option<String>> {
    sqlx::query_scalar("SELECT id FROM plans WHERE organisation_id = $1 AND is_default = 1")
        .bind(organisation_id)
        .fetch_optional(c)
        .await
}

/// Deletes a plan nobody uses and that is not the default, in one guarded
/// statement; false otherwise.
pub async fn delete_unused_plan(c: &mut Conn, plan_id: &str) -> R<bool> {
    let done = sqlx::query(
        "DELETE FROM plans WHERE id = $1 AND is_default = 0 \
         AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.plan_id = $1)",
    )
    .bind(plan_id)
    .execute(c)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_member_plan(
    c: &mut Conn,
    organisation_id: &str,
    account_id: &str,
    plan_id: Option<&str>,
) -> R<()> {
    sqlx::query(
        "UPDATE memberships SET plan_id = $1 WHERE organisation_id = $2 AND account_id = $3",
    )
    .bind(plan_id)
    .bind(organisation_id)
    .bind(account_id)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn member_plan_id(
    c: &mut Conn,
    organisation_id: &str,
    account_id: &str,
) -> R<Option<String>> {
    sqlx::query_scalar(
        "SELECT plan_id FROM memberships WHERE organisation_id = $1 AND account_id = $2",
    )
    .bind(organisation_id)
    .bind(account_id)
    .fetch_optional(c)
    .await
    .map(Option::flatten)
}

// ------------------------------------------------------------------ logo

pub async fn set_logo(
    c: &mut Conn,
    organisation_id: &str,
    png: &[u8],
    width: u32,
    height: u32,
    now: i64,
) -> R<()> {
    sqlx::query(
        "INSERT INTO organisation_logos (organisation_id, image, width, height, updated_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (organisation_id) DO UPDATE SET \
         image = excluded.image, width = excluded.width, height = excluded.height, \
         updated_at = excluded.updated_at",
    )
    .bind(organisation_id)
    .bind(png)
    .bind(i64::from(width))
    .bind(i64::from(height))
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn logo(c: &mut Conn, organisation_id: &str) -> R<Option<Vec<u8>>> {
    sqlx::query_scalar("SELECT image FROM organisation_logos WHERE organisation_id = $1")
        .bind(organisation_id)
        .fetch_optional(c)
        .await
}

pub async fn delete_logo(c: &mut Conn, organisation_id: &str) -> R<bool> {
    let done = sqlx::query("DELETE FROM organisation_logos WHERE organisation_id = $1")
        .bind(organisation_id)
        .execute(c)
        .await?;
    Ok(done.rows_affected() == 1)
}

// ------------------------------------------------------------------ licence seats (ORG-7)

#[derive(Clone, Debug)]
pub struct SeatsRow {
    pub organisation_name: String,
    pub licence_seats: i64,
    pub used: i64,
    pub expiry_date: String,
}

pub async fn seats(c: &mut Conn, organisation_id: &str) -> R<Option<SeatsRow>> {
    let row = sqlx::query(
        "SELECT o.name, o.licence_seats, o.expiry_date, o.member_count FROM organisations o WHERE o.id = $1",
    )
    .bind(organisation_id)
    .fetch_optional(c)
    .await?;
    row.map(|r| {
        Ok(SeatsRow {
            organisation_name: r.try_get(0)?,
            licence_seats: r.try_get(1)?,
            expiry_date: r.try_get(2)?,
            used: r.try_get(3)?,
        })
    })
    .transpose()
}
