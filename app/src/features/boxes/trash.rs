//! BOX-10: a box's trash: what was deleted, where it was and when, and
//! Restore.

use coffer_api::{empty_trash, list_trash, restore_node};
use coffer_shared::boxes::{NodeRecord, NodeView, TrashItem};
use coffer_shared::ids::{NodeId, OrganisationId};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::keys::{changed, path_records};
use super::KeysLocked;
use crate::i18n::{tf, tr};
use crate::session::use_session;
use crate::ui::{
    load_when, local_time, member_organisation, require_sign_in, show_latest, ErrorBox, Problem,
    Write,
};

/// One trashed item with the names along its way from the box opened.
#[derive(Clone)]
struct Opened {
    item: NodeView,
    names: Vec<String>,
}

fn name(record: &Option<NodeRecord>) -> String {
    record
        .as_ref()
        .map(|r| r.name.clone())
        .unwrap_or_else(changed)
}

async fn open(org: OrganisationId, box_id: NodeId) -> Result<Vec<Opened>, Problem> {
    let items: Vec<TrashItem> = list_trash(org, box_id).await?;
    let mut opened = Vec::with_capacity(items.len());
    for TrashItem { path } in items {
        let names = path_records(&path).await?.iter().map(name).collect();
        if let Some(item) = path.last().cloned() {
            opened.push(Opened { item, names });
        }
    }
    Ok(opened)
}

#[component]
pub fn TrashPage() -> impl IntoView {
    let session = use_session();
    let allowed = require_sign_in();
    let organisation = member_organisation();
    let params = use_params_map();
    let box_id = Memo::new(move |_| params.with(|p| p.get("id").map(NodeId::from)));
    let error = RwSignal::new(None::<Problem>);
    let notice = RwSignal::new(None::<String>);
    let loaded = load_when(move || {
        session.unlocked.track();
        let (org, _) = organisation.get().filter(|_| allowed.get())?;
        Some(open(org, box_id.get()?))
    });
    let shown = RwSignal::new(None::<Vec<Opened>>);
    show_latest(loaded, shown, error);
    let restore = Write::new(
        error,
        move |(node, name): (NodeId, String)| async move {
            let Some((org, _)) = organisation.get_untracked() else {
                return Err(Problem::from(tr(
                    "You are not a member of an organisation.",
                )));
            };
            restore_node(org, node).await?;
            Ok(name)
        },
        move |name: String| {
            notice.set(Some(tf("“{0}” restored.", &[("0", &name)])));
            loaded.refetch();
        },
    );
    let confirming = RwSignal::new(false);
    let empty = Write::or_else(
        error,
        move |box_id: NodeId| async move {
            let Some((org, _)) = organisation.get_untracked() else {
                return Err(Problem::from(tr(
                    "You are not a member of an organisation.",
                )));
            };
            empty_trash(org, box_id).await.map_err(Problem::from)
        },
        move |_purged: u64| {
            confirming.set(false);
            notice.set(Some(tr("The trash was emptied.").into()));
            loaded.refetch();
        },
        move |_| confirming.set(false),
    );
    let back = move || {
        box_id
            .get()
            .map(|id| format!("/boxes/{id}"))
            .unwrap_or_default()
    };
    view! {
        <Show when=move || allowed.get()>
            <section class="card">
                <p><a href=back>{tr("Back to the box")}</a></p>
                <h1>{tr("Trash")}</h1>
                <KeysLocked on_unlocked=Callback::new(move |()| loaded.refetch()) />
                <Show when=move || notice.with(|n| n.is_some())>
                    <p class="notice" role="status">{move || notice.get().unwrap_or_default()}</p>
                </Show>
                <ErrorBox message=error />
                {move || shown.get().map(|items| if items.is_empty() {
                    view! { <p>{tr("The trash is empty.")}</p> }.into_any()
                } else {
                    view! {
                        <div class="actions">
                            <button type="button" class="danger" on:click=move |_| confirming.set(true)>{tr("Empty trash")}</button>
                        </div>
                        <Show when=move || confirming.get()>
                            <div class="confirm" role="group" aria-label=tr("Confirm emptying the trash")>
                                <p class="warning">{tr("Everything in the trash, with what is inside it, is deleted for good. This cannot be undone.")}</p>
                                <button type="button" class="danger" disabled=move || empty.pending().get()
                                    on:click=move |_| if let Some(id) = box_id.get_untracked() { empty.send(id) }>{tr("Yes, empty the trash")}</button>
                                <button type="button" class="secondary" on:click=move |_| confirming.set(false)>{tr("Cancel")}</button>
                            </div>
                        </Show>
                        <table class="list nodes">
                            <caption class="visually-hidden">{tr("Trash")}</caption>
                            <thead><tr>
                                <th scope="col">{tr("Name")}</th>
                                <th scope="col">{tr("Was in")}</th>
                                <th scope="col">{tr("Deleted")}</th>
                                <th scope="col"><span class="visually-hidden">{tr("Actions")}</span></th>
                            </tr></thead>
                            <tbody>
                                {items.into_iter().map(|Opened { item, names }| {
                                    let (own, above) = names.split_last().map(|(o, a)| (o.clone(), a.join(" › "))).unwrap_or_default();
                                    let when = item.trashed_at_ms.map(local_time).unwrap_or_default();
                                    let aria = tf("Restore {0}", &[("0", &own)]);
                                    let (id, label) = (item.id.clone(), own.clone());
                                    view! {
                                        <tr>
                                            <td data-label=tr("Name")>{own}</td>
                                            <td data-label=tr("Was in")>{above}</td>
                                            <td data-label=tr("Deleted")>{when}</td>
                                            <td>
                                                <button type="button" class="secondary small" aria-label=aria
                                                    disabled=move || restore.pending().get()
                                                    on:click=move |_| restore.send((id.clone(), label.clone()))>{tr("Restore")}</button>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                })}
            </section>
        </Show>
    }
}
