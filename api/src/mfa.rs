//! Second factors: authenticator apps and recovery codes (MFA-1, MFA-2,
//! MFA-3), passkeys (MFA-4, MFA-5) and the password proof that re-authenticates.

use coffer_shared::accounts::*;
use coffer_shared::ids::{AccountId, OrganisationId, PasskeyId};
use coffer_shared::mfa::*;
use coffer_shared::types::*;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use crate::ssr;
use crate::ApiError;

// ------------------------------------------------------------------ two-step sign-in (MFA-1)

#[server(endpoint = "two_step_status", input = Json)]
pub async fn get_two_step_status() -> Result<TwoStepStatus, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.two_step_status(d.actor.as_ref()).await)
}

/// `setup_token` is the mailed set-up link's token (MFA-2, MFA-3), needed
/// when the session may only set up a second factor.
#[server(endpoint = "totp_begin", input = Json)]
pub async fn totp_begin(setup_token: Option<String>) -> Result<TotpSetup, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .totp_begin(d.actor.as_ref(), setup_token.as_deref())
            .await,
    )
}

/// Returns the recovery codes, shown once.
#[server(endpoint = "totp_confirm", input = Json)]
pub async fn totp_confirm(code: String) -> Result<Vec<String>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.totp_confirm(d.actor.as_ref(), &code).await)
}

#[server(endpoint = "totp_disable", input = Json)]
pub async fn totp_disable(code: String) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.totp_disable(d.actor.as_ref(), &code).await)
}

/// First OPAQUE round of proving the password inside a session.
#[server(endpoint = "password_proof_start", input = Json)]
pub async fn password_proof_start(credential_request: Bytes) -> Result<LoginChallenge, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .password_proof_start(d.actor.as_ref(), &credential_request.0)
            .await,
    )
}

/// MFA-1: turn the authenticator app off against the password.
#[server(endpoint = "totp_disable_with_password", input = Json)]
pub async fn totp_disable_with_password(
    login_id: String,
    finalization: Bytes,
) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .totp_disable_with_password(d.actor.as_ref(), &login_id, &finalization.0)
            .await,
    )
}

/// MFA-3: an administrator re-seeds a member's authenticator.
#[server(endpoint = "reseed_second_factor", input = Json)]
pub async fn reseed_second_factor(
    organisation_id: OrganisationId,
    account_id: AccountId,
) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .reseed_second_factor(d.actor.as_ref(), &organisation_id, &account_id)
            .await,
    )
}

#[server(endpoint = "recovery_codes_renew", input = Json)]
pub async fn recovery_codes_renew(code: String) -> Result<Vec<String>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.recovery_codes_renew(d.actor.as_ref(), &code).await)
}

// ------------------------------------------------------------------ passkeys (MFA-4, MFA-5)

use coffer_shared::webauthn_rs_proto::{PublicKeyCredential, RegisterPublicKeyCredential};

#[server(endpoint = "passkeys", input = Json)]
pub async fn list_passkeys() -> Result<Vec<PasskeyView>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.passkeys(d.actor.as_ref()).await)
}

/// `setup_token`: the mailed set-up link's token (MFA-2, MFA-3), needed
/// when the session may only set up a second factor.
#[server(endpoint = "passkey_register_start", input = Json)]
pub async fn passkey_register_start(
    setup_token: Option<String>,
) -> Result<PasskeyCreation, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .passkey_register_start(d.actor.as_ref(), setup_token.as_deref())
            .await,
    )
}

/// `prf_wrapped_key`: the private key wrapped under the passkey's PRF
/// output, when the authenticator gave one while creating it.
#[server(endpoint = "passkey_register_finish", input = Json)]
pub async fn passkey_register_finish(
    ceremony_id: String,
    name: String,
    credential: RegisterPublicKeyCredential,
    prf_wrapped_key: Option<Bytes>,
) -> Result<PasskeyView, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .passkey_register_finish(
                d.actor.as_ref(),
                &ceremony_id,
                &name,
                &credential,
                prf_wrapped_key.as_ref().map(|b| b.0.as_slice()),
            )
            .await,
    )
}

#[server(endpoint = "passkey_set_key", input = Json)]
pub async fn passkey_set_key(
    passkey_id: PasskeyId,
    prf_wrapped_key: Bytes,
) -> Result<PasskeyView, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .passkey_set_key(d.actor.as_ref(), &passkey_id, &prf_wrapped_key.0)
            .await,
    )
}

#[server(endpoint = "passkey_rename", input = Json)]
pub async fn passkey_rename(passkey_id: PasskeyId, name: String) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .passkey_rename(d.actor.as_ref(), &passkey_id, &name)
            .await,
    )
}

#[server(endpoint = "passkey_remove", input = Json)]
pub async fn passkey_remove(passkey_id: PasskeyId) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.passkey_remove(d.actor.as_ref(), &passkey_id).await)
}

/// "Sign in with a passkey", nothing typed.
#[server(endpoint = "passkey_sign_in_start", input = Json)]
pub async fn passkey_sign_in_start() -> Result<PasskeyRequest, ApiError> {
    ssr::answer(ssr::door().await?.coffer.passkey_sign_in_start().await)
}

#[server(endpoint = "passkey_sign_in_finish", input = Json)]
pub async fn passkey_sign_in_finish(
    ceremony_id: String,
    credential: PublicKeyCredential,
) -> Result<PasskeySignIn, ApiError> {
    let d = ssr::door().await?;
    let (session, answer) = ssr::answer(
        d.coffer
            .passkey_sign_in_finish(&ceremony_id, &credential, &d.client)
            .await,
    )?;
    d.set_session_cookie(&session.token);
    Ok(answer)
}

/// The second step of a password sign-in with a passkey.
#[server(endpoint = "passkey_second_factor_start", input = Json)]
pub async fn passkey_second_factor_start(ticket: String) -> Result<PasskeyRequest, ApiError> {
    ssr::answer(
        ssr::door()
            .await?
            .coffer
            .passkey_second_factor_start(&ticket)
            .await,
    )
}

#[server(endpoint = "passkey_second_factor_finish", input = Json)]
pub async fn passkey_second_factor_finish(
    ticket: String,
    ceremony_id: String,
    credential: PublicKeyCredential,
) -> Result<SignedIn, ApiError> {
    let d = ssr::door().await?;
    let session = ssr::answer(
        d.coffer
            .passkey_second_factor_finish(&ticket, &ceremony_id, &credential, &d.client)
            .await,
    )?;
    d.set_session_cookie(&session.token);
    Ok(session.signed_in)
}

/// MFA-5 fallback: after a passkey that cannot unlock the keys, the
/// password proves itself (the browser derives the unwrapping key on its
/// own); this second OPAQUE round clears the attempt's count.
#[server(endpoint = "password_proof_finish", input = Json)]
pub async fn password_proof_finish(login_id: String, finalization: Bytes) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .password_proof_finish(d.actor.as_ref(), &login_id, &finalization.0)
            .await,
    )
}
