//! ORG-1: which columns of the Users table a person shows (and exports),
//! kept per account.

use anyhow::Context as _;
use coffer_shared::members::MemberColumn;

use crate::kernel::authz::{authorize, Action, Actor};
use crate::kernel::error::Outcome;
use crate::members::store;
use crate::Coffer;

/// Email is always shown and exported, first.
pub fn normalise_columns(columns: &[MemberColumn]) -> Vec<MemberColumn> {
    let mut out = vec![MemberColumn::Email];
    for c in MemberColumn::ALL {
        if c != MemberColumn::Email && columns.contains(&c) {
            out.push(c);
        }
    }
    out
}

impl Coffer {
    /// The Users page columns this person chose, Email always included.
    pub async fn member_columns(&self, actor: Option<&Actor>) -> Outcome<Vec<MemberColumn>> {
        let actor = authorize(actor, Action::ManageOwnAccount)?;
        let mut c = self.db().pool.acquire().await?;
        let stored = store::preference(&mut c, &actor.account_id, "users.columns").await?;
        let chosen: Vec<MemberColumn> = stored
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_else(|| MemberColumn::ALL.to_vec());
        Ok(normalise_columns(&chosen))
    }

    pub async fn set_member_columns(
        &self,
        actor: Option<&Actor>,
        columns: &[MemberColumn],
    ) -> Outcome<Vec<MemberColumn>> {
        let actor = authorize(actor, Action::ManageOwnAccount)?;
        let columns = normalise_columns(columns);
        let mut c = self.db().pool.acquire().await?;
        let value = serde_json::to_string(&columns).context("encoding columns")?;
        store::set_preference(&mut c, &actor.account_id, "users.columns", &value).await?;
        Ok(columns)
    }
}
