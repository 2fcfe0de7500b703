//! BOX-5 in the page: shares that waited for an outside recipient's keys
//! are completed by the granter's browser when it opens the organisation's
//! boxes (the recipient's public key exists by then), and the page says so.

use coffer_api::ready_shares;
use coffer_shared::ids::{AccountId, OrganisationId};
use leptos::prelude::*;

use super::{permit_for, Made};
use crate::i18n::tf;
use crate::session::use_session;
use crate::ui::{load_when, show_latest, ErrorBox, Problem};

async fn complete_all(org: OrganisationId, me: Option<AccountId>) -> Result<Vec<String>, Problem> {
    let mut done = Vec::new();
    for r in ready_shares(org.clone()).await? {
        let email = r.to.email.clone();
        match permit_for(
            org.clone(),
            me.clone(),
            r.path,
            r.to,
            r.permission,
            r.window,
            None,
        )
        .await?
        {
            Made::Shared(to) => done.push(to),
            // BOX-9: left waiting; sharing it again from the Share panel
            // offers the comparison.
            Made::KeyChanged { .. } => return Err(tf(super::KEY_CHANGED, &[("0", &email)]).into()),
        }
    }
    Ok(done)
}

#[component]
pub fn CompleteReadyShares(organisation: Memo<Option<(OrganisationId, bool)>>) -> impl IntoView {
    let session = use_session();
    let done = load_when(move || {
        let (org, me) = super::unlocked_in(session, organisation)?;
        Some(complete_all(org, me))
    });
    let error = RwSignal::new(None::<Problem>);
    let completed = RwSignal::new(None::<Vec<String>>);
    show_latest(done, completed, error);
    view! {
        {move || completed.get().unwrap_or_default().into_iter().map(|to| view! {
            <p class="notice" role="status">{tf("{0} has set up their keys: your share with them is complete.", &[("0", &to)])}</p>
        }).collect_view()}
        <ErrorBox message=error />
    }
}
