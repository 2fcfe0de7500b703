//! AUD-1 download: the organisation's audit log as CSV, filtered as the
//! Audit log page is.

use axum::extract::{Query, State};
use axum::response::Response;
use coffer_api::ssr::answer;
use coffer_core::Coffer;
use coffer_shared::audit::AuditQuery;
use coffer_shared::ids::OrganisationId;
use serde::Deserialize;

use super::{attachment, date_stamp, refuse, Session};

#[derive(Debug, Deserialize)]
pub struct AuditParams {
    org: OrganisationId,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// `GET /export/audit-log.csv?org=…&actor=…&target=…&action=…&from=…&to=…`
pub async fn audit_log(
    State(coffer): State<Coffer>,
    Query(p): Query<AuditParams>,
    session: Session,
) -> Response {
    let q = AuditQuery {
        actor: p.actor,
        target: p.target,
        action: p.action,
        from: p.from,
        to: p.to,
        page: 0,
        page_size: 0,
    };
    match answer(coffer.audit_log_csv(session.actor(), &p.org, &q).await) {
        Ok(bytes) => attachment(
            "text/csv; charset=utf-8",
            &format!("audit-log-{}.csv", date_stamp()),
            bytes,
        ),
        Err(e) => refuse(e),
    }
}
