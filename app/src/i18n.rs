//! PLT-5 in the browser: the language pages speak. The member's default
//! language (ACC-9) applies at sign-in and the moment it is saved; before
//! sign-in the browser's own language is used. Changing it re-renders the
//! whole app, so `tr` can be a plain function.

use std::cell::Cell;

use coffer_shared::i18n::{translate, translate_with, Language};
use leptos::prelude::*;

thread_local! {
    static CURRENT: Cell<Language> = const { Cell::new(Language::En) };
}

#[derive(Clone, Copy)]
pub struct I18n {
    pub language: RwSignal<Language>,
}

pub fn current() -> Language {
    CURRENT.with(Cell::get)
}

/// A fixed text in the current language.
pub fn tr(english: &'static str) -> &'static str {
    translate(current(), english)
}

/// A template with `{name}` placeholders, translated and filled in.
pub fn tf(english: &'static str, args: &[(&str, &str)]) -> String {
    translate_with(current(), english, args)
}

/// A fixed text that arrives at run time as a value (a table cell's
/// "Yes", a role's name), looked up like `tr`. Refusals are worded by
/// variant instead (`coffer_shared::i18n::Words`).
pub fn tr_key(text: &str) -> String {
    translate(current(), text).to_string()
}

/// The browser's preferred language, when Coffer speaks it.
pub fn browser_language() -> Language {
    web_sys::window()
        .and_then(|w| w.navigator().language())
        .and_then(|tag| Language::from_code(&tag))
        .unwrap_or_default()
}

impl I18n {
    pub fn new() -> Self {
        let start = browser_language();
        CURRENT.with(|c| c.set(start));
        I18n {
            language: RwSignal::new(start),
        }
    }

    /// Switches every page to `lang` at once.
    pub fn set(self, lang: Language) {
        if current() == lang {
            return;
        }
        CURRENT.with(|c| c.set(lang));
        if let Some(html) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = html.set_attribute("lang", lang.code());
        }
        self.language.set(lang);
    }
}
