//! BOX-2, BOX-3: the Share panel of a box or folder (whom to share with,
//! what they may do, from when until when; who has access, changed or
//! removed) and "Shared with me". Permits are made in the crypto worker:
//! the item's key wrapped to the recipient, its name sealed under its own
//! key, the terms signed with the member's signing key.

use coffer_api::{
    access_list, grant_permit, my_notices, set_notices, share_recipient, share_suggestions,
    shared_with_me, unshare,
};
use coffer_shared::boxes::{NodeKind, NodeRecord, NodeView};
use coffer_shared::ids::{AccountId, NodeId, OrganisationId};
use coffer_shared::sharing::{
    Access, NewPermit, Notices, Permission, PermitProof, SharedItem, Window,
};
use coffer_shared::worker::{Answer, Job, PermitTerms, SealedNode};
use leptos::prelude::*;

use coffer_shared::boxes::FileFacts;

use crate::features::boxes::files::{self, PreviewPanel};
use crate::features::boxes::keys::{ask, changed, records, secret, unexpected};
use crate::features::boxes::uploads::signing_key;
use crate::i18n::{tf, tr};
use crate::session::use_session;
use crate::ui::{load_when, show_latest, ErrorBox, Problem, Write};
use coffer_shared::errors::Refusal;
use coffer_shared::sharing::{OutsideShare, SharingError};

pub mod outsiders;
pub mod pins;
pub mod rotation;
pub use outsiders::CompleteReadyShares;
pub use rotation::RenewDueKeys;

/// The member's own account id (what a permit to them names); read
/// where the component is made, not in the async work after it.
pub fn my_account() -> Option<AccountId> {
    use_session()
        .account
        .with_untracked(|a| a.as_ref().map(|a| a.id.clone()))
}

const FORGED: &str =
    "This share is not signed by the person who shared it, so this browser refused it.";

/// What a permit held through the server did not pass in this browser.
pub fn forged() -> Problem {
    tr(FORGED).into()
}

/// Whether each permit was signed for this member and its node by the
/// person named as its granter.
pub async fn check_permits(
    me: Option<AccountId>,
    permits: Vec<(SealedNode, PermitProof)>,
) -> Result<Vec<bool>, Problem> {
    if permits.is_empty() {
        return Ok(Vec::new());
    }
    let me = me.ok_or_else(unexpected)?;
    match ask(Job::CheckPermits {
        secret: secret()?,
        me: me.to_string(),
        permits,
    })
    .await?
    {
        Answer::Checks(c) => Ok(c),
        _ => Err(unexpected()),
    }
}

/// A permit for the last of `path` to the member with `email`. An address
/// with no member behind it is put in `outsider`, for the panel to offer
/// an invitation (BOX-5).
async fn share(
    org: OrganisationId,
    me: Option<AccountId>,
    path: Vec<NodeView>,
    terms: Terms,
    outsider: RwSignal<Option<Offer>>,
    key_change: RwSignal<Option<KeyChange>>,
) -> Result<String, Problem> {
    let Terms {
        email,
        permission,
        window,
        trusted,
    } = terms.clone();
    window.check().map_err(|e| Problem::Api(e.into()))?;
    let to = match share_recipient(org.clone(), email.clone()).await {
        Err(coffer_api::ApiError::Refused(Refusal::Sharing(SharingError::NoSuchMember))) => {
            outsider.set(Some((email, permission, window)));
            return Err(Problem::Api(SharingError::NoSuchMember.into()));
        }
        other => other?,
    };
    match permit_for(org, me, path, to, permission, window, trusted).await? {
        Made::Shared(to) => Ok(to),
        Made::KeyChanged { pinned, now } => {
            key_change.set(Some(KeyChange { terms, pinned, now }));
            Err(tf(KEY_CHANGED, &[("0", &email)]).into())
        }
    }
}

/// What the Share form asks for; `trusted`: the fingerprint of a changed
/// key the member compared and trusts (BOX-9).
#[derive(Clone)]
struct Terms {
    email: String,
    permission: Permission,
    window: Window,
    trusted: Option<String>,
}

/// BOX-5: an address with no member behind it, and the terms it was
/// about to get.
type Offer = (String, Permission, Window);

/// BOX-9: a share stopped because the recipient's key is not the one this
/// member last shared with; fingerprints of the pinned key (none: the pin
/// did not open) and of the key the server gave now.
#[derive(Clone)]
struct KeyChange {
    terms: Terms,
    pinned: Option<String>,
    now: String,
}

const KEY_CHANGED: &str = "The key of {0} is not the one you last shared with. Nothing was shared.";

/// What making a permit came to.
pub(crate) enum Made {
    /// Shared with the member with this email.
    Shared(String),
    /// BOX-9: stopped; see [`KeyChange`].
    KeyChanged { pinned: Option<String>, now: String },
}

/// The permit itself: made in the worker, stored by the server.
pub(crate) async fn permit_for(
    org: OrganisationId,
    me: Option<AccountId>,
    path: Vec<NodeView>,
    to: coffer_shared::sharing::Recipient,
    permission: Permission,
    window: Window,
    trusted: Option<String>,
) -> Result<Made, Problem> {
    let Some(node) = path.last().cloned() else {
        return Err(unexpected());
    };
    let signing = signing_key().await?;
    let me = me.ok_or_else(unexpected)?;
    let terms = PermitTerms {
        grantee: to.account_id.to_string(),
        grantee_public_key: to.public_key.clone(),
        permission,
        window,
        granter: me.to_string(),
        pinned: pins::pin_of(&me, &to.account_id, to.pin.clone()),
        trusted,
    };
    let made = ask(Job::MakePermit {
        secret: secret()?,
        signing,
        path: path.iter().map(SealedNode::from).collect(),
        terms,
    })
    .await?;
    let (wrapped_key, sealed_meta, signature, pin) = match made {
        Answer::Permit {
            wrapped_key,
            sealed_meta,
            signature,
            pin,
        } => (wrapped_key, sealed_meta, signature, pin),
        Answer::KeyChanged { pinned, now, .. } => return Ok(Made::KeyChanged { pinned, now }),
        _ => return Err(unexpected()),
    };
    let new_pin = pin.clone();
    grant_permit(
        org,
        NewPermit {
            node_id: node.id,
            account_id: to.account_id.clone(),
            permission,
            window,
            wrapped_key,
            sealed_meta,
            signature,
            pin,
        },
    )
    .await?;
    if let Some(pin) = &new_pin {
        pins::keep(&me, &to.account_id, pin);
    }
    Ok(Made::Shared(to.email))
}

/// The organisation shown and the member's own id, once their keys are
/// unlocked in this tab (the work that follows needs them); read inside a
/// loader, so it runs again when either changes.
pub(crate) fn unlocked_in(
    session: crate::session::Session,
    organisation: Memo<Option<(OrganisationId, bool)>>,
) -> Option<(OrganisationId, Option<AccountId>)> {
    session.unlocked.track();
    session.unlocked.with(|u| u.is_some()).then_some(())?;
    let (org, _) = organisation.get()?;
    let me = session.account.with(|a| a.as_ref().map(|a| a.id.clone()));
    Some((org, me))
}

/// A `datetime-local` value (the member's time zone) as milliseconds.
fn moment(text: &str) -> Result<Option<i64>, Problem> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let ms = js_sys::Date::parse(text);
    if ms.is_nan() {
        return Err(tr("That date and time is not valid.").into());
    }
    Ok(Some(ms as i64))
}

/// Milliseconds as the member's local date and time.
fn local(ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    d.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED)
        .as_string()
        .unwrap_or_default()
}

fn window_label(w: &Window) -> String {
    match (w.not_before_ms, w.not_after_ms) {
        (None, None) => tr("Always").into(),
        (Some(from), None) => tf("From {0}", &[("0", &local(from))]),
        (None, Some(to)) => tf("Until {0}", &[("0", &local(to))]),
        (Some(from), Some(to)) => tf("{0} to {1}", &[("0", &local(from)), ("1", &local(to))]),
    }
}

/// BOX-2: the Share panel of the item at the end of `path`.
/// `title` names the panel ("Share", or "Share “report.pdf”" for an item
/// of the folder, which `close` closes).
#[component]
pub fn SharePanel(
    organisation_id: OrganisationId,
    path: Vec<NodeView>,
    title: String,
    #[prop(optional)] close: Option<Callback<()>>,
    // Told what to say after a change the page's copy of the item does not
    // show (a key renewed after a removal, CRY-4; a label, BOX-4); without
    // it the panel says it itself.
    #[prop(optional)] changed: Option<Callback<String>>,
) -> impl IntoView {
    let Some(node) = path.last().cloned() else {
        return ().into_any();
    };
    // Field ids are the item's, so two panels never share one.
    let item = node.id.to_string();
    let field = move |what: &str| format!("share-{what}-{item}");
    let heading = field("heading");
    let node_id = node.id.clone();
    let is_file = node.kind == NodeKind::File;
    let error = RwSignal::new(None::<Problem>);
    let list_error = RwSignal::new(None::<Problem>);
    let notice = RwSignal::new(None::<String>);
    let email = RwSignal::new(String::new());
    let permission = RwSignal::new(Permission::View.code().to_string());
    let from = RwSignal::new(String::new());
    let until = RwSignal::new(String::new());
    let (org, id) = (organisation_id.clone(), node_id.clone());
    let who = load_when(move || Some(access_list(org.clone(), id.clone())));
    let shown = RwSignal::new(None::<Vec<Access>>);
    show_latest(who, shown, list_error);
    let org = organisation_id.clone();
    let suggestions = load_when(move || {
        // Empty: the member's contacts (BOX-9); typed: those first, then
        // the organisation's members.
        Some(share_suggestions(org.clone(), email.get()))
    });
    let (org, path_v) = (organisation_id.clone(), StoredValue::new(path));
    let me = my_account();
    let offer = RwSignal::new(None::<Offer>);
    let key_change = RwSignal::new(None::<KeyChange>);
    let send = Write::new(
        error,
        move |terms: Terms| {
            let (org, me) = (org.clone(), me.clone());
            let path = path_v.get_value();
            async move { share(org, me, path, terms, offer, key_change).await }
        },
        move |to: String| {
            key_change.set(None);
            email.set(String::new());
            notice.set(Some(tf("Shared with {0}.", &[("0", &to)])));
            who.refetch();
        },
    );
    // BOX-5: the address belongs to nobody here; invited on request.
    let (org, id) = (organisation_id.clone(), node_id.clone());
    let invite = Write::new(
        error,
        move |(to, permission, window): Offer| {
            let share = OutsideShare {
                node_id: id.clone(),
                email: to.clone(),
                permission,
                window,
            };
            let org = org.clone();
            async move {
                coffer_api::share_with_outsider(org, share).await?;
                Ok::<_, Problem>(to)
            }
        },
        move |to: String| {
            offer.set(None);
            error.set(None);
            email.set(String::new());
            notice.set(Some(tf(
                "{0} is invited. The share completes once they have set up their keys.",
                &[("0", &to)],
            )));
            who.refetch();
        },
    );
    let org = organisation_id.clone();
    let id = node_id.clone();
    let me = my_account();
    let remove = Write::new(
        list_error,
        move |a: Access| {
            let (org, id, me) = (org.clone(), id.clone(), me.clone());
            async move {
                unshare(org.clone(), id.clone(), a.account_id).await?;
                // CRY-4: a box or folder gets a new key at once when this
                // browser holds the key above it; else it stays due.
                let renewed = match is_file || a.pending {
                    true => false,
                    false => match rotation::renew(org, me, id).await {
                        Ok(()) => true,
                        Err(p) if rotation::left_to_someone_above(&p) => false,
                        Err(p) => return Err(p),
                    },
                };
                Ok::<_, Problem>(match a.pending {
                    true => tf(
                        "The share waiting for {0} was withdrawn.",
                        &[("0", &a.email)],
                    ),
                    false => rotation::removed_notice(&a.email, renewed),
                })
            }
        },
        move |said: String| match changed {
            Some(tell) => tell.run(said),
            None => {
                notice.set(Some(said));
                who.refetch();
            }
        },
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        offer.set(None);
        key_change.set(None);
        let chosen = Permission::from_code(&permission.get_untracked()).unwrap_or(Permission::View);
        let window = match (
            moment(&from.get_untracked()),
            moment(&until.get_untracked()),
        ) {
            (Ok(a), Ok(b)) => Window {
                not_before_ms: a,
                not_after_ms: b,
            },
            (Err(e), _) | (_, Err(e)) => {
                error.set(Some(e));
                return;
            }
        };
        send.send(Terms {
            email: email.get_untracked(),
            permission: chosen,
            window,
            trusted: None,
        });
    };
    let choices = Permission::ALL
        .into_iter()
        .filter(|p| !(is_file && *p == Permission::Upload))
        .map(|p| view! { <option value=p.code()>{tr(p.label())}</option> })
        .collect_view();
    let rows = move || {
        shown
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|a| {
                let label = if a.name.is_empty() {
                    a.email.clone()
                } else {
                    format!("{} ({})", a.name, a.email)
                };
                let status = if a.owner {
                    tr("Owner").to_string()
                } else if a.inherited_from.is_some() {
                    tr("Through a folder above").to_string()
                } else if a.pending {
                    tr("Waiting for them to set up their keys").to_string()
                } else {
                    String::new()
                };
                let removable = !a.owner && a.inherited_from.is_none();
                let aria = tf("Remove access of {0}", &[("0", &a.email)]);
                view! {
                    <tr>
                        <td data-label=tr("Person")>{label}</td>
                        <td data-label=tr("Permission")>{tr(a.permission.label())}</td>
                        <td data-label=tr("When")>{window_label(&a.window)}</td>
                        <td>{status}{removable.then(|| view! {
                            <button type="button" class="secondary small" aria-label=aria
                                disabled=move || remove.pending().get()
                                on:click=move |_| remove.send(a.clone())>{tr("Remove")}</button>
                        })}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    let (email_id, list_id, permission_id) =
        (field("email"), field("suggestions"), field("permission"));
    let (from_id, until_id) = (field("from"), field("until"));
    let heading_ref = heading.clone();
    view! {
        <section class="share-panel" aria-labelledby=heading_ref>
            <h2 id=heading>{title}</h2>
            <form class="share-form" on:submit=submit novalidate>
                <p>
                    <label for=email_id.clone()>{tr("Email address")}</label>
                    <input id=email_id type="email" list=list_id.clone() autocomplete="off" bind:value=email />
                    <datalist id=list_id>
                        {move || suggestions.get().flatten().and_then(Result::ok).unwrap_or_default().into_iter().map(|r| {
                            view! { <option value=r.email.clone()>{r.name.clone()}</option> }
                        }).collect_view()}
                    </datalist>
                </p>
                <p>
                    <label for=permission_id.clone()>{tr("Permission")}</label>
                    <select id=permission_id bind:value=permission>{choices}</select>
                </p>
                <Show when=move || permission.with(|p| p == Permission::View.code())>
                    <p class="hint">{tr("View lets them preview only. No browser can stop a determined reader from saving what they see.")}</p>
                </Show>
                <p>
                    <label for=from_id.clone()>{tr("Access from (optional)")}</label>
                    <input id=from_id type="datetime-local" step="1" bind:value=from />
                </p>
                <p>
                    <label for=until_id.clone()>{tr("Access until (optional)")}</label>
                    <input id=until_id type="datetime-local" step="1" bind:value=until />
                </p>
                <button type="submit" disabled=move || send.pending().get()>{tr("Share")}</button>
                {close.map(|close| view! {
                    <button type="button" class="secondary" on:click=move |_| close.run(())>{tr("Close")}</button>
                })}
            </form>
            <ErrorBox message=error />
            {move || key_change.get().map(|k| {
                let to = k.terms.email.clone();
                let pinned = k.pinned.clone().unwrap_or_else(|| tr("(the record of it does not open: it was changed outside Coffer)").to_string());
                let terms = Terms { trusted: Some(k.now.clone()), ..k.terms.clone() };
                view! {
                    <div class="key-change warning" role="group" aria-label=tf("Compare the key of {0}", &[("0", &to)])>
                        <p>{tf("Key fingerprint you last shared with: {0}", &[("0", &pinned)])}</p>
                        <p>{tf("Key fingerprint the server gives now: {0}", &[("0", &k.now)])}</p>
                        <p class="hint">{tf("A password reset without account recovery gives a member new keys. Otherwise the server may be giving you a key that is not theirs. Ask {0} for the key fingerprint on their My account page, and share only if it matches the one given now.", &[("0", &to)])}</p>
                        <button type="button" disabled=move || send.pending().get()
                            on:click=move |_| send.send(terms.clone())>{tf("It matches: share with {0}", &[("0", &to)])}</button>
                        <button type="button" class="secondary" on:click=move |_| { key_change.set(None); error.set(None); }>{tr("Cancel")}</button>
                    </div>
                }
            })}
            {move || offer.get().map(|o| {
                let to = o.0.clone();
                view! {
                    <p class="hint">{tf("{0} has no account here. Invite them as an outside recipient: they get a link by mail, and the share completes once they have set up their keys.", &[("0", &to)])}</p>
                    <button type="button" disabled=move || invite.pending().get()
                        on:click=move |_| invite.send(o.clone())>{tf("Invite {0} and share", &[("0", &to)])}</button>
                }
            })}
            <Show when=move || notice.with(|n| n.is_some())>
                <p class="notice" role="status">{move || notice.get().unwrap_or_default()}</p>
            </Show>
            <crate::features::labels::ItemLabel organisation_id=organisation_id.clone() node=node.clone() changed />
            <ErrorBox message=list_error />
            <table class="access">
                <caption>{tr("Who has access")}</caption>
                <thead><tr><th>{tr("Person")}</th><th>{tr("Permission")}</th><th>{tr("When")}</th><th></th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
    .into_any()
}

/// One line of "Shared with me", its name opened and its permit checked.
#[derive(Clone)]
struct Received {
    item: SharedItem,
    record: Option<NodeRecord>,
    genuine: bool,
}

async fn received(org: OrganisationId, me: Option<AccountId>) -> Result<Vec<Received>, Problem> {
    let items = shared_with_me(org).await?;
    let nodes: Vec<NodeView> = items.iter().map(|i| i.node.clone()).collect();
    // Each shared item opens with the member's key and seals itself.
    let names = records(Vec::new(), &nodes).await?;
    let checks = check_permits(
        me,
        items
            .iter()
            .map(|i| {
                (
                    SealedNode::from(&i.node),
                    i.proof.clone().unwrap_or_else(|| PermitProof {
                        grantee_public_key: String::new(),
                        permission: i.permission,
                        window: i.window,
                        granted_by: AccountId::from(String::new()),
                        granter_signing_key: String::new(),
                        signature: Default::default(),
                    }),
                )
            })
            .collect(),
    )
    .await?;
    Ok(items
        .into_iter()
        .zip(names)
        .zip(checks)
        .map(|((item, record), genuine)| Received {
            item,
            record,
            genuine,
        })
        .collect())
}

/// BOX-2: what others shared with the member in this organisation.
#[component]
pub fn SharedWithMe(
    organisation: Memo<Option<(OrganisationId, bool)>>,
    /// Bumped when keys this list holds may have been renewed (CRY-4).
    #[prop(optional)]
    version: Option<RwSignal<u32>>,
) -> impl IntoView {
    let session = use_session();
    let error = RwSignal::new(None::<Problem>);
    let loaded = load_when(move || {
        if let Some(v) = version {
            v.track();
        }
        let (org, me) = unlocked_in(session, organisation)?;
        Some(received(org, me))
    });
    let shown = RwSignal::new(None::<Vec<Received>>);
    show_latest(loaded, shown, error);
    // A file shared on its own is previewed or downloaded from its line.
    let notice = RwSignal::new(None::<String>);
    let previewing = RwSignal::new(None::<files::Preview>);
    let org = move || {
        organisation
            .get_untracked()
            .map(|(o, _)| o)
            .ok_or_else(|| Problem::from(tr("You are not a member of an organisation.")))
    };
    let preview = Write::new(
        error,
        move |(node, name, facts): (NodeView, String, FileFacts)| async move {
            files::preview(org()?, node, name, facts).await
        },
        move |p: files::Preview| {
            if let Some(old) = previewing.get_untracked() {
                old.release();
            }
            previewing.set(Some(p));
        },
    );
    let download = Write::new(
        error,
        move |(node, name, size): (NodeView, String, u64)| async move {
            let progress = files::progress_in(notice, name.clone());
            files::download(org()?, node, name, size, progress).await
        },
        move |saved: Option<String>| match saved {
            Some(name) => notice.set(Some(tf("“{0}” downloaded.", &[("0", &name)]))),
            None => notice.set(None),
        },
    );
    let file_actions = move |r: &Received, name: &str| {
        let facts = r.record.as_ref().and_then(|rec| rec.file.clone())?;
        let node = r.item.node.clone();
        let look = files::previewable(&facts.mime).then(|| {
            let (node, name, facts) = (node.clone(), name.to_string(), facts.clone());
            let aria = tf("Preview {0}", &[("0", &name)]);
            view! {
                <button type="button" class="secondary small" aria-label=aria
                    disabled=move || preview.pending().get()
                    on:click=move |_| preview.send((node.clone(), name.clone(), facts.clone()))>{tr("Preview")}</button>
            }
        });
        let fetch = (r.item.permission >= Permission::Download).then(|| {
            let (name, size) = (name.to_string(), facts.size);
            let aria = tf("Download {0}", &[("0", &name)]);
            view! {
                <button type="button" class="small" aria-label=aria
                    disabled=move || download.pending().get()
                    on:click=move |_| download.send((node.clone(), name.clone(), size))>{tr("Download")}</button>
            }
        });
        Some(view! { {look}{fetch} })
    };
    let rows = move || {
        shown
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                let name = r
                    .record
                    .as_ref()
                    .map(|rec| rec.name.clone())
                    .unwrap_or_else(changed);
                let link: NodeId = r.item.node.id.clone();
                let kind = match r.item.node.kind {
                    NodeKind::Box => tr("Box"),
                    NodeKind::Folder => tr("Folder"),
                    NodeKind::File => tr("File"),
                };
                let name_cell = if !r.genuine {
                    view! { <span class="refused">{name}" — "{tr(FORGED)}</span> }.into_any()
                } else if r.item.node.kind == NodeKind::File {
                    let actions = file_actions(&r, &name);
                    view! { <span class="file-name">{name}</span>" "{actions} }.into_any()
                } else {
                    view! { <a href=format!("/boxes/{link}")>{name}</a> }.into_any()
                };
                view! {
                    <tr>
                        <td data-label=tr("Name")>{name_cell}</td>
                        <td data-label=tr("Type")>{kind}</td>
                        <td data-label=tr("Owner")>{r.item.owner.clone()}</td>
                        <td data-label=tr("Permission")>{tr(r.item.permission.label())}</td>
                        <td data-label=tr("When")>{window_label(&r.item.window)}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <section aria-labelledby="shared-heading">
            <h2 id="shared-heading">{tr("Shared with me")}</h2>
            <ErrorBox message=error />
            <Show when=move || notice.with(|n| n.is_some())>
                <p class="notice" role="status">{move || notice.get().unwrap_or_default()}</p>
            </Show>
            <PreviewPanel preview=previewing />
            {move || shown.get().map(|list| if list.is_empty() {
                view! { <p>{tr("Nothing has been shared with you here yet.")}</p> }.into_any()
            } else {
                view! {
                    <table class="shared">
                        <thead><tr><th>{tr("Name")}</th><th>{tr("Type")}</th><th>{tr("Owner")}</th><th>{tr("Permission")}</th><th>{tr("When")}</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                }.into_any()
            })}
        </section>
    }
}

/// AUD-3 on My account: which notices the member receives by mail.
#[component]
pub fn NoticesCard() -> impl IntoView {
    let error = RwSignal::new(None::<Problem>);
    let notice = RwSignal::new(None::<String>);
    let loaded = load_when(|| Some(async { my_notices().await.map_err(Problem::from) }));
    let shown = RwSignal::new(None::<Notices>);
    show_latest(loaded, shown, error);
    let save = Write::new(
        error,
        move |n: Notices| async move {
            set_notices(n).await?;
            Ok::<_, Problem>(n)
        },
        move |n: Notices| {
            shown.set(Some(n));
            notice.set(Some(tr("Your notice choices are saved.").into()));
        },
    );
    let choice = move |label: &'static str,
                       get: fn(&Notices) -> bool,
                       set: fn(&mut Notices, bool)| {
        let changed = move |ev: leptos::ev::Event| {
            if let Some(mut n) = shown.get_untracked() {
                set(&mut n, event_target_checked(&ev));
                save.send(n);
            }
        };
        view! {
            <label class="check">
                <input type="checkbox" prop:checked=move || shown.with(|n| n.as_ref().is_some_and(get))
                    disabled=move || save.pending().get() on:change=changed />
                {tr(label)}
            </label>
        }
    };
    view! {
        <section class="card" aria-labelledby="notices-heading">
            <h2 id="notices-heading">{tr("Notices by mail")}</h2>
            <Show when=move || shown.with(|n| n.is_some())>
                <fieldset>
                    <legend>{tr("Send me a mail when")}</legend>
                    {choice("something is shared with me", |n| n.shares, |n, v| n.shares = v)}
                    {choice("someone uploads into one of my boxes", |n| n.uploads, |n, v| n.uploads = v)}
                    {choice("my access to something shared ends within a day", |n| n.expiring, |n, v| n.expiring = v)}
                </fieldset>
            </Show>
            <Show when=move || notice.with(|n| n.is_some())>
                <p class="notice" role="status">{move || notice.get().unwrap_or_default()}</p>
            </Show>
            <ErrorBox message=error />
        </section>
    }
}
