//! ORG-2: the Users table, as filtered and sorted on screen, to CSV and
//! Excel. Only the columns the administrator shows are exported.

use anyhow::Context as _;
use coffer_shared::ids::OrganisationId;
use coffer_shared::members::{MemberColumn, MemberQuery, MemberRow};
use rust_xlsxwriter::{Format, Workbook};

use crate::kernel::authz::{authorize, Action, Actor};
use crate::kernel::error::Outcome;
use crate::members::columns::normalise_columns;
use crate::members::store;
use crate::Coffer;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

/// Spreadsheet programs run cells that start like a formula; prefixing an
/// apostrophe makes them plain text (OWASP "CSV injection").
pub fn neutralise(text: &str) -> std::borrow::Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}

pub fn to_csv(rows: &[MemberRow], columns: &[MemberColumn]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(columns.iter().map(|c| c.label()))?;
    for r in rows {
        w.write_record(columns.iter().map(|c| neutralise(&r.cell(*c)).into_owned()))?;
    }
    w.into_inner().context("finishing the CSV")
}

pub fn to_xlsx(rows: &[MemberRow], columns: &[MemberColumn]) -> anyhow::Result<Vec<u8>> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Users")?;
    let bold = Format::new().set_bold();
    for (i, c) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, i as u16, c.label(), &bold)?;
    }
    for (n, r) in rows.iter().enumerate() {
        for (i, c) in columns.iter().enumerate() {
            // Strings, never formulas: a value like "=1+1" stays text.
            sheet.write_string(n as u32 + 1, i as u16, r.cell(*c).as_ref())?;
        }
    }
    sheet.autofit();
    Ok(book.save_to_buffer()?)
}

impl Coffer {
    pub async fn export_members(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        q: &MemberQuery,
        columns: &[MemberColumn],
        format: ExportFormat,
    ) -> Outcome<Vec<u8>> {
        authorize(actor, Action::ManageMembers(organisation_id))?;
        if q.text.trim().chars().count() > crate::members::MAX_SEARCH_CHARS {
            return Err(coffer_shared::errors::InputError::SearchTooLong.into());
        }
        let mut c = self.db().pool.acquire().await?;
        let pattern = (!q.text.trim().is_empty()).then(|| crate::members::like_pattern(&q.text));
        let filter = store::MemberFilter {
            field: q.field,
            pattern: pattern.as_deref(),
            contains: !q.text.contains(['*', '?']),
        };
        let rows =
            store::all_members(&mut c, organisation_id, &filter, q.sort, q.descending).await?;
        let columns = normalise_columns(columns);
        Ok(match format {
            ExportFormat::Csv => to_csv(&rows, &columns)?,
            ExportFormat::Xlsx => to_xlsx(&rows, &columns)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Reader, Xlsx};
    use coffer_shared::types::{AccountType, AdminTier, Role};

    fn row(email: &str, first: &str) -> MemberRow {
        MemberRow {
            account_id: "id".into(),
            email: email.into(),
            first_name: first.into(),
            last_name: "Smith, Jr.".into(),
            role: Role::Originator,
            admin_tier: AdminTier::None,
            account_type: AccountType::Local,
            group: "Sales".into(),
            active: true,
            point_of_contact: false,
            locked: false,
            plan: String::new(),
            two_step: true,
            used_bytes: 1_234_567,
        }
    }

    #[test]
    fn csv_quotes_and_neutralises_formulas() {
        let rows = [
            row("a@x.test", "=HYPERLINK(\"http://evil\")"),
            row("b@x.test", "Bob \"B\""),
        ];
        let cols = normalise_columns(&[MemberColumn::LastName, MemberColumn::FirstName]);
        assert_eq!(
            cols,
            [
                MemberColumn::Email,
                MemberColumn::FirstName,
                MemberColumn::LastName
            ]
        );
        let text = String::from_utf8(to_csv(&rows, &cols).unwrap()).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("Email,First name,Last name"));
        assert_eq!(
            lines.next(),
            Some("a@x.test,\"'=HYPERLINK(\"\"http://evil\"\")\",\"Smith, Jr.\"")
        );
        assert_eq!(
            lines.next(),
            Some("b@x.test,\"Bob \"\"B\"\"\",\"Smith, Jr.\"")
        );
    }

    #[test]
    fn xlsx_is_readable_by_another_library() {
        let rows = [row("a@x.test", "=1+1"), row("b@x.test", "Bob")];
        let cols = normalise_columns(&MemberColumn::ALL);
        let bytes = to_xlsx(&rows, &cols).unwrap();
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("Users").unwrap();
        let cells: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(
            cells[0],
            [
                "Email",
                "First name",
                "Last name",
                "Role",
                "Admin",
                "Group",
                "Account type",
                "Plan",
                "Locked",
                "MFA",
                "Usage"
            ]
        );
        assert_eq!(
            cells[1],
            [
                "a@x.test",
                "=1+1",
                "Smith, Jr.",
                "Originator",
                "None",
                "Sales",
                "Local",
                "",
                "",
                "Yes",
                "1.2 MB"
            ]
        );
        assert_eq!(cells.len(), 3);
    }
}
