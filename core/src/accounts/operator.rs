//! PLT-3: the admin command line acts as the instance administrator. Whoever
//! runs it already holds the data folder and database, so no sign-in is
//! asked; what it may do is still decided by the same authorization.

use coffer_shared::accounts::SetupError;

use crate::kernel::authz::Actor;
use crate::kernel::error::Outcome;
use crate::Coffer;

impl Coffer {
    /// The instance administrator, for commands run on the server itself.
    pub async fn operator(&self) -> Outcome<Actor> {
        let mut c = self.db().pool.acquire().await?;
        let id: Option<String> = sqlx::query_scalar(
            "SELECT id FROM accounts WHERE is_instance_admin = 1 ORDER BY created_at LIMIT 1",
        )
        .fetch_optional(&mut *c)
        .await?;
        let id = id.ok_or(SetupError::NotYet)?;
        let account = crate::store::account_by_id(&mut c, &id)
            .await?
            .ok_or(SetupError::NotYet)?;
        Ok(Actor {
            memberships: crate::store::memberships_of(&mut c, &account.id).await?,
            account_id: account.id,
            email: account.email,
            is_instance_admin: true,
            session_id: None,
            setup_only: false,
            proved_at: crate::kernel::db::now_ms(),
        })
    }
}
