//! ORG-8 Plans page: named storage quotas; one is the default that new
//! Originators get.

use crate::i18n::{tf, tr};
use coffer_api::{list_plans, remove_plan, save_plan, set_default_plan, ApiError};
use coffer_shared::ids::{OrganisationId, PlanId};
use coffer_shared::organisations::PlanView;
use leptos::prelude::*;

use crate::features::members::member_panel::quota_label;
use crate::ui::ErrorBox;
use crate::ui::{
    managed_organisation, organisation_resource, require_sign_in, show_latest, Problem, Write,
};

/// A change to the plans; each answers with the whole list.
#[derive(Clone)]
enum PlanWrite {
    Save {
        org: OrganisationId,
        id: Option<PlanId>,
        name: String,
        gb: i64,
    },
    MakeDefault {
        org: OrganisationId,
        plan: PlanView,
    },
    Remove {
        org: OrganisationId,
        plan: PlanView,
    },
}

#[component]
pub fn PlansPage() -> impl IntoView {
    let allowed = require_sign_in();
    let organisation = managed_organisation();
    let plans = RwSignal::new(None::<Vec<PlanView>>);
    let error = RwSignal::new(None::<Problem>);
    let notice = RwSignal::new(None::<String>);
    // The plan being edited; None adds a new one.
    let editing = RwSignal::new(None::<PlanId>);
    let name = RwSignal::new(String::new());
    let quota = RwSignal::new(String::new());
    // Loaded, then replaced by each write's answer.
    let answers = organisation_resource(organisation, allowed, list_plans);
    show_latest(answers, plans, error);
    // Each write answers with the whole list and says what it did.
    let write = Write::or_else(
        error,
        |w: PlanWrite| async move {
            match w {
                PlanWrite::Save { org, id, name, gb } => {
                    let list = save_plan(org, id, name.clone(), gb).await?;
                    let done = tf("Plan “{0}” saved.", &[("0", name.trim())]);
                    Ok::<_, ApiError>((list, done, true))
                }
                PlanWrite::MakeDefault { org, plan } => {
                    let list = set_default_plan(org, plan.id).await?;
                    let done = tf("“{0}” is now the default plan.", &[("0", &plan.name)]);
                    Ok((list, done, false))
                }
                PlanWrite::Remove { org, plan } => {
                    let list = remove_plan(org, plan.id).await?;
                    let done = tf("Plan “{0}” removed.", &[("0", &plan.name)]);
                    Ok((list, done, false))
                }
            }
        },
        move |(list, done, clears_form)| {
            plans.set(Some(list));
            notice.set(Some(done));
            if clears_form {
                editing.set(None);
                name.set(String::new());
                quota.set(String::new());
            }
        },
        move |_| notice.set(None),
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(org) = organisation.get_untracked() else {
            return;
        };
        let Ok(gb) = quota.get_untracked().trim().parse::<i64>() else {
            notice.set(None);
            return error.set(Some(
                tr("Storage quota must be a whole number of gigabytes.").into(),
            ));
        };
        write.send(PlanWrite::Save {
            org,
            id: editing.get_untracked(),
            name: name.get_untracked(),
            gb,
        });
    };
    let make_default = move |plan: PlanView| {
        if let Some(org) = organisation.get_untracked() {
            write.send(PlanWrite::MakeDefault { org, plan });
        }
    };
    let remove = move |plan: PlanView| {
        if let Some(org) = organisation.get_untracked() {
            write.send(PlanWrite::Remove { org, plan });
        }
    };
    let edit = move |p: PlanView| {
        name.set(p.name);
        quota.set((p.quota_bytes / 1_000_000_000).to_string());
        editing.set(Some(p.id));
    };
    view! {
        <Show when=move || allowed.get()>
            <section class="card">
                <h1>{tr("Plans")}</h1>
                <p class="hint">{tr("A plan is a storage quota for Originators. New Originators get the default plan.")}</p>
                <Show when=move || organisation.with(|o| o.is_none())>
                    <p>{tr("You do not administer an organisation.")}</p>
                </Show>
                <form class="inline" on:submit=submit novalidate aria-label=tr("Plan")>
                    <label for="plan-name">{tr("Plan name")}</label>
                    <input id="plan-name" type="text" bind:value=name />
                    <label for="plan-quota">{tr("Storage quota (GB)")}</label>
                    <input id="plan-quota" type="text" inputmode="numeric" bind:value=quota />
                    <button type="submit">{move || if editing.with(|e| e.is_some()) { tr("Save plan") } else { tr("Add plan") }}</button>
                    <Show when=move || editing.with(|e| e.is_some())>
                        <button type="button" class="secondary" on:click=move |_| {
                            editing.set(None);
                            name.set(String::new());
                            quota.set(String::new());
                        }>{tr("Cancel")}</button>
                    </Show>
                </form>
                <ErrorBox message=error />
                <Show when=move || notice.with(|n| n.is_some())>
                    <p class="notice" role="status">{move || notice.get().unwrap_or_default()}</p>
                </Show>
                <table class="list plans">
                    <caption class="visually-hidden">{tr("Plans")}</caption>
                    <thead><tr>
                        <th scope="col">{tr("Name")}</th>
                        <th scope="col">{tr("Quota")}</th>
                        <th scope="col">{tr("Members")}</th>
                        <th scope="col"><span class="visually-hidden">{tr("Actions")}</span></th>
                    </tr></thead>
                    <tbody>
                        <For each=move || plans.get().unwrap_or_default() key=|p| (p.id.clone(), p.name.clone(), p.quota_bytes, p.is_default, p.members) let:p>
                            <tr>
                                <td data-label=tr("Name")>{p.name.clone()}{p.is_default.then_some(" (default)")}</td>
                                <td data-label=tr("Quota")>{quota_label(p.quota_bytes)}</td>
                                <td data-label=tr("Members")>{p.members}</td>
                                <td class="actions">
                                    <button type="button" class="secondary small" aria-label=tf("Edit {0}", &[("0", &(p.name).to_string())])
                                        on:click={let p = p.clone(); move |_| edit(p.clone())}>{tr("Edit")}</button>
                                    <button type="button" class="secondary small" disabled=p.is_default
                                        aria-label=tf("Make default: {0}", &[("0", &(p.name).to_string())])
                                        on:click={let p = p.clone(); move |_| make_default(p.clone())}>{tr("Make default")}</button>
                                    <button type="button" class="danger small" disabled={p.is_default || p.members > 0}
                                        title={if p.is_default { tr("The default plan cannot be removed.") } else if p.members > 0 { tr("Members are on this plan.") } else { "" }}
                                        aria-label=tf("Remove {0}", &[("0", &(p.name).to_string())])
                                        on:click={let p = p.clone(); move |_| remove(p.clone())}>{tr("Remove")}</button>
                                </td>
                            </tr>
                        </For>
                    </tbody>
                </table>
                <Show when=move || plans.with(|p| p.as_ref().is_some_and(Vec::is_empty))>
                    <p class="hint">{tr("No plans yet. The first plan you add becomes the default.")}</p>
                </Show>
            </section>
        </Show>
    }
}
