//! The audit taxonomy. Every administrative and security action writes one
//! record inside the transaction that makes the change (DESIGN principle 4).

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::store::{self, Conn};

/// The key of the audit chain's MAC, derived from the server secret file:
/// someone who can write to the database but not read that file cannot
/// recompute a chain after editing it.
#[derive(Clone)]
pub struct AuditKey([u8; 32]);

impl AuditKey {
    pub fn new(bytes: [u8; 32]) -> AuditKey {
        AuditKey(bytes)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditAction {
    InstanceSetUp,
    OrganisationCreated,
    InvitationSent,
    InvitationAccepted,
    SignedIn,
    SignInFailed,
    SignInRefused,
    SignedOut,
    SessionsTerminated,
    PasswordChanged,
    PasswordChangeFailed,
    ProfileUpdated,
    ContactRequested,
    MemberAdded,
    MemberUpdated,
    GroupCreated,
    GroupRemoved,
    MemberRemoved,
    AccountLocked,
    AccountUnlocked,
    PasswordResetSent,
    PasswordReset,
    SecurityQuestionSet,
    SettingsChanged,
    PlanCreated,
    PlanChanged,
    PlanRemoved,
    LogoChanged,
    MembersImported,
    TotpEnabled,
    TotpDisabled,
    RecoveryCodesRenewed,
    TwoStepReseeded,
    PasskeyAdded,
    PasskeyRenamed,
    PasskeyRemoved,
    BoxCreated,
    FolderCreated,
    NodeRenamed,
    NodeMoved,
    NodeTrashed,
    NodeRestored,
    TrashEmptied,
    FileUploaded,
    FileDownloaded,
    TrashPurged,
    BoxExported,
    BoxDeleted,
    PermitGranted,
    PermitChanged,
    PermitRemoved,
    PermitExpired,
    KeyRenewed,
    LabelCreated,
    LabelRemoved,
    ClearancesChanged,
    ItemLabelled,
    SharePending,
    RecoveryEnabled,
    RecoveryDisabled,
    RecoveryKeyShared,
    KeysEscrowed,
    KeysHandedOver,
    KeysRestored,
    ItemsTransferred,
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
            AuditAction::SignInRefused => "session.sign_in_refused",
            AuditAction::SignedOut => "session.signed_out",
            AuditAction::SessionsTerminated => "session.all_terminated",
            AuditAction::PasswordChanged => "account.password_changed",
            AuditAction::PasswordChangeFailed => "account.password_change_failed",
            AuditAction::ProfileUpdated => "account.profile_updated",
            AuditAction::ContactRequested => "account.contact_requested",
            AuditAction::MemberAdded => "member.added",
            AuditAction::MemberUpdated => "member.updated",
            AuditAction::GroupCreated => "group.created",
            AuditAction::GroupRemoved => "group.removed",
            AuditAction::MemberRemoved => "member.removed",
            AuditAction::AccountLocked => "account.locked",
            AuditAction::AccountUnlocked => "account.unlocked",
            AuditAction::PasswordResetSent => "account.password_reset_sent",
            AuditAction::PasswordReset => "account.password_reset",
            AuditAction::SecurityQuestionSet => "account.security_question_set",
            AuditAction::SettingsChanged => "organisation.settings_changed",
            AuditAction::PlanCreated => "plan.created",
            AuditAction::PlanChanged => "plan.changed",
            AuditAction::PlanRemoved => "plan.removed",
            AuditAction::LogoChanged => "organisation.logo_changed",
            AuditAction::MembersImported => "members.imported",
            AuditAction::TotpEnabled => "mfa.totp_enabled",
            AuditAction::TotpDisabled => "mfa.totp_disabled",
            AuditAction::RecoveryCodesRenewed => "mfa.recovery_codes_renewed",
            AuditAction::TwoStepReseeded => "mfa.reseeded",
            AuditAction::PasskeyAdded => "mfa.passkey_added",
            AuditAction::PasskeyRenamed => "mfa.passkey_renamed",
            AuditAction::PasskeyRemoved => "mfa.passkey_removed",
            AuditAction::BoxCreated => "box.created",
            AuditAction::FolderCreated => "box.folder_created",
            AuditAction::NodeRenamed => "box.renamed",
            AuditAction::NodeMoved => "box.moved",
            AuditAction::NodeTrashed => "box.trashed",
            AuditAction::NodeRestored => "box.restored",
            AuditAction::TrashEmptied => "box.trash_emptied",
            AuditAction::FileUploaded => "file.uploaded",
            AuditAction::FileDownloaded => "file.downloaded",
            AuditAction::TrashPurged => "box.purged",
            AuditAction::BoxExported => "box.exported",
            AuditAction::BoxDeleted => "box.deleted",
            AuditAction::PermitGranted => "share.granted",
            AuditAction::PermitChanged => "share.changed",
            AuditAction::PermitRemoved => "share.removed",
            AuditAction::PermitExpired => "share.expired",
            AuditAction::KeyRenewed => "share.key_renewed",
            AuditAction::LabelCreated => "label.created",
            AuditAction::LabelRemoved => "label.removed",
            AuditAction::ClearancesChanged => "member.clearances_changed",
            AuditAction::ItemLabelled => "box.labelled",
            AuditAction::SharePending => "share.pending",
            AuditAction::RecoveryEnabled => "recovery.enabled",
            AuditAction::RecoveryDisabled => "recovery.disabled",
            AuditAction::RecoveryKeyShared => "recovery.key_shared",
            AuditAction::KeysEscrowed => "recovery.keys_escrowed",
            AuditAction::KeysHandedOver => "recovery.keys_handed_over",
            AuditAction::KeysRestored => "recovery.keys_restored",
            AuditAction::ItemsTransferred => "member.items_transferred",
        }
    }
}

/// Who did it: an account (by id and email) or the system itself.
#[derive(Clone, Copy)]
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

    /// Coffer itself: housekeeping, lockouts.
    pub fn system() -> Who<'static> {
        Who {
            account_id: None,
            label: "Coffer",
        }
    }
}

/// The MAC of a record: HMAC-SHA-256 under the audit key over the previous
/// record's MAC and every field, each length-prefixed so no two records can
/// encode alike.
#[allow(clippy::too_many_arguments)]
pub fn record_hash(
    key: &AuditKey,
    prev_hash: &str,
    seq: i64,
    at: i64,
    actor_account_id: Option<&str>,
    actor_label: &str,
    organisation_id: Option<&str>,
    action: &str,
    target: &str,
    details: &str,
) -> String {
    let mut h =
        <Hmac<Sha256> as Mac>::new_from_slice(&key.0).expect("HMAC takes a key of any length");
    let mut field = |bytes: &[u8]| {
        h.update(&(bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    };
    field(prev_hash.as_bytes());
    field(&seq.to_be_bytes());
    field(&at.to_be_bytes());
    field(actor_account_id.unwrap_or("\0none").as_bytes());
    field(actor_label.as_bytes());
    field(organisation_id.unwrap_or("\0none").as_bytes());
    field(action.as_bytes());
    field(target.as_bytes());
    field(details.as_bytes());
    hex::encode(h.finalize().into_bytes())
}

fn hash_of(key: &AuditKey, r: &store::AuditRecord) -> String {
    record_hash(
        key,
        &r.prev_hash,
        r.seq,
        r.at,
        r.actor_account_id.as_deref(),
        &r.actor_label,
        r.organisation_id.as_deref(),
        &r.action,
        &r.target,
        &r.details,
    )
}

/// Where a chain stops holding together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Break {
    /// Position of the first record that does not fit (or that is missing).
    pub seq: i64,
    pub reason: &'static str,
}

/// Checks a chain (records in order) against its head: every record's hash,
/// every link to the previous record, no gaps, nothing cut off the end.
pub fn verify(
    key: &AuditKey,
    records: &[store::AuditRecord],
    head: Option<(i64, &str)>,
) -> Result<u64, Break> {
    let mut prev = String::new();
    for (i, r) in records.iter().enumerate() {
        let expected_seq = i as i64 + 1;
        if r.seq != expected_seq {
            return Err(Break {
                seq: expected_seq,
                reason: "a record is missing",
            });
        }
        if r.prev_hash != prev {
            return Err(Break {
                seq: r.seq,
                reason: "its link to the previous record is broken",
            });
        }
        if hash_of(key, r) != r.hash {
            return Err(Break {
                seq: r.seq,
                reason: "its contents were changed",
            });
        }
        prev = r.hash.clone();
    }
    let (head_seq, head_hash) = head.unwrap_or((0, ""));
    if head_seq != records.len() as i64 || head_hash != prev {
        return Err(Break {
            seq: records.len() as i64 + 1,
            reason: "records were removed from the end",
        });
    }
    Ok(records.len() as u64)
}

/// Appends one record to its chain, inside the caller's transaction.
// Every field of a record, the connection and the chain's key: grouping
// them would only move the list into a struct built at each of ~40 calls.
#[allow(clippy::too_many_arguments)]
pub async fn record(
    c: &mut Conn,
    key: &AuditKey,
    who: Who<'_>,
    organisation_id: Option<&str>,
    action: AuditAction,
    target: &str,
    details: serde_json::Value,
    now: i64,
) -> Result<(), sqlx::Error> {
    record_many(
        c,
        key,
        who,
        organisation_id,
        &[(action, target.to_string(), details)],
        now,
    )
    .await
}

/// Many records of one actor in one chain, in order: one chain update and
/// multi-row inserts (CSV imports add hundreds of thousands).
pub async fn record_many(
    c: &mut Conn,
    key: &AuditKey,
    who: Who<'_>,
    organisation_id: Option<&str>,
    entries: &[(AuditAction, String, serde_json::Value)],
    now: i64,
) -> Result<(), sqlx::Error> {
    if entries.is_empty() {
        return Ok(());
    }
    // Sign-in outcomes among them (PLT-7). Counted when written: a record
    // whose transaction then rolls back is counted all the same.
    for (action, _, _) in entries {
        metrics::counter!("coffer_audit_events_total", "action" => action.code()).increment(1);
    }
    let chain = organisation_id.unwrap_or("");
    let (first, prev) = store::advance_chain_by(c, chain, entries.len() as i64).await?;
    let mut link = ChainLink {
        seq: first,
        prev,
        key: key.clone(),
    };
    let linked = link.append(who, organisation_id, entries, now);
    let sqlite = c.backend_name() == "SQLite";
    crate::store::run_bulk(
        c,
        store::insert_audits(sqlite, &linked.rows(who, organisation_id, entries, now)),
    )
    .await?;
    store::set_chain_head(c, chain, &link.prev).await
}

/// Where the next record of a chain goes: its position and the hash before
/// it. A bulk writer takes a range with `store::advance_chain_by`, hashes
/// records off the connection's thread, and sets the head at the end.
pub struct ChainLink {
    pub seq: i64,
    pub prev: String,
    pub key: AuditKey,
}

/// Records hashed into a chain, ready to be written.
pub struct Linked(Vec<(i64, String, String, String)>);

impl ChainLink {
    pub fn append(
        &mut self,
        who: Who<'_>,
        organisation_id: Option<&str>,
        entries: &[(AuditAction, String, serde_json::Value)],
        now: i64,
    ) -> Linked {
        let mut out = Vec::with_capacity(entries.len());
        for (action, target, details) in entries {
            let details = details.to_string();
            let hash = record_hash(
                &self.key,
                &self.prev,
                self.seq,
                now,
                who.account_id,
                who.label,
                organisation_id,
                action.code(),
                target,
                &details,
            );
            out.push((
                self.seq,
                details,
                std::mem::replace(&mut self.prev, hash.clone()),
                hash,
            ));
            self.seq += 1;
        }
        Linked(out)
    }
}

impl Linked {
    /// The rows to insert, borrowing from the entries they were made from.
    pub fn rows<'a>(
        &'a self,
        who: Who<'a>,
        organisation_id: Option<&'a str>,
        entries: &'a [(AuditAction, String, serde_json::Value)],
        now: i64,
    ) -> Vec<store::AuditRow<'a>> {
        entries
            .iter()
            .zip(&self.0)
            .map(
                |((action, target, _), (seq, details, prev_hash, hash))| store::AuditRow {
                    at: now,
                    actor_account_id: who.account_id,
                    actor_label: who.label,
                    organisation_id,
                    action: action.code(),
                    target,
                    details,
                    chain: organisation_id.unwrap_or(""),
                    seq: *seq,
                    prev_hash,
                    hash,
                },
            )
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: AuditKey = AuditKey([7; 32]);

    fn chain(n: i64) -> Vec<store::AuditRecord> {
        let mut prev = String::new();
        (1..=n)
            .map(|seq| {
                let mut r = store::AuditRecord {
                    seq,
                    at: 1_000 + seq,
                    actor_account_id: Some("a".into()),
                    actor_label: "a@x.test".into(),
                    organisation_id: Some("org".into()),
                    action: "member.added".into(),
                    target: format!("m{seq}@x.test"),
                    details: "{}".into(),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                r.hash = hash_of(&KEY, &r);
                prev = r.hash.clone();
                r
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain(5);
        let head = c.last().map(|r| (r.seq, r.hash.as_str()));
        assert_eq!(verify(&KEY, &c, head), Ok(5));
        assert_eq!(verify(&KEY, &[], None), Ok(0));
    }

    #[test]
    fn every_kind_of_tampering_is_found_at_its_place() {
        let c = chain(5);
        let head = Some((5, c[4].hash.clone()));
        let head = head.as_ref().map(|(s, h)| (*s, h.as_str()));
        let mut edited = c.clone();
        edited[2].target = "someone-else@x.test".into();
        assert_eq!(
            verify(&KEY, &edited, head),
            Err(Break {
                seq: 3,
                reason: "its contents were changed"
            })
        );
        let mut rehashed = edited.clone();
        rehashed[2].hash = hash_of(&KEY, &rehashed[2]);
        assert_eq!(
            verify(&KEY, &rehashed, head).unwrap_err().seq,
            4,
            "re-hashing one record breaks the next link"
        );
        let mut removed = c.clone();
        removed.remove(1);
        assert_eq!(
            verify(&KEY, &removed, head),
            Err(Break {
                seq: 2,
                reason: "a record is missing"
            })
        );
        let cut = &c[..4];
        assert_eq!(
            verify(&KEY, cut, head),
            Err(Break {
                seq: 5,
                reason: "records were removed from the end"
            })
        );
    }

    /// A database writer without the server secret cannot recompute the
    /// chain: records MAC'd under another key do not verify.
    #[test]
    fn a_chain_rewritten_without_the_key_is_found_out() {
        let c = chain(3);
        let head = c.last().map(|r| (r.seq, r.hash.as_str()));
        let other = AuditKey([8; 32]);
        assert_eq!(
            verify(&other, &c, head),
            Err(Break {
                seq: 1,
                reason: "its contents were changed"
            })
        );
    }
}
