//! ORG-5 in the page: a removed member's boxes moved to the recipient, by
//! whichever browser can open them. A Liaison's does it with the
//! organisation's recovery copy of the removed member's keys (on the Boxes
//! page and in Configuration); without one, the recipient's does it for the
//! boxes shared with them (on their Boxes page).

use coffer_api::{complete_transfer, due_transfers};
use coffer_shared::errors::Refusal;
use coffer_shared::ids::OrganisationId;
use coffer_shared::transfers::TransferError;
use coffer_shared::worker::{Answer, Job};
use leptos::prelude::*;

use crate::features::boxes::keys::{ask, secret, unexpected};
use crate::i18n::tf;
use crate::session::use_session;
use crate::ui::{load_when, show_latest, ErrorBox, Problem};

/// One transfer carried out: whose boxes, how many, into which folder,
/// for whom, and how many stayed behind.
#[derive(Clone)]
pub struct Moved {
    email: String,
    boxes: usize,
    folder: String,
    recipient: String,
    left: u64,
}

const KEY_CHANGED: &str = "The key of {0} is not the one you last shared with, so the transfer to them was not carried out. Share something with them from a Share panel to compare their key fingerprint.";

pub async fn carry_out_all(org: OrganisationId) -> Result<Vec<Moved>, Problem> {
    let mut done = Vec::new();
    for t in due_transfers(org.clone()).await? {
        let job = Job::TransferBoxes {
            secret: secret()?,
            recovery: t.recovery.clone(),
            boxes: t.boxes.clone(),
            recipient_public_key: t.recipient_public_key.clone(),
            recipient_id: t.recipient_id.clone(),
            recipient_pin: t.recipient_pin.clone(),
            folder_name: t.folder_name.clone(),
            now_ms: js_sys::Date::now() as i64,
        };
        let made = match ask(job).await? {
            Answer::Transferred(made) => made,
            // BOX-9: left due; sharing with them compares their key.
            Answer::KeyChanged { .. } => {
                return Err(tf(KEY_CHANGED, &[("0", &t.recipient)]).into());
            }
            _ => return Err(unexpected()),
        };
        match complete_transfer(org.clone(), t.removal_id.clone(), made).await {
            // Another browser carried it out meanwhile.
            Err(coffer_api::ApiError::Refused(Refusal::Transfer(TransferError::NotDue))) => {
                continue
            }
            other => other?,
        }
        done.push(Moved {
            email: t.email,
            boxes: t.boxes.len(),
            folder: t.folder_name,
            recipient: t.recipient,
            left: t.left,
        });
    }
    Ok(done)
}

#[component]
pub fn MovedNotices(moved: Vec<Moved>) -> impl IntoView {
    moved
        .into_iter()
        .map(|m| {
            let left = (m.left > 0).then(|| {
                tf(
                    "{0} of their boxes could not be opened and stay behind.",
                    &[("0", &m.left.to_string())],
                )
            });
            view! {
                <p class="notice" role="status">
                    {tf("Moved {0} boxes of {1} into “{2}” for {3}.", &[("0", &m.boxes.to_string()), ("1", &m.email), ("2", &m.folder), ("3", &m.recipient)])}
                    {left.map(|l| format!(" {l}"))}
                </p>
            }
        })
        .collect_view()
}

/// On the Boxes page: carries out what this member's browser can, then
/// reloads the boxes (the recipient's new box appears).
#[component]
pub fn CarryOutTransfers(
    organisation: Memo<Option<(OrganisationId, bool)>>,
    moved: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let done = load_when(move || {
        let (org, _) = crate::features::sharing::unlocked_in(session, organisation)?;
        Some(carry_out_all(org))
    });
    let error = RwSignal::new(None::<Problem>);
    let carried = RwSignal::new(None::<Vec<Moved>>);
    show_latest(done, carried, error);
    Effect::new(move |_| {
        if carried.with(|c| c.as_ref().is_some_and(|c| !c.is_empty())) {
            moved.run(());
        }
    });
    view! {
        {move || carried.get().map(|m| view! { <MovedNotices moved=m /> })}
        <ErrorBox message=error />
    }
}
