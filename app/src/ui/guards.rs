//! What an administration page needs before it draws: a signed-in visitor
//! and the organisation it is about.

use coffer_shared::ids::OrganisationId;
use coffer_shared::types::AdminTier;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::session::use_session;

/// Sends a visitor who is not signed in to the sign-in page once the
/// session is known; returns whether the page may render.
pub fn require_sign_in() -> Signal<bool> {
    let session = use_session();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if session.loaded.get() && session.account.with(|a| a.is_none()) {
            navigate("/sign-in", Default::default());
        }
    });
    Signal::derive(move || session.account.with(|a| a.is_some()))
}

/// The organisation an administration page is about: `?org=` (instance
/// administrators arrive from the Organisations page), else the first one
/// the signed-in person administers.
pub fn managed_organisation() -> Memo<Option<OrganisationId>> {
    let session = use_session();
    let query = use_query_map();
    Memo::new(move |_| {
        query
            .with(|q| q.get("org"))
            .map(OrganisationId::from)
            .or_else(|| {
                session.account.with(|a| {
                    a.as_ref().and_then(|a| {
                        a.memberships
                            .iter()
                            .find(|m| m.admin_tier >= AdminTier::Admin)
                            .map(|m| m.organisation_id.clone())
                    })
                })
            })
    })
}

/// The organisation whose boxes a member works in, and whether they are an
/// Originator there (who may create boxes): `?org=` when they belong to it,
/// else the one they last chose in this browser, else their first.
pub fn member_organisation() -> Memo<Option<(OrganisationId, bool)>> {
    let session = use_session();
    let query = use_query_map();
    let shown = Memo::new(move |_| {
        let asked = query.with(|q| q.get("org")).map(OrganisationId::from);
        let chosen = session.working_organisation.get();
        session.account.with(|a| {
            let memberships = &a.as_ref()?.memberships;
            let find = |org: &Option<OrganisationId>| {
                memberships
                    .iter()
                    .find(|m| org.as_ref() == Some(&m.organisation_id))
            };
            find(&asked)
                .or_else(|| find(&chosen))
                .or_else(|| memberships.first())
                .map(|m| {
                    (
                        m.organisation_id.clone(),
                        m.role == coffer_shared::types::Role::Originator,
                    )
                })
        })
    });
    // An address with `?org=` the member belongs to (a link into another
    // organisation's box) becomes the choice, so the pages it leads to
    // stay there.
    Effect::new(move |_| {
        let asked = query.with(|q| q.get("org"));
        if let Some((org, _)) = shown.get() {
            let remember = asked.as_deref() == Some(org.as_str())
                && session.working_organisation.get_untracked().as_ref() != Some(&org);
            if remember {
                session.work_in(org);
            }
        }
    });
    shown
}
