//! All SQL outside the migrations. Functions take a connection so callers
//! decide the transaction; every query text runs on SQLite and PostgreSQL.

use coffer_shared::accounts::Profile;
use coffer_shared::i18n::Language;
use coffer_shared::ids::GroupId;
use coffer_shared::members::{GroupView, MemberColumn, MemberRow, SearchField};
use coffer_shared::types::{AccountType, AdminTier, Role};
use sqlx::{AnyConnection, Row};

pub type Conn = AnyConnection;
pub(crate) type R<T> = Result<T, sqlx::Error>;

pub mod bulk;
pub use bulk::{enqueue_mails, run_bulk, Bulk, BulkMail};

pub(crate) fn is_sqlite(c: &Conn) -> bool {
    c.backend_name() == "SQLite"
}

// ------------------------------------------------------------------ instance

pub async fn instance_is_set_up(c: &mut Conn) -> R<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM instance")
        .fetch_one(c)
        .await?;
    Ok(n > 0)
}

pub async fn mark_instance_set_up(c: &mut Conn, at: i64, by: &str) -> R<()> {
    sqlx::query("INSERT INTO instance (id, setup_at, setup_by) VALUES (1, $1, $2)")
        .bind(at)
        .bind(by)
        .execute(c)
        .await?;
    Ok(())
}

// ------------------------------------------------------------------ accounts

#[derive(Clone, Debug)]
pub struct AccountRow {
    pub id: String,
    pub email: String,
    pub is_instance_admin: bool,
    pub opaque_record: Option<Vec<u8>>,
    pub public_key: Option<String>,
    pub wrapped_private_key: Option<Vec<u8>>,
    pub failed_sign_ins: i64,
    pub locked_at: Option<i64>,
    pub security_question: String,
    pub security_answer_hash: String,
    pub language: Language,
    /// The organisation that first enrolled the account: account-wide
    /// security is its business (and the instance administrator's).
    pub home_organisation_id: Option<String>,
    /// Why it is locked (`LockReason::code`), when it is.
    pub lock_reason: Option<String>,
}

impl AccountRow {
    /// ACC-6: locked for guessing, passwords (and codes) are refused; a
    /// passkey, which cannot be guessed, still signs in.
    pub fn refuses_passwords(&self) -> bool {
        self.locked_at.is_some()
    }

    /// Locked for a reason other than guessing (inactivity): no way in, and
    /// open sessions end.
    pub fn refuses_everything(&self) -> bool {
        self.locked_at.is_some() && self.lock_reason.as_deref() != Some(LOCKED_FOR_GUESSING)
    }
}

pub const LOCKED_FOR_GUESSING: &str = "guessing";
pub const LOCKED_FOR_INACTIVITY: &str = "inactivity";

const ACCOUNT_COLUMNS: &str =
    "id, email, is_instance_admin, opaque_record, public_key, wrapped_private_key, \
     failed_sign_ins, locked_at, security_question, security_answer_hash, language, \
     home_organisation_id, lock_reason";

fn account_from(row: &sqlx::any::AnyRow) -> R<AccountRow> {
    Ok(AccountRow {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        is_instance_admin: row.try_get::<i64, _>("is_instance_admin")? != 0,
        opaque_record: row.try_get("opaque_record")?,
        public_key: row.try_get("public_key")?,
        wrapped_private_key: row.try_get("wrapped_private_key")?,
        failed_sign_ins: row.try_get("failed_sign_ins")?,
        locked_at: row.try_get("locked_at")?,
        security_question: row.try_get("security_question")?,
        security_answer_hash: row.try_get("security_answer_hash")?,
        language: Language::from_code(&row.try_get::<String, _>("language")?).unwrap_or_default(),
        home_organisation_id: row.try_get("home_organisation_id")?,
        lock_reason: row.try_get("lock_reason")?,
    })
}

pub async fn account_by_id(c: &mut Conn, id: &str) -> R<Option<AccountRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1"
    ));
    sqlx::query(sql)
        .bind(id)
        .fetch_optional(c)
        .await?
        .as_ref()
        .map(account_from)
        .transpose()
}

/// Looks an account up by email (already normalised) or by user name.
pub async fn account_by_identifier(c: &mut Conn, identifier: &str) -> R<Option<AccountRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE email = $1 OR username = $1"
    ));
    sqlx::query(sql)
        .bind(identifier)
        .fetch_optional(c)
        .await?
        .as_ref()
        .map(account_from)
        .transpose()
}

pub async fn insert_account(
    c: &mut Conn,
    id: &str,
    email: &str,
    is_instance_admin: bool,
    now: i64,
) -> R<()> {
    sqlx::query(
        "INSERT INTO accounts (id, email, is_instance_admin, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(email)
    .bind(is_instance_admin as i64)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

/// Makes an organisation the account's home (the one that enrolled it).
pub async fn set_home_organisation(
    c: &mut Conn,
    account_id: &str,
    organisation_id: Option<&str>,
) -> R<()> {
    sqlx::query("UPDATE accounts SET home_organisation_id = $1 WHERE id = $2")
        .bind(organisation_id)
        .bind(account_id)
        .execute(c)
        .await?;
    Ok(())
}

/// The organisation of the account's oldest membership, if any.
pub async fn oldest_membership(c: &mut Conn, account_id: &str) -> R<Option<String>> {
    sqlx::query_scalar(
        "SELECT organisation_id FROM memberships WHERE account_id = $1 \
         ORDER BY created_at, organisation_id LIMIT 1",
    )
    .bind(account_id)
    .fetch_optional(c)
    .await
}

/// Stores credentials and keys; `activated_at` is set the first time only.
pub async fn set_credentials(
    c: &mut Conn,
    account_id: &str,
    opaque_record: &[u8],
    public_key: &str,
    wrapped_private_key: &[u8],
    now: i64,
) -> R<()> {
    sqlx::query(
        "UPDATE accounts SET opaque_record = $1, public_key = $2, wrapped_private_key = $3, \
         activated_at = COALESCE(activated_at, $4) WHERE id = $5",
    )
    .bind(opaque_record)
    .bind(public_key)
    .bind(wrapped_private_key)
    .bind(now)
    .bind(account_id)
    .execute(c)
    .await?;
    Ok(())
}

// ------------------------------------------------------------------ organisations

#[derive(Clone, Debug)]
pub struct OrganisationRow {
    pub id: String,
    pub name: String,
    pub licence_seats: i64,
    pub seats_used: i64,
    pub expiry_date: String,
    pub created_at: i64,
}

pub async fn organisation_name_taken(c: &mut Conn, name_key: &str) -> R<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organisations WHERE name_key = $1")
        .bind(name_key)
        .fetch_one(c)
        .await?;
    Ok(n > 0)
}

pub struct NewOrganisationRow<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub licence_seats: i64,
    pub expiry_date: &'a str,
    pub created_by: &'a str,
    pub now: i64,
}

pub async fn insert_organisation(c: &mut Conn, o: &NewOrganisationRow<'_>) -> R<()> {
    sqlx::query(
        "INSERT INTO organisations (id, name, name_key, licence_seats, expiry_date, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(o.id)
    .bind(o.name)
    .bind(o.name.to_lowercase())
    .bind(o.licence_seats)
    .bind(o.expiry_date)
    .bind(o.now)
    .bind(o.created_by)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn organisations(c: &mut Conn) -> R<Vec<OrganisationRow>> {
    let rows = sqlx::query(
        "SELECT o.id, o.name, o.licence_seats, o.expiry_date, o.created_at, \
         o.member_count AS seats_used \
         FROM organisations o ORDER BY o.name_key",
    )
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(OrganisationRow {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                licence_seats: r.try_get("licence_seats")?,
                seats_used: r.try_get("seats_used")?,
                expiry_date: r.try_get("expiry_date")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

// ------------------------------------------------------------------ memberships

#[derive(Clone, Debug)]
pub struct MembershipRow {
    pub organisation_id: String,
    pub organisation_name: String,
    pub role: Role,
    pub admin_tier: AdminTier,
    /// Last day of the organisation's licence, `YYYY-MM-DD`.
    pub expiry_date: String,
}

pub fn role_code(r: Role) -> &'static str {
    match r {
        Role::AdHoc => "adhoc",
        Role::Collaborator => "collaborator",
        Role::Originator => "originator",
    }
}

fn role_from(code: &str) -> Role {
    match code {
        "originator" => Role::Originator,
        "collaborator" => Role::Collaborator,
        _ => Role::AdHoc,
    }
}

pub fn tier_code(t: AdminTier) -> &'static str {
    match t {
        AdminTier::None => "none",
        AdminTier::Admin => "admin",
        AdminTier::Liaison => "liaison",
    }
}

pub(crate) fn tier_from(code: &str) -> AdminTier {
    match code {
        "liaison" => AdminTier::Liaison,
        "admin" => AdminTier::Admin,
        _ => AdminTier::None,
    }
}

pub async fn insert_membership(
    c: &mut Conn,
    organisation_id: &str,
    account_id: &str,
    role: Role,
    tier: AdminTier,
    now: i64,
) -> R<()> {
    sqlx::query(
        "INSERT INTO memberships (organisation_id, account_id, role, admin_tier, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(organisation_id)
    .bind(account_id)
    .bind(role_code(role))
    .bind(tier_code(tier))
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn memberships_of(c: &mut Conn, account_id: &str) -> R<Vec<MembershipRow>> {
    let rows = sqlx::query(
        "SELECT m.organisation_id, o.name, m.role, m.admin_tier, o.expiry_date FROM memberships m \
         JOIN organisations o ON o.id = m.organisation_id WHERE m.account_id = $1 ORDER BY o.name_key",
    )
    .bind(account_id)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(MembershipRow {
                organisation_id: r.try_get(0)?,
                organisation_name: r.try_get(1)?,
                role: role_from(&r.try_get::<String, _>(2)?),
                admin_tier: tier_from(&r.try_get::<String, _>(3)?),
                expiry_date: r.try_get(4)?,
            })
        })
        .collect()
}

// ------------------------------------------------------------------ invitations

#[derive(Clone, Debug)]
pub struct InvitationRow {
    pub account_id: String,
    pub email: String,
    pub organisation_name: Option<String>,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub purpose: String,
    pub organisation_id: Option<String>,
    pub failed_answers: i64,
}

pub struct NewInvitation<'a> {
    /// `invite`, `reset` or `unlock` (`LinkPurpose::code`).
    pub purpose: &'a str,
    pub token_hash: &'a str,
    pub account_id: &'a str,
    pub organisation_id: Option<&'a str>,
    pub created_by: Option<&'a str>,
    pub now: i64,
    pub expires_at: i64,
}

pub async fn insert_invitation(c: &mut Conn, i: &NewInvitation<'_>) -> R<()> {
    sqlx::query(
        "INSERT INTO invitations (token_hash, account_id, organisation_id, created_by, created_at, expires_at, purpose) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(i.token_hash)
    .bind(i.account_id)
    .bind(i.organisation_id)
    .bind(i.created_by)
    .bind(i.now)
    .bind(i.expires_at)
    .bind(i.purpose)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn invitation_by_hash(c: &mut Conn, token_hash: &str) -> R<Option<InvitationRow>> {
    let row = sqlx::query(
        "SELECT i.account_id, a.email, o.name, i.expires_at, i.used_at, i.purpose, i.organisation_id, \
         i.failed_answers FROM invitations i \
         JOIN accounts a ON a.id = i.account_id \
         LEFT JOIN organisations o ON o.id = i.organisation_id WHERE i.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(c)
    .await?;
    row.map(|r| {
        Ok(InvitationRow {
            account_id: r.try_get(0)?,
            email: r.try_get(1)?,
            organisation_name: r.try_get(2)?,
            expires_at: r.try_get(3)?,
            used_at: r.try_get(4)?,
            purpose: r.try_get(5)?,
            organisation_id: r.try_get(6)?,
            failed_answers: r.try_get(7)?,
        })
    })
    .transpose()
}

/// Marks the invitation used; false when someone else used it first.
pub async fn use_invitation(c: &mut Conn, token_hash: &str, now: i64) -> R<bool> {
    let done = sqlx::query(
        "UPDATE invitations SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
    )
    .bind(now)
    .bind(token_hash)
    .execute(c)
    .await?;
    Ok(done.rows_affected() == 1)
}

// ------------------------------------------------------------------ pending logins

#[derive(Clone, Debug)]
pub struct PendingLogin {
    pub account_id: Option<String>,
    pub purpose: String,
    pub server_state: Vec<u8>,
    pub expires_at: i64,
}

pub async fn insert_pending_login(
    c: &mut Conn,
    id: &str,
    account_id: Option<&str>,
    purpose: &str,
    server_state: &[u8],
    now: i64,
    expires_at: i64,
) -> R<()> {
    sqlx::query(
        "INSERT INTO pending_logins (id, account_id, purpose, server_state, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(account_id)
    .bind(purpose)
    .bind(server_state)
    .bind(now)
    .bind(expires_at)
    .execute(c)
    .await?;
    Ok(())
}

/// Removes and returns a pending login: each one can be finished once.
pub async fn take_pending_login(c: &mut Conn, id: &str) -> R<Option<PendingLogin>> {
    let row = sqlx::query("DELETE FROM pending_logins WHERE id = $1 RETURNING account_id, purpose, server_state, expires_at")
        .bind(id)
        .fetch_optional(c)
        .await?;
    row.map(|r| {
        Ok(PendingLogin {
            account_id: r.try_get(0)?,
            purpose: r.try_get(1)?,
            server_state: r.try_get(2)?,
            expires_at: r.try_get(3)?,
        })
    })
    .transpose()
}

pub async fn delete_expired_pending_logins(c: &mut Conn, now: i64) -> R<u64> {
    Ok(
        sqlx::query("DELETE FROM pending_logins WHERE expires_at < $1")
            .bind(now)
            .execute(c)
            .await?
            .rows_affected(),
    )
}

// ------------------------------------------------------------------ sessions

pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub id: &'a str,
    pub account_id: &'a str,
    pub now: i64,
    pub expires_at: i64,
    pub user_agent: &'a str,
    pub ip: &'a str,
    /// MFA-2/MFA-3: may only set up a second factor.
    pub setup_only: bool,
}

pub async fn insert_session(c: &mut Conn, s: &NewSession<'_>) -> R<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, id, account_id, created_at, last_seen_at, expires_at, user_agent, ip, setup_only, proved_at) \
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $4)",
    )
    .bind(s.token_hash)
    .bind(s.id)
    .bind(s.account_id)
    .bind(s.now)
    .bind(s.expires_at)
    .bind(s.user_agent)
    .bind(s.ip)
    .bind(i64::from(s.setup_only))
    .execute(c)
    .await?;
    Ok(())
}

#[derive(Clone, Debug)]
pub struct SessionRow {
    pub id: String,
    pub account_id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub user_agent: String,
    pub ip: String,
    pub setup_only: bool,
    /// When a password or second factor was last proved in it.
    pub proved_at: i64,
}

fn session_from(r: &sqlx::any::AnyRow) -> R<SessionRow> {
    Ok(SessionRow {
        id: r.try_get("id")?,
        account_id: r.try_get("account_id")?,
        created_at: r.try_get("created_at")?,
        last_seen_at: r.try_get("last_seen_at")?,
        expires_at: r.try_get("expires_at")?,
        user_agent: r.try_get("user_agent")?,
        ip: r.try_get("ip")?,
        setup_only: r.try_get::<i64, _>("setup_only")? != 0,
        proved_at: r.try_get("proved_at")?,
    })
}

const SESSION_COLUMNS: &str =
    "id, account_id, created_at, last_seen_at, expires_at, user_agent, ip, setup_only, proved_at";

/// A password or second factor was just proved in the session.
pub async fn session_proved(c: &mut Conn, id: &str, now: i64) -> R<()> {
    sqlx::query("UPDATE sessions SET proved_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn session_by_hash(c: &mut Conn, token_hash: &str) -> R<Option<SessionRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {SESSION_COLUMNS} FROM sessions WHERE token_hash = $1"
    ));
    sqlx::query(sql)
        .bind(token_hash)
        .fetch_optional(c)
        .await?
        .as_ref()
        .map(session_from)
        .transpose()
}

pub async fn sessions_of(c: &mut Conn, account_id: &str, now: i64) -> R<Vec<SessionRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {SESSION_COLUMNS} FROM sessions WHERE account_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC"
    ));
    let rows = sqlx::query(sql)
        .bind(account_id)
        .bind(now)
        .fetch_all(c)
        .await?;
    rows.iter().map(session_from).collect()
}

pub async fn touch_session(c: &mut Conn, id: &str, now: i64, expires_at: i64) -> R<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id = $3")
        .bind(now)
        .bind(expires_at)
        .bind(id)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn delete_session_by_hash(c: &mut Conn, token_hash: &str) -> R<Option<String>> {
    sqlx::query_scalar("DELETE FROM sessions WHERE token_hash = $1 RETURNING account_id")
        .bind(token_hash)
        .fetch_optional(c)
        .await
}

/// Deletes the account's sessions except `keep` (a session id), if given.
pub async fn delete_sessions_of(c: &mut Conn, account_id: &str, keep: Option<&str>) -> R<u64> {
    Ok(
        sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND id <> $2")
            .bind(account_id)
            .bind(keep.unwrap_or(""))
            .execute(c)
            .await?
            .rows_affected(),
    )
}

pub async fn delete_expired_sessions(c: &mut Conn, now: i64) -> R<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
        .bind(now)
        .execute(c)
        .await?
        .rows_affected())
}

// ------------------------------------------------------------------ audit

pub struct AuditRow<'a> {
    pub at: i64,
    pub actor_account_id: Option<&'a str>,
    pub actor_label: &'a str,
    pub organisation_id: Option<&'a str>,
    pub action: &'a str,
    pub target: &'a str,
    pub details: &'a str,
    pub chain: &'a str,
    pub seq: i64,
    pub prev_hash: &'a str,
    pub hash: &'a str,
}

pub fn insert_audits(sqlite: bool, rows: &[AuditRow<'_>]) -> Vec<Bulk> {
    bulk::multi_row(
        sqlite,
        "audit_events (at, actor_account_id, actor_label, organisation_id, action, target, details, \
         chain, seq, prev_hash, hash)",
        11,
        rows,
        |q, a| {
            q.bind(a.at)
                .bind(a.actor_account_id)
                .bind(a.actor_label)
                .bind(a.organisation_id)
                .bind(a.action)
                .bind(a.target)
                .bind(a.details)
                .bind(a.chain)
                .bind(a.seq)
                .bind(a.prev_hash)
                .bind(a.hash)
        },
    )
}

/// Takes `n` consecutive positions in a chain; returns the first and the
/// hash before it. The head row stays locked until the transaction ends.
pub async fn advance_chain_by(c: &mut Conn, chain: &str, n: i64) -> R<(i64, String)> {
    sqlx::query("INSERT INTO audit_chains (chain, seq, head_hash) VALUES ($1, 0, '') ON CONFLICT (chain) DO NOTHING")
        .bind(chain)
        .execute(&mut *c)
        .await?;
    let row = sqlx::query(
        "UPDATE audit_chains SET seq = seq + $2 WHERE chain = $1 RETURNING seq, head_hash",
    )
    .bind(chain)
    .bind(n)
    .fetch_one(c)
    .await?;
    let last: i64 = row.try_get(0)?;
    Ok((last - n + 1, row.try_get(1)?))
}

pub async fn set_chain_head(c: &mut Conn, chain: &str, hash: &str) -> R<()> {
    sqlx::query("UPDATE audit_chains SET head_hash = $1 WHERE chain = $2")
        .bind(hash)
        .bind(chain)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn chain_head(c: &mut Conn, chain: &str) -> R<Option<(i64, String)>> {
    let row = sqlx::query("SELECT seq, head_hash FROM audit_chains WHERE chain = $1")
        .bind(chain)
        .fetch_optional(c)
        .await?;
    row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
}

/// A stored audit record with everything its hash covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: i64,
    pub actor_account_id: Option<String>,
    pub actor_label: String,
    pub organisation_id: Option<String>,
    pub action: String,
    pub target: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

pub(crate) const AUDIT_COLUMNS: &str =
    "seq, at, actor_account_id, actor_label, organisation_id, action, target, details, prev_hash, hash";

pub(crate) fn audit_from(r: &sqlx::any::AnyRow) -> R<AuditRecord> {
    Ok(AuditRecord {
        seq: r.try_get(0)?,
        at: r.try_get(1)?,
        actor_account_id: r.try_get(2)?,
        actor_label: r.try_get(3)?,
        organisation_id: r.try_get(4)?,
        action: r.try_get(5)?,
        target: r.try_get(6)?,
        details: r.try_get(7)?,
        prev_hash: r.try_get(8)?,
        hash: r.try_get(9)?,
    })
}

pub async fn chain_records(c: &mut Conn, chain: &str) -> R<Vec<AuditRecord>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_events WHERE chain = $1 ORDER BY seq"
    ));
    let rows = sqlx::query(sql).bind(chain).fetch_all(c).await?;
    rows.iter().map(audit_from).collect()
}

/// Filters of the audit log page; text filters are lower-case `LIKE`
/// patterns, times inclusive Unix milliseconds.
pub struct AuditFilter<'a> {
    pub actor: Option<&'a str>,
    pub target: Option<&'a str>,
    pub action: Option<&'a str>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
}

/// Newest first. Every condition is always present with a "match all"
/// value when unused, so the parameter numbers never shift.
pub async fn audit_page(
    c: &mut Conn,
    chain: &str,
    f: &AuditFilter<'_>,
    limit: i64,
    offset: i64,
) -> R<(i64, Vec<AuditRecord>)> {
    const WHERE: &str = "WHERE chain = $1 AND LOWER(actor_label) LIKE $2 ESCAPE '\\' \
        AND LOWER(target) LIKE $3 ESCAPE '\\' AND action LIKE $4 ESCAPE '\\' AND at >= $5 AND at <= $6";
    let args = (
        f.actor.unwrap_or("%"),
        f.target.unwrap_or("%"),
        f.action.unwrap_or("%"),
        f.from_ms.unwrap_or(i64::MIN),
        f.to_ms.unwrap_or(i64::MAX),
    );
    let count_sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM audit_events {WHERE}"));
    let total: i64 = sqlx::query_scalar(count_sql)
        .bind(chain)
        .bind(args.0)
        .bind(args.1)
        .bind(args.2)
        .bind(args.3)
        .bind(args.4)
        .fetch_one(&mut *c)
        .await?;
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_events {WHERE} ORDER BY seq DESC LIMIT $7 OFFSET $8"
    ));
    let rows = sqlx::query(sql)
        .bind(chain)
        .bind(args.0)
        .bind(args.1)
        .bind(args.2)
        .bind(args.3)
        .bind(args.4)
        .bind(limit)
        .bind(offset)
        .fetch_all(c)
        .await?;
    Ok((total, rows.iter().map(audit_from).collect::<R<Vec<_>>>()?))
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEventRow {
    pub actor_label: String,
    pub organisation_id: Option<String>,
    pub action: String,
    pub target: String,
}

/// Newest first, across chains; used by tests.
pub async fn recent_audit(c: &mut Conn, limit: i64) -> R<Vec<AuditEventRow>> {
    let rows = sqlx::query(
        "SELECT actor_label, organisation_id, action, target FROM audit_events ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AuditEventRow {
                actor_label: r.try_get(0)?,
                organisation_id: r.try_get(1)?,
                action: r.try_get(2)?,
                target: r.try_get(3)?,
            })
        })
        .collect()
}

// ------------------------------------------------------------------ mail queue

#[derive(Clone, Debug)]
pub struct QueuedMail {
    pub id: String,
    pub recipient: String,
    pub message: Vec<u8>,
    pub attempts: i64,
    pub priority: i64,
}

pub async fn enqueue_mail(
    c: &mut Conn,
    id: &str,
    recipient: &str,
    subject: &str,
    message: &[u8],
    now: i64,
) -> R<()> {
    sqlx::query(
        "INSERT INTO mail_queue (id, recipient, subject, message, created_at, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(id)
    .bind(recipient)
    .bind(subject)
    .bind(message)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

/// Interactive mail: a person waits for it.
pub const MAIL_INTERACTIVE: i64 = 0;
/// Bulk mail: an import's invitations.
pub const MAIL_BULK: i64 = 1;

/// Takes up to `limit` due mails of at most `max_priority`, interactive
/// first, and leases them to this process until `until` in the same
/// statement: a second server process (whose own statement re-checks each
/// row once the first commits) never sends them too.
pub async fn lease_due_mail(
    c: &mut Conn,
    now: i64,
    until: i64,
    max_priority: i64,
    limit: i64,
) -> R<Vec<QueuedMail>> {
    let rows = sqlx::query(
        "UPDATE mail_queue SET next_attempt_at = $1 WHERE next_attempt_at <= $2 AND id IN \
         (SELECT id FROM mail_queue WHERE next_attempt_at <= $2 AND priority <= $3 \
          ORDER BY priority, next_attempt_at LIMIT $4) \
         RETURNING id, recipient, message, attempts, priority",
    )
    .bind(until)
    .bind(now)
    .bind(max_priority)
    .bind(limit)
    .fetch_all(c)
    .await?;
    let mut mails = rows
        .iter()
        .map(|r| {
            Ok(QueuedMail {
                id: r.try_get(0)?,
                recipient: r.try_get(1)?,
                message: r.try_get(2)?,
                attempts: r.try_get(3)?,
                priority: r.try_get(4)?,
            })
        })
        .collect::<R<Vec<_>>>()?;
    // RETURNING keeps no order: interactive mail goes first.
    mails.sort_by_key(|m| m.priority);
    Ok(mails)
}

/// Delivered mail leaves the queue, and with it the links it carried.
pub async fn mails_delivered(c: &mut Conn, ids: &[String]) -> R<()> {
    for part in ids.chunks(500) {
        let marks: Vec<String> = (1..=part.len()).map(|i| format!("${i}")).collect();
        let sql = sqlx::AssertSqlSafe(format!(
            "DELETE FROM mail_queue WHERE id IN ({})",
            marks.join(", ")
        ));
        let q = part
            .iter()
            .fold(sqlx::query(sql), |q, id| q.bind(id.as_str()));
        q.execute(&mut *c).await?;
    }
    Ok(())
}

pub async fn mail_failed(c: &mut Conn, id: &str, error: &str, next_attempt_at: i64) -> R<()> {
    sqlx::query("UPDATE mail_queue SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3")
        .bind(error)
        .bind(next_attempt_at)
        .bind(id)
        .execute(c)
        .await?;
    Ok(())
}

/// (priority, mails waiting), for the operator's gauges.
pub async fn queued_mail_by_priority(c: &mut Conn) -> R<Vec<(i64, i64)>> {
    let rows = sqlx::query("SELECT priority, COUNT(*) FROM mail_queue GROUP BY priority")
        .fetch_all(c)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

pub async fn queued_mail_count(c: &mut Conn) -> R<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM mail_queue")
        .fetch_one(c)
        .await
}

// ------------------------------------------------------------------ members (Users page)

pub async fn set_names(c: &mut Conn, account_id: &str, first_name: &str, last_name: &str) -> R<()> {
    sqlx::query("UPDATE accounts SET first_name = $1, last_name = $2 WHERE id = $3")
        .bind(first_name)
        .bind(last_name)
        .bind(account_id)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn is_member(c: &mut Conn, organisation_id: &str, account_id: &str) -> R<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships WHERE organisation_id = $1 AND account_id = $2",
    )
    .bind(organisation_id)
    .bind(account_id)
    .fetch_one(c)
    .await?;
    Ok(n > 0)
}

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

pub struct MemberFilter<'a> {
    pub field: SearchField,
    /// A lower-case `LIKE` pattern with `\` as escape, or none for all.
    pub pattern: Option<&'a str>,
    /// The person typed no wildcard: the pattern is `%text%`.
    pub contains: bool,
}

/// Role and tier are matched by the words the page shows, not the codes.
const ROLE_LABEL: &str = "(CASE m.role WHEN 'adhoc' THEN 'ad hoc' ELSE m.role END)";
const MEMBER_FROM: &str = "FROM memberships m JOIN accounts a ON a.id = m.account_id \
     LEFT JOIN groups g ON g.id = m.group_id LEFT JOIN plans p ON p.id = m.plan_id \
     WHERE m.organisation_id = $1";

/// Whether the filter's SQL uses the pattern as parameter `$2`.
fn binds_pattern(f: &MemberFilter<'_>) -> bool {
    f.pattern.is_some() && !matches!(f.field, SearchField::Role | SearchField::Admin)
}

fn filter_sql(f: &MemberFilter<'_>, sqlite: bool) -> String {
    let Some(pattern) = f.pattern else {
        return String::new();
    };
    // The `*_key` columns are already lower-cased (migration 0010). On
    // PostgreSQL, `|| ''` keeps a pattern too short for the trigram
    // indexes away from them.
    let indexable = sqlite || trigram_selective(pattern);
    let like = |col: &str| {
        if indexable {
            format!("{col} LIKE $2 ESCAPE '\\'")
        } else {
            format!("({col} || '') LIKE $2 ESCAPE '\\'")
        }
    };
    // Role and tier have a handful of values: the pattern is matched
    // against their words here and the query asks for the codes, which
    // the (organisation, role/tier, …) indexes answer directly.
    let roles = || {
        [Role::AdHoc, Role::Collaborator, Role::Originator]
            .into_iter()
            .filter(|r| like_matches(pattern, &r.as_str().to_lowercase()))
            .map(role_code)
    };
    let tiers = || {
        [AdminTier::None, AdminTier::Admin, AdminTier::Liaison]
            .into_iter()
            .filter(|t| like_matches(pattern, &t.as_str().to_lowercase()))
            .map(tier_code)
    };
    let cond = match f.field {
        SearchField::Email => like("m.email_key"),
        SearchField::FirstName => like("m.first_key"),
        SearchField::LastName => like("m.last_key"),
        SearchField::Role => codes_in("m.role", roles()),
        SearchField::Admin => codes_in("m.admin_tier", tiers()),
        // SQLite scans its narrow (organisation, joined key) index for a
        // "contains" across every field.
        SearchField::All if f.contains && sqlite => like("m.search_key"),
        // PostgreSQL combines the per-field trigram indexes and the role and
        // tier indexes (a bitmap OR); a trigram index on the joined key cost
        // the CSV import a quarter of its time (migration 0018).
        SearchField::All if f.contains => {
            let mut arms = vec![like("m.email_key"), like("m.first_key"), like("m.last_key")];
            if roles().next().is_some() {
                arms.push(codes_in("m.role", roles()));
            }
            if tiers().next().is_some() {
                arms.push(codes_in("m.admin_tier", tiers()));
            }
            arms.join(" OR ")
        }
        SearchField::All => [
            like("m.email_key"),
            like("m.first_key"),
            like("m.last_key"),
            like(ROLE_LABEL),
            like("m.admin_tier"),
        ]
        .join(" OR "),
    };
    format!(" AND ({cond})")
}

/// `col IN ('a', 'b')` from fixed codes (never user text); nothing matches
/// when the list is empty.
fn codes_in(col: &str, codes: impl Iterator<Item = &'static str>) -> String {
    let list: Vec<String> = codes.map(|c| format!("'{c}'")).collect();
    if list.is_empty() {
        "1 = 0".into()
    } else {
        format!("{col} IN ({})", list.join(", "))
    }
}

/// One element of a `LIKE` pattern.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Like {
    Any,
    One,
    Char(char),
}

fn like_elements(pattern: &str) -> Vec<Like> {
    let mut p = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        p.push(match c {
            '%' => Like::Any,
            '_' => Like::One,
            '\\' => Like::Char(chars.next().unwrap_or('\\')),
            c => Like::Char(c),
        });
    }
    p
}

/// Whether a trigram index can narrow this pattern down: it needs three
/// literal characters in a row. For a shorter pattern (`%zz%`) pg_trgm
/// reads its whole index, slower than the scans the planner has otherwise.
fn trigram_selective(pattern: &str) -> bool {
    like_elements(pattern)
        .split(|e| !matches!(e, Like::Char(_)))
        .any(|run| run.len() >= 3)
}

/// SQL `LIKE` semantics (`%`, `_`, `\` escape) on already lower-cased text,
/// in at most pattern × text steps: on a mismatch only the latest `%` is
/// retried one character further (a match found for an earlier `%` never
/// needs undoing), so no pattern can make it backtrack exponentially.
pub fn like_matches(pattern: &str, text: &str) -> bool {
    let p = like_elements(pattern);
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut retry: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(Like::Any) => {
                retry = Some((pi, ti));
                pi += 1;
            }
            Some(Like::One) => {
                pi += 1;
                ti += 1;
            }
            Some(Like::Char(c)) if *c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match retry {
                Some((star, from)) => {
                    pi = star + 1;
                    ti = from + 1;
                    retry = Some((star, from + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|e| *e == Like::Any)
}

fn sort_sql(col: MemberColumn) -> &'static str {
    match col {
        MemberColumn::Email => "m.email_key",
        MemberColumn::FirstName => "m.first_key",
        MemberColumn::LastName => "m.last_key",
        MemberColumn::Role => "m.role",
        MemberColumn::Admin => "m.admin_tier",
        MemberColumn::Group => "m.group_key",
        MemberColumn::AccountType => "m.account_type",
        MemberColumn::Plan => "m.plan_key",
        MemberColumn::Locked => "m.locked_key",
        MemberColumn::Mfa => "m.mfa_key",
    }
}

async fn count_members(c: &mut Conn, organisation_id: &str, f: &MemberFilter<'_>) -> R<i64> {
    // Built only from fixed fragments; user text is always a bound parameter.
    // Every filter column is on memberships, so no join is needed.
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM memberships m WHERE m.organisation_id = $1{}",
        filter_sql(f, is_sqlite(c))
    ));
    let mut q = sqlx::query_scalar(sql).bind(organisation_id);
    if let (Some(p), true) = (f.pattern, binds_pattern(f)) {
        q = q.bind(p);
    }
    q.fetch_one(c).await
}

const MEMBER_COLUMNS: &str =
    "a.id, a.email, a.first_name, a.last_name, m.role, m.admin_tier, m.account_type, \
     CASE WHEN a.activated_at IS NULL THEN 0 ELSE 1 END, COALESCE(g.name, ''), m.point_of_contact, \
     CASE WHEN a.locked_at IS NULL THEN 0 ELSE 1 END, COALESCE(p.name, ''), m.mfa_key";

fn member_from(r: &sqlx::any::AnyRow) -> R<MemberRow> {
    Ok(MemberRow {
        account_id: r.try_get(0)?,
        email: r.try_get(1)?,
        first_name: r.try_get(2)?,
        last_name: r.try_get(3)?,
        role: role_from(&r.try_get::<String, _>(4)?),
        admin_tier: tier_from(&r.try_get::<String, _>(5)?),
        account_type: match r.try_get::<String, _>(6)?.as_str() {
            "external" => AccountType::External,
            "ldap" => AccountType::Ldap,
            _ => AccountType::Local,
        },
        active: r.try_get::<i64, _>(7)? != 0,
        group: r.try_get(8)?,
        point_of_contact: r.try_get::<i64, _>(9)? != 0,
        locked: r.try_get::<i64, _>(10)? != 0,
        plan: r.try_get(11)?,
        two_step: r.try_get::<i64, _>(12)? != 0,
    })
}

/// One page of members in the chosen order.
pub async fn list_members(
    c: &mut Conn,
    organisation_id: &str,
    f: &MemberFilter<'_>,
    sort: MemberColumn,
    descending: bool,
    limit: i64,
    offset: i64,
) -> R<Vec<MemberRow>> {
    let dir = if descending { "DESC" } else { "ASC" };
    let (limit_param, offset_param) = if binds_pattern(f) {
        ("$3", "$4")
    } else {
        ("$2", "$3")
    };
    // Every sort and filter key is on memberships (each with an index led
    // by the organisation), so the page is found there first and only its
    // rows are joined: deep pages do not join the rows they skip.
    let order = format!("{} {dir}, m.email_key {dir}", sort_sql(sort));
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {MEMBER_COLUMNS} FROM (SELECT m.account_id AS page_id \
         FROM memberships m WHERE m.organisation_id = $1{} ORDER BY {order} \
         LIMIT {limit_param} OFFSET {offset_param}) page \
         JOIN memberships m ON m.organisation_id = $1 AND m.account_id = page.page_id \
         JOIN accounts a ON a.id = m.account_id \
         LEFT JOIN groups g ON g.id = m.group_id LEFT JOIN plans p ON p.id = m.plan_id \
         ORDER BY {order}",
        filter_sql(f, is_sqlite(c)),
    ));
    let mut q = sqlx::query(sql).bind(organisation_id);
    if let (Some(p), true) = (f.pattern, binds_pattern(f)) {
        q = q.bind(p);
    }
    let rows = q.bind(limit).bind(offset).fetch_all(c).await?;
    rows.iter().map(member_from).collect()
}

pub async fn member(c: &mut Conn, organisation_id: &str, account_id: &str) -> R<Option<MemberRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {MEMBER_COLUMNS} {MEMBER_FROM} AND a.id = $2"
    ));
    sqlx::query(sql)
        .bind(organisation_id)
        .bind(account_id)
        .fetch_optional(c)
        .await?
        .as_ref()
        .map(member_from)
        .transpose()
}

/// A search matching at most this many members has its page sorted from
/// the matches themselves (SQLite); beyond it the page is read in the sort
/// index's order, where matches are then dense enough to come quickly.
const FEW_MATCHES: usize = 2000;

/// One page of the Users table and how many members match its filter.
/// `unfiltered_total` is the organisation's member count, already known.
#[allow(clippy::too_many_arguments)]
pub async fn member_page(
    c: &mut Conn,
    organisation_id: &str,
    f: &MemberFilter<'_>,
    sort: MemberColumn,
    descending: bool,
    limit: i64,
    offset: i64,
    unfiltered_total: i64,
) -> R<(i64, Vec<MemberRow>)> {
    if f.pattern.is_none() {
        let rows = list_members(c, organisation_id, f, sort, descending, limit, offset).await?;
        return Ok((unfiltered_total, rows));
    }
    // SQLite walks the sort index and tests every row it passes: for a
    // pattern that matches few members that meant the whole organisation
    // (up to 300 ms at 100,000 members). So it first reads the matches' sort
    // keys, stopping past FEW_MATCHES; a short list is sorted here.
    // PostgreSQL's planner estimates a pattern's matches from its trigram
    // statistics and chooses between the two plans itself.
    if is_sqlite(c) {
        if let Some(mut found) = few_matches(c, organisation_id, f, sort).await? {
            found.sort_by(|a, b| (&a.1, &a.2).cmp(&(&b.1, &b.2)));
            if descending {
                found.reverse();
            }
            let from = usize::try_from(offset)
                .unwrap_or(usize::MAX)
                .min(found.len());
            let to = from
                .saturating_add(usize::try_from(limit).unwrap_or(usize::MAX))
                .min(found.len());
            let ids: Vec<&str> = found[from..to].iter().map(|m| m.0.as_str()).collect();
            let rows = members_in_order(c, organisation_id, &ids).await?;
            return Ok((found.len() as i64, rows));
        }
    }
    // Past the last match there is no page to look for (a pattern that
    // matches nobody would otherwise walk the whole sort index).
    let total = count_members(c, organisation_id, f).await?;
    if offset >= total {
        return Ok((total, Vec::new()));
    }
    let rows = list_members(c, organisation_id, f, sort, descending, limit, offset).await?;
    Ok((total, rows))
}

/// Every match's (account id, sort key, email key), or `None` when there
/// are more than FEW_MATCHES. SQLite compares text byte by byte, as Rust
/// does, so sorting these here gives the order the index would.
async fn few_matches(
    c: &mut Conn,
    organisation_id: &str,
    f: &MemberFilter<'_>,
    sort: MemberColumn,
) -> R<Option<Vec<(String, String, String)>>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT m.account_id, CAST({} AS TEXT), m.email_key FROM memberships m \
         WHERE m.organisation_id = $1{} LIMIT {}",
        sort_sql(sort),
        filter_sql(f, true),
        FEW_MATCHES + 1
    ));
    let mut q = sqlx::query(sql).bind(organisation_id);
    if let (Some(p), true) = (f.pattern, binds_pattern(f)) {
        q = q.bind(p);
    }
    let rows = q.fetch_all(c).await?;
    if rows.len() > FEW_MATCHES {
        return Ok(None);
    }
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect::<R<Vec<_>>>()
        .map(Some)
}

/// The members with these ids, in the order given.
async fn members_in_order(c: &mut Conn, organisation_id: &str, ids: &[&str]) -> R<Vec<MemberRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (2..ids.len() + 2).map(|i| format!("${i}")).collect();
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {MEMBER_COLUMNS} {MEMBER_FROM} AND m.account_id IN ({})",
        marks.join(", ")
    ));
    let q = ids
        .iter()
        .fold(sqlx::query(sql).bind(organisation_id), |q, id| q.bind(*id));
    let mut rows = q
        .fetch_all(c)
        .await?
        .iter()
        .map(member_from)
        .collect::<R<Vec<_>>>()?;
    rows.sort_by_key(|r| ids.iter().position(|id| *id == r.account_id));
    Ok(rows)
}

/// Every member matching the filter, in page order (for exports).
pub async fn all_members(
    c: &mut Conn,
    organisation_id: &str,
    f: &MemberFilter<'_>,
    sort: MemberColumn,
    descending: bool,
) -> R<Vec<MemberRow>> {
    list_members(c, organisation_id, f, sort, descending, i64::MAX, 0).await
}

// ------------------------------------------------------------------ preferences

pub async fn preference(c: &mut Conn, account_id: &str, name: &str) -> R<Option<String>> {
    sqlx::query_scalar("SELECT value FROM preferences WHERE account_id = $1 AND name = $2")
        .bind(account_id)
        .bind(name)
        .fetch_optional(c)
        .await
}

pub async fn set_preference(c: &mut Conn, account_id: &str, name: &str, value: &str) -> R<()> {
    sqlx::query(
        "INSERT INTO preferences (account_id, name, value) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id, name) DO UPDATE SET value = excluded.value",
    )
    .bind(account_id)
    .bind(name)
    .bind(value)
    .execute(c)
    .await?;
    Ok(())
}

// ------------------------------------------------------------------ groups

pub async fn groups(c: &mut Conn, organisation_id: &str) -> R<Vec<GroupView>> {
    let rows = sqlx::query(
        "SELECT g.id, g.name, (SELECT COUNT(*) FROM memberships m WHERE m.group_id = g.id) \
         FROM groups g WHERE g.organisation_id = $1 ORDER BY g.name_key",
    )
    .bind(organisation_id)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(GroupView {
                id: GroupId::new(r.try_get::<String, _>(0)?),
                name: r.try_get(1)?,
                members: r.try_get(2)?,
            })
        })
        .collect()
}

pub async fn group_name_taken(c: &mut Conn, organisation_id: &str, name_key: &str) -> R<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM groups WHERE organisation_id = $1 AND name_key = $2",
    )
    .bind(organisation_id)
    .bind(name_key)
    .fetch_one(c)
    .await?;
    Ok(n > 0)
}

pub async fn insert_group(
    c: &mut Conn,
    id: &str,
    organisation_id: &str,
    name: &str,
    now: i64,
) -> R<()> {
    sqlx::query("INSERT INTO groups (id, organisation_id, name, name_key, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(organisation_id)
        .bind(name)
        .bind(name.to_lowercase())
        .bind(now)
        .execute(c)
        .await?;
    Ok(())
}

/// The group's name and member count, if it belongs to the organisation.
pub async fn group_in(c: &mut Conn, organisation_id: &str, group_id: &str) -> R<Option<GroupView>> {
    let row = sqlx::query(
        "SELECT g.id, g.name, (SELECT COUNT(*) FROM memberships m WHERE m.group_id = g.id) \
         FROM groups g WHERE g.organisation_id = $1 AND g.id = $2",
    )
    .bind(organisation_id)
    .bind(group_id)
    .fetch_optional(c)
    .await?;
    row.map(|r| {
        Ok(GroupView {
            id: GroupId::new(r.try_get::<String, _>(0)?),
            name: r.try_get(1)?,
            members: r.try_get(2)?,
        })
    })
    .transpose()
}

/// Deletes the group only if nobody is in it; false otherwise.
pub async fn delete_empty_group(c: &mut Conn, group_id: &str) -> R<bool> {
    let done = sqlx::query(
        "DELETE FROM groups WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.group_id = $1)",
    )
    .bind(group_id)
    .execute(c)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_member_group(
    c: &mut Conn,
    organisation_id: &str,
    account_id: &str,
    group_id: Option<&str>,
) -> R<()> {
    sqlx::query(
        "UPDATE memberships SET group_id = $1 WHERE organisation_id = $2 AND account_id = $3",
    )
    .bind(group_id)
    .bind(organisation_id)
    .bind(account_id)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn update_membership(
    c: &mut Conn,
    organisation_id: &str,
    account_id: &str,
    role: Role,
    tier: AdminTier,
    point_of_contact: bool,
) -> R<()> {
    sqlx::query(
        "UPDATE memberships SET role = $1, admin_tier = $2, point_of_contact = $3 \
         WHERE organisation_id = $4 AND account_id = $5",
    )
    .bind(role_code(role))
    .bind(tier_code(tier))
    .bind(point_of_contact as i64)
    .bind(organisation_id)
    .bind(account_id)
    .execute(c)
    .await?;
    Ok(())
}

// ------------------------------------------------------------------ profile (ACC-9)

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

#[cfg(test)]
mod tests {
    use super::{like_matches, trigram_selective};

    #[test]
    fn trigram_indexes_only_for_three_literal_characters_in_a_row() {
        assert!(trigram_selective("%okafor%"));
        assert!(trigram_selective("user0123%"));
        assert!(trigram_selective("%a_b%abc"));
        assert!(trigram_selective("%1\\%5%"), "an escaped % is a literal");
        assert!(!trigram_selective("%zz%"));
        assert!(!trigram_selective("%a%"));
        assert!(!trigram_selective("ab_cd%ef"));
        assert!(!trigram_selective("%"));
    }

    #[test]
    fn like_semantics_for_role_and_tier_words() {
        assert!(like_matches("%adm%", "admin"));
        assert!(like_matches("adm%", "admin"));
        assert!(!like_matches("dm%", "admin"));
        assert!(like_matches("_dmin", "admin"));
        assert!(like_matches("%", ""));
        assert!(!like_matches("%o%", "admin"));
        assert!(like_matches("%d h%", "ad hoc"));
        assert!(like_matches("100\\%", "100%"));
        assert!(!like_matches("100\\%", "1000"));
        assert!(like_matches("a%b%c", "axxbyyc"));
        assert!(!like_matches("a%b%c", "axxbyy"));
        assert!(like_matches("%_", "x"));
        assert!(!like_matches("%_", ""));
    }

    /// The search that pinned a core for ten minutes: forty wildcards and a
    /// letter that never comes.
    #[test]
    fn pathological_patterns_answer_at_once() {
        let started = std::time::Instant::now();
        let pattern = format!("{}z", "%".repeat(40));
        let text = "a".repeat(200);
        for _ in 0..1000 {
            assert!(!like_matches(&pattern, &text));
        }
        let spaced = format!("{}z", "%a".repeat(40));
        assert!(!like_matches(&spaced, &text));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    /// The reference: LIKE's definition, tried every way (exponential, so
    /// only for short inputs).
    fn like_by_definition(p: &[char], t: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('%', rest)) => (0..=t.len()).any(|i| like_by_definition(rest, &t[i..])),
            Some(('_', rest)) => !t.is_empty() && like_by_definition(rest, &t[1..]),
            Some(('\\', rest)) if !rest.is_empty() => {
                t.first() == Some(&rest[0]) && like_by_definition(&rest[1..], &t[1..])
            }
            Some((c, rest)) => t.first() == Some(c) && like_by_definition(rest, &t[1..]),
        }
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_definition(p in "[ab%_\\\\]{0,8}", t in "[ab%]{0,8}") {
            let (pc, tc): (Vec<char>, Vec<char>) = (p.chars().collect(), t.chars().collect());
            proptest::prop_assert_eq!(like_matches(&p, &t), like_by_definition(&pc, &tc), "{} ~ {}", p, t);
        }
    }
}
