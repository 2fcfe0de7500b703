//! The import's writer. A blocking thread turns each batch of admissions
//! into bound statements — new ids, invitation tokens, composed mail,
//! hashed audit records — while the transaction's connection runs the
//! previous batch's. On two cores the database's work and Coffer's overlap
//! instead of taking turns.

use coffer_shared::types::{AdminTier, Role};
use serde_json::json;

use super::plan::Admission;
use crate::kernel::audit::{AuditAction, ChainLink, Who};
use crate::kernel::db::new_id;
use crate::kernel::error::Outcome;
use crate::kernel::mail::Mailer;
use crate::kernel::notices;
use crate::kernel::tokens::new_token;
use crate::store::{self, Bulk};

/// Rows per batch: memory stays bounded and the progress bar moves.
pub(super) const BATCH: usize = 2_000;

/// What every batch of one import shares (owned, for the writer thread).
pub(super) struct Writer {
    pub sqlite: bool,
    pub organisation_id: String,
    pub organisation_name: String,
    pub actor_id: String,
    pub actor_email: String,
    pub now: i64,
    pub expires_at: i64,
    pub permissions: String,
    pub default_plan: Option<String>,
    pub public_url: String,
    pub mailer: Mailer,
}

/// One batch, ready to run in order.
pub(super) struct Prepared {
    pub statements: Vec<Bulk>,
    pub rows: u64,
}

impl Writer {
    pub fn prepare(&self, batch: &[Admission], link: &mut ChainLink) -> Outcome<Prepared> {
        let new_ids: Vec<String> = batch
            .iter()
            .map(|a| a.existing_account.clone().unwrap_or_else(new_id))
            .collect();
        let tokens: Vec<(String, String)> = batch.iter().map(|_| new_token()).collect();
        let sign_in = format!("{}/sign-in", self.public_url);
        let mut mails = Vec::with_capacity(batch.len());
        let mut audits = Vec::with_capacity(batch.len());
        for (a, (token, _)) in batch.iter().zip(&tokens) {
            let email = &a.candidate.email;
            let reused = a.existing_account.is_some();
            // One record per imported member, the invitation's expiry in
            // it: a manual invitation writes `invitation.sent` as well, but
            // at 100,000 rows that second record cost the import a sixth of
            // its time.
            let mut details = json!({ "role": a.candidate.role.as_str(), "admin_tier": "None", "reused_account": reused, "imported": true });
            let mail = if reused {
                notices::account_updated(email, &self.organisation_name, &sign_in, AdminTier::None)
            } else {
                details["invitation_expires_at"] = json!(self.expires_at);
                let link = format!("{}/invite#{token}", self.public_url);
                notices::invitation(
                    email,
                    &self.organisation_name,
                    &link,
                    self.expires_at,
                    false,
                )
            };
            mails.push(self.mailer.compose(mail)?);
            audits.push((AuditAction::MemberAdded, email.clone(), details));
        }
        let accounts: Vec<crate::import::store::BulkAccount<'_>> = batch
            .iter()
            .zip(&new_ids)
            .filter(|(a, _)| a.existing_account.is_none())
            .map(|(a, id)| crate::import::store::BulkAccount {
                id,
                email: &a.candidate.email,
                username: a.candidate.username.as_deref(),
                first_name: &a.candidate.first_name,
                last_name: &a.candidate.last_name,
            })
            .collect();
        let memberships: Vec<crate::import::store::BulkMembership<'_>> = batch
            .iter()
            .zip(&new_ids)
            .map(|(a, id)| crate::import::store::BulkMembership {
                account_id: id,
                role: store::role_code(a.candidate.role),
                group_id: a.group_id.as_deref(),
                plan_id: (a.candidate.role == Role::Originator)
                    .then_some(self.default_plan.as_deref())
                    .flatten(),
            })
            .collect();
        let invitations: Vec<crate::import::store::BulkInvitation<'_>> = batch
            .iter()
            .zip(&new_ids)
            .zip(&tokens)
            .filter(|((a, _), _)| a.existing_account.is_none())
            .map(
                |((_, id), (_, hash))| crate::import::store::BulkInvitation {
                    token_hash: hash,
                    account_id: id,
                },
            )
            .collect();
        let who = Who::account(&self.actor_id, &self.actor_email);
        let org = Some(self.organisation_id.as_str());
        let linked = link.append(who, org, &audits, self.now);
        let (sqlite, now) = (self.sqlite, self.now);
        let mut statements =
            crate::import::store::insert_accounts(sqlite, &self.organisation_id, &accounts, now);
        statements.extend(crate::import::store::insert_memberships(
            sqlite,
            &self.organisation_id,
            &memberships,
            &self.permissions,
            now,
        ));
        statements.extend(crate::import::store::insert_invitations(
            sqlite,
            &self.organisation_id,
            &self.actor_id,
            &invitations,
            now,
            self.expires_at,
        ));
        statements.extend(crate::store::enqueue_mails(sqlite, &mails, now));
        statements.extend(store::insert_audits(
            sqlite,
            &linked.rows(who, org, &audits, now),
        ));
        Ok(Prepared {
            statements,
            rows: batch.len() as u64,
        })
    }
}
