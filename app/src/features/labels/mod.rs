//! BOX-4 in the pages: the Labels page (administrators define labels), a
//! member's clearances in their Edit panel, and the label of an item in
//! its Share panel (for those who may manage it).

use coffer_api::{
    add_label, list_labels, member_clearances, remove_label, set_clearances, set_item_label,
};
use coffer_shared::boxes::NodeView;
use coffer_shared::ids::{AccountId, LabelId, OrganisationId};
use coffer_shared::labels::LabelView;
use leptos::prelude::*;

use crate::i18n::{tf, tr};
use crate::ui::{
    load_when, managed_organisation, require_sign_in, show_latest, ErrorBox, Problem, Write,
};

#[component]
pub fn LabelsPage() -> impl IntoView {
    let allowed = require_sign_in();
    let organisation = managed_organisation();
    let error = RwSignal::new(None::<Problem>);
    let notice = RwSignal::new(None::<String>);
    let name = RwSignal::new(String::new());
    let labels = load_when(move || {
        let org = organisation.get().filter(|_| allowed.get())?;
        Some(list_labels(org))
    });
    let listed = RwSignal::new(None::<Vec<LabelView>>);
    show_latest(labels, listed, error);
    let add = Write::new(
        error,
        |(org, n): (OrganisationId, String)| add_label(org, n),
        move |l: LabelView| {
            notice.set(Some(tf("Label {0} was added.", &[("0", &l.name)])));
            name.set(String::new());
            labels.refetch();
        },
    );
    let drop = Write::new(
        error,
        |(org, l): (OrganisationId, LabelView)| async move {
            remove_label(org, l.id.clone()).await.map(|()| l)
        },
        move |l: LabelView| {
            notice.set(Some(tf("Label {0} was removed.", &[("0", &l.name)])));
            labels.refetch();
        },
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        notice.set(None);
        if let Some(org) = organisation.get_untracked() {
            add.send((org, name.get_untracked()));
        }
    };
    let rows = move || {
        listed
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|l| {
                let aria = tf("Remove label {0}", &[("0", &l.name)]);
                view! {
                    <tr>
                        <td data-label=tr("Label")>{l.name.clone()}</td>
                        <td data-label=tr("Members cleared")>{l.cleared}</td>
                        <td data-label=tr("Items")>{l.items}</td>
                        <td>
                            <button type="button" class="secondary" aria-label=aria
                                on:click=move |_| {
                                    notice.set(None);
                                    if let Some(org) = organisation.get_untracked() {
                                        drop.send((org, l.clone()));
                                    }
                                }>{tr("Remove")}</button>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <Show when=move || allowed.get()>
            <section class="card">
                <h1>{tr("Labels")}</h1>
                <p class="hint">{tr("An item with a label is shared only with members cleared for it. Clear members in their Edit panel on the Users page. Removing a label takes it off every item.")}</p>
                <form on:submit=submit novalidate class="inline-form">
                    <label for="label-name">{tr("New label")}</label>
                    <input id="label-name" type="text" required maxlength="40" bind:value=name />
                    <button type="submit" disabled=move || add.pending().get()>{tr("Add label")}</button>
                </form>
                <ErrorBox message=error />
                <Show when=move || notice.with(|n| n.is_some())>
                    <p class="notice" role="status">{move || notice.get().unwrap_or_default()}</p>
                </Show>
                <table class="list">
                    <caption class="visually-hidden">{tr("Labels")}</caption>
                    <thead><tr>
                        <th scope="col">{tr("Label")}</th>
                        <th scope="col">{tr("Members cleared")}</th>
                        <th scope="col">{tr("Items")}</th>
                        <th scope="col"><span class="visually-hidden">{tr("Actions")}</span></th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
                <Show when=move || listed.with(|l| l.as_ref().is_some_and(Vec::is_empty))>
                    <p class="hint">{tr("No labels yet.")}</p>
                </Show>
            </section>
        </Show>
    }
}

/// The labels a member is cleared for, in their Edit panel.
#[component]
pub fn Clearances(
    organisation: OrganisationId,
    account_id: AccountId,
    email: String,
) -> impl IntoView {
    let error = RwSignal::new(None::<Problem>);
    let notice = RwSignal::new(None::<String>);
    let (org, id) = (organisation.clone(), account_id.clone());
    let loaded = load_when(move || {
        let (org, id) = (org.clone(), id.clone());
        Some(async move {
            let labels = list_labels(org.clone()).await?;
            let cleared = member_clearances(org, id).await?;
            Ok::<_, Problem>((labels, cleared))
        })
    });
    let shown = RwSignal::new(None::<(Vec<LabelView>, Vec<LabelId>)>);
    show_latest(loaded, shown, error);
    let chosen = RwSignal::new(Vec::<LabelId>::new());
    Effect::new(move |_| {
        if let Some((_, cleared)) = shown.get() {
            chosen.set(cleared);
        }
    });
    let save = Write::new(
        error,
        move |labels: Vec<LabelId>| {
            let (org, id) = (organisation.clone(), account_id.clone());
            async move { set_clearances(org, id, labels).await.map_err(Problem::from) }
        },
        move |removed: u64| {
            notice.set(Some(if removed == 0 {
                tr("Clearances saved.").to_string()
            } else {
                tf(
                    "Clearances saved. {0} shares they are no longer cleared for were removed.",
                    &[("0", &removed.to_string())],
                )
            }));
            loaded.refetch();
        },
    );
    let boxes = move || {
        shown
            .get()
            .map(|(labels, _)| labels)
            .unwrap_or_default()
            .into_iter()
            .map(|l| {
                let id = l.id.clone();
                let checked = {
                    let id = id.clone();
                    move || chosen.with(|c| c.contains(&id))
                };
                let field = format!("clearance-{}", l.id);
                let label_for = field.clone();
                view! {
                    <label for=label_for>
                        <input id=field type="checkbox" prop:checked=checked
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                chosen.update(|c| {
                                    c.retain(|x| *x != id);
                                    if on { c.push(id.clone()); }
                                });
                            } />
                        {l.name.clone()}
                    </label>
                }
            })
            .collect_view()
    };
    view! {
        <section class="stack" aria-label=tf("Clearances of {0}", &[("0", &email)])>
            <h3>{tr("Clearances")}</h3>
            <Show when=move || shown.with(|s| s.as_ref().is_some_and(|(l, _)| l.is_empty()))>
                <p class="hint">{tr("This organisation has no labels yet.")}</p>
            </Show>
            <Show when=move || shown.with(|s| s.as_ref().is_some_and(|(l, _)| !l.is_empty()))>
                <fieldset class="choices">
                    <legend>{tr("Cleared for")}</legend>
                    {boxes}
                </fieldset>
                <p class="hint">{tr("Taking a clearance away removes the shares it no longer covers.")}</p>
                <button type="button" disabled=move || save.pending().get()
                    on:click=move |_| { notice.set(None); save.send(chosen.get_untracked()); }>{tr("Save clearances")}</button>
            </Show>
            <ErrorBox message=error />
            <Show when=move || notice.with(|n| n.is_some())>
                <p class="notice" role="status">{move || notice.get().unwrap_or_default()}</p>
            </Show>
        </section>
    }
}

/// The label of the item `node`, in its Share panel. `changed` is told
/// what to say once it is set (the page's copy of the item is stale).
#[component]
pub fn ItemLabel(
    organisation_id: OrganisationId,
    node: NodeView,
    changed: Option<Callback<String>>,
) -> impl IntoView {
    let error = RwSignal::new(None::<Problem>);
    let notice = RwSignal::new(None::<String>);
    let org = organisation_id.clone();
    let labels = load_when(move || Some(list_labels(org.clone())));
    let listed = RwSignal::new(None::<Vec<LabelView>>);
    show_latest(labels, listed, error);
    // The select's value is a label's id, or "" for none.
    let choice = RwSignal::new(String::new());
    let current = node.label.clone();
    Effect::new(move |_| {
        let found = listed.with(|l| {
            l.as_ref()
                .and_then(|l| l.iter().find(|x| Some(&x.name) == current.as_ref()))
                .map(|x| x.id.to_string())
        });
        choice.set(found.unwrap_or_default());
    });
    let field = format!("item-label-{}", node.id);
    let id = node.id.clone();
    let save = Write::new(
        error,
        move |label: String| {
            let (org, id) = (organisation_id.clone(), id.clone());
            let name = listed.with_untracked(|l| {
                l.as_ref()
                    .and_then(|l| l.iter().find(|x| x.id.as_str() == label))
                    .map(|x| x.name.clone())
            });
            async move {
                let chosen = (!label.is_empty()).then(|| LabelId::new(label));
                set_item_label(org, id, chosen).await?;
                Ok::<_, Problem>(match name {
                    Some(n) => tf("The label is now {0}.", &[("0", &n)]),
                    None => tr("The label was taken off.").to_string(),
                })
            }
        },
        move |said: String| match changed {
            Some(tell) => tell.run(said),
            None => notice.set(Some(said)),
        },
    );
    let options = move || {
        listed
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|l| view! { <option value=l.id.to_string()>{l.name}</option> })
            .collect_view()
    };
    view! {
        <Show when=move || listed.with(|l| l.as_ref().is_some_and(|l| !l.is_empty()))>
            <form class="inline-form item-label" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                notice.set(None);
                save.send(choice.get_untracked());
            } novalidate>
                <label for=field.clone()>{tr("Label")}</label>
                <select id=field.clone() bind:value=choice>
                    <option value="">{tr("No label")}</option>
                    {options}
                </select>
                <button type="submit" class="secondary" disabled=move || save.pending().get()>{tr("Set label")}</button>
            </form>
        </Show>
        <ErrorBox message=error />
        <Show when=move || notice.with(|n| n.is_some())>
            <p class="notice" role="status">{move || notice.get().unwrap_or_default()}</p>
        </Show>
    }
}
