//! ORG-1 / ORG-3 / ORG-7: the Users page of an organisation: search with a
//! field selector and wildcards, sortable columns, server-side paging, seats,
//! and adding a member.

use crate::i18n::{tf, tr, tr_key};
use coffer_api::{
    add_member, get_member_columns, list_groups, list_members, set_member_columns, update_member,
};
use coffer_shared::ids::{Assignment, GroupId, OrganisationId};
use coffer_shared::members::{
    GroupView, MemberChange, MemberColumn, MemberPage, MemberQuery, MemberRow, NewMember,
    SearchField,
};
use coffer_shared::types::{AdminTier, Role};
use leptos::prelude::*;

use crate::features::import::page::ImportMembers;
use crate::features::members::member_panel::MemberPanel;
use crate::session::use_session;
use crate::ui::{
    load_when, managed_organisation, organisation_resource, require_sign_in, show_latest, Problem,
    Write,
};
use crate::ui::{sort_header, today_iso, ErrorBox, Pager};

const PAGE_SIZE: u32 = 25;

#[component]
pub fn UsersPage() -> impl IntoView {
    let session = use_session();
    let allowed = require_sign_in();
    let organisation = managed_organisation();
    let may_grant_admin = Memo::new(move |_| {
        let org = organisation.get();
        session.account.with(|a| {
            a.as_ref().is_some_and(|a| {
                a.is_instance_admin
                    || a.memberships.iter().any(|m| {
                        Some(&m.organisation_id) == org.as_ref()
                            && m.admin_tier == AdminTier::Liaison
                    })
            })
        })
    });

    let field = RwSignal::new(SearchField::All);
    let text = RwSignal::new(String::new());
    let sort = RwSignal::new(MemberColumn::Email);
    let descending = RwSignal::new(false);
    let page_no = RwSignal::new(0u32);
    let data = RwSignal::new(None::<MemberPage>);
    let error = RwSignal::new(None::<Problem>);
    let reload = RwSignal::new(0u32);
    let editing = RwSignal::new(None::<MemberRow>);
    let page_notice = RwSignal::new(None::<String>);
    let my_id = move || {
        session
            .account
            .with(|a| a.as_ref().map(|a| a.id.clone()).unwrap_or_default())
    };
    let visible = RwSignal::new(MemberColumn::ALL.to_vec());
    let stored_columns = LocalResource::new(get_member_columns);
    Effect::new(move |_| {
        if let Some(Ok(cols)) = stored_columns.get() {
            visible.set(cols);
        }
    });
    let save_columns = Write::new(error, set_member_columns, move |saved| visible.set(saved));
    let toggle_column = move |col: MemberColumn, on: bool| {
        let mut cols = visible.get_untracked();
        cols.retain(|c| *c != col);
        if on {
            cols.push(col);
        }
        save_columns.send(cols);
    };
    let export = move |file: coffer_shared::site::MembersFile| {
        let Some(org) = organisation.get_untracked() else {
            return;
        };
        let q = MemberQuery {
            field: field.get_untracked(),
            text: text.get_untracked(),
            sort: sort.get_untracked(),
            descending: descending.get_untracked(),
            ..MemberQuery::default()
        };
        let url = coffer_shared::site::members_export(&org, file, &q, &visible.get_untracked());
        if let Some(w) = web_sys::window() {
            let _ = w.location().set_href(&url);
        }
    };

    // Each change of search, sort or page asks again; a slower answer to
    // an earlier question never replaces the answer to the latest one.
    let members = organisation_resource(organisation, allowed, move |org| {
        reload.track();
        let q = MemberQuery {
            field: field.get(),
            text: text.get(),
            sort: sort.get(),
            descending: descending.get(),
            page: page_no.get(),
            page_size: PAGE_SIZE,
        };
        list_members(org, q)
    });
    show_latest(members, data, error);

    let pages = move || {
        data.with(|d| {
            d.as_ref()
                .map(|d| (d.total as u32).div_ceil(PAGE_SIZE).max(1))
                .unwrap_or(1)
        })
    };
    let header = move |col: MemberColumn| {
        sort_header(col, col.label(), sort, descending, move || page_no.set(0))
    };

    view! {
        <Show when=move || allowed.get()>
            <section class="card">
                <h1>{move || data.with(|d| d.as_ref().map(|d| tf("Users · {0}", &[("0", &(d.organisation_name).to_string())])).unwrap_or_else(|| tr("Users").into()))}</h1>
                <Show when=move || organisation.with(|o| o.is_none())>
                    <p>{tr("You do not administer an organisation.")}</p>
                </Show>
                <ErrorBox message=error />
                {move || data.get().map(|d| view! {
                    <p class="hint" data-testid="seats">
                        {tf("Licences: {0} of {1} in use, {2} available. {3} {4}.", &[("0", &(d.seats.used).to_string()), ("1", &(d.seats.licence_seats).to_string()), ("2", &((d.seats.licence_seats - d.seats.used).max(0)).to_string()), ("3", (if d.seats.expiry_date < today_iso() { tr("Expired on") } else { tr("Expires") })), ("4", &(d.seats.expiry_date).to_string())])}
                    </p>
                })}
                <AddUser organisation may_grant_admin on_added=move || reload.update(|n| *n += 1) />
                <ImportMembers organisation on_imported=move || reload.update(|n| *n += 1) />
                <Show when=move || page_notice.with(|n| n.is_some())>
                    <p class="notice" role="status">{move || page_notice.get().unwrap_or_default()}</p>
                </Show>
                {move || editing.get().map(|row| {
                    let own = row.account_id == my_id();
                    let org = organisation.get_untracked().unwrap_or_default();
                    let account_id = row.account_id.clone();
                    let refresh = move || reload.update(|n| *n += 1);
                    view! {
                        <div class="member-panel">
                            <EditMember row organisation may_grant_admin own editing on_saved=refresh />
                            <MemberPanel organisation=org account_id own on_changed=refresh
                                on_removed=move |message| { editing.set(None); page_notice.set(Some(message)); refresh(); } />
                        </div>
                    }
                })}
                <div class="search" role="search">
                    <label for="search-field" class="visually-hidden">{tr("Search in")}</label>
                    <select id="search-field" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        field.set(SearchField::ALL.into_iter().find(|f| f.label() == v).unwrap_or_default());
                        page_no.set(0);
                    }>
                        {SearchField::ALL.into_iter().map(|f| view! { <option value=f.label()>{tr(f.label())}</option> }).collect_view()}
                    </select>
                    <input type="search" aria-label=tr("Search users") placeholder=tr("Search users (* and ? are wildcards)")
                        prop:value=move || text.get()
                        on:input=move |ev| { text.set(event_target_value(&ev)); page_no.set(0); } />
                </div>
                <div class="toolbar">
                    <details class="columns">
                        <summary>{tr("Columns")}</summary>
                        <fieldset>
                            <legend class="visually-hidden">{tr("Visible columns")}</legend>
                            {MemberColumn::ALL.into_iter().map(|col| view! {
                                <label class="check">
                                    <input type="checkbox" disabled=col == MemberColumn::Email
                                        prop:checked=move || visible.with(|v| v.contains(&col))
                                        on:change=move |ev| toggle_column(col, event_target_checked(&ev)) />
                                    {tr(col.label())}
                                </label>
                            }).collect_view()}
                        </fieldset>
                    </details>
                    <button type="button" class="secondary" on:click=move |_| export(coffer_shared::site::MembersFile::Xlsx)>{tr("Export to Excel")}</button>
                    <button type="button" class="secondary" on:click=move |_| export(coffer_shared::site::MembersFile::Csv)>{tr("Export to CSV")}</button>
                </div>
                <p class="hint" aria-live="polite">{move || data.with(|d| d.as_ref().map(|d| match d.total { 1 => tr("1 user").to_string(), n => tf("{n} users", &[("n", &(n).to_string())]) }).unwrap_or_default())}</p>
                <table class="list users">
                    <caption class="visually-hidden">{tr("Members")}</caption>
                    <thead><tr>
                        {move || visible.get().into_iter().map(header).collect_view()}
                        <th scope="col">{tr("Status")}</th>
                        <th scope="col"><span class="visually-hidden">{tr("Actions")}</span></th>
                    </tr></thead>
                    <tbody>
                        <For each=move || data.get().map(|d| d.rows).unwrap_or_default() key=|r| (r.account_id.clone(), r.role, r.admin_tier, r.group.clone(), r.active, r.locked, r.plan.clone()) let:r>
                            <tr>
                                {let r2 = r.clone(); move || visible.get().into_iter().map(|col| view! {
                                    <td data-label=tr(col.label())>{cell_text(&r2, col)}</td>
                                }).collect_view()}
                                <td data-label=tr("Status")>{if r.locked { tr("Locked") } else if r.active { tr("Active") } else { tr("Invited") }}</td>
                                <td>
                                    <button type="button" class="secondary small" aria-label=tf("Edit {0}", &[("0", &(r.email).to_string())])
                                        on:click={let r = r.clone(); move |_| { page_notice.set(None); editing.set(Some(r.clone())) }}>{tr("Edit")}</button>
                                </td>
                            </tr>
                        </For>
                    </tbody>
                </table>
                <Pager page=page_no pages=Signal::derive(pages) />
            </section>
        </Show>
    }
}

#[component]
fn AddUser(
    organisation: Memo<Option<OrganisationId>>,
    may_grant_admin: Memo<bool>,
    on_added: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let email = RwSignal::new(String::new());
    let first = RwSignal::new(String::new());
    let last = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Originator);
    let admin = RwSignal::new(false);
    let group = RwSignal::new(String::new());
    // Asked each time the form opens.
    let groups = group_choices(move || open.get().then(|| organisation.get()).flatten());
    let error = RwSignal::new(None::<Problem>);
    let notice = RwSignal::new(None::<String>);
    let add = Write::new(
        error,
        |(org, member): (OrganisationId, NewMember)| add_member(org, member),
        move |row: MemberRow| {
            let how = if row.active {
                tr("told their account was updated")
            } else {
                tr("invited by email")
            };
            notice.set(Some(tf(
                "{0} was added and {how}.",
                &[("0", &row.email), ("how", how)],
            )));
            for s in [email, first, last] {
                s.set(String::new());
            }
            admin.set(false);
            open.set(false);
            on_added();
        },
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let Some(org) = organisation.get_untracked() else {
            return;
        };
        let member = NewMember {
            email: email.get_untracked(),
            first_name: first.get_untracked(),
            last_name: last.get_untracked(),
            role: role.get_untracked(),
            admin: admin.get_untracked() && may_grant_admin.get_untracked(),
            group_id: Some(group.get_untracked())
                .filter(|g| !g.is_empty())
                .map(GroupId::from),
        };
        add.send((org, member));
    };
    view! {
        <Show when=move || notice.with(|n| n.is_some())>
            <p class="notice" role="status">{move || notice.get().unwrap_or_default()}</p>
        </Show>
        <Show when=move || !open.get()>
            <button type="button" on:click=move |_| { notice.set(None); open.set(true) }>{tr("Add user")}</button>
        </Show>
        <Show when=move || open.get()>
            <form on:submit=submit novalidate class="stack" aria-labelledby="add-user-heading">
                <h2 id="add-user-heading">{tr("Add user")}</h2>
                <label for="new-email">{tr("Email")}</label>
                <input id="new-email" type="email" required bind:value=email />
                <label for="new-first">{tr("First name")}</label>
                <input id="new-first" type="text" bind:value=first />
                <label for="new-last">{tr("Last name")}</label>
                <input id="new-last" type="text" bind:value=last />
                <label for="new-role">{tr("Role")}</label>
                <select id="new-role" on:change=move |ev| role.set(if event_target_value(&ev) == "Collaborator" { Role::Collaborator } else { Role::Originator })>
                    <option value="Originator">{tr("Originator")}</option>
                    <option value="Collaborator">{tr("Collaborator")}</option>
                </select>
                <label for="new-group">{tr("Group")}</label>
                <select id="new-group" on:change=move |ev| group.set(event_target_value(&ev))>
                    <option value="">{tr("No group")}</option>
                    <For each=groups key=|g| g.id.clone() let:g>
                        <option value=g.id.to_string()>{g.name.clone()}</option>
                    </For>
                </select>
                <Show when=move || may_grant_admin.get()>
                    <label class="check"><input type="checkbox" bind:checked=admin />" Administrator"</label>
                </Show>
                <ErrorBox message=error />
                <div class="actions">
                    <button type="submit" disabled=move || add.pending().get()>{tr("Add")}</button>
                    <button type="button" class="secondary" on:click=move |_| open.set(false)>{tr("Cancel")}</button>
                </div>
            </form>
        </Show>
    }
}

/// ORG-4: role upgrade, admin tier (Liaisons, never one's own), group.
#[component]
fn EditMember(
    row: MemberRow,
    organisation: Memo<Option<OrganisationId>>,
    may_grant_admin: Memo<bool>,
    own: bool,
    editing: RwSignal<Option<MemberRow>>,
    on_saved: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let role = RwSignal::new(row.role);
    let tier = RwSignal::new(row.admin_tier);
    let contact = RwSignal::new(row.point_of_contact);
    let group = RwSignal::new(None::<String>);
    let groups = group_choices(move || organisation.get());
    let error = RwSignal::new(None::<Problem>);
    let notice = RwSignal::new(None::<String>);
    let current_group = row.group.clone();
    let roles: Vec<Role> = [Role::AdHoc, Role::Collaborator, Role::Originator]
        .into_iter()
        .filter(|r| *r >= row.role)
        .collect();
    let show_tier = may_grant_admin.get_untracked() && !own;
    let account_id = row.account_id.clone();
    let save = Write::new(
        error,
        move |(org, change): (OrganisationId, MemberChange)| {
            update_member(org, account_id.clone(), change)
        },
        move |r: MemberRow| {
            notice.set(Some(tf("{0} was updated.", &[("0", &r.email)])));
            on_saved();
        },
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(org) = organisation.get_untracked() else {
            return;
        };
        let change = MemberChange {
            role: Some(role.get_untracked()),
            admin_tier: show_tier.then(|| tier.get_untracked()),
            group_id: group.get_untracked().map(Assignment::from_choice),
            point_of_contact: may_grant_admin
                .get_untracked()
                .then(|| contact.get_untracked()),
            plan_id: None,
            permissions: None,
        };
        save.send((org, change));
    };
    view! {
        <form on:submit=submit novalidate class="stack edit" aria-labelledby="edit-heading">
            <h2 id="edit-heading">{tf("Edit {0}", &[("0", &(row.email).to_string())])}</h2>
            <label for="edit-role">{tr("Role")}</label>
            <select id="edit-role" on:change=move |ev| {
                let v = event_target_value(&ev);
                role.set([Role::AdHoc, Role::Collaborator, Role::Originator].into_iter().find(|r| r.as_str() == v).unwrap_or(Role::Originator));
            }>
                {roles.into_iter().map(|r| view! { <option value=r.as_str() selected=move || role.get() == r>{tr(r.as_str())}</option> }).collect_view()}
            </select>
            <p class="hint">{tr("Roles can only be upgraded.")}</p>
            {show_tier.then(|| view! {
                <label for="edit-tier">{tr("Administrator tier")}</label>
                <select id="edit-tier" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    tier.set([AdminTier::None, AdminTier::Admin, AdminTier::Liaison].into_iter().find(|t| t.as_str() == v).unwrap_or(AdminTier::None));
                }>
                    {[AdminTier::None, AdminTier::Admin, AdminTier::Liaison].into_iter().map(|t| view! {
                        <option value=t.as_str() selected=move || tier.get() == t>{tr(t.as_str())}</option>
                    }).collect_view()}
                </select>
            })}
            <Show when=move || may_grant_admin.get()>
                <label class="check"><input type="checkbox" bind:checked=contact />{tr(" Point of contact")}</label>
                <p class="hint">{tr("Points of contact receive sign-in help requests; they must be administrators.")}</p>
            </Show>
            <label for="edit-group">{tr("Group")}</label>
            <select id="edit-group" on:change=move |ev| group.set(Some(event_target_value(&ev)))>
                <option value="">{tr("No group")}</option>
                <For each=groups key=|g| g.id.clone() let:g>
                    <option value=g.id.to_string() selected={g.name == current_group}>{g.name.clone()}</option>
                </For>
            </select>
            <ErrorBox message=error />
            <Show when=move || notice.with(|n| n.is_some())>
                <p class="notice" role="status">{move || notice.get().unwrap_or_default()}</p>
            </Show>
            <div class="actions">
                <button type="submit" disabled=move || save.pending().get()>{tr("Save changes")}</button>
                <button type="button" class="secondary" on:click=move |_| editing.set(None)>{tr("Close")}</button>
            </div>
        </form>
    }
}

/// The groups a member can be put in, once `organisation` says where;
/// empty until then (or when the list cannot be read: "No group" is
/// still offered).
fn group_choices(
    organisation: impl Fn() -> Option<OrganisationId> + 'static,
) -> impl Fn() -> Vec<GroupView> + Copy {
    let groups = load_when(move || organisation().map(list_groups));
    move || {
        groups
            .get()
            .flatten()
            .and_then(Result::ok)
            .unwrap_or_default()
    }
}

/// A cell as shown: names and addresses as typed, the fixed words (role,
/// tier, type, yes) in the page's language.
fn cell_text(row: &MemberRow, col: MemberColumn) -> String {
    match col {
        MemberColumn::Role
        | MemberColumn::Admin
        | MemberColumn::AccountType
        | MemberColumn::Locked
        | MemberColumn::Mfa => tr_key(&row.cell(col)),
        _ => row.cell(col).to_string(),
    }
}
