//! Labels and clearances (BOX-4): the organisation's labels, members'
//! clearances, and the label an item carries.

use coffer_shared::ids::{AccountId, LabelId, NodeId, OrganisationId};
use coffer_shared::labels::LabelView;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use crate::ssr;
use crate::ApiError;

#[server(endpoint = "labels_list", input = Json)]
pub async fn list_labels(organisation_id: OrganisationId) -> Result<Vec<LabelView>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.labels(d.actor.as_ref(), &organisation_id).await)
}

#[server(endpoint = "labels_add", input = Json)]
pub async fn add_label(
    organisation_id: OrganisationId,
    name: String,
) -> Result<LabelView, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .add_label(d.actor.as_ref(), &organisation_id, &name)
            .await,
    )
}

#[server(endpoint = "labels_remove", input = Json)]
pub async fn remove_label(
    organisation_id: OrganisationId,
    label_id: LabelId,
) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .remove_label(d.actor.as_ref(), &organisation_id, &label_id)
            .await,
    )
}

#[server(endpoint = "labels_clearances", input = Json)]
pub async fn member_clearances(
    organisation_id: OrganisationId,
    account_id: AccountId,
) -> Result<Vec<LabelId>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .clearances(d.actor.as_ref(), &organisation_id, &account_id)
            .await,
    )
}

/// Answers how many permits the clearances taken away removed.
#[server(endpoint = "labels_set_clearances", input = Json)]
pub async fn set_clearances(
    organisation_id: OrganisationId,
    account_id: AccountId,
    labels: Vec<LabelId>,
) -> Result<u64, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .set_clearances(d.actor.as_ref(), &organisation_id, &account_id, &labels)
            .await,
    )
}

#[server(endpoint = "labels_set_item", input = Json)]
pub async fn set_item_label(
    organisation_id: OrganisationId,
    node_id: NodeId,
    label_id: Option<LabelId>,
) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .set_item_label(
                d.actor.as_ref(),
                &organisation_id,
                &node_id,
                label_id.as_ref(),
            )
            .await,
    )
}
