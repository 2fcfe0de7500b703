//! CRY-6 / ACC-7 in the page. A Liaison turns organisation key recovery on
//! or off in Configuration; while it is on, their browser gives the
//! recovery key to Liaisons who lack it and restores the keys of members
//! who reset their password. Every member's browser, once their keys are
//! unlocked, escrows them to each organisation that asks and says so.

use coffer_api::{
    disable_recovery, enable_recovery, escrow_keys, get_recovery, hand_over_keys, keys_to_escrow,
    share_recovery_key,
};
use coffer_shared::ids::OrganisationId;
use coffer_shared::recovery::RecoveryView;
use coffer_shared::types::AdminTier;
use coffer_shared::worker::{Answer, Job};
use leptos::prelude::*;

use crate::features::boxes::keys::{ask, secret, unexpected};
use crate::i18n::{tf, tr};
use crate::session::{unlocked_keys, use_session};
use crate::ui::{load_when, local_time, show_latest, ErrorBox, Problem, Write};

/// What a Liaison's browser did on opening the section.
#[derive(Clone, Default)]
struct Kept {
    given_to: Vec<String>,
    restored: Vec<String>,
    moved: Vec<crate::features::transfers::Moved>,
}

/// Gives the key to Liaisons who lack it and restores waiting members:
/// only a Liaison who holds the key can.
async fn keep_going(org: OrganisationId, view: &RecoveryView) -> Result<Kept, Problem> {
    let mut kept = Kept::default();
    let (Some(public_key), Some(wrapped)) = (&view.public_key, &view.my_wrap) else {
        return Ok(kept);
    };
    if !view.unwrapped_liaisons.is_empty() {
        let job = Job::ShareRecoveryKey {
            secret: secret()?,
            wrapped: wrapped.clone(),
            recovery_public_key: public_key.clone(),
            holders: view.unwrapped_liaisons.clone(),
        };
        let Answer::RecoveryKey { wraps, .. } = ask(job).await? else {
            return Err(unexpected());
        };
        share_recovery_key(org.clone(), public_key.clone(), wraps).await?;
        kept.given_to = view
            .unwrapped_liaisons
            .iter()
            .map(|l| l.email.clone())
            .collect();
    }
    for reset in &view.waiting {
        let job = Job::HandOver {
            secret: secret()?,
            wrapped: wrapped.clone(),
            recovery_public_key: public_key.clone(),
            reset: reset.clone(),
        };
        let Answer::Wrapped(handed_over) = ask(job).await? else {
            return Err(unexpected());
        };
        hand_over_keys(org.clone(), reset.account_id.clone(), handed_over).await?;
        kept.restored.push(reset.email.clone());
    }
    // ORG-5: removed members' boxes, through their recovery copies.
    kept.moved = crate::features::transfers::carry_out_all(org).await?;
    Ok(kept)
}

async fn load(org: OrganisationId) -> Result<(RecoveryView, Kept), Problem> {
    let view = get_recovery(org.clone()).await?;
    let kept = keep_going(org.clone(), &view).await?;
    if kept.given_to.is_empty() && kept.restored.is_empty() && kept.moved.is_empty() {
        return Ok((view, kept));
    }
    Ok((get_recovery(org).await?, kept))
}

/// Turns recovery on: a new key pair, wrapped to every Liaison with keys.
async fn turn_on(org: OrganisationId, view: RecoveryView) -> Result<(), Problem> {
    let job = Job::MakeRecoveryKey {
        holders: view.unwrapped_liaisons,
    };
    let Answer::RecoveryKey { public_key, wraps } = ask(job).await? else {
        return Err(unexpected());
    };
    enable_recovery(org, public_key, wraps).await?;
    Ok(())
}

/// The Configuration page's section, for the organisation's Liaisons.
#[component]
pub fn RecoverySection(organisation: OrganisationId) -> impl IntoView {
    let session = use_session();
    let liaison = Memo::new({
        let org = organisation.clone();
        move |_| {
            session.account.with(|a| {
                a.as_ref().is_some_and(|a| {
                    a.memberships
                        .iter()
                        .any(|m| m.organisation_id == org && m.admin_tier == AdminTier::Liaison)
                })
            })
        }
    });
    let version = RwSignal::new(0u32);
    let answers = load_when({
        let org = organisation.clone();
        move || {
            version.track();
            session.unlocked.track();
            liaison.get().then(|| load(org.clone()))
        }
    });
    let state = RwSignal::new(None::<(RecoveryView, Kept)>);
    let error = RwSignal::new(None::<Problem>);
    show_latest(answers, state, error);
    let notice = RwSignal::new(None::<String>);
    let switch = Write::new(
        error,
        {
            let org = organisation.clone();
            move |on: Option<RecoveryView>| {
                let org = org.clone();
                async move {
                    match on {
                        Some(view) => turn_on(org, view).await.map(|()| true),
                        None => disable_recovery(org)
                            .await
                            .map(|()| false)
                            .map_err(Problem::from),
                    }
                }
            }
        },
        move |on: bool| {
            notice.set(Some(if on {
                tr("Account recovery is on. Each member's keys are copied for it the next time they sign in.").to_string()
            } else {
                tr("Account recovery is off. The recovery copies of members' keys were deleted.")
                    .to_string()
            }));
            version.update(|v| *v += 1);
        },
    );
    let busy = switch.pending();
    let confirming = RwSignal::new(false);
    view! {
        <Show when=move || liaison.get()>
            <h2>{tr("Account recovery")}</h2>
            <p class="hint">{tr("With account recovery on, a member whose password an administrator resets keeps their keys and everything shared with them: the Liaisons' browsers hold a recovery key that opens a copy of each member's keys. The server cannot open it. Members are told when it is on.")}</p>
            {move || notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
            {move || state.get().map(|(view, kept)| {
                let restored = kept.restored.iter().map(|e| view! {
                    <p class="notice" role="status">{tf("Restored the keys of {0}: they can sign in with their new password.", &[("0", e)])}</p>
                }).collect_view();
                let given = (!kept.given_to.is_empty()).then(|| view! {
                    <p class="notice" role="status">{tf("Gave the recovery key to {0}.", &[("0", &kept.given_to.join(", "))])}</p>
                });
                let body = match &view.fingerprint {
                    None => {
                        let on = view.clone();
                        view! {
                            <p>{tr("Account recovery is off.")}</p>
                            <button type="button" disabled=move || busy.get() on:click=move |_| switch.send(Some(on.clone()))>{tr("Turn on account recovery")}</button>
                        }.into_any()
                    }
                    Some(fp) => view! {
                        <p>{tf("Account recovery is on since {0}, turned on by {1}.", &[("0", &local_time(view.enabled_at_ms.unwrap_or_default())), ("1", &view.enabled_by.clone().unwrap_or_default())])}</p>
                        <p>{tr("Recovery key fingerprint:")} " " <code class="fingerprint">{fp.clone()}</code></p>
                        <p>{tf("Keys held for {0} of {1} members.", &[("0", &view.escrowed.to_string()), ("1", &view.members.to_string())])}</p>
                        {view.my_wrap.is_none().then(|| view! {
                            <p class="hint">{tr("You do not hold the recovery key yet: it is given to you when another Liaison opens this page.")}</p>
                        })}
                        <button type="button" class="danger" disabled=move || busy.get() on:click=move |_| confirming.set(true)>{tr("Turn off account recovery")}</button>
                        <Show when=move || confirming.get()>
                            <div class="confirm" role="group" aria-label=tr("Confirm turning off account recovery")>
                                <p class="warning">{tr("Every recovery copy of members' keys is deleted. A member whose password is reset after this gets new keys and loses what was shared with them. Turning recovery on again makes a new recovery key.")}</p>
                                <button type="button" class="danger" on:click=move |_| { confirming.set(false); switch.send(None) }>{tr("Yes, turn it off")}</button>
                                <button type="button" class="secondary" on:click=move |_| confirming.set(false)>{tr("Cancel")}</button>
                            </div>
                        </Show>
                    }.into_any(),
                };
                let moved = view! { <crate::features::transfers::MovedNotices moved=kept.moved.clone() /> };
                view! { {restored} {given} {moved} {body} }
            })}
            <ErrorBox message=error />
        </Show>
    }
}

/// Once the member's keys are unlocked: escrows them to every organisation
/// of theirs whose recovery is on and lacks them, and tells the member.
async fn escrow_all() -> Result<Vec<(String, String)>, Problem> {
    let mut done = Vec::new();
    let me = unlocked_keys().ok_or_else(unexpected)?;
    for due in keys_to_escrow().await? {
        let job = Job::Escrow {
            secret: secret()?,
            recovery_public_key: due.public_key.clone(),
        };
        let Answer::Wrapped(escrow) = ask(job).await? else {
            return Err(unexpected());
        };
        escrow_keys(
            due.organisation_id,
            due.public_key,
            me.public_key.clone(),
            escrow,
        )
        .await?;
        done.push((due.organisation_name, due.fingerprint));
    }
    Ok(done)
}

#[component]
pub fn EscrowKeys() -> impl IntoView {
    let session = use_session();
    let answers = load_when(move || session.unlocked.with(|u| u.is_some()).then(escrow_all));
    let escrowed = RwSignal::new(None::<Vec<(String, String)>>);
    let error = RwSignal::new(None::<Problem>);
    show_latest(answers, escrowed, error);
    view! {
        {move || escrowed.get().unwrap_or_default().into_iter().map(|(org, fp)| view! {
            <p class="notice" role="status">
                {tf("{0} has turned on account recovery: a copy of your keys is now kept that its Liaisons can open, so a password reset by an administrator keeps your files.", &[("0", &org)])}
                " " {tr("Recovery key fingerprint:")} " " <code class="fingerprint">{fp}</code>
            </p>
        }).collect_view()}
        <ErrorBox message=error />
    }
}
