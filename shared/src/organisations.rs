//! Organisations (ORG-2), their plans (ORG-8) and logo (ORG-10);
//! configuration is in `settings`. Wire types and the domain's refusals, with
//! the words people see.

use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOrganisation {
    pub name: String,
    pub licence_seats: i64,
    /// ISO date `YYYY-MM-DD`, the last day the licence is valid.
    pub expiry_date: String,
    pub administrator_email: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationView {
    pub id: crate::ids::OrganisationId,
    pub name: String,
    pub licence_seats: i64,
    pub seats_used: i64,
    pub expiry_date: String,
    pub created_at_ms: i64,
}

/// ORG-8: a named storage quota.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanView {
    pub id: crate::ids::PlanId,
    pub name: String,
    pub quota_bytes: i64,
    pub is_default: bool,
    pub members: i64,
}

/// ORG-10: the organisation logo as stored (always PNG after scaling).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogoInfo {
    pub width: u32,
    pub height: u32,
}

/// ORG-12 configuration, ACC-5 security question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum SettingsError {
    #[error("Invitation expiry must be from 1 to 720 hours (30 days).")]
    InvalidInvitationExpiry,
    #[error("The lockout threshold must be from 1 to 100 wrong passwords.")]
    InvalidLockoutThreshold,
    #[error("The inactivity limit must be from 0 (never) to 3,650 days.")]
    InvalidInactivity,
    #[error("Items stay in the trash from 1 to 3,650 days.")]
    InvalidTrashRetention,
    #[error("The security question must be 5 to 200 characters.")]
    InvalidQuestion,
    #[error("The answer must be at least 3 characters.")]
    AnswerTooShort,
    #[error("Only a Liaison can exempt someone from two-step sign-in or change who may sign in.")]
    OnlyLiaisonSetsSignInModes,
}

/// ORG-8 plans.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum PlanError {
    #[error("Plan names must be 1 to 60 characters.")]
    InvalidName,
    #[error("A plan with this name already exists.")]
    NameTaken,
    #[error("The quota must be a whole number of gigabytes from 1 to 1,000,000.")]
    InvalidQuota,
    #[error("That plan does not exist in this organisation.")]
    Unknown,
    #[error("A plan in use cannot be removed. Move its members to another plan first.")]
    InUse,
    #[error("The default plan cannot be removed. Make another plan the default first.")]
    IsDefault,
    /// The sizes as people read them ("1.2 GB").
    #[error("This upload needs {needed}; your plan has {available} left.")]
    OverQuota { needed: String, available: String },
}

/// ORG-10 logo uploads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum LogoError {
    #[error(
        "The logo must be a PNG, JPEG or GIF image. This file is not one, whatever its name says."
    )]
    NotAnImage,
    #[error("The logo file must be at most 2 MB.")]
    TooLarge,
    #[error("The image has too many pixels to process (at most about 4 megapixels, such as 2,048 × 2,048).")]
    TooManyPixels,
    #[error("The image could not be read; it may be damaged.")]
    Damaged,
}
