//! Account security: lockout and unlock (ACC-6), administrator password
//! reset by emailed link (ACC-7) and the security question (ACC-5).
//!
//! With OPAQUE a client learns on its own whether a password was right, so
//! failures cannot be counted only when reported: every started sign-in
//! counts as a failure until it succeeds, and a locked account is answered
//! with OPAQUE's stand-in record, which no password opens. Guessing a locked
//! account therefore teaches nothing.

pub mod store;

use argon2::password_hash::{rand_core::OsRng, PasswordHash, SaltString};
use argon2::{Argon2, PasswordHasher as _, PasswordVerifier as _};
use coffer_crypto as crypto;
use coffer_shared::accounts::LinkError;
use coffer_shared::accounts::{KeyEnvelope, LinkPurpose, ResetView};
use coffer_shared::errors::AuthError;
use coffer_shared::ids::{AccountId, OrganisationId};
use coffer_shared::members::MemberError;
use coffer_shared::organisations::SettingsError;
use coffer_shared::recovery::RecoveryError;
use coffer_shared::types::Bytes;
use serde_json::json;

use crate::kernel::access::{self, Denied, Need, Resource};
use crate::kernel::audit::{AuditAction, Who};
use crate::kernel::authz::{authorize, Action, Actor};
use crate::kernel::db::now_ms;
use crate::kernel::error::Outcome;
use crate::kernel::notices;
use crate::kernel::tokens::{hash_token, new_token};
use crate::kernel::work::Work;
use crate::store::{AccountRow, Conn, InvitationRow};
use crate::Coffer;

const UNLOCK_LINK_HOURS: i64 = 24;
const MAX_WRONG_ANSWERS: i64 = 5;

/// Security answers compare case- and spacing-insensitively.
pub fn normalise_answer(answer: &str) -> String {
    answer
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

pub fn hash_answer(answer: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(normalise_answer(answer).as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing the security answer: {e}"))
}

pub fn answer_matches(answer: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(normalise_answer(answer).as_bytes(), &h)
            .is_ok()
    })
}

/// Why an account is locked (ACC-6, ORG-12).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockReason {
    /// Too many wrong passwords or codes: passwords are refused, passkeys
    /// still sign in.
    Guessing,
    /// Idle past the organisation's limit: nothing signs in.
    Inactivity,
}

impl LockReason {
    pub fn code(self) -> &'static str {
        match self {
            LockReason::Guessing => crate::store::LOCKED_FOR_GUESSING,
            LockReason::Inactivity => crate::store::LOCKED_FOR_INACTIVITY,
        }
    }

    fn words(self) -> &'static str {
        match self {
            LockReason::Guessing => "too many wrong passwords",
            LockReason::Inactivity => "inactivity",
        }
    }
}

impl Coffer {
    /// Emails a single-use link; earlier unused links of the same purpose
    /// stop working.
    pub(crate) async fn send_link(
        &self,
        tx: &mut Conn,
        account: &AccountRow,
        purpose: LinkPurpose,
        organisation_id: Option<&str>,
        created_by: Option<&str>,
        hours: i64,
    ) -> Outcome<(String, i64)> {
        let now = now_ms();
        store::void_links(tx, &account.id, purpose.code(), None, now).await?;
        let (token, token_hash) = new_token();
        let expires_at = now + hours * 3_600_000;
        crate::store::insert_invitation(
            tx,
            &crate::store::NewInvitation {
                purpose: purpose.code(),
                token_hash: &token_hash,
                account_id: &account.id,
                organisation_id,
                created_by,
                now,
                expires_at,
            },
        )
        .await?;
        let page = match purpose {
            LinkPurpose::Invite => "invite",
            LinkPurpose::Reset => "reset",
            LinkPurpose::Unlock => "unlock",
            LinkPurpose::TwoStepSetup => "two-step-setup",
        };
        // In the fragment: browsers never send it, so logs never see it.
        Ok((format!("{}/{page}#{token}", self.public_url()), expires_at))
    }

    pub(crate) async fn valid_link(
        &self,
        c: &mut Conn,
        token: &str,
        purpose: LinkPurpose,
    ) -> Outcome<InvitationRow> {
        let link = crate::store::invitation_by_hash(c, &hash_token(token.trim()))
            .await?
            .filter(|l| l.purpose == purpose.code())
            .ok_or(LinkError::Unknown)?;
        if link.used_at.is_some() {
            return Err(LinkError::AlreadyUsed.into());
        }
        if link.expires_at <= now_ms() {
            return Err(LinkError::Expired.into());
        }
        Ok(link)
    }

    /// Locks an account inside the caller's transaction and mails the owner
    /// an unlock link, once per lock: nothing happens when it already was
    /// locked.
    pub(crate) async fn lock(
        &self,
        work: &mut Work<'_>,
        account: &AccountRow,
        reason: LockReason,
    ) -> Outcome<()> {
        let now = work.now;
        if !store::lock_account(work, &account.id, now, reason.code()).await? {
            return Ok(());
        }
        let (link, expires_at) = self
            .send_link(
                work,
                account,
                LinkPurpose::Unlock,
                None,
                None,
                UNLOCK_LINK_HOURS,
            )
            .await?;
        work.queue_mail(notices::account_locked(&account.email, &link, expires_at))
            .await?;
        work.audit_as(
            Who::system(),
            None,
            AuditAction::AccountLocked,
            &account.email,
            json!({ "reason": reason.words() }),
        )
        .await?;
        Ok(())
    }

    /// Called when a started sign-in for an existing account turns out
    /// wrong (reported by the browser or a forged finish).
    pub(crate) async fn lock_if_over_threshold(
        &self,
        work: &mut Work<'_>,
        account_id: &str,
    ) -> Outcome<()> {
        let Some(account) = crate::store::account_by_id(work, account_id).await? else {
            return Ok(());
        };
        let threshold = self.lockout_threshold(work, account_id).await?;
        if account.locked_at.is_none() && account.failed_sign_ins >= threshold {
            self.lock(work, &account, LockReason::Guessing).await?;
        }
        Ok(())
    }

    /// The member, when the actor may act on their account: an Admin acts
    /// on plain members, only a Liaison on administrators.
    pub(crate) async fn managed_member(
        &self,
        c: &mut Conn,
        actor: &Actor,
        organisation_id: &str,
        account_id: &str,
    ) -> Outcome<(AccountRow, coffer_shared::members::MemberRow)> {
        self.member_in_reach(c, actor, organisation_id, account_id, Need::Change)
            .await
    }

    /// The member, when the actor may act on their account as a whole
    /// (reset, unlock, re-seed): the tier rule of `managed_member`, and the
    /// account's home organisation must be this one.
    pub(crate) async fn secured_member(
        &self,
        c: &mut Conn,
        actor: &Actor,
        organisation_id: &str,
        account_id: &str,
    ) -> Outcome<(AccountRow, coffer_shared::members::MemberRow)> {
        self.member_in_reach(c, actor, organisation_id, account_id, Need::Secure)
            .await
    }

    async fn member_in_reach(
        &self,
        c: &mut Conn,
        actor: &Actor,
        organisation_id: &str,
        account_id: &str,
        need: Need,
    ) -> Outcome<(AccountRow, coffer_shared::members::MemberRow)> {
        let member = Resource::Member {
            organisation: organisation_id,
            account: account_id,
        };
        access::require(c, actor.into(), member, need)
            .await
            .map_err(|denied| match denied {
                Denied::Unknown | Denied::Permission(_) => MemberError::NotAMember.into(),
                Denied::NeedsLiaison => MemberError::OnlyLiaisonManagesAdmins.into(),
                Denied::AnotherHome => MemberError::AccountOfAnotherOrganisation.into(),
                Denied::Role(e) => crate::Failure::from(e),
                Denied::Database(e) => crate::Failure::from(e),
            })?;
        let row = crate::members::store::member(c, organisation_id, account_id)
            .await?
            .ok_or(MemberError::NotAMember)?;
        let account = crate::store::account_by_id(c, account_id)
            .await?
            .ok_or(MemberError::NotAMember)?;
        Ok((account, row))
    }

    /// ORG-12 inactivity limit: locks members who have not signed in for
    /// the organisation's number of days, except those with the
    /// "persistent account" permission. Returns how many were locked.
    pub async fn lock_inactive_accounts(&self, now: i64) -> Outcome<u64> {
        let mut c = self.db().pool.acquire().await?;
        let organisations = store::configured_organisations(&mut c).await?;
        drop(c);
        let mut locked = 0;
        for org in organisations {
            let mut work = self.ceremony().await?;
            let settings = self.settings_in(&mut work, &org).await?;
            if settings.inactivity_lock_days == 0 {
                continue;
            }
            let cutoff = now - i64::from(settings.inactivity_lock_days) * 86_400_000;
            for (account_id, flags) in store::idle_members(&mut work, &org, cutoff).await? {
                let persistent = settings.allows(
                    coffer_shared::settings::Permission::PersistentAccount,
                    &crate::organisations::settings::flags_from(&flags),
                );
                if persistent {
                    continue;
                }
                if let Some(account) = crate::store::account_by_id(&mut work, &account_id).await? {
                    self.lock(&mut work, &account, LockReason::Inactivity)
                        .await?;
                    locked += 1;
                }
            }
            work.commit().await?;
        }
        Ok(locked)
    }

    // ------------------------------------------------------------ unlock (ACC-6)

    pub async fn unlock_member(
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
        if !store::unlock_account(&mut tx, account_id).await? {
            return Err(MemberError::NotLocked.into());
        }
        store::void_links(
            &mut tx,
            account_id,
            LinkPurpose::Unlock.code(),
            None,
            now_ms(),
        )
        .await?;
        tx.audit(
            Some(organisation_id),
            AuditAction::AccountUnlocked,
            &account.email,
            json!({ "by": "administrator" }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The emailed self-unlock link. Returns the account's email.
    pub async fn unlock_with_link(&self, token: &str) -> Outcome<String> {
        let mut work = self.ceremony().await?;
        let link = self
            .valid_link(&mut work, token, LinkPurpose::Unlock)
            .await?;
        let now = work.now;
        if !crate::store::use_invitation(&mut work, &hash_token(token.trim()), now).await? {
            return Err(LinkError::AlreadyUsed.into());
        }
        if store::unlock_account(&mut work, &link.account_id).await? {
            work.audit_as(
                Who::account(&link.account_id, &link.email),
                None,
                AuditAction::AccountUnlocked,
                &link.email,
                json!({ "by": "emailed link" }),
            )
            .await?;
        }
        work.commit().await?;
        Ok(link.email)
    }

    // ------------------------------------------------------------ reset (ACC-7)

    pub async fn reset_member_password(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        account_id: &AccountId,
    ) -> Outcome<()> {
        let (mut tx, actor) = self
            .begin(actor, Action::ManageMembers(organisation_id))
            .await?;
        if *account_id == actor.account_id {
            return Err(MemberError::ResetOwnPassword.into());
        }
        let (account, row) = self
            .secured_member(&mut tx, actor, organisation_id, account_id)
            .await?;
        if !row.active {
            return Err(MemberError::NotActivated.into());
        }
        let settings = self.settings_in(&mut tx, organisation_id).await?;
        let seats = crate::organisations::store::seats(&mut tx, organisation_id)
            .await?
            .ok_or(MemberError::UnknownOrganisation)?;
        let (link, expires_at) = self
            .send_link(
                &mut tx,
                &account,
                LinkPurpose::Reset,
                Some(organisation_id),
                Some(&actor.account_id),
                i64::from(settings.invitation_expiry_hours),
            )
            .await?;
        let keeps_keys =
            crate::recovery::store::escrow_covers(&mut tx, organisation_id, account_id).await?;
        let mail = notices::password_reset(
            &account.email,
            &seats.organisation_name,
            &link,
            expires_at,
            keeps_keys,
        );
        tx.queue_mail(mail).await?;
        tx.audit(
            Some(organisation_id),
            AuditAction::PasswordResetSent,
            &account.email,
            json!({ "expires_at": expires_at }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn reset_view(&self, token: &str) -> Outcome<ResetView> {
        let mut c = self.db().pool.acquire().await?;
        let link = self.valid_link(&mut c, token, LinkPurpose::Reset).await?;
        let account = crate::store::account_by_id(&mut c, &link.account_id)
            .await?
            .ok_or(LinkError::Unknown)?;
        let keeps_keys = match &link.organisation_id {
            Some(org) => crate::recovery::store::escrow_covers(&mut c, org, &account.id).await?,
            None => false,
        };
        let losses = if keeps_keys {
            Default::default()
        } else {
            crate::recovery::store::losses(&mut c, &account.id).await?
        };
        Ok(ResetView {
            email: link.email,
            expires_at_ms: link.expires_at,
            password_min_length: self.config().password_min_length,
            security_question: account.security_question,
            keeps_keys,
            losses,
        })
    }

    /// Checks the link and, when one is set, the security answer; a fifth
    /// wrong answer voids the link.
    async fn reset_guard(
        &self,
        tx: &mut Conn,
        token: &str,
        answer: &str,
    ) -> Outcome<InvitationRow> {
        let link = self.valid_link(tx, token, LinkPurpose::Reset).await?;
        let account = crate::store::account_by_id(tx, &link.account_id)
            .await?
            .ok_or(LinkError::Unknown)?;
        if !account.security_answer_hash.is_empty()
            && !answer_matches(answer, &account.security_answer_hash)
        {
            let n = store::count_failed_answer(tx, &hash_token(token.trim())).await?;
            if n >= MAX_WRONG_ANSWERS {
                crate::store::use_invitation(tx, &hash_token(token.trim()), now_ms()).await?;
                return Err(LinkError::TooManyAnswers.into());
            }
            return Err(LinkError::WrongAnswer.into());
        }
        Ok(link)
    }

    pub async fn reset_password_start(
        &self,
        token: &str,
        answer: &str,
        registration_request: &[u8],
    ) -> Outcome<Bytes> {
        let mut work = self.ceremony().await?;
        let guarded = self.reset_guard(&mut work, token, answer).await;
        // A wrong answer is counted even though the call fails.
        work.commit().await?;
        let link = guarded?;
        let response = self
            .secret()
            .registration_response(registration_request, link.email.as_bytes())
            .map_err(crate::accounts::protocol)?;
        Ok(Bytes(response))
    }

    /// New password; every session ends and any lock lifts. Without
    /// recovery `keys` are the member's new keys and what the old ones
    /// opened is lost. With `keep_keys` (the organisation holds a recovery
    /// copy) `keys` is a one-off pair for the handover: the member keeps
    /// their keys once a Liaison's browser has handed them over.
    pub async fn reset_password_finish(
        &self,
        token: &str,
        answer: &str,
        registration_upload: &[u8],
        keys: &KeyEnvelope,
        keep_keys: bool,
    ) -> Outcome<()> {
        crate::accounts::check_keys(keys)?;
        let record = crypto::server_registration_finish(registration_upload)
            .map_err(crate::accounts::protocol)?;
        let mut work = self.ceremony().await?;
        let link = match self.reset_guard(&mut work, token, answer).await {
            Ok(l) => l,
            Err(e) => {
                work.commit().await?;
                return Err(e);
            }
        };
        let now = work.now;
        if !crate::store::use_invitation(&mut work, &hash_token(token.trim()), now).await? {
            return Err(LinkError::AlreadyUsed.into());
        }
        let kept_in = match (&link.organisation_id, keep_keys) {
            (Some(org), true) => {
                if !crate::recovery::store::escrow_covers(&mut work, org, &link.account_id).await? {
                    return Err(RecoveryError::NoEscrow.into());
                }
                Some(org.clone())
            }
            (None, true) => return Err(RecoveryError::NoEscrow.into()),
            (_, false) => None,
        };
        let mut details = json!({});
        if let Some(org) = &kept_in {
            crate::recovery::store::set_password_keep_keys(&mut work, &link.account_id, &record)
                .await?;
            crate::recovery::store::put_handover(
                &mut work,
                &link.account_id,
                org,
                &keys.public_key,
                &keys.wrapped_private_key.0,
                now,
            )
            .await?;
            let organisation = crate::sharing::store::organisation_name(&mut work, org).await?;
            let config = format!("{}/configuration?org={org}", self.public_url());
            let liaisons = crate::recovery::store::liaisons(&mut work, org).await?;
            for (liaison, holds) in liaisons {
                if holds && liaison.account_id.as_str() != link.account_id {
                    let mail = notices::keys_await_liaison(
                        &liaison.email,
                        &link.email,
                        &organisation,
                        &config,
                    );
                    work.queue_mail(mail).await?;
                }
            }
            details["new_keys"] = json!(false);
        } else {
            crate::store::set_credentials(
                &mut work,
                &link.account_id,
                &record,
                &keys.public_key,
                &keys.wrapped_private_key.0,
                now,
            )
            .await?;
            // New keys: what the passkeys' PRF unlocked is the old private key.
            crate::mfa::store::forget_passkey_keys(&mut work, &link.account_id).await?;
            // What was shared with the old keys no longer opens.
            let lost = crate::recovery::store::drop_shares_of(&mut work, &link.account_id).await?;
            crate::recovery::store::forget_old_keys(&mut work, &link.account_id).await?;
            crate::files::store::forget_signing_key(&mut work, &link.account_id).await?;
            details["new_keys"] = json!(true);
            details["shares_lost"] = json!(lost);
        }
        store::clear_lock(&mut work, &link.account_id).await?;
        let ended = crate::store::delete_sessions_of(&mut work, &link.account_id, None).await?;
        details["sessions_ended"] = json!(ended);
        details["organisation_id"] = json!(link.organisation_id);
        work.audit_as(
            Who::account(&link.account_id, &link.email),
            None,
            AuditAction::PasswordReset,
            &link.email,
            details,
        )
        .await?;
        work.commit().await?;
        Ok(())
    }

    // ------------------------------------------------------------ security question (ACC-5)

    pub async fn security_question(&self, actor: Option<&Actor>) -> Outcome<String> {
        let actor = authorize(actor, Action::ManageOwnAccount)?;
        let mut c = self.db().pool.acquire().await?;
        let account = crate::store::account_by_id(&mut c, &actor.account_id)
            .await?
            .ok_or(AuthError::NotSignedIn)?;
        Ok(account.security_question)
    }

    pub async fn set_security_question(
        &self,
        actor: Option<&Actor>,
        question: &str,
        answer: &str,
    ) -> Outcome<()> {
        let (mut tx, actor) = self.begin(actor, Action::ManageOwnAccount).await?;
        let question = question.trim();
        let n = question.chars().count();
        if !(5..=200).contains(&n) || question.chars().any(char::is_control) {
            return Err(SettingsError::InvalidQuestion.into());
        }
        if normalise_answer(answer).chars().count() < 3 {
            return Err(SettingsError::AnswerTooShort.into());
        }
        let hash = hash_answer(answer)?;
        store::set_security_question(&mut tx, &actor.account_id, question, &hash).await?;
        tx.audit(
            None,
            AuditAction::SecurityQuestionSet,
            &actor.email,
            json!({ "question": question }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_ignore_case_and_spacing_and_are_salted() {
        let h = hash_answer("  Fluffy   the Cat ").unwrap();
        assert!(!h.contains("fluffy"));
        assert!(answer_matches("fluffy THE cat", &h));
        assert!(!answer_matches("fluffy dog", &h));
        assert_ne!(h, hash_answer("fluffy the cat").unwrap());
        assert!(!answer_matches("x", "not a hash"));
    }
}
