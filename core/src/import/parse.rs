//! Reading a member CSV as people really save them: UTF-8 with or without
//! BOM, CRLF or LF, quoted fields, blank lines, spaces around separators,
//! and semicolons where Excel's locale uses them. Pure: bytes in, rows out.

use std::collections::HashMap;

use coffer_shared::errors::InputError;
use coffer_shared::import::{ImportError, ImportFormat, RowReason};
use coffer_shared::policy::{normalise_email, valid_username};
use coffer_shared::types::Role;

pub const MAX_NAME_CHARS: usize = 100;

/// A row that is well-formed on its own; whether it can join the
/// organisation is decided against the database by `plan`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub line: u64,
    pub email: String,
    pub username: Option<String>,
    pub group: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
}

/// One data row: a candidate, or the reason it is refused (with whatever
/// email text it had, for the report).
pub type ParsedRow = Result<Candidate, (u64, String, RowReason)>;

#[derive(Debug)]
pub struct ParsedFile {
    pub format: ImportFormat,
    pub rows: Vec<ParsedRow>,
}

/// Strips a UTF-8 byte-order mark and refuses what is not text.
fn decode(bytes: &[u8]) -> Result<&str, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| ImportError::NotText)?;
    if text.contains('\0') {
        return Err(ImportError::NotText);
    }
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    Ok(text)
}

/// Semicolons when the header line has more of them than commas (Excel in
/// many European locales), otherwise commas.
fn delimiter(text: &str) -> u8 {
    let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let count = |c: char| header.chars().filter(|x| *x == c).count();
    if count(';') > count(',') {
        b';'
    } else {
        b','
    }
}

/// Header cells compared without case, spaces, dashes or underscores, so
/// "First Name" and FIRSTNAME agree.
fn header_key(cell: &str) -> String {
    cell.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

struct Columns {
    email: usize,
    username: Option<usize>,
    group: Option<usize>,
    first: Option<usize>,
    last: Option<usize>,
}

fn named_columns(header: &[String]) -> Option<Columns> {
    let find = |names: &[&str]| header.iter().position(|h| names.contains(&h.as_str()));
    Some(Columns {
        email: find(&["email", "emailaddress"])?,
        username: find(&["username", "user"]),
        group: find(&["group", "groupname"]),
        first: find(&["firstname", "givenname"]),
        last: find(&["lastname", "surname", "familyname"]),
    })
}

fn detect(header: &[String]) -> ImportFormat {
    // Any LightBox column name means format A (which then needs EMAIL).
    let named = ["username", "group", "firstname", "lastname"];
    if header.iter().any(|h| named.contains(&h.as_str())) {
        ImportFormat::Named
    } else {
        ImportFormat::EmailRole
    }
}

fn role_exact(text: &str) -> Result<Role, RowReason> {
    match text {
        "" => Err(RowReason::MissingRole),
        "Originator" => Ok(Role::Originator),
        "Collaborator" => Ok(Role::Collaborator),
        _ => Err(RowReason::InvalidRole),
    }
}

fn email_of(text: &str) -> Result<String, RowReason> {
    if text.is_empty() {
        return Err(RowReason::MissingEmail);
    }
    normalise_email(text).map_err(|_: InputError| RowReason::InvalidEmail)
}

/// What a report shows for a refused row's email: bounded, one line.
fn shown(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(254).collect()
}

/// Parses the whole file. `choice` forces a format; `None` detects it.
pub fn parse(bytes: &[u8], choice: Option<ImportFormat>) -> Result<ParsedFile, ImportError> {
    // One line ending, so the reader's line numbers match an editor's.
    let text = decode(bytes)?.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.as_str();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .delimiter(delimiter(text))
        .from_reader(text.as_bytes());
    let mut header: Option<(ImportFormat, Option<Columns>)> = None;
    let mut rows = Vec::new();
    let mut first_line_of_email: HashMap<String, u64> = HashMap::new();
    let mut first_line_of_username: HashMap<String, u64> = HashMap::new();
    let (mut line_at, mut counted_to) = (1u64, 0usize);
    for record in reader.records() {
        let record = record.map_err(|e| ImportError::Malformed {
            line: e.position().map(|p| p.line()).unwrap_or(0),
            detail: e.to_string(),
        })?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        // The reader does not count lines it skips, so count from the byte
        // offset, continuing from the previous record.
        let mut start = record.position().map(|p| p.byte() as usize).unwrap_or(0);
        while text.as_bytes().get(start) == Some(&b'\n') {
            start += 1;
        }
        line_at += text.as_bytes()[counted_to..start.max(counted_to)]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        counted_to = start.max(counted_to);
        let line = line_at;
        let Some((format, columns)) = &header else {
            let keys: Vec<String> = record.iter().map(header_key).collect();
            let format = choice.unwrap_or_else(|| detect(&keys));
            let columns = match format {
                ImportFormat::Named => {
                    Some(named_columns(&keys).ok_or(ImportError::NoEmailColumn)?)
                }
                ImportFormat::EmailRole => None,
            };
            header = Some((format, columns));
            continue;
        };
        let field = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("");
        let row = match (format, columns) {
            (ImportFormat::Named, Some(c)) => named_row(
                line,
                &NamedFields {
                    email: field(Some(c.email)),
                    username: field(c.username),
                    group: field(c.group),
                    first: field(c.first),
                    last: field(c.last),
                },
            ),
            _ if record.len() < 2 && !record[0].is_empty() && record[0].contains('@') => {
                Err((line, shown(&record[0]), RowReason::MissingRole))
            }
            _ if record.len() < 2 => Err((
                line,
                shown(&record[0]),
                RowReason::WrongFieldCount {
                    found: record.len(),
                    needed: 2,
                },
            )),
            _ => email_role_row(line, &record[0], &record[1]),
        };
        // IMP-3: among valid rows, the first with an email (or user name) wins.
        let row = row.and_then(|c| {
            if let Some(first) = first_line_of_email.get(&c.email) {
                return Err((line, c.email, RowReason::DuplicateOf(*first)));
            }
            if let Some(u) = &c.username {
                if let Some(first) = first_line_of_username.get(&u.to_lowercase()) {
                    return Err((line, c.email, RowReason::DuplicateOf(*first)));
                }
            }
            first_line_of_email.insert(c.email.clone(), line);
            if let Some(u) = &c.username {
                first_line_of_username.insert(u.to_lowercase(), line);
            }
            Ok(c)
        });
        rows.push(row);
    }
    let Some((format, _)) = header else {
        return Err(ImportError::Empty);
    };
    if rows.is_empty() {
        return Err(ImportError::NoRows);
    }
    Ok(ParsedFile { format, rows })
}

struct NamedFields<'a> {
    email: &'a str,
    username: &'a str,
    group: &'a str,
    first: &'a str,
    last: &'a str,
}

fn named_row(line: u64, f: &NamedFields<'_>) -> ParsedRow {
    let fail = |reason| (line, shown(f.email), reason);
    let email = email_of(f.email).map_err(fail)?;
    if !f.username.is_empty() && !valid_username(f.username) {
        return Err(fail(RowReason::InvalidUsername));
    }
    if f.first.chars().count() > MAX_NAME_CHARS
        || f.last.chars().count() > MAX_NAME_CHARS
        || f.group.chars().count() > MAX_NAME_CHARS
    {
        return Err(fail(RowReason::NameTooLong));
    }
    Ok(Candidate {
        line,
        email,
        username: Some(f.username.to_string()).filter(|u| !u.is_empty()),
        group: Some(f.group.to_string()).filter(|g| !g.is_empty()),
        first_name: f.first.to_string(),
        last_name: f.last.to_string(),
        role: Role::Originator,
    })
}

fn email_role_row(line: u64, email: &str, role: &str) -> ParsedRow {
    let fail = |reason| (line, shown(email), reason);
    let address = email_of(email).map_err(fail)?;
    let role = role_exact(role).map_err(fail)?;
    Ok(Candidate {
        line,
        email: address,
        username: None,
        group: None,
        first_name: String::new(),
        last_name: String::new(),
        role,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(file: &ParsedFile) -> Vec<(u64, RowReason)> {
        file.rows
            .iter()
            .filter_map(|r| r.as_ref().err().map(|(l, _, why)| (*l, why.clone())))
            .collect()
    }

    fn emails(file: &ParsedFile) -> Vec<(u64, String)> {
        file.rows
            .iter()
            .filter_map(|r| r.as_ref().ok().map(|c| (c.line, c.email.clone())))
            .collect()
    }

    #[test]
    fn named_format_any_order_any_case_with_bom_and_crlf() {
        let f = parse(
            b"\xEF\xBB\xBFemail,LastName,first name,Group,USERNAME\r\nAnn@Acme.test , Baker,Ann,Sales,ann_b\r\n\r\nbob@acme.test,,,,\r\n",
            None,
        )
        .unwrap();
        assert_eq!(f.format, ImportFormat::Named);
        let ann = f.rows[0].as_ref().unwrap();
        assert_eq!(
            (
                ann.line,
                ann.email.as_str(),
                ann.first_name.as_str(),
                ann.last_name.as_str()
            ),
            (2, "ann@acme.test", "Ann", "Baker")
        );
        assert_eq!(ann.group.as_deref(), Some("Sales"));
        assert_eq!(ann.username.as_deref(), Some("ann_b"));
        assert_eq!(
            emails(&f)[1],
            (4, "bob@acme.test".into()),
            "blank line counted"
        );
    }

    #[test]
    fn email_role_by_position_with_exact_roles() {
        let f = parse(
            b"Address;Kind\nann@acme.test ; Originator\nbob@acme.test;collaborator\ncarl@acme.test\n;Originator\nnot-an-email;Collaborator\ndora@acme.test;Collaborator;extra\n",
            None,
        )
        .unwrap();
        assert_eq!(f.format, ImportFormat::EmailRole);
        assert_eq!(
            reasons(&f),
            vec![
                (3, RowReason::InvalidRole),
                (4, RowReason::MissingRole),
                (5, RowReason::MissingEmail),
                (6, RowReason::InvalidEmail),
            ]
        );
        assert_eq!(
            emails(&f),
            vec![(2, "ann@acme.test".into()), (7, "dora@acme.test".into())]
        );
    }

    #[test]
    fn quoted_fields_keep_commas_quotes_and_newlines() {
        let f = parse(
            b"USERNAME,EMAIL,GROUP,FIRSTNAME,LASTNAME\n,ann@acme.test,,\"Ann, Jr.\",\"O\"\"Brien\nSmith\"\n,bob@acme.test,,Bob,B\n",
            None,
        )
        .unwrap();
        let ann = f.rows[0].as_ref().unwrap();
        assert_eq!(ann.first_name, "Ann, Jr.");
        assert_eq!(ann.last_name, "O\"Brien\nSmith");
        assert_eq!(
            f.rows[1].as_ref().unwrap().line,
            4,
            "lines count inside quotes"
        );
    }

    #[test]
    fn first_valid_row_wins_and_later_ones_are_duplicates() {
        let f = parse(
            b"Email,Role\nbad@,Originator\nann@acme.test,Nope\nANN@acme.test,Collaborator\nann@acme.test,Originator\n",
            None,
        )
        .unwrap();
        assert_eq!(
            reasons(&f),
            vec![
                (2, RowReason::InvalidEmail),
                (3, RowReason::InvalidRole),
                (5, RowReason::DuplicateOf(4)),
            ]
        );
    }

    #[test]
    fn whole_file_refusals() {
        assert_eq!(parse(b"", None).unwrap_err(), ImportError::Empty);
        assert_eq!(
            parse(b"\xEF\xBB\xBF \r\n\n", None).unwrap_err(),
            ImportError::Empty
        );
        assert_eq!(
            parse(b"Email,Role\n", None).unwrap_err(),
            ImportError::NoRows
        );
        assert_eq!(
            parse(b"\x89PNG\r\n\x1a\n\0\0", None).unwrap_err(),
            ImportError::NotText
        );
        assert_eq!(
            parse(b"Email,Role\na\0b,Originator", None).unwrap_err(),
            ImportError::NotText
        );
        assert_eq!(
            parse(b"USERNAME,GROUP\nann,Sales\n", Some(ImportFormat::Named)).unwrap_err(),
            ImportError::NoEmailColumn
        );
    }

    #[test]
    fn usernames_and_long_names() {
        let long = "x".repeat(101);
        let text = format!(
            "USERNAME,EMAIL,FIRSTNAME\nab,a@acme.test,\nok_name,b@acme.test,{long}\nOK_Name,c@acme.test,\nok_name,d@acme.test,\n"
        );
        let f = parse(text.as_bytes(), None).unwrap();
        assert_eq!(
            reasons(&f),
            vec![
                (2, RowReason::InvalidUsername),
                (3, RowReason::NameTooLong),
                (5, RowReason::DuplicateOf(4)),
            ]
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
            let _ = parse(&bytes, None);
            let _ = parse(&bytes, Some(ImportFormat::Named));
            let _ = parse(&bytes, Some(ImportFormat::EmailRole));
        }

        #[test]
        fn csv_shaped_text_always_reports_every_row(
            lines in proptest::collection::vec("[a-zA-Z0-9@.,; \"'=+\\-\\t\\r]{0,40}", 0..40),
            header in prop_oneof![
                Just("Email,Role"), Just("USERNAME,EMAIL,GROUP,FIRSTNAME,LASTNAME"),
                Just("email;role"), Just("\u{feff}EMAIL,USERNAME"), Just("x")
            ],
        ) {
            let text = format!("{header}\n{}", lines.join("\n"));
            if let Ok(file) = parse(text.as_bytes(), None) {
                let mut last = 1;
                let mut seen = std::collections::HashSet::new();
                for row in &file.rows {
                    let line = match row {
                        Ok(c) => {
                            // Accepted rows are valid and unique.
                            let again = normalise_email(&c.email);
                            prop_assert_eq!(again.as_deref(), Ok(c.email.as_str()));
                            prop_assert!(seen.insert(c.email.clone()));
                            c.line
                        }
                        Err((line, email, _)) => {
                            prop_assert!(email.chars().count() <= 254);
                            *line
                        }
                    };
                    prop_assert!(line > last, "rows come in file order after the header");
                    last = line;
                }
            }
        }
    }
}
