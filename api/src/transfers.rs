//! ORG-5: carrying out the transfer of a removed member's boxes.

use coffer_shared::ids::OrganisationId;
use coffer_shared::transfers::{TransferDue, Transferred};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use crate::ssr;
use crate::ApiError;

#[server(endpoint = "transfers_due", input = Json)]
pub async fn due_transfers(organisation_id: OrganisationId) -> Result<Vec<TransferDue>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .transfers_due(d.actor.as_ref(), &organisation_id)
            .await,
    )
}

#[server(endpoint = "transfers_complete", input = Json)]
pub async fn complete_transfer(
    organisation_id: OrganisationId,
    removal_id: String,
    done: Transferred,
) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .complete_transfer(d.actor.as_ref(), &organisation_id, &removal_id, &done)
            .await,
    )
}
