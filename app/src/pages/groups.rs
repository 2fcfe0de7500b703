//! ORG-6: an organisation's groups: add, list with member counts, remove
//! (greyed out while a group has members).

use crate::i18n::{tf, tr};
use coffer_api::{add_group, list_groups, remove_group};
use coffer_shared::types::GroupView;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::ErrorBox;
use crate::pages::{managed_organisation, require_sign_in};

#[component]
pub fn GroupsPage() -> impl IntoView {
    let allowed = require_sign_in();
    let organisation = managed_organisation();
    let groups = RwSignal::new(Vec::<GroupView>::new());
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let name = RwSignal::new(String::new());
    let reload = RwSignal::new(0u32);
    Effect::new(move |_| {
        reload.track();
        let (Some(org), true) = (organisation.get(), allowed.get()) else {
            return;
        };
        spawn_local(async move {
            match list_groups(org).await {
                Ok(g) => groups.set(g),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        notice.set(None);
        let Some(org) = organisation.get_untracked() else {
            return;
        };
        let n = name.get_untracked();
        spawn_local(async move {
            match add_group(org, n).await {
                Ok(g) => {
                    notice.set(Some(tf(
                        "Group {0} was added.",
                        &[("0", &(g.name).to_string())],
                    )));
                    name.set(String::new());
                    reload.update(|r| *r += 1);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let remove = move |g: GroupView| {
        error.set(None);
        notice.set(None);
        let Some(org) = organisation.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match remove_group(org, g.id).await {
                Ok(()) => {
                    notice.set(Some(tf(
                        "Group {0} was removed.",
                        &[("0", &(g.name).to_string())],
                    )));
                    reload.update(|r| *r += 1);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
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
                        <For each=move || groups.get() key=|g| (g.id.clone(), g.members) let:g>
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
                <Show when=move || groups.with(|g| g.is_empty())>
                    <p class="hint">{tr("No groups yet.")}</p>
                </Show>
            </section>
        </Show>
    }
}
