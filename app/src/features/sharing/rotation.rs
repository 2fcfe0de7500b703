//! CRY-4 in the page: a box's or folder's key renewed after someone's
//! access to it ended. The worker makes the new identity and wraps it to
//! everyone who keeps access; the server swaps it in one step. Done by the
//! Share panel right after a removal, and on the Boxes page for what is
//! still due (a member removed from the organisation, an access window
//! that ended, a removal by someone who holds only the folder itself).

use coffer_api::{plan_rotation, renew_key, rotations_due};
use coffer_shared::errors::Refusal;
use coffer_shared::ids::{AccountId, NodeId, OrganisationId};
use coffer_shared::sharing::SharingError;
use coffer_shared::worker::{Answer, Job};
use leptos::prelude::*;

use crate::features::boxes::keys::{ask, secret, unexpected};
use crate::features::boxes::uploads::signing_key;
use crate::i18n::{tf, tr};
use crate::session::use_session;
use crate::ui::{load_when, show_latest, ErrorBox, Problem};

/// A rotation that met a change made meanwhile is planned again this many
/// times before the member is told.
const ATTEMPTS: usize = 3;

fn raced(p: &Problem) -> bool {
    matches!(
        p,
        Problem::Api(coffer_api::ApiError::Refused(Refusal::Sharing(
            SharingError::RotationRaced
        )))
    )
}

/// Gives `node_id` a new identity from this browser.
pub async fn renew(
    org: OrganisationId,
    me: Option<AccountId>,
    node_id: NodeId,
) -> Result<(), Problem> {
    let me = me.ok_or_else(unexpected)?;
    let signing = signing_key().await?;
    let mut attempt = 1;
    loop {
        let mut plan = plan_rotation(org.clone(), node_id.clone()).await?;
        for k in plan.keepers.iter_mut() {
            k.pin = super::pins::pin_of(&me, &k.account_id, k.pin.take());
        }
        let keepers = plan.keepers.clone();
        let job = Job::Rotate {
            secret: secret()?,
            signing: signing.clone(),
            me: me.to_string(),
            plan,
        };
        let rotation = match ask(job).await? {
            Answer::Rotated(rotation) => rotation,
            // BOX-9: someone keeping access has a key other than the one
            // this member pinned; sharing it again with them compares.
            Answer::KeyChanged { who, .. } => {
                let email = keepers
                    .iter()
                    .find(|k| k.account_id.as_str() == who)
                    .map(|k| k.email.clone())
                    .unwrap_or(who);
                return Err(tf(KEY_CHANGED, &[("0", &email)]).into());
            }
            _ => return Err(unexpected()),
        };
        match renew_key(org.clone(), rotation)
            .await
            .map_err(Problem::from)
        {
            Err(p) if raced(&p) && attempt < ATTEMPTS => attempt += 1,
            done => return done,
        }
    }
}

const KEY_CHANGED: &str = "The key of {0} is not the one you last shared with, so this item did not get a new key. Share it with them again from its Share panel to compare their key fingerprint.";

/// Whether a removal's rotation could not be done here because someone
/// above must do it (said as such, not as a failure).
pub fn left_to_someone_above(p: &Problem) -> bool {
    matches!(
        p,
        Problem::Api(coffer_api::ApiError::Refused(Refusal::Sharing(
            SharingError::RotationFromAbove | SharingError::FileKeepsItsKey
        )))
    )
}

async fn renew_all_due(org: OrganisationId, me: Option<AccountId>) -> Result<usize, Problem> {
    let due = rotations_due(org.clone()).await?;
    for id in &due {
        renew(org.clone(), me.clone(), id.clone()).await?;
    }
    Ok(due.len())
}

/// CRY-4 on the Boxes page: what is due a new key and this member can
/// renew is renewed as the page opens, and the page says so.
#[component]
pub fn RenewDueKeys(
    organisation: Memo<Option<(OrganisationId, bool)>>,
    // The page's copies of what was renewed are stale: it loads them again.
    renewed: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let done = load_when(move || {
        let (org, me) = super::unlocked_in(session, organisation)?;
        Some(renew_all_due(org, me))
    });
    let error = RwSignal::new(None::<Problem>);
    let count = RwSignal::new(None::<usize>);
    show_latest(done, count, error);
    Effect::new(move |_| {
        if count.get().is_some_and(|n| n > 0) {
            renewed.run(());
        }
    });
    let said = move || {
        count.get().filter(|n| *n > 0).map(|n| {
            tf(
                "Renewed the keys of {0} shared items after someone's access ended.",
                &[("0", &n.to_string())],
            )
        })
    };
    view! {
        {move || said().map(|s| view! { <p class="notice" role="status">{s}</p> })}
        <ErrorBox message=error />
    }
}

/// What the Share panel says once someone's access is removed.
pub fn removed_notice(who: &str, renewed: bool) -> String {
    if renewed {
        tf(
            "{0} no longer has access. The item has a new key, so nothing added from now on opens with theirs; what they already downloaded stays with them.",
            &[("0", who)],
        )
    } else {
        format!(
            "{} {}",
            tf("{0} no longer has access.", &[("0", who)]),
            tr("What they already downloaded stays with them.")
        )
    }
}
