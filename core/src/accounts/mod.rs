//! Accounts: first-run setup (ACC-1), invitations (ACC-3), OPAQUE sign-in
//! (ACC-2), sessions (ACC-8) and password change (ACC-5).
//!
//! The OPAQUE credential identifier is the account's email address, which
//! never changes. Passwords never reach this code; only OPAQUE messages do.

mod contact;
mod operator;
pub mod profile;
mod second_step;
pub mod store;

use coffer_crypto::{self as crypto, CryptoError};
use coffer_shared::accounts::{
    AccountView, InvitationView, KeyEnvelope, LinkPurpose, LoginChallenge, MembershipView,
    PasswordChangeChallenge, SessionView, SetupStatus, SignedIn,
};
use coffer_shared::accounts::{InvitationError, SetupError, SignInError};
use coffer_shared::errors::{AuthError, InputError};
use coffer_shared::policy::normalise_email;
use coffer_shared::recovery::{Handover, RecoveryError};
use coffer_shared::types::Bytes;
use serde_json::json;
use sha2::Digest as _;

use crate::kernel::audit::{AuditAction, Who};
use crate::kernel::authz::{authorize, Action, Actor};
use crate::kernel::db::{new_handle, new_id, now_ms};
use crate::kernel::error::{is_unique_violation, Outcome};
use crate::kernel::tokens::{hash_token, new_token};
use crate::kernel::work::Work;
use crate::store::{AccountRow, Conn};
use crate::{ClientInfo, Coffer};

/// How long a started sign-in may take to finish.
const LOGIN_TTL_MS: i64 = 2 * 60 * 1000;
/// Only touch `last_seen_at` this often, to keep reads cheap.
const TOUCH_EVERY_MS: i64 = 60 * 1000;

const PURPOSE_SIGN_IN: &str = "sign_in";
const PURPOSE_PASSWORD_CHANGE: &str = "password_change";

/// A new session: the bearer token goes into the cookie and nowhere else.
pub struct NewSession {
    pub token: String,
    pub signed_in: SignedIn,
}

/// Where a correct password leads.
pub enum SignInResult {
    Session(Box<NewSession>),
    SecondFactor(coffer_shared::accounts::SecondFactorPrompt),
}

/// ACC-1: the setup code for a new instance: read from its file, or made
/// and written there (readable by the operator only) on the first start; the
/// file goes once the administrator exists. Twelve characters of a
/// 32-letter alphabet (60 bits), shown in groups of four.
pub(crate) fn setup_code(path: &std::path::Path, set_up: bool) -> anyhow::Result<Option<String>> {
    if set_up {
        let _ = std::fs::remove_file(path);
        return Ok(None);
    }
    if let Ok(text) = std::fs::read_to_string(path) {
        let code = canonical_setup_code(&text);
        if code.len() == 12 {
            return Ok(Some(shown_setup_code(&code)));
        }
    }
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut raw = [0u8; 12];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut raw);
    let code: String = raw
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    crate::write_private(path, code.as_bytes())?;
    Ok(Some(shown_setup_code(&code)))
}

/// What was typed, without spaces or dashes, in capitals.
fn canonical_setup_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn shown_setup_code(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

pub(crate) fn protocol(e: CryptoError) -> InputError {
    match e {
        CryptoError::InvalidKey => InputError::InvalidKeyMaterial,
        _ => InputError::InvalidProtocolMessage,
    }
}

pub(crate) fn check_keys(keys: &KeyEnvelope) -> Result<(), InputError> {
    let len = keys.wrapped_private_key.0.len();
    if !crypto::is_valid_public_key(&keys.public_key) || !(41..=1024).contains(&len) {
        return Err(InputError::InvalidKeyMaterial);
    }
    Ok(())
}

impl Coffer {
    // ------------------------------------------------------------ setup (ACC-1)

    pub async fn setup_status(&self) -> Outcome<SetupStatus> {
        let mut c = self.db().pool.acquire().await?;
        Ok(SetupStatus {
            needs_setup: !crate::store::instance_is_set_up(&mut c).await?,
        })
    }

    /// The code printed at start-up, so that whoever first finds a freshly
    /// exposed instance cannot claim it.
    fn check_setup_code(&self, typed: &str) -> Result<(), SetupError> {
        let expected = self.setup_code().map(canonical_setup_code);
        let typed = canonical_setup_code(typed);
        // Compared as digests, so the time taken says nothing of the code.
        let digest = |s: &str| sha2::Sha256::digest(s.as_bytes());
        match expected {
            Some(e) if digest(&e) == digest(&typed) => Ok(()),
            Some(_) => Err(SetupError::WrongCode),
            None => Err(SetupError::AlreadyDone),
        }
    }

    pub async fn setup_start(
        &self,
        email: &str,
        setup_code: &str,
        registration_request: &[u8],
    ) -> Outcome<Bytes> {
        let email = normalise_email(email)?;
        if !self.setup_status().await?.needs_setup {
            return Err(SetupError::AlreadyDone.into());
        }
        self.check_setup_code(setup_code)?;
        let response = self
            .secret()
            .registration_response(registration_request, email.as_bytes())
            .map_err(protocol)?;
        Ok(Bytes(response))
    }

    pub async fn setup_finish(
        &self,
        email: &str,
        setup_code: &str,
        registration_upload: &[u8],
        keys: &KeyEnvelope,
    ) -> Outcome<()> {
        let email = normalise_email(email)?;
        if !self.setup_status().await?.needs_setup {
            return Err(SetupError::AlreadyDone.into());
        }
        self.check_setup_code(setup_code)?;
        check_keys(keys)?;
        let record = crypto::server_registration_finish(registration_upload).map_err(protocol)?;
        let mut work = self.ceremony().await?;
        if crate::store::instance_is_set_up(&mut work).await? {
            return Err(SetupError::AlreadyDone.into());
        }
        let id = new_id();
        let now = work.now;
        let result: Result<(), sqlx::Error> = async {
            crate::store::insert_account(&mut work, &id, &email, true, now).await?;
            crate::store::set_credentials(
                &mut work,
                &id,
                &record,
                &keys.public_key,
                &keys.wrapped_private_key.0,
                now,
            )
            .await?;
            crate::store::mark_instance_set_up(&mut work, now, &id).await
        }
        .await;
        match result {
            Ok(()) => {}
            // Two setups racing: the loser sees the same answer as a late one.
            Err(e) if is_unique_violation(&e) => return Err(SetupError::AlreadyDone.into()),
            Err(e) => return Err(e.into()),
        }
        let who = Who::account(&id, &email);
        work.audit_as(who, None, AuditAction::InstanceSetUp, &email, json!({}))
            .await?;
        match work.commit_or_database_error().await {
            Err(e) if is_unique_violation(&e) => Err(SetupError::AlreadyDone.into()),
            other => {
                other?;
                // Spent: nobody needs it again.
                let _ = std::fs::remove_file(self.config().setup_code_path());
                Ok(())
            }
        }
    }

    // ------------------------------------------------------------ invitations (ACC-3)

    /// An unused, unexpired link made for inviting (never a reset, unlock or
    /// set-up link), for an account that has no credentials yet.
    async fn valid_invitation(
        &self,
        c: &mut Conn,
        token: &str,
    ) -> Outcome<crate::store::InvitationRow> {
        let inv = crate::store::invitation_by_hash(c, &hash_token(token.trim()))
            .await?
            .filter(|i| i.purpose == LinkPurpose::Invite.code())
            .ok_or(InvitationError::Unknown)?;
        if inv.used_at.is_some() {
            return Err(InvitationError::AlreadyUsed.into());
        }
        if inv.expires_at <= now_ms() {
            return Err(InvitationError::Expired.into());
        }
        let account = crate::store::account_by_id(c, &inv.account_id)
            .await?
            .ok_or(InvitationError::Unknown)?;
        if account.opaque_record.is_some() {
            return Err(InvitationError::AccountAlreadySetUp.into());
        }
        Ok(inv)
    }

    pub async fn invitation(&self, token: &str) -> Outcome<InvitationView> {
        let mut c = self.db().pool.acquire().await?;
        let inv = self.valid_invitation(&mut c, token).await?;
        Ok(InvitationView {
            email: inv.email,
            organisation_name: inv.organisation_name,
            expires_at_ms: inv.expires_at,
            password_min_length: self.config().password_min_length,
        })
    }

    pub async fn accept_invitation_start(
        &self,
        token: &str,
        registration_request: &[u8],
    ) -> Outcome<Bytes> {
        let mut c = self.db().pool.acquire().await?;
        let inv = self.valid_invitation(&mut c, token).await?;
        let response = self
            .secret()
            .registration_response(registration_request, inv.email.as_bytes())
            .map_err(protocol)?;
        Ok(Bytes(response))
    }

    pub async fn accept_invitation_finish(
        &self,
        token: &str,
        registration_upload: &[u8],
        keys: &KeyEnvelope,
    ) -> Outcome<()> {
        check_keys(keys)?;
        let record = crypto::server_registration_finish(registration_upload).map_err(protocol)?;
        let mut work = self.ceremony().await?;
        let inv = self.valid_invitation(&mut work, token).await?;
        let now = work.now;
        if !crate::store::use_invitation(&mut work, &hash_token(token.trim()), now).await? {
            return Err(InvitationError::AlreadyUsed.into());
        }
        crate::store::set_credentials(
            &mut work,
            &inv.account_id,
            &record,
            &keys.public_key,
            &keys.wrapped_private_key.0,
            now,
        )
        .await?;
        crate::store::upgrade_ad_hoc(&mut work, &inv.account_id).await?;
        work.audit_as(
            Who::account(&inv.account_id, &inv.email),
            None,
            AuditAction::InvitationAccepted,
            &inv.email,
            json!({ "organisation": inv.organisation_name }),
        )
        .await?;
        work.commit().await?;
        Ok(())
    }

    // ------------------------------------------------------------ sign-in (ACC-2)

    /// First OPAQUE round. Unknown accounts get a response indistinguishable
    /// from a real one, so this never reveals whether an account exists.
    pub async fn sign_in_start(
        &self,
        identifier: &str,
        credential_request: &[u8],
    ) -> Outcome<LoginChallenge> {
        let identifier = identifier.trim().to_lowercase();
        if identifier.is_empty() {
            return Err(InputError::MissingIdentifier.into());
        }
        // Each start counts as a failure until finished, so starts are what
        // a guesser (or someone out to lock the account) must be slowed in.
        self.throttle().identifier(&identifier)?;
        let mut work = self.ceremony().await?;
        let account = crate::store::account_by_identifier(&mut work, &identifier).await?;
        let usable = match &account {
            Some(a) if a.opaque_record.is_some() && !a.refuses_passwords() => {
                let threshold = self.lockout_threshold(&mut work, &a.id).await?;
                // Counted as failed until the finish proves otherwise; the
                // count read back from the same statement decides.
                let failures =
                    crate::security::store::count_sign_in_attempt(&mut work, &a.id).await?;
                if failures > threshold {
                    // Guesses went unreported (the client learns the answer
                    // on its own); lock now.
                    self.lock(&mut work, a, crate::security::LockReason::Guessing)
                        .await?;
                    None
                } else {
                    Some(a)
                }
            }
            _ => None,
        };
        // Unknown, not yet activated and locked accounts all get the
        // stand-in record, which no password opens.
        let (account_id, record, credential_id) = match usable {
            Some(a) => (
                Some(a.id.as_str()),
                a.opaque_record.as_deref(),
                a.email.clone(),
            ),
            None => (
                None,
                None,
                account
                    .as_ref()
                    .map(|a| a.email.clone())
                    .unwrap_or(identifier.clone()),
            ),
        };
        let (state, response) = self
            .secret()
            .login_start(record, credential_request, credential_id.as_bytes())
            .map_err(protocol)?;
        let login_id = new_handle();
        let now = work.now;
        crate::store::insert_pending_login(
            &mut work,
            &login_id,
            account_id,
            PURPOSE_SIGN_IN,
            &state,
            now,
            now + LOGIN_TTL_MS,
        )
        .await?;
        work.deliver_mail_after_commit();
        work.commit().await?;
        Ok(LoginChallenge {
            login_id,
            credential_response: Bytes(response),
        })
    }

    pub async fn sign_in_finish(
        &self,
        login_id: &str,
        finalization: &[u8],
        client: &ClientInfo,
    ) -> Outcome<SignInResult> {
        let mut work = self.ceremony().await?;
        let pending = crate::store::take_pending_login(&mut work, login_id).await?;
        let Some(pending) = pending.filter(|p| p.purpose == PURPOSE_SIGN_IN) else {
            work.commit().await?;
            return Err(SignInError::AttemptExpired.into());
        };
        let now = work.now;
        if pending.expires_at <= now {
            work.commit().await?;
            return Err(SignInError::AttemptExpired.into());
        }
        let account = match &pending.account_id {
            Some(id) => crate::store::account_by_id(&mut work, id).await?,
            None => None,
        };
        let Some(account) = account else {
            work.commit().await?;
            return Err(SignInError::Failed.into());
        };
        if crypto::server_login_finish(&pending.server_state, finalization).is_err() {
            let who = Who::account(&account.id, &account.email);
            work.audit_as(
                who,
                None,
                AuditAction::SignInFailed,
                &account.email,
                json!({ "ip": client.ip }),
            )
            .await?;
            self.lock_if_over_threshold(&mut work, &account.id).await?;
            work.deliver_mail_after_commit();
            work.commit().await?;
            return Err(SignInError::Failed.into());
        }
        // ACC-7 with recovery: the keys are not back yet, so a session
        // would have none to open.
        if crate::recovery::store::awaiting_liaison(&mut work, &account.id).await? {
            work.commit().await?;
            return Err(RecoveryError::KeysAwaitLiaison.into());
        }
        let memberships = crate::store::memberships_of(&mut work, &account.id).await?;
        if let Some(refusal) = self
            .licence_refusal(&mut work, &account, &memberships)
            .await?
        {
            work.commit().await?;
            return Err(refusal.into());
        }
        let second_factor = self.has_second_factor(&mut work, &account.id).await?;
        if !second_factor {
            crate::security::store::sign_in_succeeded(&mut work, &account.id, now).await?;
        }
        if let Some(refusal) = self
            .permission_refusal(&mut work, &account, &memberships)
            .await?
        {
            work.commit().await?;
            return Err(refusal.into());
        }
        if second_factor {
            // The attempt stays counted as failed until the second factor
            // is proved, so guessing codes runs into the lockout.
            let prompt = self
                .await_second_factor(&mut work, &account.id, now)
                .await?;
            work.commit().await?;
            return Ok(SignInResult::SecondFactor(prompt));
        }
        // MFA-2/MFA-3: a member who must have a second factor and has none
        // gets a session that can only set one up (and a link to do it).
        let setup_only = self
            .second_factor_required(&mut work, &account, &memberships)
            .await?;
        let session = self
            .open_session(
                &mut work,
                &account,
                client,
                now,
                json!({ "ip": client.ip, "setup_only": setup_only }),
                setup_only,
            )
            .await?;
        work.deliver_mail_after_commit();
        work.commit().await?;
        Ok(SignInResult::Session(Box::new(session)))
    }

    /// ORG-7: after the licence's last day nobody of the organisation signs
    /// in; the refusal is recorded.
    pub(crate) async fn licence_refusal(
        &self,
        work: &mut Work<'_>,
        account: &AccountRow,
        memberships: &[crate::store::MembershipRow],
    ) -> Outcome<Option<SignInError>> {
        let Some(expired) = crate::kernel::authz::licence_expired(memberships, &today()) else {
            return Ok(None);
        };
        let details = json!({ "reason": "licence expired", "expiry_date": expired });
        self.record_refused_sign_in(work, account, details).await?;
        Ok(Some(SignInError::LicenceExpired(expired)))
    }

    /// PKG-8 "login": members whose organisations withhold the permission
    /// are refused; the refusal is recorded.
    pub(crate) async fn permission_refusal(
        &self,
        work: &mut Work<'_>,
        account: &AccountRow,
        memberships: &[crate::store::MembershipRow],
    ) -> Outcome<Option<SignInError>> {
        if self.may_sign_in(work, &account.id, memberships).await? {
            return Ok(None);
        }
        let details = json!({ "reason": "login permission" });
        self.record_refused_sign_in(work, account, details).await?;
        Ok(Some(SignInError::LoginNotPermitted))
    }

    async fn record_refused_sign_in(
        &self,
        work: &mut Work<'_>,
        account: &AccountRow,
        details: serde_json::Value,
    ) -> Outcome<()> {
        work.audit_as(
            Who::account(&account.id, &account.email),
            None,
            AuditAction::SignInRefused,
            &account.email,
            details,
        )
        .await?;
        Ok(())
    }

    /// The end of every successful sign-in: a session, the audit record and
    /// the keys (still wrapped) for the browser.
    pub(crate) async fn open_session(
        &self,
        work: &mut Work<'_>,
        account: &AccountRow,
        client: &ClientInfo,
        now: i64,
        details: serde_json::Value,
        setup_only: bool,
    ) -> Outcome<NewSession> {
        crate::security::store::sign_in_succeeded(work, &account.id, now).await?;
        let (token, token_hash) = new_token();
        let session_id = new_id();
        crate::store::insert_session(
            work,
            &crate::store::NewSession {
                token_hash: &token_hash,
                id: &session_id,
                account_id: &account.id,
                now,
                expires_at: now + self.config().session_idle_ms(),
                user_agent: &truncate(&client.user_agent, 300),
                ip: &truncate(&client.ip, 64),
                setup_only,
            },
        )
        .await?;
        let who = Who::account(&account.id, &account.email);
        work.audit_as(who, None, AuditAction::SignedIn, &account.email, details)
            .await?;
        let signed_in = SignedIn {
            account: self.view(work, account, setup_only).await?,
            keys: keys_for(account, setup_only)?,
            handover: self.handover_for(work, account, setup_only).await?,
        };
        Ok(NewSession { token, signed_in })
    }

    /// The browser found the password wrong on its own (OPAQUE lets it) and
    /// says so, so the failure is recorded and a lock takes effect at once.
    /// Answers the same whatever the account's state.
    pub async fn sign_in_failed(&self, login_id: &str, client: &ClientInfo) -> Outcome<()> {
        let mut work = self.ceremony().await?;
        let pending = crate::store::take_pending_login(&mut work, login_id).await?;
        let account_id = pending
            .filter(|p| p.purpose == PURPOSE_SIGN_IN)
            .and_then(|p| p.account_id);
        if let Some(id) = account_id {
            if let Some(a) = crate::store::account_by_id(&mut work, &id).await? {
                work.audit_as(
                    Who::account(&a.id, &a.email),
                    None,
                    AuditAction::SignInFailed,
                    &a.email,
                    json!({ "ip": client.ip }),
                )
                .await?;
                self.lock_if_over_threshold(&mut work, &a.id).await?;
            }
        }
        work.deliver_mail_after_commit();
        work.commit().await?;
        Ok(())
    }

    async fn view(&self, c: &mut Conn, a: &AccountRow, setup_only: bool) -> Outcome<AccountView> {
        let memberships = crate::store::memberships_of(c, &a.id).await?;
        Ok(AccountView {
            id: a.id.clone().into(),
            email: a.email.clone(),
            is_instance_admin: a.is_instance_admin,
            memberships: memberships
                .into_iter()
                .map(|m| MembershipView {
                    organisation_id: m.organisation_id.into(),
                    organisation_name: m.organisation_name,
                    role: m.role,
                    admin_tier: m.admin_tier,
                })
                .collect(),
            public_key: a.public_key.clone().unwrap_or_default(),
            setup_second_factor: setup_only,
            language: a.language,
        })
    }

    // ------------------------------------------------------------ sessions (ACC-8)

    /// Resolves a session token to the person behind it, or `None` when the
    /// token is unknown or expired, or the account may no longer come in:
    /// every request checks the lock, the licence and the Login permission
    /// again, so a change takes effect at once rather than at the next
    /// sign-in.
    pub async fn authenticate(&self, token: &str) -> Outcome<Option<Actor>> {
        let mut c = self.db().pool.acquire().await?;
        let Some(s) = crate::store::session_by_hash(&mut c, &hash_token(token)).await? else {
            return Ok(None);
        };
        let now = now_ms();
        if s.expires_at <= now || now - s.created_at >= self.config().session_max_ms() {
            return Ok(None);
        }
        if now - s.last_seen_at >= TOUCH_EVERY_MS {
            let expires = (now + self.config().session_idle_ms())
                .min(s.created_at + self.config().session_max_ms());
            crate::store::touch_session(&mut c, &s.id, now, expires).await?;
        }
        let Some(account) = crate::store::account_by_id(&mut c, &s.account_id).await? else {
            return Ok(None);
        };
        // A lock for guessing keeps passwords out, not the owner's sessions:
        // otherwise anyone could end them by guessing.
        if account.refuses_everything() {
            return Ok(None);
        }
        let memberships = crate::store::memberships_of(&mut c, &account.id).await?;
        // Sessions end with the licence, not just new sign-ins.
        if crate::kernel::authz::licence_expired(&memberships, &today()).is_some() {
            return Ok(None);
        }
        if !self.may_sign_in(&mut c, &account.id, &memberships).await? {
            return Ok(None);
        }
        Ok(Some(Actor {
            memberships,
            account_id: account.id,
            email: account.email,
            is_instance_admin: account.is_instance_admin,
            session_id: Some(s.id),
            setup_only: s.setup_only,
            proved_at: s.proved_at,
        }))
    }

    /// Factor changes need a recent proof (see `require_fresh_proof`).
    pub(crate) fn fresh_proof(&self, actor: &Actor) -> Result<(), AuthError> {
        crate::kernel::authz::require_fresh_proof(
            actor,
            now_ms(),
            self.config().reauthentication_ms(),
        )
    }

    pub async fn me(&self, actor: Option<&Actor>) -> Outcome<SignedIn> {
        let actor = authorize(actor, Action::SetUpSecondFactor)?;
        let mut c = self.db().pool.acquire().await?;
        let account = crate::store::account_by_id(&mut c, &actor.account_id)
            .await?
            .ok_or(AuthError::NotSignedIn)?;
        Ok(SignedIn {
            account: self.view(&mut c, &account, actor.setup_only).await?,
            keys: keys_for(&account, actor.setup_only)?,
            handover: self
                .handover_for(&mut c, &account, actor.setup_only)
                .await?,
        })
    }

    /// ACC-7 with recovery: the keys a Liaison handed over, for a session
    /// that may hold keys.
    async fn handover_for(
        &self,
        c: &mut Conn,
        account: &AccountRow,
        setup_only: bool,
    ) -> Outcome<Option<Handover>> {
        if setup_only {
            return Ok(None);
        }
        Ok(crate::recovery::store::handed_over(c, &account.id).await?)
    }

    pub async fn sign_out(&self, token: &str) -> Outcome<()> {
        let mut work = self.ceremony().await?;
        if let Some(account_id) =
            crate::store::delete_session_by_hash(&mut work, &hash_token(token)).await?
        {
            if let Some(a) = crate::store::account_by_id(&mut work, &account_id).await? {
                let who = Who::account(&a.id, &a.email);
                work.audit_as(who, None, AuditAction::SignedOut, &a.email, json!({}))
                    .await?;
            }
        }
        work.commit().await?;
        Ok(())
    }

    pub async fn sessions(&self, actor: Option<&Actor>) -> Outcome<Vec<SessionView>> {
        let actor = authorize(actor, Action::ManageOwnAccount)?;
        let mut c = self.db().pool.acquire().await?;
        let rows = crate::store::sessions_of(&mut c, &actor.account_id, now_ms()).await?;
        Ok(rows
            .into_iter()
            .map(|s| SessionView {
                current: actor.session_id.as_deref() == Some(s.id.as_str()),
                created_at_ms: s.created_at,
                last_seen_at_ms: s.last_seen_at,
                user_agent: s.user_agent,
                ip: s.ip,
            })
            .collect())
    }

    /// Ends every session of the actor, the current one included, and when
    /// asked (a lost device) removes every passkey too, which like any
    /// passkey removal needs a recent proof.
    pub async fn terminate_all_sessions(
        &self,
        actor: Option<&Actor>,
        remove_passkeys: bool,
    ) -> Outcome<u64> {
        let (mut tx, actor) = self.begin(actor, Action::ManageOwnAccount).await?;
        if remove_passkeys {
            self.fresh_proof(actor)?;
        }
        let n = crate::store::delete_sessions_of(&mut tx, &actor.account_id, None).await?;
        let passkeys = self
            .remove_all_passkeys(&mut tx, actor, remove_passkeys)
            .await?;
        tx.audit(
            None,
            AuditAction::SessionsTerminated,
            &actor.email,
            json!({ "sessions": n, "passkeys_removed": passkeys }),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Removes every passkey of the actor when `remove`, recorded as the
    /// member's own change; returns how many went.
    async fn remove_all_passkeys(
        &self,
        tx: &mut Work<'_>,
        actor: &Actor,
        remove: bool,
    ) -> Outcome<u64> {
        if !remove {
            return Ok(0);
        }
        let n = crate::mfa::store::delete_passkeys_of(tx, &actor.account_id).await?;
        if n > 0 {
            crate::mfa::record_own(
                tx,
                actor,
                AuditAction::PasskeyRemoved,
                json!({ "all": true, "count": n }),
            )
            .await?;
        }
        Ok(n)
    }

    // ------------------------------------------------------------ password change (ACC-5)

    /// Proves the current password (an OPAQUE login) and registers the new
    /// one in the same exchange.
    pub async fn password_change_start(
        &self,
        actor: Option<&Actor>,
        credential_request: &[u8],
        registration_request: &[u8],
    ) -> Outcome<PasswordChangeChallenge> {
        let (mut work, actor) = self.begin(actor, Action::ManageOwnAccount).await?;
        let account = crate::store::account_by_id(&mut work, &actor.account_id)
            .await?
            .ok_or(AuthError::NotSignedIn)?;
        if account.locked_at.is_some() {
            return Err(SignInError::AccountLocked.into());
        }
        // Counted as failed until the finish proves the password: the
        // browser learns a wrong one on its own and could guess forever.
        crate::security::store::count_sign_in_attempt(&mut work, &account.id).await?;
        self.lock_if_over_threshold(&mut work, &account.id).await?;
        let id = account.email.as_bytes();
        let (state, credential_response) = self
            .secret()
            .login_start(account.opaque_record.as_deref(), credential_request, id)
            .map_err(protocol)?;
        let registration_response = self
            .secret()
            .registration_response(registration_request, id)
            .map_err(protocol)?;
        let change_id = new_handle();
        let now = work.now;
        crate::store::insert_pending_login(
            &mut work,
            &change_id,
            Some(&account.id),
            PURPOSE_PASSWORD_CHANGE,
            &state,
            now,
            now + LOGIN_TTL_MS,
        )
        .await?;
        work.deliver_mail_after_commit();
        work.commit().await?;
        Ok(PasswordChangeChallenge {
            change_id,
            credential_response: Bytes(credential_response),
            registration_response: Bytes(registration_response),
        })
    }

    /// Stores the new credential and the re-wrapped private key (the key pair
    /// itself is unchanged) and ends the actor's other sessions.
    pub async fn password_change_finish(
        &self,
        actor: Option<&Actor>,
        change_id: &str,
        finalization: &[u8],
        registration_upload: &[u8],
        wrapped_private_key: &[u8],
        remove_passkeys: bool,
    ) -> Outcome<()> {
        let (mut tx, actor) = self.begin(actor, Action::ManageOwnAccount).await?;
        let pending = crate::store::take_pending_login(&mut tx, change_id).await?;
        let now = now_ms();
        let Some(pending) = pending.filter(|p| {
            p.purpose == PURPOSE_PASSWORD_CHANGE
                && p.account_id.as_deref() == Some(actor.account_id.as_str())
                && p.expires_at > now
        }) else {
            tx.commit().await?;
            return Err(SignInError::AttemptExpired.into());
        };
        if crypto::server_login_finish(&pending.server_state, finalization).is_err() {
            tx.audit(
                None,
                AuditAction::PasswordChangeFailed,
                &actor.email,
                json!({}),
            )
            .await?;
            tx.commit().await?;
            return Err(SignInError::WrongCurrentPassword.into());
        }
        crate::mfa::store::clear_failed_sign_ins(&mut tx, &actor.account_id).await?;
        let account = crate::store::account_by_id(&mut tx, &actor.account_id)
            .await?
            .ok_or(AuthError::NotSignedIn)?;
        let keys = KeyEnvelope {
            public_key: account.public_key.clone().unwrap_or_default(),
            wrapped_private_key: Bytes(wrapped_private_key.to_vec()),
        };
        check_keys(&keys)?;
        let record = crypto::server_registration_finish(registration_upload).map_err(protocol)?;
        crate::store::set_credentials(
            &mut tx,
            &account.id,
            &record,
            &keys.public_key,
            wrapped_private_key,
            now,
        )
        .await?;
        let ended =
            crate::store::delete_sessions_of(&mut tx, &account.id, actor.session_id.as_deref())
                .await?;
        // A reset link sent earlier must not undo the change.
        crate::security::store::void_links(
            &mut tx,
            &account.id,
            LinkPurpose::Reset.code(),
            None,
            now,
        )
        .await?;
        // The current password was just proved.
        if let Some(session) = &actor.session_id {
            crate::store::session_proved(&mut tx, session, now).await?;
        }
        let passkeys = self
            .remove_all_passkeys(&mut tx, actor, remove_passkeys)
            .await?;
        tx.audit(
            None,
            AuditAction::PasswordChanged,
            &actor.email,
            json!({ "other_sessions_ended": ended, "passkeys_removed": passkeys }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The keys a session is handed: none until every factor the account must
/// have is proven (a session that may only set one up gets none).
fn keys_for(a: &AccountRow, setup_only: bool) -> Outcome<Option<KeyEnvelope>> {
    if setup_only {
        return Ok(None);
    }
    envelope(a).map(Some)
}

fn envelope(a: &AccountRow) -> Outcome<KeyEnvelope> {
    match (&a.public_key, &a.wrapped_private_key) {
        (Some(p), Some(w)) => Ok(KeyEnvelope {
            public_key: p.clone(),
            wrapped_private_key: Bytes(w.clone()),
        }),
        _ => Err(anyhow::anyhow!("account {} has a session but no keys", a.id).into()),
    }
}

/// Today's date (UTC) as `YYYY-MM-DD`, comparable with expiry dates.
pub(crate) fn today() -> String {
    time::OffsetDateTime::now_utc().date().to_string()
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}
