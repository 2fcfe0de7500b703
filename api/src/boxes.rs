//! Boxes and folders (BOX-1): what the browser stores and reads back. Keys
//! and names arrive wrapped and sealed; the server stores them as they are.

use coffer_shared::boxes::{Activity, FolderView, NewNode, NodeView, Rewrapped, TrashItem};
use coffer_shared::ids::{NodeId, OrganisationId};
use coffer_shared::types::Bytes;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use crate::ssr;
use crate::ApiError;

#[server(endpoint = "boxes", input = Json)]
pub async fn list_boxes(organisation_id: OrganisationId) -> Result<Vec<NodeView>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.boxes(d.actor.as_ref(), &organisation_id).await)
}

#[server(endpoint = "create_box", input = Json)]
pub async fn create_box(
    organisation_id: OrganisationId,
    node: NewNode,
) -> Result<NodeView, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .create_box(d.actor.as_ref(), &organisation_id, &node)
            .await,
    )
}

#[server(endpoint = "create_folder", input = Json)]
pub async fn create_folder(
    organisation_id: OrganisationId,
    parent_id: NodeId,
    node: NewNode,
) -> Result<NodeView, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .create_folder(d.actor.as_ref(), &organisation_id, &parent_id, &node)
            .await,
    )
}

#[server(endpoint = "folder", input = Json)]
pub async fn open_folder(
    organisation_id: OrganisationId,
    node_id: NodeId,
) -> Result<FolderView, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .folder(d.actor.as_ref(), &organisation_id, &node_id)
            .await,
    )
}

#[server(endpoint = "rename_node", input = Json)]
pub async fn rename_node(
    organisation_id: OrganisationId,
    node_id: NodeId,
    sealed_meta: Bytes,
    under: String,
) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .rename_node(
                d.actor.as_ref(),
                &organisation_id,
                &node_id,
                &sealed_meta.0,
                &under,
            )
            .await,
    )
}

#[server(endpoint = "move_node", input = Json)]
pub async fn move_node(
    organisation_id: OrganisationId,
    node_id: NodeId,
    new_parent_id: NodeId,
    rewrapped: Rewrapped,
) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .move_node(
                d.actor.as_ref(),
                &organisation_id,
                &node_id,
                &new_parent_id,
                &rewrapped,
            )
            .await,
    )
}

#[server(endpoint = "trash_node", input = Json)]
pub async fn trash_node(organisation_id: OrganisationId, node_id: NodeId) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .trash_node(d.actor.as_ref(), &organisation_id, &node_id)
            .await,
    )
}

#[server(endpoint = "box_activity", input = Json)]
pub async fn box_activity(
    organisation_id: OrganisationId,
    box_id: NodeId,
) -> Result<Vec<Activity>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .activity(d.actor.as_ref(), &organisation_id, &box_id)
            .await,
    )
}

#[server(endpoint = "trash", input = Json)]
pub async fn list_trash(
    organisation_id: OrganisationId,
    box_id: NodeId,
) -> Result<Vec<TrashItem>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .trash(d.actor.as_ref(), &organisation_id, &box_id)
            .await,
    )
}

#[server(endpoint = "restore_node", input = Json)]
pub async fn restore_node(
    organisation_id: OrganisationId,
    node_id: NodeId,
) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .restore_node(d.actor.as_ref(), &organisation_id, &node_id)
            .await,
    )
}

/// BOX-10: answers how many items (with what was inside them) went.
#[server(endpoint = "empty_trash", input = Json)]
pub async fn empty_trash(organisation_id: OrganisationId, box_id: NodeId) -> Result<u64, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .empty_trash(d.actor.as_ref(), &organisation_id, &box_id)
            .await,
    )
}

/// BOX-10: the member's boxes that are in the trash.
#[server(endpoint = "deleted_boxes", input = Json)]
pub async fn deleted_boxes(organisation_id: OrganisationId) -> Result<Vec<NodeView>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .deleted_boxes(d.actor.as_ref(), &organisation_id)
            .await,
    )
}

/// BOX-10: a deleted box, deleted for good; answers how many items went.
#[server(endpoint = "purge_box", input = Json)]
pub async fn purge_box(organisation_id: OrganisationId, box_id: NodeId) -> Result<u64, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .purge_box(d.actor.as_ref(), &organisation_id, &box_id)
            .await,
    )
}
