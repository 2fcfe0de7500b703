//! The audit log (AUD-1) and the mail outbox (AUD-2).

use coffer_shared::audit::*;
use coffer_shared::ids::OrganisationId;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use crate::ssr;
use crate::ApiError;

// ------------------------------------------------------------------ audit log (AUD-1)

#[server(endpoint = "audit_log", input = Json)]
pub async fn audit_log(
    organisation_id: OrganisationId,
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
pub async fn verify_audit_log(organisation_id: OrganisationId) -> Result<ChainReport, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .verify_audit_log(d.actor.as_ref(), &organisation_id)
            .await,
    )
}

// ------------------------------------------------------------------ outbox (AUD-2)

#[server(endpoint = "outbox", input = Json)]
pub async fn outbox() -> Result<Vec<OutboxSummary>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.outbox(d.actor.as_ref()).await)
}

#[server(endpoint = "outbox_mail", input = Json)]
pub async fn read_outbox_mail(id: String) -> Result<OutboxMail, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.outbox_mail(d.actor.as_ref(), &id).await)
}
