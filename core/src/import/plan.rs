//! Deciding each well-formed row against the organisation as it is: group
//! exists, not already a member, user name free, a licence left. Pure: the
//! caller loads the lookups, so the rules are testable without a database.

use std::collections::{HashMap, HashSet};

use coffer_shared::import::{RowOutcome, RowPlan, RowReason};

use super::parse::{Candidate, ParsedRow};

/// What the organisation and the instance already hold, for the rows of
/// one file.
#[derive(Debug, Default)]
pub struct Lookups {
    /// Emails of the organisation's members.
    pub members: HashSet<String>,
    /// Accounts on the instance, by email: id and user name.
    pub accounts: HashMap<String, (String, Option<String>)>,
    /// User names in use (lower-cased), with the account holding each.
    pub usernames: HashMap<String, String>,
    /// The organisation's groups by lower-cased name.
    pub groups: HashMap<String, String>,
    pub seats_left: i64,
}

/// A row that will be imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Admission {
    pub candidate: Candidate,
    /// The instance account re-used, if the address already has one.
    pub existing_account: Option<String>,
    pub group_id: Option<String>,
}

#[derive(Debug, Default)]
pub struct Planned {
    /// Every row in file order, with what happens to it.
    pub rows: Vec<RowPlan>,
    pub admissions: Vec<Admission>,
}

pub fn plan(rows: &[ParsedRow], lookups: &Lookups) -> Planned {
    let mut seats_left = lookups.seats_left;
    let mut out = Planned::default();
    for row in rows {
        let decided = match row {
            Err((line, email, reason)) => Err((*line, email.clone(), reason.clone())),
            Ok(c) => admit(c, lookups, &mut seats_left),
        };
        match decided {
            Ok(a) => {
                out.rows.push(RowPlan {
                    line: a.candidate.line,
                    email: a.candidate.email.clone(),
                    outcome: RowOutcome::Add,
                });
                out.admissions.push(a);
            }
            Err((line, email, reason)) => out.rows.push(RowPlan {
                line,
                email,
                outcome: RowOutcome::Skip(reason),
            }),
        }
    }
    out
}

fn admit(
    c: &Candidate,
    lk: &Lookups,
    seats_left: &mut i64,
) -> Result<Admission, (u64, String, RowReason)> {
    let fail = |reason| (c.line, c.email.clone(), reason);
    let group_id = match &c.group {
        None => None,
        Some(name) => Some(
            lk.groups
                .get(&name.to_lowercase())
                .cloned()
                .ok_or_else(|| fail(RowReason::GroupDoesNotExist(name.clone())))?,
        ),
    };
    if lk.members.contains(&c.email) {
        return Err(fail(RowReason::AlreadyMember));
    }
    let existing = lk.accounts.get(&c.email);
    if let Some(u) = &c.username {
        let holder = lk.usernames.get(&u.to_lowercase());
        let own = existing.map(|(id, _)| id);
        if holder.is_some() && holder != own {
            return Err(fail(RowReason::UsernameTaken));
        }
    }
    if *seats_left <= 0 {
        return Err(fail(RowReason::NoLicencesLeft));
    }
    *seats_left -= 1;
    Ok(Admission {
        candidate: c.clone(),
        existing_account: existing.map(|(id, _)| id.clone()),
        group_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::parse::parse;

    fn outcomes(p: &Planned) -> Vec<(u64, RowOutcome)> {
        p.rows.iter().map(|r| (r.line, r.outcome.clone())).collect()
    }

    #[test]
    fn reasons_in_the_order_lightbox_reports_them_and_seats_run_out() {
        let file = parse(
            b"USERNAME,EMAIL,GROUP,FIRSTNAME,LASTNAME\n\
              ,ann@acme.test,Nowhere,,\n\
              ,old@acme.test,,,\n\
              taken,new1@acme.test,,,\n\
              ,known@other.test,sales,,\n\
              ,new2@acme.test,,,\n\
              ,new3@acme.test,,,\n\
              bad name,new4@acme.test,,,\n",
            None,
        )
        .unwrap();
        let lk = Lookups {
            members: ["old@acme.test".to_string()].into(),
            accounts: [(
                "known@other.test".to_string(),
                ("acc-known".to_string(), None),
            )]
            .into(),
            usernames: [("taken".to_string(), "acc-x".to_string())].into(),
            groups: [("sales".to_string(), "g-sales".to_string())].into(),
            seats_left: 2,
        };
        let p = plan(&file.rows, &lk);
        assert_eq!(
            outcomes(&p),
            vec![
                (
                    2,
                    RowOutcome::Skip(RowReason::GroupDoesNotExist("Nowhere".into()))
                ),
                (3, RowOutcome::Skip(RowReason::AlreadyMember)),
                (4, RowOutcome::Skip(RowReason::UsernameTaken)),
                (5, RowOutcome::Add),
                (6, RowOutcome::Add),
                (7, RowOutcome::Skip(RowReason::NoLicencesLeft)),
                (8, RowOutcome::Skip(RowReason::InvalidUsername)),
            ]
        );
        assert_eq!(p.admissions.len(), 2);
        assert_eq!(p.admissions[0].group_id.as_deref(), Some("g-sales"));
        assert_eq!(
            p.admissions[0].existing_account.as_deref(),
            Some("acc-known")
        );
    }
}
