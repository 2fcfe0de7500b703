//! ORG-6 groups: named sets of an organisation's members (each member in at
//! most one). `Admin`, `Liaison` and `All` are reserved; names are unique
//! regardless of case; a group with members cannot be removed.

use coffer_shared::ids::GroupId;
use coffer_shared::ids::OrganisationId;
use coffer_shared::members::GroupError;
use coffer_shared::members::GroupView;
use serde_json::json;

use crate::kernel::audit::AuditAction;
use crate::kernel::authz::{authorize, Action, Actor};
use crate::kernel::db::new_id;
use crate::kernel::error::{is_unique_violation, Outcome};
use crate::members::store;
use crate::Coffer;

const RESERVED: [&str; 3] = ["Admin", "Liaison", "All"];

pub fn check_group_name(name: &str) -> Result<String, GroupError> {
    let n = name.trim();
    let len = n.chars().count();
    if len == 0 || len > 60 || n.chars().any(char::is_control) {
        return Err(GroupError::InvalidName);
    }
    if let Some(r) = RESERVED.iter().find(|r| r.eq_ignore_ascii_case(n)) {
        return Err(GroupError::Reserved(r.to_string()));
    }
    Ok(n.to_string())
}

impl Coffer {
    pub async fn groups(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
    ) -> Outcome<Vec<GroupView>> {
        authorize(actor, Action::ManageMembers(organisation_id))?;
        let mut c = self.db().pool.acquire().await?;
        Ok(store::groups(&mut c, organisation_id).await?)
    }

    pub async fn add_group(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        name: &str,
    ) -> Outcome<GroupView> {
        let (mut work, _) = self
            .begin(actor, Action::ManageMembers(organisation_id))
            .await?;
        let name = check_group_name(name)?;
        if store::group_name_taken(&mut work, organisation_id, &name.to_lowercase()).await? {
            return Err(GroupError::NameTaken.into());
        }
        let id = GroupId::new(new_id());
        let now = work.now;
        match store::insert_group(&mut work, &id, organisation_id, &name, now).await {
            Err(e) if is_unique_violation(&e) => return Err(GroupError::NameTaken.into()),
            other => other?,
        }
        work.audit(
            Some(organisation_id),
            AuditAction::GroupCreated,
            &name,
            json!({}),
        )
        .await?;
        work.commit().await?;
        Ok(GroupView {
            id,
            name,
            members: 0,
        })
    }

    pub async fn remove_group(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        group_id: &GroupId,
    ) -> Outcome<()> {
        let (mut work, _) = self
            .begin(actor, Action::ManageMembers(organisation_id))
            .await?;
        let group = store::group_in(&mut work, organisation_id, group_id)
            .await?
            .ok_or(GroupError::Unknown)?;
        // The check and the delete are one statement, so a member added
        // concurrently cannot be left pointing at a removed group.
        if !store::delete_empty_group(&mut work, group_id).await? {
            return Err(GroupError::HasMembers.into());
        }
        work.audit(
            Some(organisation_id),
            AuditAction::GroupRemoved,
            &group.name,
            json!({}),
        )
        .await?;
        work.commit().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names() {
        assert_eq!(check_group_name("  Sales "), Ok("Sales".into()));
        assert_eq!(
            check_group_name("admin"),
            Err(GroupError::Reserved("Admin".into()))
        );
        assert_eq!(
            check_group_name("ALL"),
            Err(GroupError::Reserved("All".into()))
        );
        assert_eq!(check_group_name("Liaisons"), Ok("Liaisons".into()));
        assert_eq!(check_group_name(""), Err(GroupError::InvalidName));
        assert_eq!(
            check_group_name(&"g".repeat(61)),
            Err(GroupError::InvalidName)
        );
    }
}
