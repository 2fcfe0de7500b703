//! Organisations as the instance administrator sees them: create one with
//! its licence and its first administrator, list them.

pub mod logo;
pub mod plans;
pub mod settings;
pub mod store;

use coffer_shared::errors::InputError;
use coffer_shared::organisations::{NewOrganisation, OrganisationView};
use coffer_shared::policy::{check_organisation_name, normalise_email};
use coffer_shared::types::{AdminTier, Role};
use serde_json::json;

use crate::kernel::audit::AuditAction;
use crate::kernel::authz::{authorize, Action, Actor};
use crate::kernel::db::{new_id, now_ms};
use crate::kernel::error::{is_unique_violation, Outcome};
use crate::Coffer;

const MAX_SEATS: i64 = 1_000_000;

/// Checked input for a new organisation.
#[derive(Debug, PartialEq, Eq)]
pub struct ValidOrganisation {
    pub name: String,
    pub licence_seats: i64,
    pub expiry_date: time::Date,
    pub administrator_email: String,
}

pub fn validate(
    input: &NewOrganisation,
    today: time::Date,
) -> Result<ValidOrganisation, InputError> {
    let name = check_organisation_name(&input.name)?;
    if !(1..=MAX_SEATS).contains(&input.licence_seats) {
        return Err(InputError::InvalidLicenceSeats);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let expiry_date = time::Date::parse(input.expiry_date.trim(), &format)
        .map_err(|_| InputError::InvalidExpiryDate)?;
    if expiry_date < today {
        return Err(InputError::ExpiryInPast);
    }
    let administrator_email = normalise_email(&input.administrator_email)?;
    Ok(ValidOrganisation {
        name,
        licence_seats: input.licence_seats,
        expiry_date,
        administrator_email,
    })
}

impl Coffer {
    pub async fn create_organisation(
        &self,
        actor: Option<&Actor>,
        input: &NewOrganisation,
    ) -> Outcome<OrganisationView> {
        let (mut tx, actor) = self.begin(actor, Action::CreateOrganisation).await?;
        let today = time::OffsetDateTime::now_utc().date();
        let v = validate(input, today)?;
        let expiry = v.expiry_date.to_string();
        if crate::store::organisation_name_taken(&mut tx, &v.name.to_lowercase()).await? {
            return Err(InputError::OrganisationNameTaken.into());
        }
        let now = now_ms();
        let org_id = new_id();
        let inserted = crate::store::insert_organisation(
            &mut tx,
            &crate::store::NewOrganisationRow {
                id: &org_id,
                name: &v.name,
                licence_seats: v.licence_seats,
                expiry_date: &expiry,
                created_by: &actor.account_id,
                now,
            },
        )
        .await;
        match inserted {
            Err(e) if is_unique_violation(&e) => {
                return Err(InputError::OrganisationNameTaken.into())
            }
            other => other?,
        }
        tx.audit(
            Some(&org_id),
            AuditAction::OrganisationCreated,
            &v.name,
            json!({ "licence_seats": v.licence_seats, "expiry_date": expiry, "administrator": v.administrator_email }),
        )
        .await?;

        // The first administrator is a Liaison: only Liaisons can appoint
        // further administrators, so anything less would leave the
        // organisation unable to manage itself.
        let enrolment = crate::members::Enrolment {
            organisation_id: &org_id,
            organisation_name: &v.name,
            email: &v.administrator_email,
            first_name: "",
            last_name: "",
            role: Role::Originator,
            tier: AdminTier::Liaison,
        };
        self.enrol(&mut tx, actor, enrolment).await?;
        tx.deliver_mail_after_commit();
        tx.commit().await?;
        Ok(OrganisationView {
            id: org_id.into(),
            name: v.name,
            licence_seats: v.licence_seats,
            seats_used: 1,
            expiry_date: expiry,
            created_at_ms: now,
        })
    }

    pub async fn organisations(&self, actor: Option<&Actor>) -> Outcome<Vec<OrganisationView>> {
        authorize(actor, Action::ListOrganisations)?;
        let mut c = self.db().pool.acquire().await?;
        Ok(crate::store::organisations(&mut c)
            .await?
            .into_iter()
            .map(|o| OrganisationView {
                id: o.id.into(),
                name: o.name,
                licence_seats: o.licence_seats,
                seats_used: o.seats_used,
                expiry_date: o.expiry_date,
                created_at_ms: o.created_at,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn input(name: &str, seats: i64, expiry: &str, email: &str) -> NewOrganisation {
        NewOrganisation {
            name: name.into(),
            licence_seats: seats,
            expiry_date: expiry.into(),
            administrator_email: email.into(),
        }
    }

    #[test]
    fn validation_names_the_first_problem() {
        let today = date!(2026 - 11 - 22);
        assert!(validate(&input("Acme", 10, "2027-01-01", "a@acme.org"), today).is_ok());
        assert_eq!(
            validate(&input(" ", 10, "2027-01-01", "a@acme.org"), today),
            Err(InputError::InvalidOrganisationName)
        );
        assert_eq!(
            validate(&input("Acme", 0, "2027-01-01", "a@acme.org"), today),
            Err(InputError::InvalidLicenceSeats)
        );
        assert_eq!(
            validate(&input("Acme", 10, "01/01/2027", "a@acme.org"), today),
            Err(InputError::InvalidExpiryDate)
        );
        assert_eq!(
            validate(&input("Acme", 10, "2026-11-21", "a@acme.org"), today),
            Err(InputError::ExpiryInPast)
        );
        assert_eq!(
            validate(&input("Acme", 10, "2026-11-22", "nope"), today),
            Err(InputError::InvalidEmail)
        );
    }
}
