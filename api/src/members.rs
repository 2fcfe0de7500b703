//! Members: the Users table (ORG-1, ORG-3, ORG-7), groups (ORG-6), member
//! changes (ORG-4), removal (ORG-5), detail and history (ORG-11).

use coffer_shared::ids::{AccountId, OrganisationId};
use coffer_shared::members::*;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use crate::ssr;
use crate::ApiError;

// ------------------------------------------------------------------ members (ORG-1, ORG-3, ORG-7)

#[server(endpoint = "members", input = Json)]
pub async fn list_members(
    organisation_id: OrganisationId,
    query: MemberQuery,
) -> Result<MemberPage, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .members(d.actor.as_ref(), &organisation_id, &query)
            .await,
    )
}

#[server(endpoint = "add_member", input = Json)]
pub async fn add_member(
    organisation_id: OrganisationId,
    member: NewMember,
) -> Result<MemberRow, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .add_member(d.actor.as_ref(), &organisation_id, &member)
            .await,
    )
}

#[server(endpoint = "member_columns", input = Json)]
pub async fn get_member_columns() -> Result<Vec<MemberColumn>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.member_columns(d.actor.as_ref()).await)
}

#[server(endpoint = "set_member_columns", input = Json)]
pub async fn set_member_columns(columns: Vec<MemberColumn>) -> Result<Vec<MemberColumn>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .set_member_columns(d.actor.as_ref(), &columns)
            .await,
    )
}

// ------------------------------------------------------------------ groups (ORG-6)

#[server(endpoint = "groups", input = Json)]
pub async fn list_groups(organisation_id: OrganisationId) -> Result<Vec<GroupView>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.groups(d.actor.as_ref(), &organisation_id).await)
}

#[server(endpoint = "add_group", input = Json)]
pub async fn add_group(
    organisation_id: OrganisationId,
    name: String,
) -> Result<GroupView, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .add_group(d.actor.as_ref(), &organisation_id, &name)
            .await,
    )
}

#[server(endpoint = "remove_group", input = Json)]
pub async fn remove_group(
    organisation_id: OrganisationId,
    group_id: coffer_shared::ids::GroupId,
) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .remove_group(d.actor.as_ref(), &organisation_id, &group_id)
            .await,
    )
}

#[server(endpoint = "update_member", input = Json)]
pub async fn update_member(
    organisation_id: OrganisationId,
    account_id: AccountId,
    change: MemberChange,
) -> Result<MemberRow, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .update_member(d.actor.as_ref(), &organisation_id, &account_id, &change)
            .await,
    )
}

// ------------------------------------------------------------------ removal (ORG-5), detail and history (ORG-11)

#[server(endpoint = "member_detail", input = Json)]
pub async fn get_member_detail(
    organisation_id: OrganisationId,
    account_id: AccountId,
) -> Result<MemberDetail, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .member_detail(d.actor.as_ref(), &organisation_id, &account_id)
            .await,
    )
}

#[server(endpoint = "member_history", input = Json)]
pub async fn member_history(
    organisation_id: OrganisationId,
    account_id: AccountId,
) -> Result<Vec<HistoryEntry>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .member_history(d.actor.as_ref(), &organisation_id, &account_id)
            .await,
    )
}

#[server(endpoint = "remove_member", input = Json)]
pub async fn remove_member(
    organisation_id: OrganisationId,
    account_id: AccountId,
    removal: MemberRemoval,
) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .remove_member(d.actor.as_ref(), &organisation_id, &account_id, &removal)
            .await,
    )
}
