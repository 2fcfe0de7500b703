//! PLT-5: the languages Coffer speaks. English text is the key (as with
//! gettext): a page asks for `translate(lang, "Sign in")`, and a missing
//! translation shows the English rather than a key. A test checks that
//! every text the browser app asks for has its translations.

use serde::{Deserialize, Serialize};

mod de;
mod words;

pub use words::{Template, Words};

/// ACC-9: a member's default language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    De,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::En, Language::De];

    /// BCP 47 tag, stored and used for `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::De => "de",
        }
    }

    pub fn from_code(code: &str) -> Option<Language> {
        let primary = code
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        Language::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The language's own name for itself, as a language picker shows it.
    pub fn name(self) -> &'static str {
        match self {
            Language::En => "English",
            Language::De => "Deutsch",
        }
    }
}

/// `english` in `lang`; the English itself when there is no translation.
pub fn translate(lang: Language, english: &str) -> &str {
    match lang {
        Language::En => english,
        Language::De => de::text(english).unwrap_or(english),
    }
}

/// A translated template with `{name}` placeholders filled in.
pub fn translate_with(lang: Language, english: &str, args: &[(&str, &str)]) -> String {
    let mut text = translate(lang, english).to_string();
    for (name, value) in args {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// Whether `lang` has its own text for `english` (English always has).
pub fn has_translation(lang: Language, english: &str) -> bool {
    match lang {
        Language::En => true,
        Language::De => de::text(english).is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every text the browser app passes to `tr` / `tf` (the English key),
    /// read from its sources, with Rust's `\` line continuations joined.
    fn app_keys() -> Vec<String> {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        let mut files = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src"),
            &mut files,
        );
        let mut keys = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let mut joined = String::new();
            let mut lines = text.lines().peekable();
            while let Some(line) = lines.next() {
                if let Some(head) = line.strip_suffix('\\') {
                    joined.push_str(head);
                    continue_trimmed(&mut joined, &mut lines);
                } else {
                    joined.push_str(line);
                    joined.push('\n');
                }
            }
            for call in ["tr(", "tf("] {
                let mut rest = joined.as_str();
                while let Some(at) = rest.find(call) {
                    let after = rest[at + call.len()..].trim_start();
                    rest = after;
                    // Only calls with a literal: `tr(label)` passes a key
                    // written elsewhere as a literal.
                    let Some(text) = after.strip_prefix('"') else {
                        continue;
                    };
                    let end = text.find('"').unwrap();
                    keys.push(text[..end].to_string());
                    rest = &text[end..];
                }
            }
        }
        keys.sort();
        keys.dedup();
        keys
    }

    /// After a `\` continuation Rust drops the next line's leading spaces.
    fn continue_trimmed<'a>(
        joined: &mut String,
        lines: &mut std::iter::Peekable<impl Iterator<Item = &'a str>>,
    ) {
        for next in lines.by_ref() {
            let next = next.trim_start();
            if let Some(head) = next.strip_suffix('\\') {
                joined.push_str(head);
            } else {
                joined.push_str(next);
                joined.push('\n');
                return;
            }
        }
    }

    #[test]
    fn every_text_the_app_asks_for_is_translated() {
        let keys = app_keys();
        assert!(keys.len() > 100, "found {} keys", keys.len());
        let missing: Vec<_> = keys
            .iter()
            .filter(|k| !has_translation(Language::De, k))
            .collect();
        assert!(missing.is_empty(), "no German for: {missing:#?}");
    }

    /// Every source file of this crate, found by walking `src/` (so a new
    /// domain's error enum is checked without being listed), except the
    /// translations themselves.
    fn refusal_sources() -> String {
        let mut files = Vec::new();
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut dirs = vec![src];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() && !path.ends_with("i18n") {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    files.push(path);
                }
            }
        }
        files.sort();
        assert!(files.len() >= 5, "found {files:?}");
        files
            .iter()
            .map(|f| std::fs::read_to_string(f).unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Words the pages show from shared enums, and every fixed refusal
    /// message (those with a `{…}` part are shown in English for now).
    fn shared_keys() -> Vec<String> {
        use crate::members::{MemberColumn, SearchField};
        use crate::settings::{FeatureMode, Permission};
        use crate::types::{AccountType, AdminTier, Role};
        let mut keys: Vec<String> = Vec::new();
        keys.extend(SearchField::ALL.iter().map(|f| f.label().to_string()));
        keys.extend(MemberColumn::ALL.iter().map(|c| c.label().to_string()));
        keys.extend(Permission::ALL.iter().map(|p| p.label().to_string()));
        keys.extend(FeatureMode::ALL.iter().map(|m| m.label().to_string()));
        keys.extend(
            [Role::AdHoc, Role::Collaborator, Role::Originator]
                .iter()
                .map(|r| r.as_str().to_string()),
        );
        keys.extend(
            [AdminTier::None, AdminTier::Admin, AdminTier::Liaison]
                .iter()
                .map(|t| t.as_str().to_string()),
        );
        keys.extend(
            [AccountType::Local, AccountType::External, AccountType::Ldap]
                .iter()
                .map(|t| t.as_str().to_string()),
        );
        keys.extend(
            [
                crate::import::ImportFormat::Named,
                crate::import::ImportFormat::EmailRole,
            ]
            .iter()
            .map(|f| f.label().to_string()),
        );
        keys.push("Yes".into());
        keys.push("No".into());
        let errors = refusal_sources();
        let mut lines = errors.lines().map(str::trim).peekable();
        while let Some(line) = lines.next() {
            let text = match line.strip_prefix("#[error(") {
                Some("") => lines.next().unwrap_or(""),
                Some(rest) => rest,
                None => continue,
            };
            let text = text.trim_end_matches(")]").trim_start_matches('"');
            let text = text.trim_end_matches('"');
            if text.starts_with("transparent") || text.contains('{') || text.contains('\\') {
                continue;
            }
            keys.push(text.to_string());
        }
        keys
    }

    #[test]
    fn refusals_with_values_are_translated_by_variant_with_the_values_kept() {
        // Every `#[error]` message with a value has its template in `words`.
        let sources = refusal_sources();
        let mut with_values = Vec::new();
        let mut lines = sources.lines().map(str::trim);
        while let Some(line) = lines.next() {
            let text = match line.strip_prefix("#[error(") {
                Some("") => lines.next().unwrap_or(""),
                Some(rest) => rest,
                None => continue,
            };
            let text = text.trim_end_matches(")]").trim_start_matches('"');
            let text = text.trim_end_matches('"').replace("\\\"", "\"");
            if text.contains('{') && !text.starts_with("transparent") {
                with_values.push(text);
            }
        }
        with_values.sort();
        let samples = words::samples();
        let mut templates: Vec<String> = samples
            .iter()
            .map(|s| s.template().expect("a sample with values").0.to_string())
            .collect();
        templates.sort();
        assert_eq!(with_values, templates);
        for sample in &samples {
            // The template, filled in, is exactly what the enum says...
            assert_eq!(sample.words(Language::En), sample.to_string());
            // ...and German has it, with the values kept.
            let (template, values) = sample.template().unwrap();
            assert!(has_translation(Language::De, template), "{template}");
            let german = sample.words(Language::De);
            for (_, value) in values {
                assert!(german.contains(&value), "{german} lacks {value}");
            }
        }
        // The browser's own password rule, worded the same way.
        let short = crate::policy::PasswordProblem::TooShort { min: 12 };
        assert_eq!(short.words(Language::En), short.to_string());
        assert!(short.words(Language::De).contains("12"));
        assert_ne!(short.words(Language::De), short.to_string());
        let duplicate = crate::import::RowReason::DuplicateOf(7);
        assert_eq!(duplicate.words(Language::De), "Duplikat von Zeile 7.");
        let fixed = crate::errors::Refusal::from(crate::accounts::SignInError::Failed);
        assert_eq!(
            fixed.words(Language::De),
            translate(Language::De, &fixed.to_string())
        );
    }

    #[test]
    fn every_word_and_refusal_from_shared_is_translated() {
        let missing: Vec<_> = shared_keys()
            .into_iter()
            .filter(|k| !has_translation(Language::De, k))
            .collect();
        assert!(missing.is_empty(), "no German for: {missing:#?}");
    }

    #[test]
    fn translations_keep_their_placeholders() {
        for key in app_keys() {
            let german = translate(Language::De, &key);
            for part in key.split('{').skip(1) {
                let name = part.split('}').next().unwrap();
                assert!(
                    german.contains(&format!("{{{name}}}")),
                    "{key:?} → {german:?} lost {{{name}}}"
                );
            }
        }
    }

    #[test]
    fn languages_read_from_browser_tags_and_fill_templates() {
        assert_eq!(Language::from_code("de-AT"), Some(Language::De));
        assert_eq!(Language::from_code("EN_gb"), Some(Language::En));
        assert_eq!(Language::from_code("fr"), None);
        assert_eq!(translate(Language::De, "Sign in"), "Anmelden");
        assert_eq!(translate(Language::De, "no such text"), "no such text");
        assert_eq!(
            translate_with(Language::De, "Your question: {q}", &[("q", "Wer?")]),
            "Ihre Frage: Wer?"
        );
    }
}
