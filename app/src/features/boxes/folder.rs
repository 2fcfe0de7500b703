//! BOX-1: inside a box or folder: the way back up (breadcrumb), its
//! folders by name, and "New folder".

use coffer_api::{create_folder, move_node, open_folder, rename_node, trash_node};
use coffer_shared::boxes::{FileFacts, FolderView, NodeKind, NodeRecord, NodeView};
use coffer_shared::ids::{AccountId, NodeId, OrganisationId};
use coffer_shared::sharing::Permission;
use coffer_shared::types::Bytes;
use coffer_shared::worker::{KeyStep, SealedNode};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::dropped::{self, Tree};
use super::export::{ExportForm, Exported};
use super::files::{self, PreviewPanel};
use super::keys::{changed, make_node, path_records, records, reseal, rewrap};
use super::list::{Destination, Moving, Named, NodeTable, Renaming};
use super::uploads::{self, Queued, Target, UploadPanel, Uploads};
use super::{KeysLocked, NameForm};
use crate::features::sharing::{self, SharePanel};
use crate::i18n::{tf, tr};
use crate::session::use_session;
use crate::ui::{
    load_when, member_organisation, require_sign_in, show_latest, ErrorBox, Problem, Write,
};

/// Where a whole folder to upload comes from.
#[derive(Clone)]
enum FolderSource {
    Picked(Vec<web_sys::File>),
    Dropped(Vec<web_sys::FileSystemEntry>),
}

/// A folder with every name opened: the path's and the children's.
#[derive(Clone)]
struct Opened {
    folder: FolderView,
    path_names: Vec<Option<NodeRecord>>,
    children: Vec<Named>,
}

async fn open(org: OrganisationId, id: NodeId, me: Option<AccountId>) -> Result<Opened, Problem> {
    let folder = open_folder(org, id).await?;
    // BOX-2: what was shared is taken only as its granter signed it.
    if let (Some(proof), Some(root)) = (folder.proof.clone(), folder.path.first()) {
        let checked = sharing::check_permits(me, vec![(SealedNode::from(root), proof)]).await?;
        if checked != [true] {
            return Err(sharing::forged());
        }
    }
    let path_names = path_records(&folder.path).await?;
    let steps: Vec<KeyStep> = folder.path.iter().map(KeyStep::from).collect();
    let names = records(steps, &folder.children).await?;
    let children = folder.children.iter().cloned().zip(names).collect();
    Ok(Opened {
        folder,
        path_names,
        children,
    })
}

fn name(record: &Option<NodeRecord>) -> String {
    record
        .as_ref()
        .map(|r| r.name.clone())
        .unwrap_or_else(changed)
}

#[component]
pub fn FolderPage() -> impl IntoView {
    let session = use_session();
    let allowed = require_sign_in();
    let organisation = member_organisation();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").map(NodeId::from)));
    let error = RwSignal::new(None::<Problem>);
    let form_error = RwSignal::new(None::<Problem>);
    let notice = RwSignal::new(None::<String>);
    let new_name = RwSignal::new(String::new());
    let loaded = load_when(move || {
        session.unlocked.track();
        let (org, _) = organisation.get().filter(|_| allowed.get())?;
        let me = session.account.with(|a| a.as_ref().map(|a| a.id.clone()));
        Some(open(org, id.get()?, me))
    });
    let shown = RwSignal::new(None::<Opened>);
    show_latest(loaded, shown, error);
    // Leaving for another folder: what was shown belongs to the old one.
    Effect::new(move |_| {
        id.track();
        shown.set(None);
        notice.set(None);
    });
    let create = Write::new(
        form_error,
        move |name: String| async move {
            let here = shown.get_untracked().map(|o| o.folder);
            let (Some(folder), Some(parent)) = (here, id.get_untracked()) else {
                return Err(Problem::from(tr("The folder is still loading.")));
            };
            let steps = folder.path.iter().map(KeyStep::from).collect();
            let node = make_node(steps, name.clone()).await?;
            create_folder(folder.organisation_id, parent, node).await?;
            Ok(name)
        },
        move |made: String| {
            new_name.set(String::new());
            notice.set(Some(tf("Folder “{0}” created.", &[("0", &made)])));
            loaded.refetch();
        },
    );
    let rename_error = RwSignal::new(None::<Problem>);
    let rename = Write::new(
        rename_error,
        move |(node, before, name): Renaming| async move {
            let Some(folder) = shown.get_untracked().map(|o| o.folder) else {
                return Err(Problem::from(tr("The folder is still loading.")));
            };
            // Sealed by this folder, the parent of what is renamed.
            let steps: Vec<KeyStep> = folder.path.iter().map(KeyStep::from).collect();
            let under = steps
                .last()
                .map(|s| s.public_key.clone())
                .unwrap_or_default();
            let sealed = reseal(steps, &node, before, name.clone()).await?;
            rename_node(folder.organisation_id, node.id, Bytes(sealed), under).await?;
            Ok(name)
        },
        move |name: String| {
            notice.set(Some(tf("Renamed to “{0}”.", &[("0", &name)])));
            loaded.refetch();
        },
    );
    let delete = Write::new(
        rename_error,
        move |(node, name): (NodeView, String)| async move {
            let Some(org) = shown.get_untracked().map(|o| o.folder.organisation_id) else {
                return Err(Problem::from(tr("The folder is still loading.")));
            };
            trash_node(org, node.id).await?;
            Ok(name)
        },
        move |name: String| {
            notice.set(Some(tf("“{0}” moved to the trash.", &[("0", &name)])));
            loaded.refetch();
        },
    );
    let download = Write::new(
        rename_error,
        move |(node, name, size): (NodeView, String, u64)| async move {
            let Some(org) = shown.get_untracked().map(|o| o.folder.organisation_id) else {
                return Err(Problem::from(tr("The folder is still loading.")));
            };
            let progress = files::progress_in(notice, name.clone());
            files::download(org, node, name, size, progress).await
        },
        move |saved: Option<String>| match saved {
            Some(name) => notice.set(Some(tf("“{0}” downloaded.", &[("0", &name)]))),
            None => notice.set(None),
        },
    );
    let relocate = Write::new(
        rename_error,
        move |(node, to): Moving| async move {
            let Some(opened) = shown.get_untracked() else {
                return Err(Problem::from(tr("The folder is still loading.")));
            };
            let path = &opened.folder.path;
            let from: Vec<KeyStep> = path.iter().map(KeyStep::from).collect();
            // The parent, or a folder beside the item.
            let to_steps: Vec<KeyStep> = match path.iter().position(|n| n.id == to) {
                Some(i) => from[..=i].to_vec(),
                None => {
                    let beside = opened
                        .children
                        .iter()
                        .find(|(n, _)| n.id == to)
                        .ok_or_else(|| Problem::from(tr("The folder is still loading.")))?;
                    let mut steps = from.clone();
                    steps.push(KeyStep::from(&beside.0));
                    steps
                }
            };
            let name = opened
                .children
                .iter()
                .find(|(n, _)| n.id == node.id)
                .map(|(_, r)| name(r))
                .unwrap_or_default();
            let rewrapped = rewrap(from, &node, to_steps).await?;
            move_node(opened.folder.organisation_id, node.id, to, rewrapped).await?;
            Ok(name)
        },
        move |name: String| {
            notice.set(Some(tf("“{0}” moved.", &[("0", &name)])));
            loaded.refetch();
        },
    );
    let destinations = move |o: &Opened| {
        let mut places = Vec::new();
        if o.folder.path.len() >= 2 {
            let i = o.folder.path.len() - 2;
            let label = tf("Up to {0}", &[("0", &name(&o.path_names[i]))]);
            places.push(Destination {
                id: o.folder.path[i].id.clone(),
                label,
            });
        }
        for (n, r) in &o.children {
            if n.kind != NodeKind::File {
                places.push(Destination {
                    id: n.id.clone(),
                    label: name(r),
                });
            }
        }
        places
    };
    let previewing = RwSignal::new(None::<files::Preview>);
    let preview = Write::new(
        rename_error,
        move |(node, name, facts): (NodeView, String, FileFacts)| async move {
            let Some(org) = shown.get_untracked().map(|o| o.folder.organisation_id) else {
                return Err(Problem::from(tr("The folder is still loading.")));
            };
            files::preview(org, node, name, facts).await
        },
        move |p: files::Preview| {
            if let Some(old) = previewing.get_untracked() {
                old.release();
            }
            previewing.set(Some(p));
        },
    );
    // BOX-2: the item whose Share panel is open, with its name.
    let sharing_item = RwSignal::new(None::<(NodeView, String)>);
    // A change from a Share panel the page's copy does not show (a key
    // renewed, CRY-4; a label, BOX-4): it loads again and says what changed.
    let renewed = Callback::new(move |said: String| {
        sharing_item.set(None);
        notice.set(Some(said));
        loaded.refetch();
    });
    Effect::new(move |_| {
        id.track();
        sharing_item.set(None);
    });
    let share = Callback::new(move |item: (NodeView, String)| sharing_item.set(Some(item)));
    let uploads = Uploads::new();
    let target = Signal::derive(move || {
        let o = shown.get()?;
        Some(Target {
            organisation_id: o.folder.organisation_id.clone(),
            folder: id.get()?,
            path: o.folder.path.iter().map(KeyStep::from).collect(),
        })
    });
    let uploaded = Callback::new(move |()| loaded.refetch());
    let exported = Signal::derive(move || {
        let o = shown.get()?;
        Some(Exported {
            organisation_id: o.folder.organisation_id.clone(),
            node: id.get()?,
            name: o.path_names.last().map(name)?,
            is_box: o.folder.path.len() == 1,
        })
    });
    let send = move |files: Vec<web_sys::File>| {
        if files.is_empty() {
            return;
        }
        match target.get_untracked() {
            Some(t) => uploads.add(Queued::into(files, &t), uploaded),
            None => error.set(Some(Problem::from(tr("The folder is still loading.")))),
        }
    };
    let picked = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        send(uploads::files_of(input.files()));
        // The same file may be chosen again later.
        input.set_value("");
    };
    // A whole folder: its tree is made first, then its files queued.
    let folder_upload = Write::new(
        error,
        move |from: FolderSource| async move {
            let Some(t) = target.get_untracked() else {
                return Err(Problem::from(tr("The folder is still loading.")));
            };
            let tree = match from {
                FolderSource::Picked(files) => Tree::picked(files),
                FolderSource::Dropped(entries) => dropped::walk(entries).await?,
            };
            uploads::with_folders(tree, &t).await
        },
        move |queued: Vec<Queued>| {
            loaded.refetch();
            uploads.add(queued, uploaded);
        },
    );
    // `webkitdirectory` (every browser's folder picker) is not an
    // attribute `view!` knows.
    let folder_picker = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = folder_picker.get() {
            input.set_webkitdirectory(true);
        }
    });
    let picked_folder = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let files = uploads::files_of(input.files());
        input.set_value("");
        if !files.is_empty() {
            folder_upload.send(FolderSource::Picked(files));
        }
    };
    let dragging = RwSignal::new(false);
    let dropped = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        let Some(data) = ev.data_transfer() else {
            return;
        };
        let entries = dropped::entries(&data);
        if dropped::holds_a_folder(&entries) {
            folder_upload.send(FolderSource::Dropped(entries));
        } else {
            send(uploads::files_of(data.files()));
        }
    };
    // What the member may do here: their own boxes all of it.
    let may = move |least: Permission| {
        shown.with(|o| {
            o.as_ref()
                .is_some_and(|o| o.folder.permission.unwrap_or(Permission::Manage) >= least)
        })
    };
    // A box's trash and activity, for those who reach it from the box.
    let trash_href = move || {
        shown.get().and_then(|o| {
            o.folder
                .path
                .first()
                .filter(|b| b.kind == NodeKind::Box && may(Permission::Modify))
                .map(|b| format!("/boxes/{}/trash", b.id))
        })
    };
    let breadcrumb = move || {
        shown.get().map(|o| {
            let last = o.folder.path.len().saturating_sub(1);
            let steps = o
                .folder
                .path
                .iter()
                .zip(&o.path_names)
                .enumerate()
                .map(|(i, (node, record))| {
                    let label = name(record);
                    if i == last {
                        view! { <li><span aria-current="page">{label}</span></li> }.into_any()
                    } else {
                        view! { <li><a href=format!("/boxes/{}", node.id)>{label}</a></li> }
                            .into_any()
                    }
                })
                .collect_view();
            view! {
                <nav class="breadcrumb" aria-label=tr("Where you are")>
                    <ol>
                        <li><a href="/boxes">{tr("Boxes")}</a></li>
                        {steps}
                    </ol>
                </nav>
            }
        })
    };
    let title = move || {
        shown
            .get()
            .and_then(|o| o.path_names.last().map(name))
            .unwrap_or_else(|| tr("Box").into())
    };
    view! {
        <Show when=move || allowed.get()>
            <section class="card">
                {breadcrumb}
                <h1>{title}</h1>
                {move || trash_href().map(|href| {
                    let activity = href.replace("/trash", "/activity");
                    view! { <p class="links"><a href=href>{tr("Trash")}</a>" · "<a href=activity>{tr("Activity")}</a></p> }
                })}
                <Show when=move || may(Permission::Download)>
                    <ExportForm what=exported />
                </Show>
                <KeysLocked on_unlocked=Callback::new(move |()| loaded.refetch()) />
                {move || shown.get().and_then(|o| o.folder.permission).filter(|p| *p < Permission::Download).map(|p| view! {
                    <p class="hint">{tf("You may {0} here: preview only. No browser can stop a determined reader from saving what they see.", &[("0", &tr(p.label()).to_lowercase())])}</p>
                })}
                <Show when=move || may(Permission::Upload)>
                    <NameForm id="new-folder" label="New folder" button="Create folder" create error=form_error name=new_name />
                </Show>
                <div class="upload-picker" class:hidden=move || !may(Permission::Upload)>
                    <input id="upload-files" class="visually-hidden" type="file" multiple on:change=picked />
                    <label for="upload-files" class="button">{tr("Upload files")}</label>
                    <input id="upload-folder" class="visually-hidden" type="file" node_ref=folder_picker on:change=picked_folder />
                    <label for="upload-folder" class="button secondary">{tr("Upload a folder")}</label>
                </div>
                <UploadPanel uploads done=uploaded />
                <PreviewPanel preview=previewing />
                <Show when=move || notice.with(|n| n.is_some())>
                    <p class="notice" role="status">{move || notice.get().unwrap_or_default()}</p>
                </Show>
                <ErrorBox message=error />
                <div class="drop-zone" class:dragging=move || dragging.get()
                    on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); dragging.set(true); }
                    on:dragleave=move |_| dragging.set(false)
                    on:drop=dropped>
                    {move || shown.get().map(|o| if o.children.is_empty() {
                        view! { <p>{tr("This folder is empty. Drop files or folders here to upload them.")}</p> }.into_any()
                    } else {
                        let places = destinations(&o);
                        let permission = o.folder.permission.unwrap_or(Permission::Manage);
                        view! { <NodeTable nodes=o.children rename error=rename_error delete download preview relocate=(relocate, places) permission share /> }.into_any()
                    })}
                </div>
                {move || shown.get().zip(sharing_item.get()).map(|(o, (item, name))| {
                    let mut path = o.folder.path.clone();
                    path.push(item);
                    let title = tf("Share “{0}”", &[("0", &name)]);
                    let close = Callback::new(move |()| sharing_item.set(None));
                    view! { <SharePanel organisation_id=o.folder.organisation_id.clone() path title close changed=renewed /> }
                })}
                {move || shown.get().filter(|o| o.folder.permission == Some(Permission::Manage)).map(|o| {
                    let title = tr("Share").to_string();
                    view! { <SharePanel organisation_id=o.folder.organisation_id.clone() path=o.folder.path.clone() title changed=renewed /> }
                })}
            </section>
        </Show>
    }
}
