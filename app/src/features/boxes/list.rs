//! BOX-1: the boxes a member holds, by name (opened in the worker), and
//! "New box" for Originators.

use coffer_api::{create_box, list_boxes, rename_node, trash_node};
use coffer_shared::boxes::{
    arrange, check_name, FileFacts, NodeKind, NodeOrder, NodeRecord, NodeView,
};
use coffer_shared::files::size_label;
use coffer_shared::ids::{NodeId, OrganisationId};
use coffer_shared::sharing::Permission;
use coffer_shared::types::Bytes;
use coffer_shared::worker::KeyStep;
use leptos::prelude::*;

use super::deleted::DeletedBoxes;
use super::keys::{changed, make_node, records, reseal};
use super::{KeysLocked, NameForm, OrganisationChoice};
use crate::i18n::{tf, tr};
use crate::session::use_session;
use crate::ui::{
    load_when, local_time, member_organisation, require_sign_in, show_latest, sort_header,
    ErrorBox, Problem, Write,
};

/// A node and its opened record (`None`: the seal did not open).
pub type Named = (NodeView, Option<NodeRecord>);

async fn named_boxes(org: OrganisationId) -> Result<Vec<Named>, Problem> {
    let boxes = list_boxes(org).await?;
    let names = records(Vec::new(), &boxes).await?;
    Ok(boxes.into_iter().zip(names).collect())
}

/// Rows drawn at first, and added by each "Show more".
const ROWS_AT_ONCE: usize = 200;

#[component]
pub fn BoxesPage() -> impl IntoView {
    let session = use_session();
    let allowed = require_sign_in();
    let organisation = member_organisation();
    let error = RwSignal::new(None::<Problem>);
    let form_error = RwSignal::new(None::<Problem>);
    let notice = RwSignal::new(None::<String>);
    let name = RwSignal::new(String::new());
    // Asked again when the keys unlock in this tab.
    let boxes = load_when(move || {
        session.unlocked.track();
        let (org, _) = organisation.get().filter(|_| allowed.get())?;
        Some(named_boxes(org))
    });
    let shown = RwSignal::new(None::<Vec<Named>>);
    show_latest(boxes, shown, error);
    let shared_version = RwSignal::new(0u32);
    let create = Write::new(
        form_error,
        move |name: String| async move {
            let Some((org, _)) = organisation.get_untracked() else {
                return Err(Problem::from(tr(
                    "You are not a member of an organisation.",
                )));
            };
            let node = make_node(Vec::new(), name.clone()).await?;
            create_box(org, node).await?;
            Ok(name)
        },
        move |made: String| {
            name.set(String::new());
            notice.set(Some(tf("Box “{0}” created.", &[("0", &made)])));
            boxes.refetch();
        },
    );
    let rename_error = RwSignal::new(None::<Problem>);
    let rename = Write::new(
        rename_error,
        move |(node, before, name): Renaming| async move {
            let Some((org, _)) = organisation.get_untracked() else {
                return Err(Problem::from(tr(
                    "You are not a member of an organisation.",
                )));
            };
            // A box seals its own record.
            let sealed = reseal(vec![KeyStep::from(&node)], &node, before, name.clone()).await?;
            let under = node.public_key.clone();
            rename_node(org, node.id, Bytes(sealed), under).await?;
            Ok(name)
        },
        move |name: String| {
            notice.set(Some(tf("Renamed to “{0}”.", &[("0", &name)])));
            boxes.refetch();
        },
    );
    let version = RwSignal::new(0u32);
    let delete = Write::new(
        rename_error,
        move |(node, name): (NodeView, String)| async move {
            let Some((org, _)) = organisation.get_untracked() else {
                return Err(Problem::from(tr(
                    "You are not a member of an organisation.",
                )));
            };
            trash_node(org, node.id).await?;
            Ok(name)
        },
        move |name: String| {
            notice.set(Some(tf("“{0}” moved to the trash.", &[("0", &name)])));
            boxes.refetch();
            version.update(|v| *v += 1);
        },
    );
    let originator = move || organisation.with(|o| o.as_ref().is_some_and(|(_, yes)| *yes));
    view! {
        <Show when=move || allowed.get()>
            <section class="card">
                <h1>{tr("Boxes")}</h1>
                <OrganisationChoice organisation />
                <KeysLocked on_unlocked=Callback::new(move |()| boxes.refetch()) />
                <Show when=originator fallback=|| view! {
                    <p class="hint">{tr("Boxes shared with you appear here. Only Originators create boxes.")}</p>
                }>
                    <NameForm id="new-box" label="New box" button="Create box" create error=form_error name />
                </Show>
                <Show when=move || notice.with(|n| n.is_some())>
                    <p class="notice" role="status">{move || notice.get().unwrap_or_default()}</p>
                </Show>
                <ErrorBox message=error />
                {move || shown.get().map(|list| if list.is_empty() {
                    view! { <p>{tr("You have no boxes yet.")}</p> }.into_any()
                } else {
                    view! { <NodeTable nodes=list rename error=rename_error delete /> }.into_any()
                })}
                <DeletedBoxes version restored=Callback::new(move |()| boxes.refetch()) />
                <crate::features::sharing::RenewDueKeys organisation renewed=Callback::new(move |()| { boxes.refetch(); shared_version.update(|v| *v += 1); }) />
                <crate::features::sharing::CompleteReadyShares organisation />
                <crate::features::transfers::CarryOutTransfers organisation moved=Callback::new(move |()| boxes.refetch()) />
                <crate::features::sharing::SharedWithMe organisation version=shared_version />
            </section>
        </Show>
    }
}

/// Where an item may be moved from a folder's table: its parent, or one of
/// the folders beside it (further by steps).
#[derive(Clone)]
pub struct Destination {
    pub id: NodeId,
    pub label: String,
}

/// What a move sends: the item and where it goes.
pub type Moving = (NodeView, NodeId);

/// What a rename sends: the item, its record as it was, the new name.
pub type Renaming = (NodeView, Option<NodeRecord>, String);

/// Boxes or a folder's contents: name (a link inside), created, modified,
/// and Rename, which turns the name into a field.
#[component]
pub fn NodeTable(
    nodes: Vec<Named>,
    rename: Write<Renaming>,
    error: RwSignal<Option<Problem>>,
    /// BOX-10: to the trash (a box: to "Deleted boxes").
    #[prop(optional)]
    delete: Option<Write<(NodeView, String)>>,
    /// BOX-1: a folder's table also lists files, with size and type, and
    /// offers Download for them.
    #[prop(optional)]
    download: Option<Write<(NodeView, String, u64)>>,
    /// BOX-7: Preview, for the types the browser can show.
    #[prop(optional)]
    preview: Option<Write<(NodeView, String, FileFacts)>>,
    /// BOX-1: Move, to one of these.
    #[prop(optional)]
    relocate: Option<(Write<Moving>, Vec<Destination>)>,
    /// BOX-2: what the member's permit allows here (their own: all).
    #[prop(default = Permission::Manage)]
    permission: Permission,
    /// BOX-2: Share, which opens the item's Share panel.
    #[prop(optional)]
    share: Option<Callback<(NodeView, String)>>,
) -> impl IntoView {
    let share = share.filter(|_| permission == Permission::Manage);
    let in_folder = download.is_some();
    let may_modify = permission >= Permission::Modify;
    let (delete, relocate) = if may_modify {
        (delete, relocate)
    } else {
        (None, None)
    };
    let download = download.map(|d| (d, permission >= Permission::Download));
    let moving = RwSignal::new(None::<NodeId>);
    let destination = RwSignal::new(String::new());
    let editing = RwSignal::new(None::<NodeId>);
    let new_name = RwSignal::new(String::new());
    let items = StoredValue::new(nodes);
    let relocate = StoredValue::new(relocate);
    let filter = RwSignal::new(String::new());
    // Rows drawn: a folder of thousands is sorted and filtered whole, but
    // only its first rows are drawn until more are asked for.
    let limit = RwSignal::new(ROWS_AT_ONCE);
    let order = RwSignal::new(NodeOrder::Name);
    let descending = RwSignal::new(false);
    let columns: Vec<NodeOrder> = if in_folder {
        vec![
            NodeOrder::Name,
            NodeOrder::Size,
            NodeOrder::Type,
            NodeOrder::Modified,
            NodeOrder::UploadedBy,
        ]
    } else {
        vec![NodeOrder::Name, NodeOrder::Created, NodeOrder::Modified]
    };
    let arranged = Memo::new(move |_| {
        items.with_value(|all| arrange(all, &filter.get(), order.get(), descending.get()))
    });
    let header = move |col: NodeOrder| sort_header(col, col.label(), order, descending, || {});
    let render_row = move |(node, record): Named| {
        let href = format!("/boxes/{}", node.id);
        let (name, created, modified) = match &record {
            Some(r) => (
                r.name.clone(),
                local_time(r.created_at_ms),
                local_time(r.modified_at_ms),
            ),
            // A box whose key does not open: changed, or (ACC-7) wrapped
            // to keys its owner lost in a reset without recovery.
            None if !in_folder => (
                tr("This box does not open with your keys: it was changed outside Coffer, or encrypted to keys you no longer have.").to_string(),
                String::new(),
                String::new(),
            ),
            None => (changed(), String::new(), String::new()),
        };
        let id = node.id.clone();
        let this = id.clone();
        let field = format!("rename-{id}");
        let submit = {
            let (node, record) = (node.clone(), record.clone());
            move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                match check_name(&new_name.get_untracked()) {
                    Ok(n) => rename.send((node.clone(), record.clone(), n)),
                    Err(e) => error.set(Some(Problem::Api(e.into()))),
                }
            }
        };
        let start = {
            let (id, name) = (id.clone(), name.clone());
            move |_| {
                new_name.set(name.clone());
                editing.set(Some(id.clone()));
            }
        };
        let label = name.clone();
        let facts = record.as_ref().and_then(|r| r.file.clone());
        let by = node.created_by.clone().unwrap_or_default();
        let is_file = node.kind == NodeKind::File;
        let middle = if in_folder {
            let (size, kind) = match &facts {
                Some(f) => (size_label(f.size), f.mime.clone()),
                None if is_file => (String::new(), String::new()),
                None => (String::new(), tr("Folder").to_string()),
            };
            view! {
                <td data-label=tr("Size")>{size}</td>
                <td data-label=tr("Type")>{kind}</td>
            }
            .into_any()
        } else {
            view! { <td data-label=tr("Created")>{created}</td> }.into_any()
        };
        let fetch = download.filter(|(_, may)| is_file && *may).map(|(download, _)| {
            let (node, name) = (node.clone(), name.clone());
            let size = facts.as_ref().map_or(0, |f| f.size);
            let aria = tf("Download {0}", &[("0", &name)]);
            view! {
                <button type="button" class="small" aria-label=aria
                    disabled=move || download.pending().get()
                    on:click=move |_| download.send((node.clone(), name.clone(), size))>{tr("Download")}</button>
            }
        });
        let look = preview
            .zip(facts.clone())
            .filter(|(_, f)| super::files::previewable(&f.mime))
            .map(|(preview, f)| {
                let (node, name) = (node.clone(), name.clone());
                let aria = tf("Preview {0}", &[("0", &name)]);
                view! {
                    <button type="button" class="secondary small" aria-label=aria
                        disabled=move || preview.pending().get()
                        on:click=move |_| preview.send((node.clone(), name.clone(), f.clone()))>{tr("Preview")}</button>
                }
            });
        let relocation = relocate.get_value().map(|(send, places)| {
            let aria = tf("Move {0}", &[("0", &name)]);
            let field = format!("move-{id}");
            let label = tf("Move {0} to", &[("0", &name)]);
            let (start_id, this) = (id.clone(), id.clone());
            let node = node.clone();
            let choices: Vec<(String, String)> = places
                .iter()
                .filter(|p| p.id != this)
                .map(|p| (p.id.to_string(), p.label.clone()))
                .collect();
            let first = choices.first().map(|(v, _)| v.clone());
            let submit = move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                let to = destination.get_untracked();
                if !to.is_empty() {
                    send.send((node.clone(), NodeId::from(to)));
                    moving.set(None);
                }
            };
            let shown = {
                let this = this.clone();
                move || moving.with(|m| m.as_ref() == Some(&this))
            };
            (first.is_some()).then(|| view! {
                <Show when=shown.clone() fallback=move || {
                    let (start_id, first) = (start_id.clone(), first.clone());
                    view! {
                        <button type="button" class="secondary small" aria-label=aria.clone()
                            on:click=move |_| {
                                destination.set(first.clone().unwrap_or_default());
                                moving.set(Some(start_id.clone()));
                            }>{tr("Move")}</button>
                    }
                }>
                    <form class="inline-form" on:submit=submit.clone() novalidate>
                        <label for=field.clone()>{label.clone()}</label>
                        <select id=field.clone() bind:value=destination>
                            {choices.iter().map(|(v, l)| view! { <option value=v.clone()>{l.clone()}</option> }).collect_view()}
                        </select>
                        <button type="submit" disabled=move || send.pending().get()>{tr("Move here")}</button>
                        <button type="button" class="secondary" on:click=move |_| moving.set(None)>{tr("Cancel")}</button>
                    </form>
                </Show>
            })
        });
        let share_button = share.map(|share| {
            let (node, name) = (node.clone(), name.clone());
            let aria = tf("Share {0}", &[("0", &name)]);
            view! {
                <button type="button" class="secondary small" aria-label=aria
                    on:click=move |_| share.run((node.clone(), name.clone()))>{tr("Share")}</button>
            }
        });
        let remove = delete.map(|delete| {
            let (node, name) = (node.clone(), name.clone());
            let aria = tf("Delete {0}", &[("0", &name)]);
            view! {
                <button type="button" class="secondary small" aria-label=aria
                    disabled=move || delete.pending().get()
                    on:click=move |_| delete.send((node.clone(), name.clone()))>{tr("Delete")}</button>
            }
        });
        // BOX-4: the label it carries, beside its name.
        let badge = node
            .label
            .clone()
            .map(|l| view! { <span class="label-badge" title=tr("Label")>{l}</span> });
        view! {
            <tr>
                <td data-label=tr("Name")>
                    <Show
                        when={let this = this.clone(); move || editing.with(|e| e.as_ref() == Some(&this))}
                        fallback={let (href, name) = (href.clone(), name.clone()); move || if is_file {
                            view! { <span class="file-name">{name.clone()}</span> }.into_any()
                        } else {
                            view! { <a href=href.clone()>{name.clone()}</a> }.into_any()
                        }}
                    >
                        <form class="inline-form" on:submit=submit.clone() novalidate>
                            <label for=field.clone()>{tf("New name for {0}", &[("0", &label)])}</label>
                            <input id=field.clone() type="text" maxlength="255" autocomplete="off" bind:value=new_name />
                            <button type="submit" disabled=move || rename.pending().get()>{tr("Save name")}</button>
                            <button type="button" class="secondary" on:click=move |_| editing.set(None)>{tr("Cancel")}</button>
                        </form>
                    </Show>
                    {badge}
                </td>
                {middle}
                <td data-label=tr("Modified")>{modified}</td>
                {in_folder.then(|| view! { <td data-label=tr("Uploaded by")>{by.clone()}</td> })}
                <td>
                    {fetch}
                    {look}
                    {relocation}
                    {share_button}
                    {may_modify.then(|| view! {
                        <button type="button" class="secondary small" aria-label=tf("Rename {0}", &[("0", &name)]) on:click=start>{tr("Rename")}</button>
                    })}
                    {remove}
                </td>
            </tr>
        }
    };
    view! {
        <ErrorBox message=error />
        <div class="table-filter">
            <label for="filter-items">{tr("Filter by name")}</label>
            <input id="filter-items" type="search" autocomplete="off" bind:value=filter />
        </div>
        <table class="list nodes">
            <caption class="visually-hidden">{tr("Contents")}</caption>
            <thead><tr>
                {columns.iter().map(|c| header(*c)).collect_view()}
                <th scope="col"><span class="visually-hidden">{tr("Actions")}</span></th>
            </tr></thead>
            <tbody>
                {move || {
                    let first: Vec<Named> = arranged.with(|all| all.iter().take(limit.get()).cloned().collect());
                    if first.is_empty() {
                        let empty = tf("Nothing here matches “{0}”.", &[("0", filter.get().trim())]);
                        return view! { <tr><td colspan=columns.len() + 1>{empty}</td></tr> }.into_any();
                    }
                    first.into_iter().map(render_row).collect_view().into_any()
                }}
            </tbody>
        </table>
        {move || {
            let matching = arranged.with(Vec::len);
            let drawn = limit.get();
            (matching > drawn).then(|| {
                let words = tf(
                    "Showing {0} of {1}.",
                    &[("0", &drawn.to_string()), ("1", &matching.to_string())],
                );
                view! {
                    <p class="table-more">
                        {words}
                        " "
                        <button type="button" class="secondary small"
                            on:click=move |_| limit.update(|l| *l += ROWS_AT_ONCE)>{tr("Show more")}</button>
                    </p>
                }
            })
        }}
    }
}
