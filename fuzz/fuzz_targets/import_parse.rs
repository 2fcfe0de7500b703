//! Any bytes, as any format: the parser and planner never panic, and every
//! row they accept is one the rules allow.
#![no_main]

use coffer_core::import::parse::parse;
use coffer_core::import::plan::{plan, Lookups};
use coffer_shared::import::ImportFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for choice in [
        None,
        Some(ImportFormat::Named),
        Some(ImportFormat::EmailRole),
    ] {
        if let Ok(file) = parse(data, choice) {
            let lookups = Lookups {
                seats_left: 3,
                ..Lookups::default()
            };
            let planned = plan(&file.rows, &lookups);
            assert_eq!(planned.rows.len(), file.rows.len());
            assert!(planned.admissions.len() <= 3);
        }
    }
});
