//! The SQL several domains read: the instance, accounts, memberships,
//! invitations, pending logins, sessions, the audit chain's rows and the
//! mail queue; and the bulk-statement helpers. A domain's own SQL is in its
//! `store.rs`. Functions take a connection so callers decide the
//! transaction; every query text runs on SQLite and PostgreSQL.

use coffer_shared::i18n::Language;
use coffer_shared::types::{AdminTier, Role};
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

/// BOX-5: an outside recipient who sets a password becomes a Collaborator
/// wherever they were Ad hoc (roles only ever go up).
pub async fn upgrade_ad_hoc(c: &mut Conn, account_id: &str) -> R<()> {
    sqlx::query(
        "UPDATE memberships SET role = 'collaborator' WHERE account_id = $1 AND role = 'adhoc'",
    )
    .bind(account_id)
    .execute(c)
    .await?;
    Ok(())
}

/// How many of the organisation's members are Ad hoc (outside recipients).
pub async fn ad_hoc_members(c: &mut Conn, organisation_id: &str) -> R<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships WHERE organisation_id = $1 AND role = 'adhoc'",
    )
    .bind(organisation_id)
    .fetch_one(c)
    .await
}

pub fn role_code(r: Role) -> &'static str {
    match r {
        Role::AdHoc => "adhoc",
        Role::Collaborator => "collaborator",
        Role::Originator => "originator",
    }
}

pub(crate) fn role_from(code: &str) -> Role {
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
