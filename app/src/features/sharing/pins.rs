//! BOX-9: this browser's copy of the member's pins, so a server that drops
//! a pin does not make the next share trust whatever key it gives. The
//! pins are sealed (only the member's own keys open them); what the copy
//! tells someone using this browser is whom the member shared with.

use std::collections::BTreeMap;

use coffer_shared::ids::AccountId;
use coffer_shared::types::Bytes;

fn slot(me: &AccountId) -> String {
    format!("coffer.pins.{me}")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn all(me: &AccountId) -> BTreeMap<String, Bytes> {
    storage()
        .and_then(|st| st.get_item(&slot(me)).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// The pin of `subject`'s key this browser keeps, else the server's.
pub fn pin_of(me: &AccountId, subject: &AccountId, from_server: Option<Bytes>) -> Option<Bytes> {
    all(me).remove(subject.as_str()).or(from_server)
}

/// Keeps a new pin here too.
pub fn keep(me: &AccountId, subject: &AccountId, pin: &Bytes) {
    let mut pins = all(me);
    pins.insert(subject.to_string(), pin.clone());
    if let (Some(st), Ok(text)) = (storage(), serde_json::to_string(&pins)) {
        let _ = st.set_item(&slot(me), &text);
    }
}
