//! BOX-10 for whole boxes: a deleted box waits under "Deleted boxes" on
//! the Boxes page (for the organisation's trash retention), with Restore
//! and "Delete for good".

use coffer_api::{deleted_boxes, purge_box, restore_node};
use coffer_shared::ids::{NodeId, OrganisationId};
use leptos::prelude::*;

use super::keys::{changed, records};
use super::list::Named;
use crate::i18n::{tf, tr};
use crate::session::use_session;
use crate::ui::{
    load_when, local_time, member_organisation, show_latest, ErrorBox, Problem, Write,
};

async fn named_deleted(org: OrganisationId) -> Result<Vec<Named>, Problem> {
    let boxes = deleted_boxes(org).await?;
    // A box's record is sealed by the box itself, its key wrapped to us.
    let names = records(Vec::new(), &boxes).await?;
    Ok(boxes.into_iter().zip(names).collect())
}

fn no_organisation() -> Problem {
    Problem::from(tr("You are not a member of an organisation."))
}

/// `version` changes when a box is deleted from the list above;
/// `restored` runs when one comes back.
#[component]
pub fn DeletedBoxes(version: RwSignal<u32>, restored: Callback<()>) -> impl IntoView {
    let session = use_session();
    let organisation = member_organisation();
    let error = RwSignal::new(None::<Problem>);
    let notice = RwSignal::new(None::<String>);
    let loaded = load_when(move || {
        version.track();
        session.unlocked.track();
        let (org, _) = organisation.get()?;
        Some(named_deleted(org))
    });
    let shown = RwSignal::new(None::<Vec<Named>>);
    show_latest(loaded, shown, error);
    let restore = Write::new(
        error,
        move |(id, name): (NodeId, String)| async move {
            let (org, _) = organisation.get_untracked().ok_or_else(no_organisation)?;
            restore_node(org, id).await?;
            Ok::<_, Problem>(name)
        },
        move |name: String| {
            notice.set(Some(tf("“{0}” restored.", &[("0", &name)])));
            loaded.refetch();
            restored.run(());
        },
    );
    let confirming = RwSignal::new(None::<NodeId>);
    let purge = Write::or_else(
        error,
        move |(id, name): (NodeId, String)| async move {
            let (org, _) = organisation.get_untracked().ok_or_else(no_organisation)?;
            purge_box(org, id).await?;
            Ok::<_, Problem>(name)
        },
        move |name: String| {
            confirming.set(None);
            notice.set(Some(tf("“{0}” was deleted for good.", &[("0", &name)])));
            loaded.refetch();
        },
        move |_| confirming.set(None),
    );
    let row = move |(node, record): Named| {
        let name = record.map(|r| r.name).unwrap_or_else(changed);
        let when = node.trashed_at_ms.map(local_time).unwrap_or_default();
        let (id, label) = (node.id.clone(), name.clone());
        let (ask_id, shown_id, purge_id, purge_name) = (
            node.id.clone(),
            node.id.clone(),
            node.id.clone(),
            name.clone(),
        );
        view! {
            <tr>
                <td data-label=tr("Name")>{name.clone()}</td>
                <td data-label=tr("Deleted")>{when}</td>
                <td>
                    <button type="button" class="secondary small" aria-label=tf("Restore {0}", &[("0", &name)])
                        disabled=move || restore.pending().get()
                        on:click=move |_| restore.send((id.clone(), label.clone()))>{tr("Restore")}</button>
                    <button type="button" class="danger small" aria-label=tf("Delete for good: {0}", &[("0", &name)])
                        on:click=move |_| confirming.set(Some(ask_id.clone()))>{tr("Delete for good")}</button>
                    <Show when=move || confirming.with(|c| c.as_ref() == Some(&shown_id))>
                        <div class="confirm" role="group" aria-label=tf("Confirm deleting {0} for good", &[("0", &name)])>
                            <p class="warning">{tf("“{0}” and everything in it are deleted for good. This cannot be undone.", &[("0", &name)])}</p>
                            <button type="button" class="danger" disabled=move || purge.pending().get()
                                on:click={let (id, n) = (purge_id.clone(), purge_name.clone()); move |_| purge.send((id.clone(), n.clone()))}>{tr("Yes, delete it for good")}</button>
                            <button type="button" class="secondary" on:click=move |_| confirming.set(None)>{tr("Cancel")}</button>
                        </div>
                    </Show>
                </td>
            </tr>
        }
    };
    view! {
        <Show when=move || notice.with(|n| n.is_some())>
            <p class="notice" role="status">{move || notice.get().unwrap_or_default()}</p>
        </Show>
        <ErrorBox message=error />
        {move || shown.get().filter(|list| !list.is_empty()).map(|list| view! {
            <section class="deleted-boxes" aria-label=tr("Deleted boxes")>
                <h2>{tr("Deleted boxes")}</h2>
                <p class="hint">{tr("Deleted boxes wait here for the organisation's trash retention, then are deleted for good with everything in them.")}</p>
                <table class="list nodes">
                    <caption class="visually-hidden">{tr("Deleted boxes")}</caption>
                    <thead><tr>
                        <th scope="col">{tr("Name")}</th>
                        <th scope="col">{tr("Deleted")}</th>
                        <th scope="col"><span class="visually-hidden">{tr("Actions")}</span></th>
                    </tr></thead>
                    <tbody>{list.into_iter().map(row).collect_view()}</tbody>
                </table>
            </section>
        })}
    }
}
