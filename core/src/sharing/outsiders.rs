//! BOX-5: sharing with an address that has no account in the organisation.
//! The address is invited as an outside recipient (an External member with
//! the Ad hoc role; whether they take a licence seat is the organisation's
//! choice in Configuration) and the share waits, visibly, in the item's
//! Share panel. The recipient sets a password from the mailed link (their
//! browser makes their key pair; they become a Collaborator); then the
//! granter's browser, next time it opens the organisation's boxes, makes
//! the permit as for any member (`grant`), which ends the wait.

use coffer_shared::policy::normalise_email;
use coffer_shared::sharing::{OutsideShare, ReadyShare, SharingError};
use coffer_shared::types::{AdminTier, Role};
use serde_json::json;

use super::{check_terms, store, within_own_access};
use crate::boxes::{in_trash, path_to};
use crate::kernel::access::Need;
use crate::kernel::audit::AuditAction;
use crate::kernel::authz::{authorize, Action, Actor};
use crate::kernel::error::Outcome;
use crate::members::Enrolment;
use crate::Coffer;

impl Coffer {
    /// Invites `share.email` as an outside recipient (unless they already
    /// are one, still without keys) and keeps the share waiting for them.
    pub async fn share_with_outsider(
        &self,
        actor: Option<&Actor>,
        organisation_id: &coffer_shared::ids::OrganisationId,
        share: &OutsideShare,
    ) -> Outcome<()> {
        let (mut work, actor, path) = self
            .change_node(actor, organisation_id, &share.node_id, Need::Share)
            .await?;
        let Some(node) = path.last().filter(|_| !in_trash(&path)) else {
            return Err(coffer_shared::boxes::BoxError::Unknown.into());
        };
        check_terms(node, share.permission, share.window, work.now)?;
        within_own_access(&mut work, actor, organisation_id, node, share.window).await?;
        let email = normalise_email(&share.email).map_err(|_| SharingError::InvalidEmail)?;
        let account_id = match store::member_by_email(&mut work, organisation_id, &email).await? {
            // Already here: only an outside recipient still without keys
            // gets one more waiting share; members are shared with directly.
            Some((member, has_keys)) => {
                let outsider =
                    store::is_outsider(&mut work, organisation_id, &member.account_id).await?;
                if has_keys || !outsider {
                    return Err(SharingError::MemberNotOutsider.into());
                }
                member.account_id.to_string()
            }
            None => {
                let seats = crate::organisations::store::seats(&mut work, organisation_id)
                    .await?
                    .ok_or(coffer_shared::members::MemberError::UnknownOrganisation)?;
                let enrolment = Enrolment {
                    organisation_id,
                    organisation_name: &seats.organisation_name,
                    email: &email,
                    first_name: "",
                    last_name: "",
                    role: Role::AdHoc,
                    tier: AdminTier::None,
                };
                let id = self.enrol(&mut work, actor, enrolment).await?;
                store::mark_external(&mut work, organisation_id, &id).await?;
                id
            }
        };
        // BOX-4 holds for them as for anyone.
        if crate::labels::store::uncleared(&mut work, &node.id, organisation_id, &account_id)
            .await?
        {
            return Err(SharingError::LabelNotCleared.into());
        }
        let now = work.now;
        let waiting = store::put_pending(
            &mut work,
            &node.id,
            &account_id,
            share.permission,
            share.window,
            &actor.account_id,
            now,
        )
        .await?;
        if !waiting {
            return Err(SharingError::AlreadyPending.into());
        }
        let box_id = crate::boxes::box_of(&mut work, &path).await?;
        work.audit(
            Some(organisation_id),
            AuditAction::SharePending,
            &node.id,
            json!({ "box": box_id, "to": email, "permission": share.permission.code() }),
        )
        .await?;
        work.commit().await?;
        Ok(())
    }

    /// The shares this member made that waited for recipients who now
    /// have keys, each with the way to its item, for their browser to
    /// complete. One whose item they can no longer reach keeps waiting.
    pub async fn ready_shares(
        &self,
        actor: Option<&Actor>,
        organisation_id: &coffer_shared::ids::OrganisationId,
    ) -> Outcome<Vec<ReadyShare>> {
        let actor = authorize(actor, Action::UseBoxes(organisation_id))?;
        let mut c = self.db().pool.acquire().await?;
        let mut ready = Vec::new();
        for r in store::pending_ready(&mut c, organisation_id, &actor.account_id).await? {
            let node = coffer_shared::ids::NodeId::from(r.node_id);
            let Ok(path) = path_to(&mut c, actor, organisation_id, &node).await else {
                continue;
            };
            let mut to = r.to;
            to.pin = store::pin_of(&mut c, &actor.account_id, to.account_id.as_str()).await?;
            ready.push(ReadyShare {
                path,
                to,
                permission: r.permission,
                window: r.window,
            });
        }
        Ok(ready)
    }
}
