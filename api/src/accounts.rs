//! Accounts: instance setup (ACC-1), invitations (ACC-3), sign-in (ACC-2) and
//! sessions (ACC-8), password change (ACC-5), own profile (ACC-9) and the
//! sign-in help request (ACC-10).

use coffer_shared::accounts::*;
use coffer_shared::types::*;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use crate::ssr;
use crate::ApiError;

// ------------------------------------------------------------------ setup (ACC-1)

#[server(endpoint = "setup_status", input = Json)]
pub async fn get_setup_status() -> Result<SetupStatus, ApiError> {
    ssr::answer(ssr::door().await?.coffer.setup_status().await)
}

#[server(endpoint = "public_settings", input = Json)]
pub async fn get_public_settings() -> Result<PublicSettings, ApiError> {
    let d = ssr::door().await?;
    Ok(PublicSettings {
        password_min_length: d.coffer.config().password_min_length,
    })
}

/// `setup_code`: the one-time code the server prints at start-up.
#[server(endpoint = "setup_start", input = Json)]
pub async fn setup_start(
    email: String,
    setup_code: String,
    registration_request: Bytes,
) -> Result<Bytes, ApiError> {
    ssr::answer(
        ssr::door()
            .await?
            .coffer
            .setup_start(&email, &setup_code, &registration_request.0)
            .await,
    )
}

#[server(endpoint = "setup_finish", input = Json)]
pub async fn setup_finish(
    email: String,
    setup_code: String,
    registration_upload: Bytes,
    keys: KeyEnvelope,
) -> Result<(), ApiError> {
    ssr::answer(
        ssr::door()
            .await?
            .coffer
            .setup_finish(&email, &setup_code, &registration_upload.0, &keys)
            .await,
    )
}

// ------------------------------------------------------------------ invitations (ACC-3)

#[server(endpoint = "invitation", input = Json)]
pub async fn invitation(token: String) -> Result<InvitationView, ApiError> {
    ssr::answer(ssr::door().await?.coffer.invitation(&token).await)
}

#[server(endpoint = "accept_invitation_start", input = Json)]
pub async fn accept_invitation_start(
    token: String,
    registration_request: Bytes,
) -> Result<Bytes, ApiError> {
    ssr::answer(
        ssr::door()
            .await?
            .coffer
            .accept_invitation_start(&token, &registration_request.0)
            .await,
    )
}

#[server(endpoint = "accept_invitation_finish", input = Json)]
pub async fn accept_invitation_finish(
    token: String,
    registration_upload: Bytes,
    keys: KeyEnvelope,
) -> Result<(), ApiError> {
    ssr::answer(
        ssr::door()
            .await?
            .coffer
            .accept_invitation_finish(&token, &registration_upload.0, &keys)
            .await,
    )
}

// ------------------------------------------------------------------ sign-in (ACC-2) and sessions (ACC-8)

#[server(endpoint = "sign_in_start", input = Json)]
pub async fn sign_in_start(
    identifier: String,
    credential_request: Bytes,
) -> Result<LoginChallenge, ApiError> {
    ssr::answer(
        ssr::door()
            .await?
            .coffer
            .sign_in_start(&identifier, &credential_request.0)
            .await,
    )
}

/// The password step: a session, or a ticket for the second factor.
#[server(endpoint = "sign_in_finish", input = Json)]
pub async fn sign_in_finish(login_id: String, finalization: Bytes) -> Result<SignInStep, ApiError> {
    use coffer_core::accounts::SignInResult;
    let d = ssr::door().await?;
    let result = ssr::answer(
        d.coffer
            .sign_in_finish(&login_id, &finalization.0, &d.client)
            .await,
    )?;
    Ok(match result {
        SignInResult::Session(session) => {
            d.set_session_cookie(&session.token);
            SignInStep::SignedIn(session.signed_in)
        }
        SignInResult::SecondFactor(prompt) => SignInStep::SecondFactor(prompt),
    })
}

/// MFA-1: the second step, with a code from the authenticator app or a
/// recovery code.
#[server(endpoint = "sign_in_second_factor", input = Json)]
pub async fn sign_in_second_factor(ticket: String, code: String) -> Result<SignedIn, ApiError> {
    let d = ssr::door().await?;
    let session = ssr::answer(
        d.coffer
            .sign_in_second_factor(&ticket, &code, &d.client)
            .await,
    )?;
    d.set_session_cookie(&session.token);
    Ok(session.signed_in)
}

#[server(endpoint = "me", input = Json)]
pub async fn me() -> Result<SignedIn, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.me(d.actor.as_ref()).await)
}

#[server(endpoint = "sign_out", input = Json)]
pub async fn sign_out() -> Result<(), ApiError> {
    let d = ssr::door().await?;
    d.clear_session_cookie();
    match &d.token {
        Some(token) => ssr::answer(d.coffer.sign_out(token).await),
        None => Ok(()),
    }
}

#[server(endpoint = "sessions", input = Json)]
pub async fn sessions() -> Result<Vec<SessionView>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.sessions(d.actor.as_ref()).await)
}

/// `remove_passkeys`: also remove every passkey (a lost device).
#[server(endpoint = "terminate_all_sessions", input = Json)]
pub async fn terminate_all_sessions(remove_passkeys: Option<bool>) -> Result<u64, ApiError> {
    let d = ssr::door().await?;
    let n = ssr::answer(
        d.coffer
            .terminate_all_sessions(d.actor.as_ref(), remove_passkeys.unwrap_or(false))
            .await,
    )?;
    d.clear_session_cookie();
    Ok(n)
}

// ------------------------------------------------------------------ password change (ACC-5)

#[server(endpoint = "password_change_start", input = Json)]
pub async fn password_change_start(
    credential_request: Bytes,
    registration_request: Bytes,
) -> Result<PasswordChangeChallenge, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .password_change_start(
                d.actor.as_ref(),
                &credential_request.0,
                &registration_request.0,
            )
            .await,
    )
}

#[server(endpoint = "password_change_finish", input = Json)]
pub async fn password_change_finish(
    change_id: String,
    finalization: Bytes,
    registration_upload: Bytes,
    wrapped_private_key: Bytes,
    remove_passkeys: Option<bool>,
) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    let actor = d.actor.as_ref();
    ssr::answer(
        d.coffer
            .password_change_finish(
                actor,
                &change_id,
                &finalization.0,
                &registration_upload.0,
                &wrapped_private_key.0,
                remove_passkeys.unwrap_or(false),
            )
            .await,
    )
}

// ------------------------------------------------------------------ own profile (ACC-9)

#[server(endpoint = "profile", input = Json)]
pub async fn get_profile() -> Result<Profile, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.profile(d.actor.as_ref()).await)
}

#[server(endpoint = "update_profile", input = Json)]
pub async fn update_profile(profile: Profile) -> Result<Profile, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.update_profile(d.actor.as_ref(), &profile).await)
}

// ------------------------------------------------------------------ contact login administrator (ACC-10)

/// Answers the same whether or not the address has an account.
#[server(endpoint = "contact_login_administrator", input = Json)]
pub async fn contact_login_administrator(email: String, message: String) -> Result<(), ApiError> {
    ssr::answer(
        ssr::door()
            .await?
            .coffer
            .contact_login_administrator(&email, &message)
            .await,
    )
}
