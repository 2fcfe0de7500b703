//! Files (BOX-1, CRY-2, CRY-5): starting, resuming, completing and
//! cancelling uploads, what a download needs besides the payload, and the
//! member's signing key. Parts travel on their own routes
//! (`coffer_shared::site::upload_part`, `file_part`), not here.

use coffer_shared::boxes::NodeView;
use coffer_shared::files::{
    BoxExport, Completion, FileContent, NewUpload, SigningKey, StorageUsage, UploadState,
};
use coffer_shared::ids::{NodeId, OrganisationId};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use crate::ssr;
use crate::ApiError;

#[server(endpoint = "storage_usage", input = Json)]
pub async fn my_storage(organisation_id: OrganisationId) -> Result<StorageUsage, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .storage_usage(d.actor.as_ref(), &organisation_id)
            .await,
    )
}

#[server(endpoint = "signing_key", input = Json)]
pub async fn my_signing_key() -> Result<Option<SigningKey>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.signing_key(d.actor.as_ref()).await)
}

#[server(endpoint = "set_signing_key", input = Json)]
pub async fn set_signing_key(key: SigningKey) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.set_signing_key(d.actor.as_ref(), &key).await)
}

#[server(endpoint = "create_upload", input = Json)]
pub async fn create_upload(
    organisation_id: OrganisationId,
    parent_id: NodeId,
    upload: NewUpload,
) -> Result<UploadState, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .create_upload(d.actor.as_ref(), &organisation_id, &parent_id, &upload)
            .await,
    )
}

#[server(endpoint = "upload_state", input = Json)]
pub async fn resume_upload(upload_id: String) -> Result<UploadState, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.upload_state(d.actor.as_ref(), &upload_id).await)
}

#[server(endpoint = "complete_upload", input = Json)]
pub async fn complete_upload(
    upload_id: String,
    completion: Completion,
) -> Result<NodeView, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .complete_upload(d.actor.as_ref(), &upload_id, &completion)
            .await,
    )
}

#[server(endpoint = "cancel_upload", input = Json)]
pub async fn cancel_upload(upload_id: String) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.cancel_upload(d.actor.as_ref(), &upload_id).await)
}

#[server(endpoint = "file_content", input = Json)]
pub async fn open_file(
    organisation_id: OrganisationId,
    node_id: NodeId,
) -> Result<FileContent, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .file_content(d.actor.as_ref(), &organisation_id, &node_id)
            .await,
    )
}

/// BOX-8: a box or folder and everything under it, for an export the
/// browser writes.
#[server(endpoint = "export", input = Json)]
pub async fn export_items(
    organisation_id: OrganisationId,
    node_id: NodeId,
) -> Result<BoxExport, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .export(d.actor.as_ref(), &organisation_id, &node_id)
            .await,
    )
}
