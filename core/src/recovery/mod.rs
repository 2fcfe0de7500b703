//! CRY-6 organisation key recovery and the ACC-7 reset that keeps a
//! member's keys. Every key is made and opened in a browser: a Liaison's
//! makes the recovery key pair and wraps it to each Liaison, each member's
//! escrows the member's identity to it, and after a reset a Liaison's hands
//! the escrowed identity over to a one-off key the member's browser made.
//! The server checks who may store what, and that every wrapping names the
//! keys it must.

pub mod store;

use std::collections::BTreeSet;

use coffer_shared::ids::{AccountId, OrganisationId};
use coffer_shared::recovery::{HolderWrap, RecoveryDue, RecoveryError, RecoveryView};
use coffer_shared::types::Bytes;
use serde_json::json;

use crate::kernel::audit::AuditAction;
use crate::kernel::authz::{authorize, Action, Actor};
use crate::kernel::error::Outcome;
use crate::kernel::notices;
use crate::kernel::work::Work;
use crate::Coffer;

impl Coffer {
    /// The Configuration page's Recovery section, for a Liaison: whether
    /// it is on, and what their browser should do (wrap the key to new
    /// Liaisons, restore members waiting after a reset).
    pub async fn recovery(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
    ) -> Outcome<RecoveryView> {
        let actor = authorize(actor, Action::HoldRecovery(organisation_id))?;
        let mut c = self.db().pool.acquire().await?;
        let Some(key) = store::key(&mut c, organisation_id).await? else {
            // Off: turning it on wraps the new key to every Liaison.
            let liaisons = store::liaisons(&mut c, organisation_id).await?;
            return Ok(RecoveryView {
                unwrapped_liaisons: liaisons.into_iter().map(|(k, _)| k).collect(),
                ..RecoveryView::default()
            });
        };
        let (escrowed, members) = store::escrow_counts(&mut c, organisation_id).await?;
        let my_wrap = store::holder_wrap(&mut c, organisation_id, &actor.account_id).await?;
        let unwrapped_liaisons = store::liaisons(&mut c, organisation_id)
            .await?
            .into_iter()
            .filter(|(_, holds)| !holds)
            .map(|(k, _)| k)
            .collect();
        // A Liaison who cannot open the key has nothing to restore with.
        let waiting = if my_wrap.is_some() {
            store::waiting(&mut c, organisation_id).await?
        } else {
            Vec::new()
        };
        Ok(RecoveryView {
            fingerprint: Some(coffer_crypto::fingerprint(&key.public_key)),
            public_key: Some(key.public_key),
            enabled_at_ms: Some(key.enabled_at),
            enabled_by: Some(key.enabled_by),
            escrowed,
            members,
            my_wrap: my_wrap.map(Bytes),
            unwrapped_liaisons,
            waiting,
        })
    }

    /// Turns recovery on with a key pair the Liaison's browser made, its
    /// identity wrapped to every Liaison with keys.
    pub async fn enable_recovery(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        public_key: &str,
        wraps: &[HolderWrap],
    ) -> Outcome<()> {
        let (mut work, actor) = self
            .begin(actor, Action::HoldRecovery(organisation_id))
            .await?;
        if !coffer_crypto::is_valid_public_key(public_key) {
            return Err(coffer_shared::errors::InputError::InvalidKeyMaterial.into());
        }
        if store::key(&mut work, organisation_id).await?.is_some() {
            return Err(RecoveryError::AlreadyOn.into());
        }
        let liaisons: Vec<_> = store::liaisons(&mut work, organisation_id)
            .await?
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        check_holders(&liaisons, wraps, true)?;
        let now = work.now;
        if !store::insert_key(
            &mut work,
            organisation_id,
            public_key,
            &actor.account_id,
            now,
        )
        .await?
        {
            return Err(RecoveryError::AlreadyOn.into());
        }
        put_holders(&mut work, organisation_id, wraps).await?;
        let fingerprint = coffer_crypto::fingerprint(public_key);
        work.audit(
            Some(organisation_id),
            AuditAction::RecoveryEnabled,
            organisation_id,
            json!({ "fingerprint": fingerprint, "holders": wraps.len() }),
        )
        .await?;
        work.commit().await?;
        Ok(())
    }

    /// Turns recovery off: the key, its wrappings and every escrow go.
    /// Refused while a reset waits for its keys (they would be lost).
    pub async fn disable_recovery(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
    ) -> Outcome<()> {
        let (mut work, _) = self
            .begin(actor, Action::HoldRecovery(organisation_id))
            .await?;
        if store::key(&mut work, organisation_id).await?.is_none() {
            return Err(RecoveryError::Off.into());
        }
        if store::count_waiting(&mut work, organisation_id).await? > 0 {
            return Err(RecoveryError::ResetsWaiting.into());
        }
        let escrows = store::forget_all(&mut work, organisation_id).await?;
        work.audit(
            Some(organisation_id),
            AuditAction::RecoveryDisabled,
            organisation_id,
            json!({ "escrows_deleted": escrows }),
        )
        .await?;
        work.commit().await?;
        Ok(())
    }

    /// A Liaison's browser gives the recovery key to Liaisons who do not
    /// hold it yet (new ones, or ones whose keys changed).
    pub async fn share_recovery_key(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        public_key: &str,
        wraps: &[HolderWrap],
    ) -> Outcome<()> {
        let (mut work, actor) = self
            .begin(actor, Action::HoldRecovery(organisation_id))
            .await?;
        current_key(&mut work, organisation_id, public_key).await?;
        if store::holder_wrap(&mut work, organisation_id, &actor.account_id)
            .await?
            .is_none()
        {
            return Err(RecoveryError::HoldersMismatch.into());
        }
        let missing: Vec<_> = store::liaisons(&mut work, organisation_id)
            .await?
            .into_iter()
            .filter(|(_, holds)| !holds)
            .map(|(k, _)| k)
            .collect();
        check_holders(&missing, wraps, false)?;
        put_holders(&mut work, organisation_id, wraps).await?;
        let to: Vec<_> = missing
            .iter()
            .filter(|k| wraps.iter().any(|w| w.account_id == k.account_id))
            .map(|k| k.email.clone())
            .collect();
        work.audit(
            Some(organisation_id),
            AuditAction::RecoveryKeyShared,
            organisation_id,
            json!({ "to": to }),
        )
        .await?;
        work.commit().await?;
        Ok(())
    }

    /// Organisations of the signed-in member whose recovery is on and which
    /// do not hold their current keys: the browser tells them and escrows.
    pub async fn recovery_due(&self, actor: Option<&Actor>) -> Outcome<Vec<RecoveryDue>> {
        let actor = authorize(actor, Action::ManageOwnAccount)?;
        let mut c = self.db().pool.acquire().await?;
        Ok(store::due(&mut c, &actor.account_id)
            .await?
            .into_iter()
            .map(|(id, name, public_key)| RecoveryDue {
                organisation_id: OrganisationId::new(id),
                organisation_name: name,
                fingerprint: coffer_crypto::fingerprint(&public_key),
                public_key,
            })
            .collect())
    }

    /// Keeps the member's identity, as an age file to the recovery key,
    /// for this organisation. `member_public_key` names the keys the
    /// browser escrowed; they must be the account's current ones.
    pub async fn escrow_keys(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        recovery_public_key: &str,
        member_public_key: &str,
        escrow: &[u8],
    ) -> Outcome<()> {
        let (mut work, actor) = self.begin(actor, Action::UseBoxes(organisation_id)).await?;
        current_key(&mut work, organisation_id, recovery_public_key).await?;
        let account = crate::store::account_by_id(&mut work, &actor.account_id)
            .await?
            .ok_or(coffer_shared::errors::AuthError::NotSignedIn)?;
        if account.public_key.as_deref() != Some(member_public_key) {
            return Err(RecoveryError::MemberKeyChanged.into());
        }
        if !key_sized(escrow) {
            return Err(coffer_shared::errors::InputError::InvalidKeyMaterial.into());
        }
        let now = work.now;
        store::put_escrow(
            &mut work,
            organisation_id,
            &actor.account_id,
            member_public_key,
            escrow,
            now,
        )
        .await?;
        let email = actor.email.clone();
        work.audit(
            Some(organisation_id),
            AuditAction::KeysEscrowed,
            &email,
            json!({ "fingerprint": coffer_crypto::fingerprint(member_public_key) }),
        )
        .await?;
        work.commit().await?;
        Ok(())
    }

    /// A Liaison's browser hands a waiting member's escrowed identity over
    /// to the one-off key of their reset; the member takes it at sign-in.
    pub async fn hand_over_keys(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        account_id: &AccountId,
        handed_over: &[u8],
    ) -> Outcome<()> {
        let (mut work, actor) = self
            .begin(actor, Action::HoldRecovery(organisation_id))
            .await?;
        if !key_sized(handed_over) {
            return Err(coffer_shared::errors::InputError::InvalidKeyMaterial.into());
        }
        let waiting = store::waiting(&mut work, organisation_id).await?;
        let Some(reset) = waiting.iter().find(|w| w.account_id == *account_id) else {
            return Err(RecoveryError::NotWaiting.into());
        };
        let email = reset.email.clone();
        if !store::record_handover(
            &mut work,
            organisation_id,
            account_id,
            handed_over,
            &actor.account_id,
        )
        .await?
        {
            return Err(RecoveryError::NotWaiting.into());
        }
        let organisation =
            crate::sharing::store::organisation_name(&mut work, organisation_id).await?;
        let link = format!("{}/sign-in", self.public_url());
        work.queue_mail(notices::keys_restored(&email, &organisation, &link))
            .await?;
        work.audit(
            Some(organisation_id),
            AuditAction::KeysHandedOver,
            &email,
            json!({}),
        )
        .await?;
        work.commit().await?;
        Ok(())
    }

    /// The member's browser took the handover at sign-in and wrapped the
    /// same keys under the new password: that wrapping replaces it.
    pub async fn restore_keys(
        &self,
        actor: Option<&Actor>,
        wrapped_private_key: &[u8],
    ) -> Outcome<()> {
        let (mut work, actor) = self.begin(actor, Action::ManageOwnAccount).await?;
        if !key_sized(wrapped_private_key) {
            return Err(coffer_shared::errors::InputError::InvalidKeyMaterial.into());
        }
        if store::handed_over(&mut work, &actor.account_id)
            .await?
            .is_none()
        {
            return Err(RecoveryError::NotWaiting.into());
        }
        store::set_wrapped_private_key(&mut work, &actor.account_id, wrapped_private_key).await?;
        store::forget_handover(&mut work, &actor.account_id).await?;
        let email = actor.email.clone();
        work.audit(None, AuditAction::KeysRestored, &email, json!({}))
            .await?;
        work.commit().await?;
        Ok(())
    }
}

/// A wrapped key or escrow: an age file of one identity, never empty and
/// never more than a few hundred bytes.
fn key_sized(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.len() <= 4096
}

async fn current_key(work: &mut Work<'_>, organisation_id: &str, public_key: &str) -> Outcome<()> {
    match store::key(work, organisation_id).await? {
        None => Err(RecoveryError::Off.into()),
        Some(k) if k.public_key != public_key => Err(RecoveryError::KeyChanged.into()),
        Some(_) => Ok(()),
    }
}

/// Each wrap names a Liaison among `liaisons` and their current key, once;
/// with `all`, every one of them.
fn check_holders(
    liaisons: &[coffer_shared::recovery::Keyholder],
    wraps: &[HolderWrap],
    all: bool,
) -> Result<(), RecoveryError> {
    let mut seen = BTreeSet::new();
    for w in wraps {
        let known = liaisons
            .iter()
            .any(|l| l.account_id == w.account_id && l.public_key == w.public_key);
        if !known || !seen.insert(&w.account_id) || !key_sized(&w.wrapped.0) {
            return Err(RecoveryError::HoldersMismatch);
        }
    }
    if all && seen.len() != liaisons.len() {
        return Err(RecoveryError::HoldersMismatch);
    }
    Ok(())
}

async fn put_holders(
    work: &mut Work<'_>,
    organisation_id: &str,
    wraps: &[HolderWrap],
) -> Outcome<()> {
    for w in wraps {
        store::put_holder(
            work,
            organisation_id,
            &w.account_id,
            &w.public_key,
            &w.wrapped.0,
        )
        .await?;
    }
    Ok(())
}
