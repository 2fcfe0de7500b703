//! Account security run by administrators and by members themselves: lockout
//! and unlock (ACC-6), password reset (ACC-7), the security question (ACC-5).

use coffer_shared::accounts::*;
use coffer_shared::ids::{AccountId, OrganisationId};
use coffer_shared::types::*;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use crate::ssr;
use crate::ApiError;

// ------------------------------------------------------------------ lockout (ACC-6), reset (ACC-7), security question (ACC-5)

/// The browser found the password wrong by itself; answers the same for
/// every account.
#[server(endpoint = "sign_in_failed", input = Json)]
pub async fn sign_in_failed(login_id: String) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.sign_in_failed(&login_id, &d.client).await)
}

#[server(endpoint = "unlock_member", input = Json)]
pub async fn unlock_member(
    organisation_id: OrganisationId,
    account_id: AccountId,
) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .unlock_member(d.actor.as_ref(), &organisation_id, &account_id)
            .await,
    )
}

/// The emailed self-unlock link; returns the account's email.
#[server(endpoint = "unlock_with_link", input = Json)]
pub async fn unlock_with_link(token: String) -> Result<String, ApiError> {
    ssr::answer(ssr::door().await?.coffer.unlock_with_link(&token).await)
}

#[server(endpoint = "reset_member_password", input = Json)]
pub async fn reset_member_password(
    organisation_id: OrganisationId,
    account_id: AccountId,
) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .reset_member_password(d.actor.as_ref(), &organisation_id, &account_id)
            .await,
    )
}

#[server(endpoint = "reset_view", input = Json)]
pub async fn get_reset_view(token: String) -> Result<ResetView, ApiError> {
    ssr::answer(ssr::door().await?.coffer.reset_view(&token).await)
}

#[server(endpoint = "reset_password_start", input = Json)]
pub async fn reset_password_start(
    token: String,
    answer: String,
    registration_request: Bytes,
) -> Result<Bytes, ApiError> {
    ssr::answer(
        ssr::door()
            .await?
            .coffer
            .reset_password_start(&token, &answer, &registration_request.0)
            .await,
    )
}

#[server(endpoint = "reset_password_finish", input = Json)]
pub async fn reset_password_finish(
    token: String,
    answer: String,
    registration_upload: Bytes,
    keys: KeyEnvelope,
    /// CRY-6: `keys` is the one-off pair of a reset that keeps the keys.
    #[server(default)]
    keep_keys: bool,
) -> Result<(), ApiError> {
    ssr::answer(
        ssr::door()
            .await?
            .coffer
            .reset_password_finish(&token, &answer, &registration_upload.0, &keys, keep_keys)
            .await,
    )
}

#[server(endpoint = "security_question", input = Json)]
pub async fn get_security_question() -> Result<String, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.security_question(d.actor.as_ref()).await)
}

#[server(endpoint = "set_security_question", input = Json)]
pub async fn set_security_question(question: String, answer: String) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .set_security_question(d.actor.as_ref(), &question, &answer)
            .await,
    )
}
