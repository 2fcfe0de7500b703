//! Deutsch, one table per domain. Keys are the English texts the pages ask
//! for and the refusals' words; placeholders in braces stay as they are. A
//! new domain adds its file here and one line to `TABLES`; the completeness
//! test in `i18n.rs` finds its keys in the sources by itself.

mod accounts;
mod audit;
mod boxes;
mod common;
mod files;
mod import;
mod labels;
mod members;
mod mfa;
mod organisations;
mod recovery;
mod sharing;
mod transfers;

use std::collections::HashMap;
use std::sync::OnceLock;

const TABLES: &[(&str, &[(&str, &str)])] = &[
    ("common", common::WORDS),
    ("accounts", accounts::WORDS),
    ("mfa", mfa::WORDS),
    ("members", members::WORDS),
    ("organisations", organisations::WORDS),
    ("import", import::WORDS),
    ("audit", audit::WORDS),
    ("boxes", boxes::WORDS),
    ("files", files::WORDS),
    ("sharing", sharing::WORDS),
    ("labels", labels::WORDS),
    ("recovery", recovery::WORDS),
    ("transfers", transfers::WORDS),
];

fn table() -> &'static HashMap<&'static str, &'static str> {
    static TABLE: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        TABLES
            .iter()
            .flat_map(|(_, words)| words.iter().copied())
            .collect()
    })
}

pub fn text(english: &str) -> Option<&'static str> {
    table().get(english).copied()
}

#[cfg(test)]
mod tests {
    use super::TABLES;

    /// One key, one place: a key in two tables would let one silently
    /// hide the other.
    #[test]
    fn no_key_is_in_two_tables() {
        let mut seen = std::collections::HashMap::new();
        for (table, words) in TABLES {
            for (key, _) in *words {
                if let Some(other) = seen.insert(*key, *table) {
                    panic!("{key:?} is in both {other} and {table}");
                }
            }
        }
    }
}
