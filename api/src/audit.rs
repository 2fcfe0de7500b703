//! The audit log (AUD-1).

use coffer_shared::types::*;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use crate::ssr;
use crate::ApiError;

// ------------------------------------------------------------------ audit log (AUD-1)

#[server(endpoint = "audit_log", input = Json)]
pub async fn audit_log(
    organisation_id: String,
    query: AuditQuery,
) -> Result<AuditLogPage, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .audit_log(d.actor.as_ref(), &organisation_id, &query)
            .await,
    )
}

#[server(endpoint = "verify_audit_log", input = Json)]
pub async fn verify_audit_log(organisation_id: String) -> Result<ChainReport, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .verify_audit_log(d.actor.as_ref(), &organisation_id)
            .await,
    )
}
