//! ACC-2 with MFA-1/MFA-4: the second step of a sign-in. After a correct
//! password an account with a second factor gets a short-lived ticket; a
//! TOTP or recovery code then opens the session (a passkey's second step is
//! in `mfa/passkeys.rs`, beside its ceremony).

use coffer_shared::accounts::SecondFactorPrompt;
use coffer_shared::accounts::SignInError;
use coffer_shared::mfa::MfaError;
use serde_json::json;

use crate::accounts::NewSession;
use crate::kernel::audit::{AuditAction, Who};
use crate::kernel::db::new_handle;
use crate::kernel::error::Outcome;
use crate::mfa::store;
use crate::mfa::{MAX_CODE_ATTEMPTS, PURPOSE_SECOND_FACTOR, SECOND_FACTOR_TTL_MS};
use crate::store::Conn;
use crate::{ClientInfo, Coffer};

impl Coffer {
    /// After a correct password, for an account with a second factor.
    pub(crate) async fn await_second_factor(
        &self,
        tx: &mut Conn,
        account_id: &str,
        now: i64,
    ) -> Outcome<SecondFactorPrompt> {
        let ticket = new_handle();
        crate::store::insert_pending_login(
            tx,
            &ticket,
            Some(account_id),
            PURPOSE_SECOND_FACTOR,
            &[],
            now,
            now + SECOND_FACTOR_TTL_MS,
        )
        .await?;
        let totp = store::totp_factor(tx, account_id)
            .await?
            .is_some_and(|t| t.confirmed);
        let passkey = !store::passkeys_of(tx, account_id).await?.is_empty();
        Ok(SecondFactorPrompt {
            ticket,
            totp,
            passkey,
        })
    }

    /// The second step of a sign-in: a TOTP code or a recovery code.
    pub async fn sign_in_second_factor(
        &self,
        ticket: &str,
        code: &str,
        client: &ClientInfo,
    ) -> Outcome<NewSession> {
        let mut work = self.ceremony().await?;
        let now = work.now;
        let waiting = store::waiting_sign_in(&mut work, ticket, PURPOSE_SECOND_FACTOR).await?;
        let Some(waiting) = waiting.filter(|w| w.expires_at > now) else {
            return Err(SignInError::AttemptExpired.into());
        };
        let account = crate::store::account_by_id(&mut work, &waiting.account_id)
            .await?
            .filter(|a| a.locked_at.is_none())
            .ok_or(SignInError::AttemptExpired)?;
        match self
            .prove_second_factor(&mut work, &account.id, &account.email, code, now)
            .await?
        {
            Ok(factor) => {
                store::delete_pending_login(&mut work, ticket).await?;
                let session = self
                    .open_session(
                        &mut work,
                        &account,
                        client,
                        now,
                        json!({ "ip": client.ip, "second_factor": factor }),
                        false,
                    )
                    .await?;
                work.commit().await?;
                Ok(session)
            }
            Err(MfaError::MissingCode) => Err(MfaError::MissingCode.into()),
            Err(refusal) => {
                work.audit_as(
                    Who::account(&account.id, &account.email),
                    None,
                    AuditAction::SignInFailed,
                    &account.email,
                    json!({ "ip": client.ip, "second_factor": "wrong code" }),
                )
                .await?;
                self.count_wrong_code(&mut work, &account.id, &refusal)
                    .await?;
                let attempts = store::count_second_factor_attempt(&mut work, ticket).await?;
                let refusal = if attempts >= MAX_CODE_ATTEMPTS {
                    store::delete_pending_login(&mut work, ticket).await?;
                    MfaError::TooManyAttempts
                } else {
                    refusal
                };
                work.deliver_mail_after_commit();
                work.commit().await?;
                Err(refusal.into())
            }
        }
    }
}
