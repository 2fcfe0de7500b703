//! ORG-8 plans: named storage quotas. The first plan becomes the default;
//! exactly one plan is the default from then on, and new Originators get it.
//! `may_store` is the rule uploads are checked against.

use coffer_shared::ids::{OrganisationId, PlanId};
use coffer_shared::members::MemberError;
use coffer_shared::organisations::PlanError;
use coffer_shared::organisations::PlanView;
use serde_json::json;

use crate::kernel::audit::AuditAction;
use crate::kernel::authz::{authorize, Action, Actor};
use crate::kernel::db::{new_id, now_ms};
use crate::kernel::error::{is_unique_violation, Outcome};
use crate::Coffer;

const GB: i64 = 1_000_000_000;

pub fn check_plan_name(name: &str) -> Result<String, PlanError> {
    let n = name.trim();
    let len = n.chars().count();
    if len == 0 || len > 60 || n.chars().any(char::is_control) {
        return Err(PlanError::InvalidName);
    }
    Ok(n.to_string())
}

pub fn quota_from_gb(gb: i64) -> Result<i64, PlanError> {
    if !(1..=1_000_000).contains(&gb) {
        return Err(PlanError::InvalidQuota);
    }
    Ok(gb * GB)
}

/// Over quota, uploads are refused until usage drops or the plan grows.
pub fn may_store(quota_bytes: i64, used_bytes: i64, incoming_bytes: i64) -> Result<(), PlanError> {
    let available = (quota_bytes - used_bytes).max(0);
    if incoming_bytes > available {
        let size = |b: i64| coffer_shared::files::size_label(b.max(0) as u64);
        return Err(PlanError::OverQuota {
            needed: size(incoming_bytes),
            available: size(available),
        });
    }
    Ok(())
}

impl Coffer {
    pub async fn plans(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
    ) -> Outcome<Vec<PlanView>> {
        authorize(actor, Action::Configure(organisation_id))?;
        let mut c = self.db().pool.acquire().await?;
        Ok(crate::organisations::store::plans(&mut c, organisation_id).await?)
    }

    /// Creates or (with `plan_id`) changes a plan.
    pub async fn save_plan(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        plan_id: Option<&str>,
        name: &str,
        quota_gb: i64,
    ) -> Outcome<Vec<PlanView>> {
        let (mut tx, _) = self
            .begin(actor, Action::Configure(organisation_id))
            .await?;
        let name = check_plan_name(name)?;
        let quota = quota_from_gb(quota_gb)?;
        let key = name.to_lowercase();
        crate::organisations::store::seats(&mut tx, organisation_id)
            .await?
            .ok_or(MemberError::UnknownOrganisation)?;
        let existing = match plan_id {
            Some(id) => Some(
                crate::organisations::store::plan_in(&mut tx, organisation_id, id)
                    .await?
                    .ok_or(PlanError::Unknown)?,
            ),
            None => None,
        };
        let except = existing.as_ref().map(|p| p.id.as_str()).unwrap_or("");
        if crate::organisations::store::plan_name_taken(&mut tx, organisation_id, &key, except)
            .await?
        {
            return Err(PlanError::NameTaken.into());
        }
        let now = now_ms();
        let (action, details) = match &existing {
            Some(p) => {
                crate::organisations::store::update_plan(&mut tx, &p.id, &name, &key, quota)
                    .await?;
                let details = json!({ "before": { "name": p.name, "quota_bytes": p.quota_bytes }, "after": { "name": name, "quota_bytes": quota } });
                (AuditAction::PlanChanged, details)
            }
            None => {
                let id = new_id();
                let row = crate::organisations::store::NewPlanRow {
                    id: &id,
                    organisation_id,
                    name: &name,
                    name_key: &key,
                    quota_bytes: quota,
                    now,
                };
                match crate::organisations::store::insert_plan(&mut tx, &row).await {
                    Err(e) if is_unique_violation(&e) => return Err(PlanError::NameTaken.into()),
                    other => other?,
                }
                if crate::organisations::store::default_plan(&mut tx, organisation_id)
                    .await?
                    .is_none()
                {
                    crate::organisations::store::set_default_plan(&mut tx, organisation_id, &id)
                        .await?;
                }
                (AuditAction::PlanCreated, json!({ "quota_bytes": quota }))
            }
        };
        tx.audit(Some(organisation_id), action, &name, details)
            .await?;
        let plans = crate::organisations::store::plans(&mut tx, organisation_id).await?;
        tx.commit().await?;
        Ok(plans)
    }

    pub async fn set_default_plan(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        plan_id: &PlanId,
    ) -> Outcome<Vec<PlanView>> {
        let (mut tx, _) = self
            .begin(actor, Action::Configure(organisation_id))
            .await?;
        let plan = crate::organisations::store::plan_in(&mut tx, organisation_id, plan_id)
            .await?
            .ok_or(PlanError::Unknown)?;
        crate::organisations::store::set_default_plan(&mut tx, organisation_id, plan_id).await?;
        tx.audit(
            Some(organisation_id),
            AuditAction::PlanChanged,
            &plan.name,
            json!({ "default": true }),
        )
        .await?;
        let plans = crate::organisations::store::plans(&mut tx, organisation_id).await?;
        tx.commit().await?;
        Ok(plans)
    }

    pub async fn remove_plan(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        plan_id: &PlanId,
    ) -> Outcome<Vec<PlanView>> {
        let (mut tx, _) = self
            .begin(actor, Action::Configure(organisation_id))
            .await?;
        let plan = crate::organisations::store::plan_in(&mut tx, organisation_id, plan_id)
            .await?
            .ok_or(PlanError::Unknown)?;
        if plan.is_default {
            return Err(PlanError::IsDefault.into());
        }
        if !crate::organisations::store::delete_unused_plan(&mut tx, plan_id).await? {
            return Err(PlanError::InUse.into());
        }
        tx.audit(
            Some(organisation_id),
            AuditAction::PlanRemoved,
            &plan.name,
            json!({}),
        )
        .await?;
        let plans = crate::organisations::store::plans(&mut tx, organisation_id).await?;
        tx.commit().await?;
        Ok(plans)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_rules() {
        assert_eq!(quota_from_gb(5), Ok(5 * GB));
        assert_eq!(quota_from_gb(0), Err(PlanError::InvalidQuota));
        assert!(may_store(10, 4, 6).is_ok());
        assert_eq!(
            may_store(10, 4, 7),
            Err(PlanError::OverQuota {
                needed: "7 bytes".into(),
                available: "6 bytes".into()
            })
        );
        assert_eq!(
            may_store(10, 12, 1),
            Err(PlanError::OverQuota {
                needed: "1 byte".into(),
                available: "0 bytes".into()
            })
        );
        assert_eq!(check_plan_name("  "), Err(PlanError::InvalidName));
    }
}
