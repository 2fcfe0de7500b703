//! The audit taxonomy. Every administrative and security action writes one
//! record inside the transaction that makes the change (DESIGN principle 4).

use crate::store::{self, Conn};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditAction {
    InstanceSetUp,
    OrganisationCreated,
    InvitationSent,
    InvitationAccepted,
    SignedIn,
    SignInFailed,
    SignedOut,
    SessionsTerminated,
    PasswordChanged,
    PasswordChangeFailed,
    MemberAdded,
}

impl AuditAction {
    /// Stable codes: stored in the database and matched by filters.
    pub fn code(self) -> &'static str {
        match self {
            AuditAction::InstanceSetUp => "instance.set_up",
            AuditAction::OrganisationCreated => "organisation.created",
            AuditAction::InvitationSent => "invitation.sent",
            AuditAction::InvitationAccepted => "invitation.accepted",
            AuditAction::SignedIn => "session.signed_in",
            AuditAction::SignInFailed => "session.sign_in_failed",
            AuditAction::SignedOut => "session.signed_out",
            AuditAction::SessionsTerminated => "session.all_terminated",
            AuditAction::PasswordChanged => "account.password_changed",
            AuditAction::PasswordChangeFailed => "account.password_change_failed",
            AuditAction::MemberAdded => "member.added",
        }
    }
}

/// Who did it: an account (by id and email) or the system itself.
pub struct Who<'a> {
    pub account_id: Option<&'a str>,
    pub label: &'a str,
}

impl<'a> Who<'a> {
    pub fn account(id: &'a str, email: &'a str) -> Self {
        Who {
            account_id: Some(id),
            label: email,
        }
    }
}

pub async fn record(
    c: &mut Conn,
    who: Who<'_>,
    organisation_id: Option<&str>,
    action: AuditAction,
    target: &str,
    details: serde_json::Value,
    now: i64,
) -> Result<(), sqlx::Error> {
    store::insert_audit(
        c,
        &store::AuditRow {
            at: now,
            actor_account_id: who.account_id,
            actor_label: who.label,
            organisation_id,
            action: action.code(),
            target,
            details: &details.to_string(),
        },
    )
    .await
}
