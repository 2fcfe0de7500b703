//! BOX-12: a box's activity: who did what and when, newest first; each
//! item's name opened in the browser while the item exists.

use coffer_api::box_activity;
use coffer_shared::boxes::Activity;
use coffer_shared::ids::{NodeId, OrganisationId};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::keys::{changed, path_records};
use super::KeysLocked;
use crate::i18n::tr;
use crate::session::use_session;
use crate::ui::{
    load_when, local_time, member_organisation, require_sign_in, show_latest, ErrorBox, Problem,
};

/// An audit code in words.
fn what(action: &str) -> &'static str {
    match action {
        "box.created" => "Created the box",
        "box.folder_created" => "Created a folder",
        "box.renamed" => "Renamed",
        "box.moved" => "Moved",
        "box.trashed" => "Deleted",
        "box.restored" => "Restored",
        "box.trash_emptied" => "Emptied the trash",
        "box.purged" => "Purged after the retention period",
        "file.uploaded" => "Uploaded",
        "file.downloaded" => "Downloaded",
        "box.exported" => "Exported",
        "share.granted" => "Shared",
        "share.changed" => "Changed who has access",
        "share.removed" => "Removed someone's access",
        "share.expired" => "Someone's access ended",
        "share.key_renewed" => "Renewed the key after access ended",
        "box.labelled" => "Changed the label",
        "share.pending" => "Shared with someone from outside",
        _ => "Changed",
    }
}

#[derive(Clone)]
struct Line {
    at_ms: i64,
    actor: String,
    action: String,
    item: String,
}

async fn open(org: OrganisationId, box_id: NodeId) -> Result<Vec<Line>, Problem> {
    let events: Vec<Activity> = box_activity(org, box_id).await?;
    let mut names = std::collections::HashMap::<String, String>::new();
    let mut lines = Vec::with_capacity(events.len());
    for event in events {
        let item = match event.path.last() {
            None => tr("(deleted for good)").to_string(),
            Some(node) => match names.get(node.id.as_str()) {
                Some(n) => n.clone(),
                None => {
                    let records = path_records(&event.path).await?;
                    let n = records
                        .last()
                        .cloned()
                        .flatten()
                        .map(|r| r.name)
                        .unwrap_or_else(changed);
                    names.insert(node.id.to_string(), n.clone());
                    n
                }
            },
        };
        lines.push(Line {
            at_ms: event.at_ms,
            actor: event.actor,
            action: event.action,
            item,
        });
    }
    Ok(lines)
}

#[component]
pub fn ActivityPage() -> impl IntoView {
    let session = use_session();
    let allowed = require_sign_in();
    let organisation = member_organisation();
    let params = use_params_map();
    let box_id = Memo::new(move |_| params.with(|p| p.get("id").map(NodeId::from)));
    let error = RwSignal::new(None::<Problem>);
    let loaded = load_when(move || {
        session.unlocked.track();
        let (org, _) = organisation.get().filter(|_| allowed.get())?;
        Some(open(org, box_id.get()?))
    });
    let shown = RwSignal::new(None::<Vec<Line>>);
    show_latest(loaded, shown, error);
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
                <h1>{tr("Activity")}</h1>
                <KeysLocked on_unlocked=Callback::new(move |()| loaded.refetch()) />
                <ErrorBox message=error />
                {move || shown.get().map(|lines| view! {
                    <table class="list nodes activity">
                        <caption class="visually-hidden">{tr("Activity")}</caption>
                        <thead><tr>
                            <th scope="col">{tr("When")}</th>
                            <th scope="col">{tr("Who")}</th>
                            <th scope="col">{tr("What")}</th>
                            <th scope="col">{tr("Item")}</th>
                        </tr></thead>
                        <tbody>
                            {lines.into_iter().map(|l| view! {
                                <tr>
                                    <td data-label=tr("When")>{local_time(l.at_ms)}</td>
                                    <td data-label=tr("Who")>{l.actor}</td>
                                    <td data-label=tr("What")>{tr(what(&l.action))}</td>
                                    <td data-label=tr("Item")>{l.item}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                })}
            </section>
        </Show>
    }
}
