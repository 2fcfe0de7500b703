//! BOX-4 labels and clearances. Administrators define an organisation's
//! labels and which members are cleared for which; an item's Manage holder
//! puts a label on it. A share is refused unless the member is cleared for
//! every label on the item, above it and inside it (`sharing::grant`); a
//! label is refused on an item someone uncleared can already reach; and a
//! clearance taken away removes the permits it no longer covers, each
//! item then due a new key (CRY-4).

pub mod store;

use std::collections::BTreeSet;

use coffer_shared::ids::{AccountId, LabelId, NodeId, OrganisationId};
use coffer_shared::labels::{check_label_name, LabelError, LabelView};
use coffer_shared::members::MemberError;
use serde_json::json;

use crate::kernel::access::Need;
use crate::kernel::audit::AuditAction;
use crate::kernel::authz::{authorize, Action, Actor};
use crate::kernel::db::new_id;
use crate::kernel::error::{is_unique_violation, Outcome};
use crate::sharing::store as sharing;
use crate::Coffer;

impl Coffer {
    /// The organisation's labels, for its members (to label items) and its
    /// administrators (with how many are cleared and labelled).
    pub async fn labels(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
    ) -> Outcome<Vec<LabelView>> {
        authorize(actor, Action::ViewOrganisation(organisation_id))?;
        let mut c = self.db().pool.acquire().await?;
        Ok(store::labels(&mut c, organisation_id).await?)
    }

    pub async fn add_label(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        name: &str,
    ) -> Outcome<LabelView> {
        let (mut work, _) = self
            .begin(actor, Action::ManageMembers(organisation_id))
            .await?;
        let name = check_label_name(name)?;
        if store::name_taken(&mut work, organisation_id, &name).await? {
            return Err(LabelError::NameTaken.into());
        }
        let id = LabelId::new(new_id());
        let now = work.now;
        match store::insert_label(&mut work, &id, organisation_id, &name, now).await {
            Err(e) if is_unique_violation(&e) => return Err(LabelError::NameTaken.into()),
            other => other?,
        }
        work.audit(
            Some(organisation_id),
            AuditAction::LabelCreated,
            &name,
            json!({}),
        )
        .await?;
        work.commit().await?;
        Ok(LabelView {
            id,
            name,
            cleared: 0,
            items: 0,
        })
    }

    /// The label goes from every item and every clearance: what it
    /// restricted is no longer restricted.
    pub async fn remove_label(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        label_id: &LabelId,
    ) -> Outcome<()> {
        let (mut work, _) = self
            .begin(actor, Action::ManageMembers(organisation_id))
            .await?;
        let name = store::label_in(&mut work, organisation_id, label_id)
            .await?
            .ok_or(LabelError::Unknown)?;
        store::delete_label(&mut work, label_id).await?;
        work.audit(
            Some(organisation_id),
            AuditAction::LabelRemoved,
            &name,
            json!({}),
        )
        .await?;
        work.commit().await?;
        Ok(())
    }

    pub async fn clearances(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        account_id: &AccountId,
    ) -> Outcome<Vec<LabelId>> {
        authorize(actor, Action::ManageMembers(organisation_id))?;
        let mut c = self.db().pool.acquire().await?;
        if sharing::member_email(&mut c, organisation_id, account_id)
            .await?
            .is_none()
        {
            return Err(MemberError::NotAMember.into());
        }
        Ok(store::clearances_of(&mut c, organisation_id, account_id).await?)
    }

    /// A member's clearances become `labels`. Permits a clearance taken
    /// away no longer covers are removed, and their items are due new keys.
    /// Answers how many permits were removed.
    pub async fn set_clearances(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        account_id: &AccountId,
        labels: &[LabelId],
    ) -> Outcome<u64> {
        let (mut work, _) = self
            .begin(actor, Action::ManageMembers(organisation_id))
            .await?;
        let email = sharing::member_email(&mut work, organisation_id, account_id)
            .await?
            .ok_or(MemberError::NotAMember)?;
        let wanted: BTreeSet<&LabelId> = labels.iter().collect();
        let mut names = Vec::new();
        for label in &wanted {
            let name = store::label_in(&mut work, organisation_id, label)
                .await?
                .ok_or(LabelError::Unknown)?;
            names.push(name);
        }
        let before = store::clearances_of(&mut work, organisation_id, account_id).await?;
        let wanted: Vec<LabelId> = wanted.into_iter().cloned().collect();
        store::set_clearances(&mut work, organisation_id, account_id, &wanted).await?;
        let now = work.now;
        let mut revoked = 0;
        for lost in before.iter().filter(|l| !wanted.contains(l)) {
            for node in store::permits_under_label(&mut work, account_id, lost).await? {
                sharing::remove_permit(&mut work, &node, account_id).await?;
                sharing::rotation_due(&mut work, &node, now).await?;
                let box_id = sharing::box_of(&mut work, &node).await?.unwrap_or_default();
                work.audit(
                    Some(organisation_id),
                    AuditAction::PermitRemoved,
                    &node,
                    json!({ "box": box_id, "from": email, "because": "clearance" }),
                )
                .await?;
                revoked += 1;
            }
        }
        work.audit(
            Some(organisation_id),
            AuditAction::ClearancesChanged,
            &email,
            json!({ "labels": names }),
        )
        .await?;
        work.commit().await?;
        Ok(revoked)
    }

    /// Puts a label on an item (or takes it off): for Manage holders, and
    /// refused while someone not cleared for it can reach the item.
    pub async fn set_item_label(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        node_id: &NodeId,
        label_id: Option<&LabelId>,
    ) -> Outcome<()> {
        let (mut work, _, path) = self
            .change_node(actor, organisation_id, node_id, Need::Share)
            .await?;
        if path.is_empty() {
            return Err(coffer_shared::boxes::BoxError::Unknown.into());
        }
        let name = match label_id {
            Some(label) => {
                let name = store::label_in(&mut work, organisation_id, label)
                    .await?
                    .ok_or(LabelError::Unknown)?;
                if store::holders_uncleared(&mut work, node_id, organisation_id, label).await? {
                    return Err(LabelError::HoldersNotCleared.into());
                }
                Some(name)
            }
            None => None,
        };
        store::set_node_label(&mut work, node_id, label_id.map(LabelId::as_str)).await?;
        let box_id = crate::boxes::box_of(&mut work, &path).await?;
        work.audit(
            Some(organisation_id),
            AuditAction::ItemLabelled,
            node_id,
            json!({ "box": box_id, "label": name }),
        )
        .await?;
        work.commit().await?;
        Ok(())
    }
}
