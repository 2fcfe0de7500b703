//! Organisations (ORG-2), configuration (ORG-12), plans (ORG-8)
//! and logo (ORG-10).

use coffer_shared::ids::{OrganisationId, PlanId};
use coffer_shared::organisations::*;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use crate::ssr;
use crate::ApiError;

// ------------------------------------------------------------------ organisations

#[server(endpoint = "create_organisation", input = Json)]
pub async fn create_organisation(
    organisation: NewOrganisation,
) -> Result<OrganisationView, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .create_organisation(d.actor.as_ref(), &organisation)
            .await,
    )
}

#[server(endpoint = "organisations", input = Json)]
pub async fn organisations() -> Result<Vec<OrganisationView>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.organisations(d.actor.as_ref()).await)
}

// ------------------------------------------------------------------ configuration (ORG-12), plans (ORG-8), logo (ORG-10)

#[server(endpoint = "organisation_settings", input = Json)]
pub async fn organisation_settings(
    organisation_id: OrganisationId,
) -> Result<coffer_shared::settings::OrgSettings, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .organisation_settings(d.actor.as_ref(), &organisation_id)
            .await,
    )
}

#[server(endpoint = "update_organisation_settings", input = Json)]
pub async fn update_organisation_settings(
    organisation_id: OrganisationId,
    settings: coffer_shared::settings::OrgSettings,
) -> Result<coffer_shared::settings::OrgSettings, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .update_organisation_settings(d.actor.as_ref(), &organisation_id, &settings)
            .await,
    )
}

#[server(endpoint = "plans", input = Json)]
pub async fn list_plans(organisation_id: OrganisationId) -> Result<Vec<PlanView>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.plans(d.actor.as_ref(), &organisation_id).await)
}

/// Creates a plan, or changes the one named by `plan_id`.
#[server(endpoint = "save_plan", input = Json)]
pub async fn save_plan(
    organisation_id: OrganisationId,
    plan_id: Option<PlanId>,
    name: String,
    quota_gb: i64,
) -> Result<Vec<PlanView>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .save_plan(
                d.actor.as_ref(),
                &organisation_id,
                plan_id.as_deref(),
                &name,
                quota_gb,
            )
            .await,
    )
}

#[server(endpoint = "set_default_plan", input = Json)]
pub async fn set_default_plan(
    organisation_id: OrganisationId,
    plan_id: PlanId,
) -> Result<Vec<PlanView>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .set_default_plan(d.actor.as_ref(), &organisation_id, &plan_id)
            .await,
    )
}

#[server(endpoint = "remove_plan", input = Json)]
pub async fn remove_plan(
    organisation_id: OrganisationId,
    plan_id: PlanId,
) -> Result<Vec<PlanView>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .remove_plan(d.actor.as_ref(), &organisation_id, &plan_id)
            .await,
    )
}

#[server(endpoint = "remove_logo", input = Json)]
pub async fn remove_logo(organisation_id: OrganisationId) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .remove_logo(d.actor.as_ref(), &organisation_id)
            .await,
    )
}
