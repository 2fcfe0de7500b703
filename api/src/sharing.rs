//! Sharing (BOX-2, BOX-3): whom to share with, permits given, changed and
//! removed, who has access, and what others shared with the member. Keys
//! arrive wrapped and signed by the granter's browser.

use coffer_shared::ids::{AccountId, NodeId, OrganisationId};
use coffer_shared::sharing::{
    Access, NewPermit, Notices, OutsideShare, ReadyShare, Recipient, Rotation, RotationPlan,
    SharedItem,
};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use crate::ssr;
use crate::ApiError;

#[server(endpoint = "sharing_suggestions", input = Json)]
pub async fn share_suggestions(
    organisation_id: OrganisationId,
    prefix: String,
) -> Result<Vec<Recipient>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .share_suggestions(d.actor.as_ref(), &organisation_id, &prefix)
            .await,
    )
}

#[server(endpoint = "sharing_recipient", input = Json)]
pub async fn share_recipient(
    organisation_id: OrganisationId,
    email: String,
) -> Result<Recipient, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .share_recipient(d.actor.as_ref(), &organisation_id, &email)
            .await,
    )
}

#[server(endpoint = "sharing_grant", input = Json)]
pub async fn grant_permit(
    organisation_id: OrganisationId,
    permit: NewPermit,
) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .grant(d.actor.as_ref(), &organisation_id, &permit)
            .await,
    )
}

#[server(endpoint = "sharing_access", input = Json)]
pub async fn access_list(
    organisation_id: OrganisationId,
    node_id: NodeId,
) -> Result<Vec<Access>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .access_list(d.actor.as_ref(), &organisation_id, &node_id)
            .await,
    )
}

#[server(endpoint = "sharing_remove", input = Json)]
pub async fn unshare(
    organisation_id: OrganisationId,
    node_id: NodeId,
    account_id: AccountId,
) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .unshare(d.actor.as_ref(), &organisation_id, &node_id, &account_id)
            .await,
    )
}

#[server(endpoint = "sharing_shared_with_me", input = Json)]
pub async fn shared_with_me(organisation_id: OrganisationId) -> Result<Vec<SharedItem>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .shared_with_me(d.actor.as_ref(), &organisation_id)
            .await,
    )
}

#[server(endpoint = "sharing_notices", input = Json)]
pub async fn my_notices() -> Result<Notices, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.my_notices(d.actor.as_ref()).await)
}

#[server(endpoint = "sharing_set_notices", input = Json)]
pub async fn set_notices(notices: Notices) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.set_notices(d.actor.as_ref(), notices).await)
}

#[server(endpoint = "sharing_rotation_plan", input = Json)]
pub async fn plan_rotation(
    organisation_id: OrganisationId,
    node_id: NodeId,
) -> Result<RotationPlan, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .rotation_plan(d.actor.as_ref(), &organisation_id, &node_id)
            .await,
    )
}

#[server(endpoint = "sharing_rotate", input = Json)]
pub async fn renew_key(
    organisation_id: OrganisationId,
    rotation: Rotation,
) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .rotate(d.actor.as_ref(), &organisation_id, &rotation)
            .await,
    )
}

#[server(endpoint = "sharing_rotations_due", input = Json)]
pub async fn rotations_due(organisation_id: OrganisationId) -> Result<Vec<NodeId>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .rotations_due(d.actor.as_ref(), &organisation_id)
            .await,
    )
}

#[server(endpoint = "sharing_invite", input = Json)]
pub async fn share_with_outsider(
    organisation_id: OrganisationId,
    share: OutsideShare,
) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .share_with_outsider(d.actor.as_ref(), &organisation_id, &share)
            .await,
    )
}

#[server(endpoint = "sharing_ready", input = Json)]
pub async fn ready_shares(organisation_id: OrganisationId) -> Result<Vec<ReadyShare>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .ready_shares(d.actor.as_ref(), &organisation_id)
            .await,
    )
}
