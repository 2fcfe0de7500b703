//! ORG-12 Configuration page: invitation expiry, lockout and inactivity
//! limits, enforce-MFA, the PKG-8 feature modes and new members' defaults;
//! and the ORG-10 logo.

use crate::i18n::{tf, tr};
use coffer_api::{organisation_settings, remove_logo, update_organisation_settings};
use coffer_shared::ids::OrganisationId;
use coffer_shared::organisations::LogoInfo;
use coffer_shared::settings::{FeatureMode, OrgSettings, Permission, PermissionSetting};
use leptos::prelude::*;

use crate::features::recovery::RecoverySection;
use crate::session::use_session;
use crate::ui::{
    managed_organisation, organisation_resource, require_sign_in, show_latest, Problem,
};
use crate::ui::{post_file, ErrorBox, Write};

#[component]
pub fn ConfigurationPage() -> impl IntoView {
    let allowed = require_sign_in();
    let organisation = managed_organisation();
    let settings = RwSignal::new(None::<OrgSettings>);
    let error = RwSignal::new(None::<Problem>);
    let answers = organisation_resource(organisation, allowed, organisation_settings);
    show_latest(answers, settings, error);
    view! {
        <Show when=move || allowed.get()>
            <section class="card">
                <h1>{tr("Configuration")}</h1>
                <Show when=move || organisation.with(|o| o.is_none())>
                    <p>{tr("You do not administer an organisation.")}</p>
                </Show>
                <ErrorBox message=error />
                {move || match (settings.get(), organisation.get()) {
                    (Some(s), Some(org)) => Some(view! { <SettingsForm organisation=org.clone() initial=s /> <LogoSection organisation=org.clone() /> <RecoverySection organisation=org /> }),
                    _ => None,
                }}
            </section>
        </Show>
    }
}

fn number_field(
    id: &'static str,
    label: &'static str,
    hint: &'static str,
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <label for=id>{label}</label>
        <input id=id type="text" inputmode="numeric" bind:value=value />
        <p class="hint">{hint}</p>
    }
}

/// Reads a whole number from a field, naming the field when it is not one.
fn whole_number(text: &str, label: &str) -> Result<u32, String> {
    text.trim()
        .parse::<u32>()
        .map_err(|_| tf("{label} must be a whole number.", &[("label", (label))]))
}

#[component]
fn SettingsForm(organisation: OrganisationId, initial: OrgSettings) -> impl IntoView {
    let expiry = RwSignal::new(initial.invitation_expiry_hours.to_string());
    let threshold = RwSignal::new(initial.lockout_threshold.to_string());
    let inactivity = RwSignal::new(initial.inactivity_lock_days.to_string());
    let trash_days = RwSignal::new(initial.trash_retention_days.to_string());
    let enforce_mfa = RwSignal::new(initial.enforce_mfa);
    let outsiders_take_seats = RwSignal::new(initial.outsiders_take_seats);
    let permissions = RwSignal::new(initial.permissions.clone());
    let error = RwSignal::new(None::<Problem>);
    let notice = RwSignal::new(None::<String>);
    let save = Write::new(
        error,
        move |wanted: OrgSettings| update_organisation_settings(organisation.clone(), wanted),
        move |saved: OrgSettings| {
            permissions.set(saved.permissions);
            notice.set(Some(tr("Configuration saved.").into()));
        },
    );
    let busy = save.pending();
    let set_mode = move |p: Permission, mode: FeatureMode| {
        permissions.update(|list| {
            if let Some(s) = list.iter_mut().find(|s| s.permission == p) {
                s.mode = mode;
            }
        })
    };
    let set_default = move |p: Permission, on: bool| {
        permissions.update(|list| {
            if let Some(s) = list.iter_mut().find(|s| s.permission == p) {
                s.default_on = on;
            }
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        notice.set(None);
        let parsed = (|| {
            Ok::<_, String>(OrgSettings {
                invitation_expiry_hours: whole_number(
                    &expiry.get_untracked(),
                    tr("Invitation expiry"),
                )?,
                lockout_threshold: whole_number(
                    &threshold.get_untracked(),
                    tr("Lockout threshold"),
                )?,
                inactivity_lock_days: whole_number(
                    &inactivity.get_untracked(),
                    tr("Inactivity limit"),
                )?,
                enforce_mfa: enforce_mfa.get_untracked(),
                permissions: permissions.get_untracked(),
                trash_retention_days: whole_number(
                    &trash_days.get_untracked(),
                    tr("Trash retention"),
                )?,
                outsiders_take_seats: outsiders_take_seats.get_untracked(),
            })
        })();
        let wanted = match parsed {
            Ok(s) => s,
            Err(message) => return error.set(Some(message.into())),
        };
        save.send(wanted);
    };
    view! {
        <form class="stack settings" on:submit=submit novalidate aria-label=tr("Organisation configuration")>
            <h2>{tr("Accounts")}</h2>
            {number_field("invitation-expiry", tr("Invitation expiry (hours)"), tr("How long invitation and password-reset links work; 1 to 720."), expiry)}
            {number_field("lockout-threshold", tr("Lockout threshold"), tr("Consecutive wrong passwords that lock an account; 1 to 100."), threshold)}
            {number_field("inactivity-days", tr("Inactivity limit (days)"), tr("Lock accounts not signed in for this many days; 0 never locks."), inactivity)}
            <label class="check"><input type="checkbox" bind:checked=enforce_mfa />{tr(" Require two-step sign-in for every member")}</label>
            <h2>{tr("Boxes")}</h2>
            {number_field("trash-days", tr("Trash retention (days)"), tr("Deleted items are deleted for good after this many days in their box's trash; 1 to 3,650."), trash_days)}
            <label class="check"><input type="checkbox" bind:checked=outsiders_take_seats />{tr(" Outside recipients (invited by a share) take licence seats")}</label>
            <h2>{tr("Features")}</h2>
            <p class="hint">{tr("Everyone: every member has it. Only selected: members whose box is ticked on their Edit panel. Nobody: switched off. New members start with the ticked defaults.")}</p>
            <table class="list permissions">
                <caption class="visually-hidden">{tr("Feature modes")}</caption>
                <thead><tr>
                    <th scope="col">{tr("Feature")}</th>
                    <th scope="col">{tr("Who has it")}</th>
                    <th scope="col">{tr("New members")}</th>
                </tr></thead>
                <tbody>
                    {initial.permissions.into_iter().map(|PermissionSetting { permission, .. }| {
                        let mode = move || permissions.with(|l| l.iter().find(|s| s.permission == permission).map(|s| s.mode).unwrap_or(FeatureMode::Nobody));
                        let default_on = move || permissions.with(|l| l.iter().any(|s| s.permission == permission && s.default_on));
                        view! {
                            <tr>
                                <th scope="row" data-label=tr("Feature")>{permission.label()}</th>
                                <td data-label=tr("Who has it")>
                                    <select aria-label=tf("Who has {0}", &[("0", (permission.label()))]) on:change=move |ev| {
                                        let v = event_target_value(&ev);
                                        if let Some(m) = FeatureMode::ALL.into_iter().find(|m| m.label() == v) { set_mode(permission, m) }
                                    }>
                                        {FeatureMode::ALL.into_iter().map(|m| view! {
                                            <option value=m.label() selected=move || mode() == m>{tr(m.label())}</option>
                                        }).collect_view()}
                                    </select>
                                </td>
                                <td data-label=tr("New members")>
                                    <label class="check">
                                        <input type="checkbox" disabled=move || mode() != FeatureMode::OnlySelected
                                            aria-label=tf("New members get {0}", &[("0", (permission.label()))])
                                            prop:checked=default_on
                                            on:change=move |ev| set_default(permission, event_target_checked(&ev)) />
                                    </label>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <ErrorBox message=error />
            <Show when=move || notice.with(|n| n.is_some())>
                <p class="notice" role="status">{move || notice.get().unwrap_or_default()}</p>
            </Show>
            <div class="actions"><button type="submit" disabled=move || busy.get()>{tr("Save configuration")}</button></div>
        </form>
    }
}

/// Sends the chosen file as the raw request body; the server reads its
/// type from the bytes, scales it and answers with the stored size.
async fn upload_logo(organisation: &str, file: web_sys::File) -> Result<LogoInfo, Problem> {
    let url = coffer_shared::site::upload_logo(organisation);
    post_file(&url, file, tr("The logo was refused.")).await
}

#[component]
fn LogoSection(organisation: OrganisationId) -> impl IntoView {
    let session = use_session();
    let error = RwSignal::new(None::<Problem>);
    let notice = RwSignal::new(None::<String>);
    let file_input = NodeRef::<leptos::html::Input>::new();
    let logo_changed = move |said: String| {
        notice.set(Some(said));
        session.logo_version.update(|v| *v += 1);
    };
    let org = organisation.clone();
    let send_logo = Write::new(
        error,
        move |file: web_sys::File| {
            let org = org.clone();
            async move {
                let info = upload_logo(&org, file).await?;
                Ok::<_, Problem>(tf(
                    "Logo saved ({0} × {1} pixels).",
                    &[
                        ("0", &info.width.to_string()),
                        ("1", &info.height.to_string()),
                    ],
                ))
            }
        },
        logo_changed,
    );
    let busy = send_logo.pending();
    let drop_logo = Write::new(
        error,
        move |()| remove_logo(organisation.clone()),
        move |()| logo_changed(tr("Logo removed.").into()),
    );
    let upload = move |_| {
        notice.set(None);
        let Some(file) = file_input
            .get_untracked()
            .and_then(|i| i.files())
            .and_then(|f| f.get(0))
        else {
            return error.set(Some(tr("Choose an image file first.").into()));
        };
        send_logo.send(file);
    };
    let remove = move |_| {
        notice.set(None);
        drop_logo.send(());
    };
    view! {
        <section class="stack" aria-labelledby="logo-heading">
            <h2 id="logo-heading">{tr("Logo")}</h2>
            <p class="hint">{tr("PNG, JPEG or GIF, at most 2 MB. Larger than 288 × 96 pixels is scaled down. It shows at the top right for your members.")}</p>
            <label for="logo-file">{tr("Logo image")}</label>
            <input id="logo-file" type="file" accept=".png,.jpg,.jpeg,.gif,image/png,image/jpeg,image/gif" node_ref=file_input />
            <div class="actions">
                <button type="button" disabled=move || busy.get() on:click=upload>{tr("Upload logo")}</button>
                <button type="button" class="secondary" on:click=remove>{tr("Remove logo")}</button>
            </div>
            <ErrorBox message=error />
            <Show when=move || notice.with(|n| n.is_some())>
                <p class="notice" role="status">{move || notice.get().unwrap_or_default()}</p>
            </Show>
        </section>
    }
}
