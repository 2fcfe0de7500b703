//! IMP-1/2/3/5: a corpus of real-world-shaped CSV files, each with the
//! report it must produce (`<name>.expected` beside `<name>.csv`), plus
//! hostile inputs built here: a 1 MB field, NUL bytes, binary data.

use coffer_core::import::parse::parse;
use coffer_core::import::plan::{plan, Lookups};
use coffer_shared::import::{ImportError, ImportFormat, RowOutcome};

fn lookups() -> Lookups {
    Lookups {
        members: ["existing@acme.test".to_string()].into(),
        accounts: [(
            "known@other.test".to_string(),
            ("acc-known".to_string(), None),
        )]
        .into(),
        usernames: [("taken".to_string(), "acc-x".to_string())].into(),
        groups: [
            ("sales".to_string(), "g-sales".to_string()),
            ("legal".to_string(), "g-legal".to_string()),
        ]
        .into(),
        seats_left: 1000,
    }
}

/// The report in the corpus's plain-text form.
fn report(bytes: &[u8]) -> String {
    let file = match parse(bytes, None) {
        Ok(f) => f,
        Err(e) => return format!("error: {e}\n"),
    };
    let mut out = format!("format: {:?}\n", file.format);
    let planned = plan(&file.rows, &lookups());
    // The wire says only "added"; the admissions say whether an account is
    // re-used.
    let reused: std::collections::HashSet<u64> = planned
        .admissions
        .iter()
        .filter(|a| a.existing_account.is_some())
        .map(|a| a.candidate.line)
        .collect();
    for row in planned.rows {
        let what = match row.outcome {
            RowOutcome::Add if reused.contains(&row.line) => format!("reuse {}", row.email),
            RowOutcome::Add => format!("create {}", row.email),
            RowOutcome::Skip(reason) => format!("skip {}: {reason}", row.email),
        };
        out.push_str(&format!("{} {what}\n", row.line));
    }
    out
}

#[test]
fn every_fixture_gives_its_expected_report() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import");
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for csv in entries
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
    {
        let expected = std::fs::read_to_string(csv.with_extension("expected"))
            .unwrap_or_else(|_| panic!("{} has no .expected file", csv.display()));
        let got = report(&std::fs::read(csv).unwrap());
        assert_eq!(got, expected, "{}", csv.display());
        checked += 1;
    }
    assert!(checked >= 12, "only {checked} fixtures found");
}

#[test]
fn a_one_megabyte_field_is_reported_not_swallowed() {
    let mut text = String::from("USERNAME,EMAIL,GROUP,FIRSTNAME,LASTNAME\n,ann@acme.test,,");
    text.push_str(&"A".repeat(1024 * 1024));
    text.push_str(",Baker\n,bob@acme.test,,Bob,Brown\n");
    assert_eq!(
        report(text.as_bytes()),
        "format: Named\n2 skip ann@acme.test: A name is longer than 100 characters.\n3 create bob@acme.test\n"
    );
    let mut huge_email = String::from("Email,Role\n");
    huge_email.push_str(&"b".repeat(1024 * 1024));
    huge_email.push_str("@acme.test,Originator\n");
    let r = report(huge_email.as_bytes());
    assert!(
        r.ends_with(": The email address is not valid.\n"),
        "{}",
        &r[..200]
    );
    assert!(r.len() < 400, "the report shows a bounded excerpt");
}

#[test]
fn nul_bytes_and_binary_files_are_not_csv() {
    for bytes in [
        &b"Email,Role\nann@acme.test,Orig\0inator\n"[..],
        &b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"[..],
        &b"PK\x03\x04\x14\0\x06\0"[..],
        &[0xff, 0xfe, b'E', 0, b'm', 0][..],
    ] {
        assert_eq!(parse(bytes, None).unwrap_err(), ImportError::NotText);
    }
}

#[test]
fn the_administrator_can_choose_the_format() {
    let bytes = b"Email,Role\nann@acme.test,Originator\n";
    let named = parse(bytes, Some(ImportFormat::Named)).unwrap();
    assert_eq!(named.format, ImportFormat::Named);
    assert!(
        named.rows[0].is_ok(),
        "EMAIL column found by name; Role ignored"
    );
    let positional = parse(
        b"USERNAME,EMAIL\nann@acme.test,Originator\n",
        Some(ImportFormat::EmailRole),
    )
    .unwrap();
    assert_eq!(positional.format, ImportFormat::EmailRole);
    assert!(
        positional.rows[0].is_ok(),
        "position 1 is the email whatever the header says"
    );
}
