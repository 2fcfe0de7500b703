//! ACC-9: a person's own profile: names, mobile number, default language.

use coffer_shared::accounts::Profile;
use coffer_shared::errors::{AuthError, InputError};
use coffer_shared::policy::normalise_mobile;
use serde_json::json;

use crate::accounts::store;
use crate::kernel::audit::AuditAction;
use crate::kernel::authz::{authorize, Action, Actor};
use crate::kernel::error::Outcome;
use crate::Coffer;

pub fn validate(p: &Profile) -> Result<Profile, InputError> {
    let name = |n: &str| {
        let n = n.trim();
        if n.chars().count() > 100 || n.chars().any(char::is_control) {
            Err(InputError::NameTooLong)
        } else {
            Ok(n.to_string())
        }
    };
    Ok(Profile {
        first_name: name(&p.first_name)?,
        last_name: name(&p.last_name)?,
        other_name: name(&p.other_name)?,
        mobile: normalise_mobile(&p.mobile)?,
        language: p.language,
    })
}

impl Coffer {
    pub async fn profile(&self, actor: Option<&Actor>) -> Outcome<Profile> {
        let actor = authorize(actor, Action::ManageOwnAccount)?;
        let mut c = self.db().pool.acquire().await?;
        Ok(store::profile(&mut c, &actor.account_id)
            .await?
            .ok_or(AuthError::NotSignedIn)?)
    }

    pub async fn update_profile(&self, actor: Option<&Actor>, input: &Profile) -> Outcome<Profile> {
        let (mut tx, actor) = self.begin(actor, Action::ManageOwnAccount).await?;
        let p = validate(input)?;
        let before = store::profile(&mut tx, &actor.account_id)
            .await?
            .ok_or(AuthError::NotSignedIn)?;
        store::set_profile(&mut tx, &actor.account_id, &p).await?;
        let details = json!({
            "before": { "first_name": before.first_name, "last_name": before.last_name, "other_name": before.other_name, "mobile": before.mobile, "language": before.language.code() },
            "after": { "first_name": p.first_name, "last_name": p.last_name, "other_name": p.other_name, "mobile": p.mobile, "language": p.language.code() },
        });
        tx.audit(None, AuditAction::ProfileUpdated, &actor.email, details)
            .await?;
        tx.commit().await?;
        Ok(p)
    }
}
