//! ORG-6: an organisation's groups: add, list with member counts, remove
//! (greyed out while a group has members).

use crate::i18n::{tf, tr};
use coffer_api::{add_group, list_groups, remove_group};
use coffer_shared::ids::OrganisationId;
use coffer_shared::members::GroupView;
use leptos::prelude::*;

use crate::ui::{managed_organisation, require_sign_in, Problem};
use crate::ui::{ErrorBox, Write};

#[component]
pub fn GroupsPage() -> impl IntoView {
    let allowed = require_sign_in();
    let organisation = managed_organisation();
    let error = RwSignal::new(None::<Problem>);
    let notice = RwSignal::new(None::<String>);
    let name = RwSignal::new(String::new());
    // The page's data: loads when the organisation is known, again after
    // each change (`refetch`); a newer load replaces an older one.
    let groups = LocalResource::new(move || {
        let org = organisation.get().filter(|_| allowed.get());
        async move {
            match org {
                Some(org) => list_groups(org).await,
                None => Ok(Vec::new()),
            }
        }
    });
    let listed = move || groups.get().and_then(Result::ok).unwrap_or_default();
    Effect::new(move |_| {
        if let Some(Err(e)) = groups.get() {
            error.set(Some(e.into()));
        }
    });
    let add = Write::new(
        error,
        |(org, n): (OrganisationId, String)| add_group(org, n),
        move |g: GroupView| {
            notice.set(Some(tf("Group {0} was added.", &[("0", &g.name)])));
            name.set(String::new());
            groups.refetch();
        },
    );
    let drop = Write::new(
        error,
        |(org, g): (OrganisationId, GroupView)| async move {
            remove_group(org, g.id.clone()).await.map(|()| g)
        },
        move |g: GroupView| {
            notice.set(Some(tf("Group {0} was removed.", &[("0", &g.name)])));
            groups.refetch();
        },
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        notice.set(None);
        if let Some(org) = organisation.get_untracked() {
            add.send((org, name.get_untracked()));
        }
    };
    let remove = move |g: GroupView| {
        notice.set(None);
        if let Some(org) = organisation.get_untracked() {
            drop.send((org, g));
        }
    };
    view! {
        <Show when=move || allowed.get()>
            <section class="card">
                <h1>{tr("Groups")}</h1>
                <p class="hint">{tr("Each member can be in one group. Admin, Liaison and All are reserved names.")}</p>
                <form on:submit=submit novalidate class="inline-form">
                    <label for="group-name">{tr("New group")}</label>
                    <input id="group-name" type="text" required bind:value=name />
                    <button type="submit">{tr("Add group")}</button>
                </form>
                <ErrorBox message=error />
                <Show when=move || notice.with(|n| n.is_some())>
                    <p class="notice" role="status">{move || notice.get().unwrap_or_default()}</p>
                </Show>
                <table class="list">
                    <caption class="visually-hidden">{tr("Groups")}</caption>
                    <thead><tr><th scope="col">{tr("Group")}</th><th scope="col">{tr("Members")}</th><th scope="col"><span class="visually-hidden">{tr("Actions")}</span></th></tr></thead>
                    <tbody>
                        <For each=listed key=|g| (g.id.clone(), g.members) let:g>
                            <tr>
                                <td data-label=tr("Group")>{g.name.clone()}</td>
                                <td data-label=tr("Members")>{g.members}</td>
                                <td>
                                    <button type="button" class="secondary" disabled={g.members > 0}
                                        title={if g.members > 0 { tr("A group with members cannot be removed") } else { "" }}
                                        aria-label=tf("Remove group {0}", &[("0", &(g.name).to_string())])
                                        on:click={let g = g.clone(); move |_| remove(g.clone())}>{tr("Remove")}</button>
                                </td>
                            </tr>
                        </For>
                    </tbody>
                </table>
                <Show when=move || groups.get().is_some_and(|g| g.is_ok_and(|g| g.is_empty()))>
                    <p class="hint">{tr("No groups yet.")}</p>
                </Show>
            </section>
        </Show>
    }
}
