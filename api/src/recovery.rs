//! Organisation key recovery (CRY-6) and the reset that keeps a member's
//! keys (ACC-7).

use coffer_shared::ids::{AccountId, OrganisationId};
use coffer_shared::recovery::{HolderWrap, RecoveryDue, RecoveryView};
use coffer_shared::types::Bytes;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use crate::ssr;
use crate::ApiError;

#[server(endpoint = "recovery_view", input = Json)]
pub async fn get_recovery(organisation_id: OrganisationId) -> Result<RecoveryView, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.recovery(d.actor.as_ref(), &organisation_id).await)
}

#[server(endpoint = "recovery_enable", input = Json)]
pub async fn enable_recovery(
    organisation_id: OrganisationId,
    public_key: String,
    wraps: Vec<HolderWrap>,
) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .enable_recovery(d.actor.as_ref(), &organisation_id, &public_key, &wraps)
            .await,
    )
}

#[server(endpoint = "recovery_disable", input = Json)]
pub async fn disable_recovery(organisation_id: OrganisationId) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .disable_recovery(d.actor.as_ref(), &organisation_id)
            .await,
    )
}

#[server(endpoint = "recovery_share_key", input = Json)]
pub async fn share_recovery_key(
    organisation_id: OrganisationId,
    public_key: String,
    wraps: Vec<HolderWrap>,
) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .share_recovery_key(d.actor.as_ref(), &organisation_id, &public_key, &wraps)
            .await,
    )
}

#[server(endpoint = "recovery_due", input = Json)]
pub async fn keys_to_escrow() -> Result<Vec<RecoveryDue>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.recovery_due(d.actor.as_ref()).await)
}

#[server(endpoint = "recovery_escrow", input = Json)]
pub async fn escrow_keys(
    organisation_id: OrganisationId,
    recovery_public_key: String,
    member_public_key: String,
    escrow: Bytes,
) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .escrow_keys(
                d.actor.as_ref(),
                &organisation_id,
                &recovery_public_key,
                &member_public_key,
                &escrow.0,
            )
            .await,
    )
}

#[server(endpoint = "recovery_hand_over", input = Json)]
pub async fn hand_over_keys(
    organisation_id: OrganisationId,
    account_id: AccountId,
    handed_over: Bytes,
) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .hand_over_keys(
                d.actor.as_ref(),
                &organisation_id,
                &account_id,
                &handed_over.0,
            )
            .await,
    )
}

#[server(endpoint = "recovery_restore", input = Json)]
pub async fn restore_keys(wrapped_private_key: Bytes) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .restore_keys(d.actor.as_ref(), &wrapped_private_key.0)
            .await,
    )
}
