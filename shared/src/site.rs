//! Where things are on the server: which of the two browser apps serves a
//! page, and the byte routes (uploads, downloads, exports) with the one
//! builder of each URL, used by the app and checked by the server's tests.

use crate::audit::AuditQuery;
use crate::members::{MemberColumn, MemberQuery};

/// The front door's pages (`coffer-front`, see `app/src/front.rs`): what a
/// visitor needs before signing in, and the two-step set-up that can follow
/// it. Every other path gets the full app.
pub const FRONT_DOOR_PATHS: &[&str] = &[
    "/",
    "/setup",
    "/sign-in",
    "/invite",
    "/reset",
    "/unlock",
    "/two-step-setup",
];

/// ORG-10: `POST` the image as the raw body.
pub const UPLOAD_LOGO: &str = "/upload/logo";
/// ORG-10: the organisation's logo (`/logo/{org}`).
pub const LOGO: &str = "/logo/{org}";
/// IMP-4: `POST` the CSV file as the raw body; answers with the preview.
pub const UPLOAD_IMPORT: &str = "/upload/import";
/// IMP-4: a finished import's problems as CSV.
pub const IMPORT_REPORT: &str = "/export/import-report.csv";
/// AUD-1: the audit log as CSV.
pub const AUDIT_LOG_CSV: &str = "/export/audit-log.csv";
/// ORG-2: `/export/members.csv` or `/export/members.xlsx`.
pub const MEMBERS_EXPORT: &str = "/export/{file}";

/// BOX-1: `PUT` one part of an upload as the raw body, with
/// `Content-Digest: sha-256=:…:`; answers a `PartReceipt`.
pub const UPLOAD_PART: &str = "/upload/part/{upload}/{n}";
/// BOX-1: one part of a file's payload, as stored (ciphertext).
pub const FILE_PART: &str = "/file/{org}/{node}/part/{n}";

/// The two forms of the members export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MembersFile {
    Csv,
    Xlsx,
}

impl MembersFile {
    pub fn name(self) -> &'static str {
        match self {
            MembersFile::Csv => "members.csv",
            MembersFile::Xlsx => "members.xlsx",
        }
    }
}

fn with_query(path: &str, pairs: &[(&str, &str)]) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("{path}?{query}")
}

pub fn upload_part(upload_id: &str, n: u32) -> String {
    format!("/upload/part/{upload_id}/{n}")
}

pub fn file_part(organisation_id: &str, node_id: &str, n: u32) -> String {
    format!("/file/{organisation_id}/{node_id}/part/{n}")
}

pub fn upload_logo(organisation_id: &str) -> String {
    with_query(UPLOAD_LOGO, &[("org", organisation_id)])
}

/// `version` changes when the logo does, so the browser asks again.
pub fn logo(organisation_id: &str, version: u32) -> String {
    let path = LOGO.replace(
        "{org}",
        &form_urlencoded::byte_serialize(organisation_id.as_bytes()).collect::<String>(),
    );
    with_query(&path, &[("v", &version.to_string())])
}

/// `format`: `named`, `email_role`, or empty to detect.
pub fn upload_import(organisation_id: &str, format: &str) -> String {
    with_query(
        UPLOAD_IMPORT,
        &[("org", organisation_id), ("format", format)],
    )
}

pub fn import_report(organisation_id: &str, import_id: &str) -> String {
    with_query(
        IMPORT_REPORT,
        &[("org", organisation_id), ("id", import_id)],
    )
}

pub fn audit_log_csv(organisation_id: &str, q: &AuditQuery) -> String {
    with_query(
        AUDIT_LOG_CSV,
        &[
            ("org", organisation_id),
            ("actor", &q.actor),
            ("target", &q.target),
            ("action", &q.action),
            ("from", &q.from),
            ("to", &q.to),
        ],
    )
}

/// The Users page's filter, sort and visible columns.
pub fn members_export(
    organisation_id: &str,
    file: MembersFile,
    q: &MemberQuery,
    columns: &[MemberColumn],
) -> String {
    let columns: Vec<String> = columns.iter().map(|c| format!("{c:?}")).collect();
    with_query(
        &MEMBERS_EXPORT.replace("{file}", file.name()),
        &[
            ("org", organisation_id),
            ("field", &format!("{:?}", q.field)),
            ("text", &q.text),
            ("sort", &format!("{:?}", q.sort)),
            ("desc", if q.descending { "true" } else { "false" }),
            ("columns", &columns.join(",")),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::members::SearchField;

    #[test]
    fn urls_carry_their_values_encoded() {
        assert_eq!(upload_logo("a b&c"), "/upload/logo?org=a+b%26c");
        assert_eq!(logo("x/y", 3), "/logo/x%2Fy?v=3");
        let q = MemberQuery {
            field: SearchField::FirstName,
            text: "ann & bob".into(),
            descending: true,
            ..MemberQuery::default()
        };
        assert_eq!(
            members_export("o", MembersFile::Xlsx, &q, &[MemberColumn::Email, MemberColumn::Role]),
            "/export/members.xlsx?org=o&field=FirstName&text=ann+%26+bob&sort=Email&desc=true&columns=Email%2CRole"
        );
    }
}
