//! Who is signed in, and whether their private key is unlocked in this tab.
//!
//! The unlocked key is kept in `sessionStorage`: it survives a reload of the
//! tab but not the tab itself, and is wiped at sign-out. It never goes to
//! the server. The crypto worker unlocks it; the page only keeps it.

use coffer_api::{me, passkey_set_key};
use coffer_shared::accounts::{AccountView, SignedIn};
use coffer_shared::ids::OrganisationId;
use coffer_shared::worker::Unlocked;
use leptos::prelude::*;
use leptos::task::spawn_local;
use zeroize::Zeroizing;

const KEY_SLOT: &str = "coffer.member-key";

use crate::features::accounts::auth::ExportKey;

#[derive(Clone, Copy)]
pub struct Session {
    pub account: RwSignal<Option<AccountView>>,
    /// Public key and fingerprint of the key pair unlocked in this tab.
    pub unlocked: RwSignal<Option<(String, String)>>,
    /// False until the first "who am I" answer arrives.
    pub loaded: RwSignal<bool>,
    /// Bumped when the organisation logo changes, so the header reloads it.
    pub logo_version: RwSignal<u32>,
    /// Bumped when a passkey gained its key wrapping in the background, so
    /// the passkey list shows that it now unlocks the keys.
    pub passkeys_version: RwSignal<u32>,
    /// The organisation whose boxes the member works in, when they belong
    /// to several (remembered in this browser).
    pub working_organisation: RwSignal<Option<OrganisationId>>,
    /// MFA-2/MFA-3: the export key of a sign-in whose session may only set
    /// up a second factor, in memory only, until the keys arrive.
    pending_export: StoredValue<Option<ExportKey>, LocalStorage>,
    /// MFA-5: a passkey created while the keys were locked, with its PRF
    /// output, to be given its wrapping once they unlock.
    pending_prf: StoredValue<Option<PendingPrf>, LocalStorage>,
}

/// A passkey's id and the PRF output it gave when it was created.
type PendingPrf = (String, Zeroizing<Vec<u8>>);

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// Where the browser remembers the organisation a member of several last
/// worked in: not a secret, and kept across tabs.
const ORGANISATION_SLOT: &str = "coffer.organisation";

fn remembered_organisation() -> Option<OrganisationId> {
    let st = web_sys::window()?.local_storage().ok()??;
    st.get_item(ORGANISATION_SLOT)
        .ok()?
        .map(OrganisationId::from)
}

/// Removes the unlocked key from this tab.
pub fn wipe_keys() {
    if let Some(st) = storage() {
        let _ = st.remove_item(KEY_SLOT);
    }
}

/// Leaves for the sign-in page by a full page load, which also drops
/// everything held in memory. The signals are left alone so the app does
/// not route first and race the load.
pub fn leave_to_sign_in() {
    wipe_keys();
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_href("/sign-in");
    }
}

/// The key pair unlocked in this tab, if any (MFA-5 wraps it for a new
/// passkey).
pub fn unlocked_keys() -> Option<Unlocked> {
    let text = storage()?.get_item(KEY_SLOT).ok()??;
    serde_json::from_str(&text).ok()
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

impl Session {
    pub fn new() -> Self {
        Session {
            account: RwSignal::new(None),
            unlocked: RwSignal::new(None),
            loaded: RwSignal::new(false),
            logo_version: RwSignal::new(0),
            passkeys_version: RwSignal::new(0),
            working_organisation: RwSignal::new(remembered_organisation()),
            pending_export: StoredValue::new_local(None),
            pending_prf: StoredValue::new_local(None),
        }
    }

    /// Asks the server who the session cookie belongs to.
    pub fn load(self) {
        spawn_local(self.refresh());
    }

    /// `load`, finished: the keys a pending export key unlocks are stored
    /// by the time it returns (before a page load to the full app).
    pub async fn refresh(self) {
        match me().await {
            Ok(s) => self.restore(s).await,
            Err(_) => self.forget(),
        }
        self.loaded.set(true);
    }

    async fn restore(self, s: SignedIn) {
        if s.keys.is_some() {
            if let Some(export) = self.pending_export.get_value() {
                self.pending_export.set_value(None);
                let unlocked = crate::features::accounts::auth::unlock(&s, export).await;
                crate::features::accounts::auth::forget(export).await;
                if let Ok(keys) = unlocked {
                    // A passkey made while the keys were locked gains their
                    // wrapping before this returns: the caller may leave the
                    // page next (to the full app), which would end a task
                    // left running.
                    let pending = self.pending_prf.get_value();
                    self.pending_prf.set_value(None);
                    self.signed_in(s, keys.clone());
                    if let Some((passkey_id, prf)) = pending {
                        self.wrap_for_passkey(passkey_id, prf, keys).await;
                    }
                    return;
                }
            }
        }
        let unlocked = unlocked_keys()
            .filter(|k| k.public_key == s.account.public_key)
            .map(|k| (k.public_key, k.fingerprint));
        self.unlocked.set(unlocked);
        self.account.set(Some(s.account));
    }

    /// MFA-2/MFA-3: signed in to set up a second factor, without keys; the
    /// export key unlocks them once the factor is in place and `load` runs.
    pub fn signed_in_to_set_up(self, s: SignedIn, export: ExportKey) {
        wipe_keys();
        self.pending_export.set_value(Some(export));
        self.unlocked.set(None);
        self.account.set(Some(s.account));
        self.loaded.set(true);
    }

    pub fn signed_in(self, s: SignedIn, keys: Unlocked) {
        if let (Some(st), Ok(text)) = (storage(), serde_json::to_string(&keys)) {
            let _ = st.set_item(KEY_SLOT, &text);
        }
        if let Some((passkey_id, prf)) = self.pending_prf.get_value() {
            self.pending_prf.set_value(None);
            spawn_local(self.wrap_for_passkey(passkey_id, prf, keys.clone()));
        }
        self.unlocked
            .set(Some((keys.public_key.clone(), keys.fingerprint.clone())));
        self.account.set(Some(s.account));
        self.loaded.set(true);
    }

    /// MFA-5: stores the keys wrapped for a passkey whose PRF output was
    /// kept until they unlocked; the passkey list then shows it. Without it
    /// the passkey still signs in, and the password unlocks the keys.
    async fn wrap_for_passkey(self, passkey_id: String, prf: Zeroizing<Vec<u8>>, keys: Unlocked) {
        if let Ok(wrapped) = crate::features::accounts::auth::wrap_for_passkey(&keys, &prf).await {
            if passkey_set_key(passkey_id.into(), wrapped).await.is_ok() {
                self.passkeys_version.update(|v| *v += 1);
            }
        }
    }

    /// MFA-5: wrap the keys for this passkey as soon as they unlock.
    pub fn wrap_keys_later(self, passkey_id: String, prf: Zeroizing<Vec<u8>>) {
        self.pending_prf.set_value(Some((passkey_id, prf)));
    }

    pub fn forget(self) {
        wipe_keys();
        if let Some(export) = self.pending_export.get_value() {
            spawn_local(crate::features::accounts::auth::forget(export));
        }
        self.pending_export.set_value(None);
        self.pending_prf.set_value(None);
        self.unlocked.set(None);
        self.account.set(None);
    }

    /// A member of several organisations works in `org` from now on (in
    /// this browser).
    pub fn work_in(self, org: OrganisationId) {
        if let Some(Ok(Some(st))) = web_sys::window().map(|w| w.local_storage()) {
            let _ = st.set_item(ORGANISATION_SLOT, org.as_str());
        }
        self.working_organisation.set(Some(org));
    }

    pub fn fingerprint(self) -> Option<String> {
        self.unlocked.get().map(|(_, fingerprint)| fingerprint)
    }

    /// True for anyone holding the Admin or Liaison tier somewhere.
    pub fn administers_an_organisation(self) -> bool {
        self.account.with(|a| {
            a.as_ref().is_some_and(|a| {
                a.memberships
                    .iter()
                    .any(|m| m.admin_tier >= coffer_shared::types::AdminTier::Admin)
            })
        })
    }

    pub fn is_instance_admin(self) -> bool {
        self.account
            .with(|a| a.as_ref().is_some_and(|a| a.is_instance_admin))
    }
}
