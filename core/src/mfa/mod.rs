//! MFA-1: authenticator apps (TOTP, RFC 6238: SHA-1, 6 digits, 30 s, as
//! the common apps expect), single-use recovery codes, and the second step
//! of a sign-in.

pub mod passkeys;
pub mod store;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use coffer_shared::accounts::LinkPurpose;
use coffer_shared::accounts::{LinkError, SignInError};
use coffer_shared::ids::{AccountId, OrganisationId};
use coffer_shared::mfa::MfaError;
use coffer_shared::mfa::{TotpSetup, TwoStepStatus};
use coffer_shared::settings::Permission;
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Builder, Totp};

use crate::kernel::audit::{AuditAction, Who};
use crate::kernel::authz::{authorize, Action, Actor};
use crate::kernel::db::{new_handle, now_ms};
use crate::kernel::error::Outcome;
use crate::kernel::notices;
use crate::kernel::work::Work;
use crate::organisations::settings::flags_from;
use crate::store::{AccountRow, Conn, MembershipRow};
use crate::Coffer;

pub(crate) const PURPOSE_SECOND_FACTOR: &str = "second_factor";
const PURPOSE_PASSWORD_PROOF: &str = "password_proof";
/// Time between the two OPAQUE rounds of a password proof.
const PASSWORD_PROOF_TTL_MS: i64 = 2 * 60 * 1000;
/// Time to find the phone and type the code.
pub(crate) const SECOND_FACTOR_TTL_MS: i64 = 5 * 60 * 1000;
/// Wrong codes one sign-in may try before it must start again (each also
/// counts towards the account's lockout).
pub(crate) const MAX_CODE_ATTEMPTS: i64 = 5;
const RECOVERY_CODES: usize = 10;
const ISSUER: &str = "Coffer";
const TOTP_AT_REST: &str = "totp-secret";
const SEALED_PREFIX: &str = "sealed:";
/// How long a mailed set-up link (MFA-2, MFA-3) works.
const SETUP_LINK_HOURS: i64 = 72;

/// The authenticator for a secret (base32). Codes of the previous and next
/// 30 s step are accepted too, for clocks that drift.
fn authenticator(secret: &str, account: &str) -> Option<Totp> {
    let bytes = totp_rs::Secret::try_from_base32(secret).ok()?;
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_skew(1)
        .with_secret(bytes)
        // The otpauth label cannot hold ':'.
        .with_account_name(account.replace(':', ""))
        .with_issuer(Some(ISSUER))
        .build()
        .ok()
}

/// What the member typed, as a TOTP code (six digits, spaces allowed) or
/// as a recovery code (any case, dashes and spaces ignored).
#[derive(Debug, PartialEq, Eq)]
enum Code {
    Totp(String),
    Recovery(String),
}

fn read_code(typed: &str) -> Option<Code> {
    let plain: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if plain.is_empty() {
        None
    } else if plain.len() == 6 && plain.chars().all(|c| c.is_ascii_digit()) {
        Some(Code::Totp(plain))
    } else {
        Some(Code::Recovery(plain.to_ascii_uppercase()))
    }
}

/// Ten codes of 80 random bits in base32, shown as `ABCD-EFGH-JKLM-NPQR`;
/// only their hashes are kept (80 bits make a plain hash safe to store).
fn new_recovery_codes() -> (Vec<String>, Vec<String>) {
    let mut rng = rand::thread_rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 10];
            rng.fill_bytes(&mut bytes);
            let plain = totp_rs::Secret::from(bytes).to_base32();
            let shown = plain
                .as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join("-");
            (shown, recovery_hash(&plain))
        })
        .unzip()
}

fn recovery_hash(plain: &str) -> String {
    hex::encode(Sha256::digest(plain.as_bytes()))
}

fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::thread_rng().fill_bytes(&mut bytes);
    totp_rs::Secret::from(bytes).to_base32()
}

fn qr_svg(uri: &str) -> Outcome<String> {
    let code = qrcode::QrCode::with_error_correction_level(uri, qrcode::EcLevel::M)
        .map_err(|e| anyhow::anyhow!("QR code: {e}"))?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build())
}

/// Ten fresh recovery codes replace the account's old ones; returns them
/// for showing once.
async fn issue_recovery_codes(c: &mut Conn, account_id: &str) -> Outcome<Vec<String>> {
    let (shown, hashes) = new_recovery_codes();
    store::replace_recovery_codes(c, account_id, &hashes).await?;
    Ok(shown)
}

/// A change the member made to their own factors, for the audit log and
/// their history.
pub(crate) async fn record_own(
    work: &mut Work<'_>,
    actor: &Actor,
    action: AuditAction,
    details: serde_json::Value,
) -> Outcome<()> {
    work.audit_as(
        Who::account(&actor.account_id, &actor.email),
        None,
        action,
        &actor.email,
        details,
    )
    .await?;
    Ok(())
}

/// A locked account's sessions may not keep guessing codes.
async fn refuse_if_locked(c: &mut Conn, account_id: &str) -> Outcome<()> {
    if crate::store::account_by_id(c, account_id)
        .await?
        .is_some_and(|a| a.locked_at.is_some())
    {
        return Err(SignInError::AccountLocked.into());
    }
    Ok(())
}

fn unix_seconds(now_ms: i64) -> u64 {
    u64::try_from(now_ms / 1000).unwrap_or(0)
}

impl Coffer {
    pub async fn two_step_status(&self, actor: Option<&Actor>) -> Outcome<TwoStepStatus> {
        let actor = authorize(actor, Action::SetUpSecondFactor)?;
        let mut c = self.db().pool.acquire().await?;
        let totp = store::totp_factor(&mut c, &actor.account_id)
            .await?
            .is_some_and(|t| t.confirmed);
        let left = store::recovery_codes_left(&mut c, &actor.account_id).await?;
        let passkeys = store::passkeys_of(&mut c, &actor.account_id).await?.len();
        Ok(TwoStepStatus {
            totp,
            recovery_codes_left: u32::try_from(left).unwrap_or(0),
            passkeys: u32::try_from(passkeys).unwrap_or(u32::MAX),
        })
    }

    /// A fresh secret for the member's app; nothing changes at sign-in
    /// until a code from it is confirmed. A session that may only set up a
    /// second factor also needs the mailed set-up link: after a re-seed the
    /// password alone must not be enough to bind someone else's phone.
    pub async fn totp_begin(
        &self,
        actor: Option<&Actor>,
        setup_token: Option<&str>,
    ) -> Outcome<TotpSetup> {
        let (mut tx, actor) = self.begin(actor, Action::SetUpSecondFactor).await?;
        self.check_setup_link(actor, setup_token).await?;
        if !actor.setup_only {
            self.fresh_proof(actor)?;
        }
        let secret = new_secret();
        let uri = authenticator(&secret, &actor.email)
            .ok_or_else(|| anyhow::anyhow!("TOTP parameters rejected"))?
            .to_url()
            .map_err(|e| anyhow::anyhow!("otpauth URI: {e}"))?;
        let stored = self.seal_secret(&actor.account_id, &secret);
        if !store::begin_totp(&mut tx, &actor.account_id, &stored, now_ms()).await? {
            return Err(MfaError::AlreadyOn.into());
        }
        tx.commit().await?;
        Ok(TotpSetup {
            qr_svg: qr_svg(&uri)?,
            secret,
            uri,
        })
    }

    /// A session that may only set up a second factor (MFA-2, MFA-3) must
    /// also hold the mailed set-up link.
    pub(crate) async fn check_setup_link(
        &self,
        actor: &Actor,
        setup_token: Option<&str>,
    ) -> Outcome<()> {
        if !actor.setup_only {
            return Ok(());
        }
        let mut c = self.db().pool.acquire().await?;
        let link = self
            .valid_link(&mut c, setup_token.unwrap_or(""), LinkPurpose::TwoStepSetup)
            .await?;
        if link.account_id != actor.account_id {
            return Err(LinkError::Unknown.into());
        }
        Ok(())
    }

    /// A second factor is in place: sessions waiting for one become full,
    /// the re-seed mark and the mailed set-up links are spent.
    pub(crate) async fn second_factor_in_place(
        &self,
        tx: &mut Conn,
        account_id: &str,
        now: i64,
    ) -> Outcome<()> {
        store::second_factor_settled(tx, account_id).await?;
        crate::security::store::void_links(
            tx,
            account_id,
            LinkPurpose::TwoStepSetup.code(),
            None,
            now,
        )
        .await?;
        Ok(())
    }

    /// Turns the app on once it shows the right code; returns the recovery
    /// codes, which are never shown again.
    pub async fn totp_confirm(&self, actor: Option<&Actor>, code: &str) -> Outcome<Vec<String>> {
        let (mut tx, actor) = self.begin(actor, Action::SetUpSecondFactor).await?;
        let Some(Code::Totp(code)) = read_code(code) else {
            return Err(MfaError::MissingCode.into());
        };
        let factor = match store::totp_factor(&mut tx, &actor.account_id).await? {
            Some(f) if f.confirmed => return Err(MfaError::AlreadyOn.into()),
            Some(f) => f,
            None => return Err(MfaError::NoSetupStarted.into()),
        };
        let now = now_ms();
        let step = authenticator(
            &self.open_secret(&actor.account_id, &factor.secret)?,
            &actor.email,
        )
        .and_then(|t| t.check(&code, unix_seconds(now)))
        .ok_or(MfaError::WrongCode)?;
        store::confirm_totp(&mut tx, &actor.account_id, step as i64, now).await?;
        self.second_factor_in_place(&mut tx, &actor.account_id, now)
            .await?;
        let shown = issue_recovery_codes(&mut tx, &actor.account_id).await?;
        record_own(&mut tx, actor, AuditAction::TotpEnabled, json!({})).await?;
        tx.commit().await?;
        Ok(shown)
    }

    /// Turning the app off takes a current code or a recovery code, so a
    /// session left open is not enough.
    pub async fn totp_disable(&self, actor: Option<&Actor>, code: &str) -> Outcome<()> {
        let actor = authorize(actor, Action::ManageOwnAccount)?;
        let now = now_ms();
        let mut tx = self.prove_in_session(actor, code, now).await?;
        store::delete_totp(&mut tx, &actor.account_id).await?;
        record_own(&mut tx, actor, AuditAction::TotpDisabled, json!({})).await?;
        tx.commit().await?;
        Ok(())
    }

    /// First OPAQUE round of proving the password inside a session (MFA-1:
    /// turning the app off without it). Counted as a failed sign-in until
    /// the second round proves it, because the browser learns a wrong
    /// password on its own and would otherwise guess without limit.
    pub async fn password_proof_start(
        &self,
        actor: Option<&Actor>,
        credential_request: &[u8],
    ) -> Outcome<coffer_shared::accounts::LoginChallenge> {
        let (mut work, actor) = self.begin(actor, Action::ManageOwnAccount).await?;
        let account = crate::store::account_by_id(&mut work, &actor.account_id)
            .await?
            .ok_or(coffer_shared::errors::AuthError::NotSignedIn)?;
        refuse_if_locked(&mut work, &account.id).await?;
        crate::security::store::count_sign_in_attempt(&mut work, &account.id).await?;
        self.lock_if_over_threshold(&mut work, &account.id).await?;
        let (state, response) = self
            .secret()
            .login_start(
                account.opaque_record.as_deref(),
                credential_request,
                account.email.as_bytes(),
            )
            .map_err(crate::accounts::protocol)?;
        let login_id = new_handle();
        let now = work.now;
        crate::store::insert_pending_login(
            &mut work,
            &login_id,
            Some(&account.id),
            PURPOSE_PASSWORD_PROOF,
            &state,
            now,
            now + PASSWORD_PROOF_TTL_MS,
        )
        .await?;
        work.deliver_mail_after_commit();
        work.commit().await?;
        Ok(coffer_shared::accounts::LoginChallenge {
            login_id,
            credential_response: coffer_shared::types::Bytes(response),
        })
    }

    /// The second round of a password proof inside a session; a wrong
    /// password stays counted (and the refusal is committed).
    async fn finish_password_proof<'c>(
        &'c self,
        actor: &'c Actor,
        login_id: &str,
        finalization: &[u8],
    ) -> Outcome<Work<'c>> {
        let (mut work, _) = self.begin(Some(actor), Action::ManageOwnAccount).await?;
        let now = work.now;
        let pending = crate::store::take_pending_login(&mut work, login_id)
            .await?
            .filter(|p| {
                p.purpose == PURPOSE_PASSWORD_PROOF
                    && p.account_id.as_deref() == Some(actor.account_id.as_str())
                    && p.expires_at > now
            });
        let Some(pending) = pending else {
            work.commit().await?;
            return Err(SignInError::AttemptExpired.into());
        };
        if coffer_crypto::server_login_finish(&pending.server_state, finalization).is_err() {
            work.commit().await?;
            return Err(SignInError::WrongCurrentPassword.into());
        }
        store::clear_failed_sign_ins(&mut work, &actor.account_id).await?;
        if let Some(session) = &actor.session_id {
            crate::store::session_proved(&mut work, session, now).await?;
        }
        Ok(work)
    }

    /// MFA-5 fallback: the password proved after a passkey sign-in whose
    /// passkey cannot unlock the keys (the browser unwraps them itself).
    pub async fn password_proof_finish(
        &self,
        actor: Option<&Actor>,
        login_id: &str,
        finalization: &[u8],
    ) -> Outcome<()> {
        let actor = authorize(actor, Action::ManageOwnAccount)?;
        let tx = self
            .finish_password_proof(actor, login_id, finalization)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// MFA-1: turns the app off against the password instead of a code.
    pub async fn totp_disable_with_password(
        &self,
        actor: Option<&Actor>,
        login_id: &str,
        finalization: &[u8],
    ) -> Outcome<()> {
        let actor = authorize(actor, Action::ManageOwnAccount)?;
        let mut tx = self
            .finish_password_proof(actor, login_id, finalization)
            .await?;
        if !store::totp_factor(&mut tx, &actor.account_id)
            .await?
            .is_some_and(|t| t.confirmed)
        {
            tx.commit().await?;
            return Err(MfaError::NotOn.into());
        }
        store::delete_totp(&mut tx, &actor.account_id).await?;
        record_own(
            &mut tx,
            actor,
            AuditAction::TotpDisabled,
            json!({ "proved_by": "password" }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// New recovery codes (the old ones stop working), against a code.
    pub async fn recovery_codes_renew(
        &self,
        actor: Option<&Actor>,
        code: &str,
    ) -> Outcome<Vec<String>> {
        let actor = authorize(actor, Action::ManageOwnAccount)?;
        let now = now_ms();
        let mut tx = self.prove_in_session(actor, code, now).await?;
        let shown = issue_recovery_codes(&mut tx, &actor.account_id).await?;
        record_own(&mut tx, actor, AuditAction::RecoveryCodesRenewed, json!({})).await?;
        tx.commit().await?;
        Ok(shown)
    }

    /// MFA-2/MFA-3: whether a member without a second factor must set one
    /// up before anything else: re-seeded by an administrator, or in an
    /// organisation that enforces it without the MFA-exemption permission.
    /// When so, makes sure a live set-up link is in their mailbox.
    pub(crate) async fn second_factor_required(
        &self,
        tx: &mut Conn,
        account: &AccountRow,
        memberships: &[MembershipRow],
    ) -> Outcome<bool> {
        let mut required = store::is_reseeded(tx, &account.id).await?;
        for m in memberships {
            if required {
                break;
            }
            let settings = self.settings_in(tx, &m.organisation_id).await?;
            if settings.enforce_mfa {
                let flags = crate::organisations::store::member_permissions(
                    tx,
                    &m.organisation_id,
                    &account.id,
                )
                .await?
                .unwrap_or_default();
                required = !settings.allows(Permission::MfaExemption, &flags_from(&flags));
            }
        }
        if required
            && !store::live_link_exists(tx, &account.id, LinkPurpose::TwoStepSetup.code(), now_ms())
                .await?
        {
            self.mail_setup_link(
                tx,
                account,
                None,
                "Your organisation requires two-step sign-in.",
            )
            .await?;
        }
        Ok(required)
    }

    async fn mail_setup_link(
        &self,
        tx: &mut Conn,
        account: &AccountRow,
        sent_by: Option<&str>,
        why: &str,
    ) -> Outcome<()> {
        let (link, expires_at) = self
            .send_link(
                tx,
                account,
                LinkPurpose::TwoStepSetup,
                None,
                sent_by,
                SETUP_LINK_HOURS,
            )
            .await?;
        self.mailer()
            .queue(
                tx,
                notices::two_step_setup(&account.email, why, &link, expires_at),
            )
            .await?;
        Ok(())
    }

    /// MFA-2: enforcement switched on: every member without a second
    /// factor and without the exemption is mailed a set-up link.
    pub(crate) async fn enforcement_switched_on(
        &self,
        tx: &mut Conn,
        organisation_id: &str,
        actor_id: &str,
    ) -> Outcome<u64> {
        let settings = self.settings_in(tx, organisation_id).await?;
        let mut mailed = 0;
        for (account_id, flags) in store::members_without_second_factor(tx, organisation_id).await?
        {
            if settings.allows(Permission::MfaExemption, &flags_from(&flags)) {
                continue;
            }
            if let Some(account) = crate::store::account_by_id(tx, &account_id).await? {
                self.mail_setup_link(
                    tx,
                    &account,
                    Some(actor_id),
                    "Your organisation now requires two-step sign-in.",
                )
                .await?;
                mailed += 1;
            }
        }
        Ok(mailed)
    }

    /// MFA-3: an administrator re-seeds a member's authenticator (lost
    /// phone, deleted entry): the secret and recovery codes stop working
    /// and a new set-up link is mailed.
    pub async fn reseed_second_factor(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        account_id: &AccountId,
    ) -> Outcome<()> {
        let (mut tx, actor) = self
            .begin(actor, Action::ManageMembers(organisation_id))
            .await?;
        let (account, _) = self
            .secured_member(&mut tx, actor, organisation_id, account_id)
            .await?;
        let has_one = self.has_second_factor(&mut tx, &account.id).await?;
        if !has_one && !store::is_reseeded(&mut tx, &account.id).await? {
            return Err(MfaError::NothingToReseed.into());
        }
        store::delete_totp(&mut tx, &account.id).await?;
        let passkeys = store::delete_passkeys_of(&mut tx, &account.id).await?;
        store::mark_reseeded(&mut tx, &account.id).await?;
        self.mail_setup_link(
            &mut tx,
            &account,
            Some(&actor.account_id),
            "An administrator of your organisation reset two-step sign-in on your account, so \
             the codes of your old authenticator app, your recovery codes and your passkeys no \
             longer work.",
        )
        .await?;
        tx.audit(
            Some(organisation_id),
            AuditAction::TwoStepReseeded,
            &account.email,
            json!({ "passkeys_removed": passkeys }),
        )
        .await?;
        tx.deliver_mail_after_commit();
        tx.commit().await?;
        Ok(())
    }

    /// A confirmed authenticator app or a passkey (MFA-1, MFA-4).
    pub(crate) async fn has_second_factor(&self, c: &mut Conn, account_id: &str) -> Outcome<bool> {
        Ok(store::totp_factor(c, account_id)
            .await?
            .is_some_and(|t| t.confirmed)
            || !store::passkeys_of(c, account_id).await?.is_empty())
    }

    /// The TOTP secret as stored: sealed under a key derived from the
    /// server secret file, bound to the account, so a copy of the database
    /// alone does not give anyone the member's codes.
    fn seal_secret(&self, account_id: &str, secret: &str) -> String {
        let sealed =
            self.secret()
                .seal_at_rest(TOTP_AT_REST, account_id.as_bytes(), secret.as_bytes());
        format!("{SEALED_PREFIX}{}", URL_SAFE_NO_PAD.encode(sealed))
    }

    fn open_secret(&self, account_id: &str, stored: &str) -> Outcome<String> {
        let Some(sealed) = stored.strip_prefix(SEALED_PREFIX) else {
            // Set up before secrets were sealed.
            return Ok(stored.to_string());
        };
        let bytes = URL_SAFE_NO_PAD
            .decode(sealed)
            .map_err(|e| anyhow::anyhow!("stored TOTP secret: {e}"))?;
        let plain = self
            .secret()
            .open_at_rest(TOTP_AT_REST, account_id.as_bytes(), &bytes)
            .map_err(|_| {
                anyhow::anyhow!("stored TOTP secret does not open with this server secret")
            })?;
        Ok(String::from_utf8_lossy(&plain).into_owned())
    }

    /// A write transaction in which the signed-in member proved a current
    /// code; a wrong one is counted (and committed) before the refusal.
    async fn prove_in_session<'c>(
        &'c self,
        actor: &'c Actor,
        code: &str,
        now: i64,
    ) -> Outcome<Work<'c>> {
        let (mut work, _) = self.begin(Some(actor), Action::ManageOwnAccount).await?;
        refuse_if_locked(&mut work, &actor.account_id).await?;
        if let Err(refusal) = self
            .prove_second_factor(&mut work, &actor.account_id, &actor.email, code, now)
            .await?
        {
            self.count_wrong_code(&mut work, &actor.account_id, &refusal)
                .await?;
            work.deliver_mail_after_commit();
            work.commit().await?;
            return Err(refusal.into());
        }
        if let Some(session) = &actor.session_id {
            crate::store::session_proved(&mut work, session, now).await?;
        }
        Ok(work)
    }

    /// A wrong or replayed code counts towards the lockout like a wrong
    /// password, so codes cannot be guessed without limit.
    pub(crate) async fn count_wrong_code(
        &self,
        work: &mut Work<'_>,
        account_id: &str,
        refusal: &MfaError,
    ) -> Outcome<()> {
        if matches!(refusal, MfaError::WrongCode | MfaError::CodeAlreadyUsed) {
            crate::security::store::count_sign_in_attempt(work, account_id).await?;
            self.lock_if_over_threshold(work, account_id).await?;
        }
        Ok(())
    }

    /// Checks a typed code against the account's factors and uses it up;
    /// the inner result names the factor or says why the code failed.
    pub(crate) async fn prove_second_factor(
        &self,
        tx: &mut Conn,
        account_id: &str,
        email: &str,
        typed: &str,
        now: i64,
    ) -> Outcome<Result<&'static str, MfaError>> {
        let Some(factor) = store::totp_factor(tx, account_id)
            .await?
            .filter(|f| f.confirmed)
        else {
            return Ok(Err(MfaError::NotOn));
        };
        Ok(match read_code(typed) {
            None => Err(MfaError::MissingCode),
            Some(Code::Totp(code)) => {
                match authenticator(&self.open_secret(account_id, &factor.secret)?, email)
                    .and_then(|t| t.check(&code, unix_seconds(now)))
                {
                    None => Err(MfaError::WrongCode),
                    Some(step) if step as i64 <= factor.last_step => Err(MfaError::CodeAlreadyUsed),
                    Some(step) => {
                        if store::use_totp_step(tx, account_id, step as i64).await? {
                            Ok("authenticator app")
                        } else {
                            Err(MfaError::CodeAlreadyUsed)
                        }
                    }
                }
            }
            Some(Code::Recovery(plain)) => {
                if store::use_recovery_code(tx, account_id, &recovery_hash(&plain), now).await? {
                    Ok("recovery code")
                } else {
                    Err(MfaError::WrongCode)
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_whatever_the_spacing_and_case() {
        assert_eq!(read_code(" 123 456 "), Some(Code::Totp("123456".into())));
        assert_eq!(
            read_code("abcd-efgh-ijkl-mnop"),
            Some(Code::Recovery("ABCDEFGHIJKLMNOP".into()))
        );
        assert_eq!(read_code(" - "), None);
        assert_eq!(read_code("12345"), Some(Code::Recovery("12345".into())));
    }

    #[test]
    fn recovery_codes_are_ten_distinct_80_bit_codes_stored_as_hashes() {
        let (shown, hashes) = new_recovery_codes();
        assert_eq!(shown.len(), 10);
        let distinct: std::collections::HashSet<_> = shown.iter().collect();
        assert_eq!(distinct.len(), 10);
        for (s, h) in shown.iter().zip(&hashes) {
            assert_eq!(s.len(), 19, "{s}");
            let Some(Code::Recovery(plain)) = read_code(&s.to_lowercase()) else {
                panic!("{s} reads as a recovery code");
            };
            assert_eq!(&recovery_hash(&plain), h);
            assert!(!h.contains(&plain));
        }
    }

    #[test]
    fn rfc_6238_sha1_vectors() {
        // RFC 6238 appendix B, SHA-1 seed "12345678901234567890", last six
        // digits of the eight-digit values.
        let secret = totp_rs::Secret::from(b"12345678901234567890".to_vec()).to_base32();
        let t = authenticator(&secret, "a@b.test").unwrap();
        assert_eq!(t.generate(59).to_string(), "287082");
        assert_eq!(t.generate(1_111_111_109).to_string(), "081804");
        assert_eq!(t.generate(2_000_000_000).to_string(), "279037");
        assert_eq!(t.check("081804", 1_111_111_109), Some(1_111_111_109 / 30));
        assert_eq!(t.check("081804", 1_111_111_109 + 90), None);
    }
}
