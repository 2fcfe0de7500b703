//! CSV and spreadsheet import of members (IMP-1 … IMP-4).

use coffer_shared::ids::{ImportId, OrganisationId};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use crate::ssr;
use crate::ApiError;

// ------------------------------------------------------------------ CSV import (IMP-4)
// The file itself goes to `POST /upload/import` (a raw body, like the logo).

#[server(endpoint = "import_start", input = Json)]
pub async fn import_start(
    organisation_id: OrganisationId,
    import_id: ImportId,
) -> Result<coffer_shared::import::ImportStatus, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .import_start(d.actor.as_ref(), &organisation_id, &import_id)
            .await,
    )
}

#[server(endpoint = "import_status", input = Json)]
pub async fn import_status(
    organisation_id: OrganisationId,
    import_id: ImportId,
) -> Result<coffer_shared::import::ImportStatus, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .import_status(d.actor.as_ref(), &organisation_id, &import_id)
            .await,
    )
}
