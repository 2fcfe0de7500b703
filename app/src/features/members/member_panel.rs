//! The parts of a member's Edit panel beyond role, tier and group: plan and
//! permissions (ORG-8, PKG-8), account security (ACC-6 unlock, ACC-7 reset
//! password), removal with transfer (ORG-5) and history (ORG-11).

use crate::i18n::{tf, tr};
use coffer_api::{
    get_member_detail, list_plans, member_history, remove_member, reseed_second_factor,
    reset_member_password, unlock_member, update_member,
};
use coffer_shared::ids::{AccountId, Assignment, OrganisationId};
use coffer_shared::members::{HistoryEntry, MemberChange, MemberDetail, MemberRemoval};
use coffer_shared::settings::{FeatureMode, MemberPermission, Permission};
use coffer_shared::types::Role;
use leptos::prelude::*;

use crate::ui::{load_when, local_time, show_latest, ErrorBox, Problem, Write};

/// Everything below the basic edit form; `on_changed` refreshes the table.
#[component]
pub fn MemberPanel(
    organisation: OrganisationId,
    account_id: AccountId,
    own: bool,
    on_changed: impl Fn() + Copy + Send + Sync + 'static,
    on_removed: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let detail = RwSignal::new(None::<MemberDetail>);
    let error = RwSignal::new(None::<Problem>);
    // Kept here: the sections are rebuilt when the detail reloads after a
    // change, and their confirmation must survive that.
    let plan_notice = RwSignal::new(None::<String>);
    let security_notice = RwSignal::new(None::<String>);
    let reload = RwSignal::new(0u32);
    {
        // Reloaded after each change; an earlier reload's late answer never
        // replaces a later one's.
        let (org, id) = (organisation.clone(), account_id.clone());
        let loaded = LocalResource::new(move || {
            reload.track();
            get_member_detail(org.clone(), id.clone())
        });
        Effect::new(move |_| match loaded.get() {
            Some(Ok(d)) => detail.set(Some(d)),
            Some(Err(e)) => error.set(Some(e.into())),
            None => {}
        });
    }
    let changed = move || {
        reload.update(|n| *n += 1);
        on_changed();
    };
    view! {
        <ErrorBox message=error />
        {move || detail.get().map(|d| {
            let org = organisation.clone();
            view! {
                <PlanAndPermissions organisation=org.clone() detail=d.clone() notice=plan_notice on_saved=changed />
                <crate::features::labels::Clearances organisation=org.clone() account_id=account_id.clone() email=d.row.email.clone() />
                <AccountSecurity organisation=org.clone() detail=d.clone() own notice=security_notice on_done=changed />
                <RemoveMember organisation=org.clone() detail=d own on_removed />
                <History organisation=org account_id=account_id.clone() />
            }
        })}
    }
}

#[component]
fn PlanAndPermissions(
    organisation: OrganisationId,
    detail: MemberDetail,
    notice: RwSignal<Option<String>>,
    on_saved: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    // The select's choice: a plan's id, or "" for none.
    let plan = RwSignal::new(detail.plan_id.as_deref().unwrap_or_default().to_string());
    let flags = RwSignal::new(
        detail
            .permissions
            .iter()
            .filter(|p| p.selected)
            .map(|p| p.permission)
            .collect::<Vec<Permission>>(),
    );
    let error = RwSignal::new(None::<Problem>);
    let is_originator = detail.row.role == Role::Originator;
    let plans = {
        let org = organisation.clone();
        LocalResource::new(move || list_plans(org.clone()))
    };
    let plans = move || plans.get().and_then(Result::ok).unwrap_or_default();
    let account_id = detail.row.account_id.clone();
    let save = Write::new(
        error,
        move |change: MemberChange| update_member(organisation.clone(), account_id.clone(), change),
        move |_| {
            notice.set(Some(tr("Plan and permissions saved.").into()));
            on_saved();
        },
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        notice.set(None);
        save.send(MemberChange {
            plan_id: is_originator.then(|| Assignment::from_choice(plan.get_untracked())),
            permissions: Some(flags.get_untracked()),
            ..MemberChange::default()
        });
    };
    let toggle = move |p: Permission, on: bool| {
        flags.update(|f| {
            f.retain(|x| *x != p);
            if on {
                f.push(p);
            }
        })
    };
    let email = detail.row.email.clone();
    view! {
        <form class="stack" on:submit=submit novalidate aria-label=tf("Plan and permissions of {email}", &[("email", &(email).to_string())])>
            <h3>{tr("Plan and permissions")}</h3>
            {if is_originator {
                view! {
                    <label for="member-plan">{tr("Plan")}</label>
                    <select id="member-plan" on:change=move |ev| plan.set(event_target_value(&ev))>
                        <option value="" selected=move || plan.with(|p| p.is_empty())>{tr("No plan")}</option>
                        <For each=plans key=|p| (p.id.clone(), p.name.clone()) let:p>
                            <option value=p.id.to_string() selected={let id = p.id.clone(); move || plan.with(|x| *x == id)}>
                                {format!("{} ({})", p.name, quota_label(p.quota_bytes))}
                            </option>
                        </For>
                    </select>
                }.into_any()
            } else {
                view! { <p class="hint">{tr("Plans apply to Originators, who own storage.")}</p> }.into_any()
            }}
            <fieldset class="permissions">
                <legend>{tr("Permissions")}</legend>
                <p class="hint">{tr("Only permissions the organisation grants to selected members can be changed here; the others follow the Configuration page.")}</p>
                {detail.permissions.into_iter().map(|MemberPermission { permission, mode, .. }| {
                    let fixed = mode != FeatureMode::OnlySelected;
                    let effective = move || match mode {
                        FeatureMode::Everyone => true,
                        FeatureMode::Nobody => false,
                        FeatureMode::OnlySelected => flags.with(|f| f.contains(&permission)),
                    };
                    view! {
                        <label class="check">
                            <input type="checkbox" disabled=fixed prop:checked=effective
                                on:change=move |ev| toggle(permission, event_target_checked(&ev)) />
                            {tr(permission.label())}
                            {fixed.then(|| view! { <span class="hint">{format!(" ({})", tr(mode.label()))}</span> })}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <ErrorBox message=error />
            <Show when=move || notice.with(|n| n.is_some())>
                <p class="notice" role="status">{move || notice.get().unwrap_or_default()}</p>
            </Show>
            <div class="actions"><button type="submit" disabled=move || save.pending().get()>{tr("Save plan and permissions")}</button></div>
        </form>
    }
}

/// "2 GB", "500 MB": quotas are whole gigabytes but read better small.
pub fn quota_label(bytes: i64) -> String {
    const GB: i64 = 1_000_000_000;
    if bytes % GB == 0 {
        tf("{0} GB", &[("0", &(bytes / GB).to_string())])
    } else {
        tf("{0} MB", &[("0", &(bytes / 1_000_000).to_string())])
    }
}

/// What an administrator does for a member's account security.
#[derive(Clone, Copy)]
enum SecurityStep {
    Unlock,
    Reseed,
    Reset,
}

impl SecurityStep {
    fn done(self, email: &str) -> String {
        let words = match self {
            SecurityStep::Unlock => "{email} is unlocked.",
            SecurityStep::Reseed => {
                "Two-step sign-in of {email} was re-seeded; a set-up link was emailed."
            }
            SecurityStep::Reset => "A password reset link was emailed to {email}.",
        };
        tf(words, &[("email", email)])
    }
}

#[component]
fn AccountSecurity(
    organisation: OrganisationId,
    detail: MemberDetail,
    own: bool,
    notice: RwSignal<Option<String>>,
    on_done: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let error = RwSignal::new(None::<Problem>);
    let confirming_reset = RwSignal::new(false);
    let row = detail.row;
    let email = row.email.clone();
    // Each answer names what was done for the confirmation.
    let act = Write::new(
        error,
        {
            let (org, id) = (organisation, row.account_id.clone());
            move |step: SecurityStep| {
                let (org, id) = (org.clone(), id.clone());
                async move {
                    match step {
                        SecurityStep::Unlock => unlock_member(org, id).await.map(|()| step),
                        SecurityStep::Reseed => reseed_second_factor(org, id).await.map(|()| step),
                        SecurityStep::Reset => reset_member_password(org, id).await.map(|()| step),
                    }
                }
            }
        },
        {
            let email = email.clone();
            move |step: SecurityStep| {
                notice.set(Some(step.done(&email)));
                on_done();
            }
        },
    );
    let two_step = detail.two_step;
    let unlock = move |_| act.send(SecurityStep::Unlock);
    let reseed = move |_| act.send(SecurityStep::Reseed);
    let reset = move |_| {
        confirming_reset.set(false);
        act.send(SecurityStep::Reset);
    };
    let status = if row.locked {
        tr("Locked")
    } else if row.active {
        tr("Active")
    } else {
        tr("Invited")
    };
    let may_reset = row.active && !own;
    view! {
        <section class="stack" aria-label=tf("Account security of {email}", &[("email", &(email).to_string())])>
            <h3>{tr("Account")}</h3>
            <p>{tf("Status: {status}", &[("status", (status))])}</p>
            {row.locked.then(|| view! {
                <button type="button" on:click=unlock>{tr("Unlock")}</button>
            })}
            <button type="button" class="secondary" disabled=!may_reset on:click=move |_| confirming_reset.set(true)>{tr("Reset password")}</button>
            {(!may_reset).then(|| view! {
                <p class="hint">{if own { tr("You change your own password on My account.") } else { tr("Available once the invitation has been accepted.") }}</p>
            })}
            <p>{if two_step { tr("Two-step sign-in: on") } else { tr("Two-step sign-in: off") }}</p>
            <button type="button" class="secondary" disabled=!two_step || own on:click=reseed>{tr("Re-seed two-step sign-in")}</button>
            {(two_step && !own).then(|| view! {
                <p class="hint">{tr("For a lost phone: the old codes and recovery codes stop working and a new set-up link is emailed.")}</p>
            })}
            <Show when=move || confirming_reset.get()>
                <div class="confirm" role="group" aria-label=tr("Confirm password reset")>
                    <p class="warning">{tr("The member chooses a new password from an emailed link. Unless the organisation's account recovery holds a copy of their keys, this makes new encryption keys: everything encrypted to their old keys — files and messages shared with them until now — becomes unreadable to them. Their sessions end.")}</p>
                    <button type="button" on:click=reset>{tr("Send reset link")}</button>
                    <button type="button" class="secondary" on:click=move |_| confirming_reset.set(false)>{tr("Cancel")}</button>
                </div>
            </Show>
            <ErrorBox message=error />
            <Show when=move || notice.with(|n| n.is_some())>
                <p class="notice" role="status">{move || notice.get().unwrap_or_default()}</p>
            </Show>
        </section>
    }
}

#[component]
fn RemoveMember(
    organisation: OrganisationId,
    detail: MemberDetail,
    own: bool,
    on_removed: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let error = RwSignal::new(None::<Problem>);
    let confirming = RwSignal::new(false);
    // "" means delete permanently.
    let target = RwSignal::new(
        detail
            .transfer_candidates
            .first()
            .map(|p| p.account_id.clone())
            .unwrap_or_default(),
    );
    let email = detail.row.email.clone();
    let candidates = detail.transfer_candidates.clone();
    let recovery_holds_keys = detail.recovery_holds_keys;
    let removal = Write::or_else(
        error,
        {
            let id = detail.row.account_id.clone();
            move |removal: MemberRemoval| remove_member(organisation.clone(), id.clone(), removal)
        },
        {
            let email = email.clone();
            move |()| on_removed(tf("{email} was removed.", &[("email", &email)]))
        },
        move |_| confirming.set(false),
    );
    let remove = move |_| {
        removal.send(MemberRemoval {
            transfer_to: Some(target.get_untracked()).filter(|t| !t.is_empty()),
        })
    };
    let what = move || {
        let t = target.get();
        candidates
            .iter()
            .find(|p| p.account_id == t)
            .map(|p| {
                let (moved, how) = (
                    tf(
                        "Their items move to {0}, in a folder named after them and today's date.",
                        &[("0", &(p.email).to_string())],
                    ),
                    if recovery_holds_keys {
                        tr("Account recovery holds their keys, so all their boxes move: a Liaison's browser moves them the next time a Liaison opens Configuration.").to_string()
                    } else {
                        tf("Only a browser can open their boxes, and without account recovery holding their keys only the boxes shared with {0} can move ({0}'s browser moves them at their next visit to Boxes). Their other boxes stay behind, unreadable.", &[("0", &p.email)])
                    },
                );
                format!("{moved} {how}")
            })
            .unwrap_or_else(|| {
                tr("Their items are deleted permanently. This cannot be undone.").into()
            })
    };
    view! {
        <section class="stack" aria-label=tf("Remove {email}", &[("email", &(email).to_string())])>
            <h3>{tr("Remove from the organisation")}</h3>
            {if own {
                view! {
                    <button type="button" class="danger" disabled=true>{tr("Remove member")}</button>
                    <p class="hint">{tr("You cannot remove yourself; another administrator can.")}</p>
                }.into_any()
            } else {
                view! {
                    <label for="remove-target">{tr("Their items")}</label>
                    <select id="remove-target" on:change=move |ev| target.set(event_target_value(&ev).into())>
                        {detail.transfer_candidates.iter().map(|p| view! {
                            <option value=p.account_id.to_string()>{tf("Transfer to {0}", &[("0", &(p.email).to_string())])}</option>
                        }).collect_view()}
                        <option value="">{tr("Delete permanently")}</option>
                    </select>
                    <p class="hint">{what.clone()}</p>
                    <button type="button" class="danger" on:click=move |_| confirming.set(true)>{tr("Remove member")}</button>
                    <Show when=move || confirming.get()>
                        <div class="confirm" role="group" aria-label=tr("Confirm removal")>
                            <p class="warning">{tf("Remove {0} from the organisation? Their history is kept.", &[("0", &(detail.row.email).to_string())])}</p>
                            <button type="button" class="danger" on:click=remove>{tr("Yes, remove")}</button>
                            <button type="button" class="secondary" on:click=move |_| confirming.set(false)>{tr("Cancel")}</button>
                        </div>
                    </Show>
                }.into_any()
            }}
            <ErrorBox message=error />
        </section>
    }
}

#[component]
fn History(organisation: OrganisationId, account_id: AccountId) -> impl IntoView {
    // Asked the first time the list is opened.
    let opened = RwSignal::new(false);
    let history = load_when(move || {
        opened
            .get()
            .then(|| member_history(organisation.clone(), account_id.clone()))
    });
    let entries = RwSignal::new(None::<Vec<HistoryEntry>>);
    let error = RwSignal::new(None::<Problem>);
    show_latest(history, entries, error);
    let load = move |_| opened.set(true);
    view! {
        <details class="history" on:toggle=load>
            <summary>{tr("History")}</summary>
            <ErrorBox message=error />
            {move || entries.get().map(|list| if list.is_empty() {
                view! { <p class="hint">{tr("Nothing recorded yet.")}</p> }.into_any()
            } else {
                view! {
                    // Scrolls when long: focusable so a keyboard can scroll it.
                    <ol class="history-list" tabindex="0" aria-label=tr("History")>
                        {list.into_iter().map(|h| view! {
                            <li>
                                <time>{local_time(h.at_ms)}</time>" · "<strong>{h.actor}</strong>" · "{h.action}
                                {(!h.details.is_empty()).then(|| view! { <span class="hint">{format!(" {}", h.details)}</span> })}
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            })}
        </details>
    }
}
