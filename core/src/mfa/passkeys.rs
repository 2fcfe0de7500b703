//! MFA-4: passkeys (WebAuthn discoverable credentials with user
//! verification, by webauthn-rs): register, name, list, remove; sign in
//! with one alone, or use one as the second step after the password.
//! MFA-5: a passkey's PRF output, which only the browser sees, unlocks a
//! second wrapping of the member's private key kept beside the passkey.
//!
//! Every ceremony's server half is kept in `pending_logins` and taken out
//! (deleted) when the browser answers, so a challenge is good for one
//! answer only.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use coffer_shared::accounts::SignInError;
use coffer_shared::ids::PasskeyId;
use coffer_shared::mfa::{MfaError, PasskeyError};
use coffer_shared::mfa::{PasskeyCreation, PasskeyRequest, PasskeySignIn, PasskeyView};
use coffer_shared::types::Bytes;
use coffer_shared::webauthn_rs_proto::ResidentKeyRequirement;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use webauthn_rs::prelude::{
    AuthenticationResult, DiscoverableAuthentication, Passkey, PasskeyAuthentication,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential, Url, Uuid, Webauthn,
    WebauthnBuilder,
};

use crate::accounts::NewSession;
use crate::kernel::audit::{AuditAction, Who};
use crate::kernel::authz::{authorize, Action, Actor};
use crate::kernel::db::{new_handle, new_id, now_ms};
use crate::kernel::error::Outcome;
use crate::mfa::store::PasskeyRow;
use crate::mfa::{record_own, MAX_CODE_ATTEMPTS, PURPOSE_SECOND_FACTOR};
use crate::store::{self, Conn};
use crate::{ClientInfo, Coffer};

const PURPOSE_REGISTER: &str = "passkey_register";
const PURPOSE_SIGN_IN: &str = "passkey_sign_in";
const PURPOSE_SECOND_STEP: &str = "passkey_second_factor";
/// Time to find the authenticator and answer it.
const CEREMONY_TTL_MS: i64 = 5 * 60 * 1000;
const NAME_MAX_CHARS: usize = 64;
/// A wrapped age identity is about 115 bytes; anything far off is not one.
const WRAPPED_KEY_BYTES: std::ops::RangeInclusive<usize> = 41..=1024;

/// The relying party for Coffer's public URL. WebAuthn binds credentials
/// to a domain name, so an address given as an IP has none.
pub fn relying_party(public_url: &str) -> Option<Webauthn> {
    let origin = Url::parse(public_url).ok()?;
    let rp_id = origin.domain()?.to_string();
    WebauthnBuilder::new(&rp_id, &origin)
        .ok()?
        .rp_name("Coffer")
        .build()
        .ok()
}

/// The WebAuthn user handle of an account: its id when that is a UUID (it
/// always is for accounts Coffer made), otherwise derived from it.
fn user_handle(account_id: &str) -> Uuid {
    Uuid::parse_str(account_id).unwrap_or_else(|_| {
        let digest = Sha256::digest(account_id.as_bytes());
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        Uuid::from_bytes(bytes)
    })
}

fn credential_key(raw_id: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(raw_id)
}

/// Trimmed; 1 to 64 characters, no control characters.
pub fn passkey_name(typed: &str) -> Result<String, PasskeyError> {
    let name = typed.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > NAME_MAX_CHARS || name.chars().any(char::is_control) {
        return Err(PasskeyError::BadName);
    }
    Ok(name.to_string())
}

fn view(row: &PasskeyRow) -> PasskeyView {
    PasskeyView {
        id: row.id.clone().into(),
        credential_id: row.credential_id.clone(),
        name: row.name.clone(),
        created_at_ms: row.created_at,
        last_used_at_ms: row.last_used_at,
        unlocks_keys: row.prf_wrapped_key.is_some(),
    }
}

fn stored_passkey(row: &PasskeyRow) -> Outcome<Passkey> {
    Ok(serde_json::from_str(&row.credential)
        .map_err(|e| anyhow::anyhow!("stored passkey {}: {e}", row.id))?)
}

fn encode_state<T: Serialize>(state: &T) -> Outcome<Vec<u8>> {
    Ok(serde_json::to_vec(state).map_err(|e| anyhow::anyhow!("ceremony state: {e}"))?)
}

fn decode_state<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Outcome<T> {
    Ok(serde_json::from_slice(bytes).map_err(|e| anyhow::anyhow!("ceremony state: {e}"))?)
}

fn check_wrapped_key(wrapped: Option<&[u8]>) -> Result<(), PasskeyError> {
    match wrapped {
        Some(w) if !WRAPPED_KEY_BYTES.contains(&w.len()) => Err(PasskeyError::BadWrappedKey),
        _ => Ok(()),
    }
}

/// The second-step ceremony belongs to one waiting sign-in.
#[derive(Serialize, Deserialize)]
struct SecondStepState {
    ticket: String,
    state: PasskeyAuthentication,
}

impl Coffer {
    fn webauthn(&self) -> Result<&Webauthn, PasskeyError> {
        self.relying_party().ok_or(PasskeyError::Unavailable)
    }

    /// A ceremony's server half, taken out so it answers once; `None` when
    /// it expired, was used, or belongs to another purpose or account.
    async fn take_ceremony(
        &self,
        c: &mut Conn,
        ceremony_id: &str,
        purpose: &str,
        account_id: Option<&str>,
    ) -> Outcome<Option<Vec<u8>>> {
        let now = now_ms();
        Ok(store::take_pending_login(c, ceremony_id)
            .await?
            .filter(|p| {
                p.purpose == purpose && p.account_id.as_deref() == account_id && p.expires_at > now
            })
            .map(|p| p.server_state))
    }

    async fn keep_ceremony(
        &self,
        c: &mut Conn,
        account_id: Option<&str>,
        purpose: &str,
        state: Vec<u8>,
    ) -> Outcome<String> {
        let id = new_handle();
        let now = now_ms();
        store::insert_pending_login(
            c,
            &id,
            account_id,
            purpose,
            &state,
            now,
            now + CEREMONY_TTL_MS,
        )
        .await?;
        Ok(id)
    }

    pub async fn passkeys(&self, actor: Option<&Actor>) -> Outcome<Vec<PasskeyView>> {
        let actor = authorize(actor, Action::ManageOwnAccount)?;
        let mut c = self.db().pool.acquire().await?;
        let rows = crate::mfa::store::passkeys_of(&mut c, &actor.account_id).await?;
        Ok(rows.iter().map(view).collect())
    }

    /// The options for the browser's `navigator.credentials.create`: a
    /// discoverable credential with user verification, none of the
    /// member's existing passkeys again.
    /// `setup_token` is the mailed set-up link's token, needed when the
    /// session may only set up a second factor (MFA-2, MFA-3).
    pub async fn passkey_register_start(
        &self,
        actor: Option<&Actor>,
        setup_token: Option<&str>,
    ) -> Outcome<PasskeyCreation> {
        let (mut tx, actor) = self.begin(actor, Action::SetUpSecondFactor).await?;
        self.check_setup_link(actor, setup_token).await?;
        // A session that may only set up a factor holds the mailed link
        // instead; any other needs a recent proof.
        if !actor.setup_only {
            self.fresh_proof(actor)?;
        }
        let webauthn = self.webauthn()?;
        let existing = crate::mfa::store::passkeys_of(&mut tx, &actor.account_id).await?;
        let exclude = existing
            .iter()
            .map(|row| stored_passkey(row).map(|p| p.cred_id().clone()))
            .collect::<Outcome<Vec<_>>>()?;
        let (mut options, state) = webauthn
            .start_passkey_registration(
                user_handle(&actor.account_id),
                &actor.email,
                &actor.email,
                Some(exclude),
            )
            .map_err(|e| anyhow::anyhow!("passkey registration options: {e:?}"))?;
        // Discoverable, so that signing in needs no name typed first.
        if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
            selection.require_resident_key = true;
            selection.resident_key = Some(ResidentKeyRequirement::Required);
        }
        let ceremony_id = self
            .keep_ceremony(
                &mut tx,
                Some(&actor.account_id),
                PURPOSE_REGISTER,
                encode_state(&state)?,
            )
            .await?;
        tx.commit().await?;
        Ok(PasskeyCreation {
            ceremony_id,
            options,
        })
    }

    /// Verifies the new credential and keeps it under the member's name for
    /// it; `prf_wrapped_key` is the MFA-5 wrapping when the browser could
    /// already evaluate the PRF.
    pub async fn passkey_register_finish(
        &self,
        actor: Option<&Actor>,
        ceremony_id: &str,
        name: &str,
        credential: &RegisterPublicKeyCredential,
        prf_wrapped_key: Option<&[u8]>,
    ) -> Outcome<PasskeyView> {
        // The link was checked when the ceremony started.
        let (mut tx, actor) = self.begin(actor, Action::SetUpSecondFactor).await?;
        let name = passkey_name(name)?;
        check_wrapped_key(prf_wrapped_key)?;
        let webauthn = self.webauthn()?;
        let Some(state) = self
            .take_ceremony(
                &mut tx,
                ceremony_id,
                PURPOSE_REGISTER,
                Some(&actor.account_id),
            )
            .await?
        else {
            tx.commit().await?;
            return Err(PasskeyError::CeremonyExpired.into());
        };
        let state: PasskeyRegistration = decode_state(&state)?;
        let passkey = match webauthn.finish_passkey_registration(credential, &state) {
            Ok(p) => p,
            Err(e) => {
                tracing::info!(error = ?e, "passkey registration refused");
                tx.commit().await?;
                return Err(PasskeyError::NotVerified.into());
            }
        };
        let credential_id = credential_key(passkey.cred_id());
        if crate::mfa::store::passkey_by_credential_id(&mut tx, &credential_id)
            .await?
            .is_some()
        {
            tx.commit().await?;
            return Err(PasskeyError::AlreadyRegistered.into());
        }
        let now = now_ms();
        let row = PasskeyRow {
            id: new_id(),
            account_id: actor.account_id.clone(),
            credential_id,
            name,
            credential: serde_json::to_string(&passkey)
                .map_err(|e| anyhow::anyhow!("passkey: {e}"))?,
            prf_wrapped_key: prf_wrapped_key.map(<[u8]>::to_vec),
            created_at: now,
            last_used_at: None,
        };
        crate::mfa::store::insert_passkey(&mut tx, &row).await?;
        // A passkey is a second factor: a member who had to set one up
        // (MFA-2, MFA-3) now has.
        self.second_factor_in_place(&mut tx, &actor.account_id, now)
            .await?;
        record_own(
            &mut tx,
            actor,
            AuditAction::PasskeyAdded,
            json!({ "name": row.name, "unlocks_keys": row.prf_wrapped_key.is_some() }),
        )
        .await?;
        tx.commit().await?;
        Ok(view(&row))
    }

    /// MFA-5: the wrapping made after registration, when the browser had
    /// to ask the authenticator a second time for the PRF output.
    pub async fn passkey_set_key(
        &self,
        actor: Option<&Actor>,
        passkey_id: &PasskeyId,
        prf_wrapped_key: &[u8],
    ) -> Outcome<PasskeyView> {
        let (mut tx, actor) = self.begin(actor, Action::ManageOwnAccount).await?;
        check_wrapped_key(Some(prf_wrapped_key))?;
        if !crate::mfa::store::set_passkey_key(
            &mut tx,
            &actor.account_id,
            passkey_id,
            prf_wrapped_key,
        )
        .await?
        {
            return Err(PasskeyError::NotFound.into());
        }
        let row = crate::mfa::store::passkeys_of(&mut tx, &actor.account_id)
            .await?
            .into_iter()
            .find(|p| p.id == *passkey_id)
            .ok_or(PasskeyError::NotFound)?;
        tx.commit().await?;
        Ok(view(&row))
    }

    pub async fn passkey_rename(
        &self,
        actor: Option<&Actor>,
        passkey_id: &PasskeyId,
        name: &str,
    ) -> Outcome<()> {
        let (mut tx, actor) = self.begin(actor, Action::ManageOwnAccount).await?;
        let name = passkey_name(name)?;
        if !crate::mfa::store::rename_passkey(&mut tx, &actor.account_id, passkey_id, &name).await?
        {
            return Err(PasskeyError::NotFound.into());
        }
        record_own(
            &mut tx,
            actor,
            AuditAction::PasskeyRenamed,
            json!({ "name": name }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn passkey_remove(
        &self,
        actor: Option<&Actor>,
        passkey_id: &PasskeyId,
    ) -> Outcome<()> {
        let (mut tx, actor) = self.begin(actor, Action::ManageOwnAccount).await?;
        self.fresh_proof(actor)?;
        let Some(row) = crate::mfa::store::passkeys_of(&mut tx, &actor.account_id)
            .await?
            .into_iter()
            .find(|p| p.id == *passkey_id)
        else {
            return Err(PasskeyError::NotFound.into());
        };
        crate::mfa::store::delete_passkey(&mut tx, &actor.account_id, passkey_id).await?;
        record_own(
            &mut tx,
            actor,
            AuditAction::PasskeyRemoved,
            json!({ "name": row.name }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// After a verified use: the new signature counter and the time.
    async fn note_use(
        &self,
        c: &mut Conn,
        row: &PasskeyRow,
        result: &AuthenticationResult,
        now: i64,
    ) -> Outcome<()> {
        let mut passkey = stored_passkey(row)?;
        passkey.update_credential(result);
        let updated =
            serde_json::to_string(&passkey).map_err(|e| anyhow::anyhow!("passkey: {e}"))?;
        crate::mfa::store::passkey_used(c, &row.id, &updated, now).await?;
        Ok(())
    }

    /// "Sign in with a passkey": the options for `navigator.credentials.get`
    /// with no credential named, so the authenticator offers what it holds.
    pub async fn passkey_sign_in_start(&self) -> Outcome<PasskeyRequest> {
        let webauthn = self.webauthn()?;
        let (mut options, state) = webauthn
            .start_discoverable_authentication()
            .map_err(|e| anyhow::anyhow!("passkey sign-in options: {e:?}"))?;
        // A button press, not username-field autofill.
        options.mediation = None;
        let mut work = self.ceremony().await?;
        let ceremony_id = self
            .keep_ceremony(&mut work, None, PURPOSE_SIGN_IN, encode_state(&state)?)
            .await?;
        work.commit().await?;
        Ok(PasskeyRequest {
            ceremony_id,
            options,
        })
    }

    /// A passkey with user verification is two factors in one, so this
    /// opens a full session; with MFA-5 the browser also gets the wrapping
    /// its PRF output opens.
    pub async fn passkey_sign_in_finish(
        &self,
        ceremony_id: &str,
        credential: &PublicKeyCredential,
        client: &ClientInfo,
    ) -> Outcome<(NewSession, PasskeySignIn)> {
        let webauthn = self.webauthn()?;
        let mut work = self.ceremony().await?;
        let Some(state) = self
            .take_ceremony(&mut work, ceremony_id, PURPOSE_SIGN_IN, None)
            .await?
        else {
            work.commit().await?;
            return Err(PasskeyError::CeremonyExpired.into());
        };
        work.commit().await?;
        let state: DiscoverableAuthentication = decode_state(&state)?;
        let mut work = self.ceremony().await?;
        let (handle, raw_id) = webauthn
            .identify_discoverable_authentication(credential)
            .map_err(|_| PasskeyError::NotVerified)?;
        let Some(row) =
            crate::mfa::store::passkey_by_credential_id(&mut work, &credential_key(raw_id)).await?
        else {
            return Err(PasskeyError::NotRecognised.into());
        };
        if user_handle(&row.account_id) != handle {
            return Err(PasskeyError::NotVerified.into());
        }
        let Some(account) = store::account_by_id(&mut work, &row.account_id).await? else {
            return Err(PasskeyError::NotRecognised.into());
        };
        let now = work.now;
        let verified = webauthn.finish_discoverable_authentication_v2(
            credential,
            state,
            stored_passkey(&row)?,
        );
        let result = match verified {
            Ok(r) => r,
            Err(e) => {
                tracing::info!(error = ?e, "passkey sign-in refused");
                work.audit_as(
                    Who::account(&account.id, &account.email),
                    None,
                    AuditAction::SignInFailed,
                    &account.email,
                    json!({ "ip": client.ip, "passkey": row.name }),
                )
                .await?;
                work.commit().await?;
                return Err(PasskeyError::NotVerified.into());
            }
        };
        // A lock for guessing passwords leaves passkeys working: a passkey
        // cannot be guessed, so an attacker cannot lock its owner out.
        if account.refuses_everything() {
            return Err(SignInError::AccountLocked.into());
        }
        let memberships = store::memberships_of(&mut work, &account.id).await?;
        let refusal = match self
            .licence_refusal(&mut work, &account, &memberships)
            .await?
        {
            Some(r) => Some(r),
            None => {
                self.permission_refusal(&mut work, &account, &memberships)
                    .await?
            }
        };
        if let Some(refusal) = refusal {
            work.commit().await?;
            return Err(refusal.into());
        }
        self.note_use(&mut work, &row, &result, now).await?;
        let session = self
            .open_session(
                &mut work,
                &account,
                client,
                now,
                json!({ "ip": client.ip, "passkey": row.name }),
                false,
            )
            .await?;
        work.commit().await?;
        let answer = PasskeySignIn {
            signed_in: session.signed_in.clone(),
            passkey_id: row.id.into(),
            prf_wrapped_key: row.prf_wrapped_key.map(Bytes),
        };
        Ok((session, answer))
    }

    /// The second step with a passkey instead of a code: options naming
    /// the member's passkeys, for the sign-in waiting under `ticket`.
    pub async fn passkey_second_factor_start(&self, ticket: &str) -> Outcome<PasskeyRequest> {
        let webauthn = self.webauthn()?;
        let mut work = self.ceremony().await?;
        let now = work.now;
        let Some(waiting) =
            crate::mfa::store::waiting_sign_in(&mut work, ticket, PURPOSE_SECOND_FACTOR)
                .await?
                .filter(|w| w.expires_at > now)
        else {
            return Err(SignInError::AttemptExpired.into());
        };
        let rows = crate::mfa::store::passkeys_of(&mut work, &waiting.account_id).await?;
        if rows.is_empty() {
            return Err(PasskeyError::NoPasskeys.into());
        }
        let keys = rows
            .iter()
            .map(stored_passkey)
            .collect::<Outcome<Vec<_>>>()?;
        let (options, state) = webauthn
            .start_passkey_authentication(&keys)
            .map_err(|e| anyhow::anyhow!("passkey second-step options: {e:?}"))?;
        let state = SecondStepState {
            ticket: ticket.to_string(),
            state,
        };
        let ceremony_id = self
            .keep_ceremony(
                &mut work,
                Some(&waiting.account_id),
                PURPOSE_SECOND_STEP,
                encode_state(&state)?,
            )
            .await?;
        work.commit().await?;
        Ok(PasskeyRequest {
            ceremony_id,
            options,
        })
    }

    pub async fn passkey_second_factor_finish(
        &self,
        ticket: &str,
        ceremony_id: &str,
        credential: &PublicKeyCredential,
        client: &ClientInfo,
    ) -> Outcome<NewSession> {
        let webauthn = self.webauthn()?;
        let mut work = self.ceremony().await?;
        let now = work.now;
        let Some(waiting) =
            crate::mfa::store::waiting_sign_in(&mut work, ticket, PURPOSE_SECOND_FACTOR)
                .await?
                .filter(|w| w.expires_at > now)
        else {
            return Err(SignInError::AttemptExpired.into());
        };
        let state = self
            .take_ceremony(
                &mut work,
                ceremony_id,
                PURPOSE_SECOND_STEP,
                Some(&waiting.account_id),
            )
            .await?
            .map(|s| decode_state::<SecondStepState>(&s))
            .transpose()?
            .filter(|s| s.ticket == ticket);
        let Some(state) = state else {
            work.commit().await?;
            return Err(PasskeyError::CeremonyExpired.into());
        };
        let account = store::account_by_id(&mut work, &waiting.account_id)
            .await?
            .filter(|a| a.locked_at.is_none())
            .ok_or(SignInError::AttemptExpired)?;
        let row = crate::mfa::store::passkey_by_credential_id(
            &mut work,
            &credential_key(&credential.raw_id),
        )
        .await?
        .filter(|r| r.account_id == account.id);
        let Some(row) = row else {
            work.commit().await?;
            return Err(PasskeyError::NotRecognised.into());
        };
        let result = match webauthn.finish_passkey_authentication(credential, &state.state) {
            Ok(r) => r,
            Err(e) => {
                tracing::info!(error = ?e, "passkey second step refused");
                if crate::mfa::store::count_second_factor_attempt(&mut work, ticket).await?
                    >= MAX_CODE_ATTEMPTS
                {
                    crate::mfa::store::delete_pending_login(&mut work, ticket).await?;
                    work.commit().await?;
                    return Err(MfaError::TooManyAttempts.into());
                }
                work.commit().await?;
                return Err(PasskeyError::NotVerified.into());
            }
        };
        self.note_use(&mut work, &row, &result, now).await?;
        crate::mfa::store::delete_pending_login(&mut work, ticket).await?;
        let session = self
            .open_session(
                &mut work,
                &account,
                client,
                now,
                json!({ "ip": client.ip, "second_factor": "passkey", "passkey": row.name }),
                false,
            )
            .await?;
        work.commit().await?;
        Ok(session)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(passkey_name("  Work laptop ").unwrap(), "Work laptop");
        assert_eq!(passkey_name(" "), Err(PasskeyError::BadName));
        assert_eq!(passkey_name(&"x".repeat(65)), Err(PasskeyError::BadName));
        assert!(passkey_name(&"é".repeat(64)).is_ok());
        assert_eq!(passkey_name("a\u{7}b"), Err(PasskeyError::BadName));
    }

    #[test]
    fn a_relying_party_needs_a_domain_name() {
        assert!(relying_party("http://localhost:8080").is_some());
        assert!(relying_party("https://coffer.example.org").is_some());
        assert!(relying_party("http://127.0.0.1:8080").is_none());
        assert!(relying_party("not a url").is_none());
    }

    #[test]
    fn user_handles_are_stable() {
        let id = "5f0c8f5e-8a53-4c55-9d3f-1d1c0f3c2b7a";
        assert_eq!(user_handle(id).to_string(), id);
        assert_eq!(user_handle("legacy"), user_handle("legacy"));
        assert_ne!(user_handle("legacy"), user_handle("other"));
    }
}
