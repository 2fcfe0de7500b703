//! Organisations (ORG-2), their configuration (ORG-12) and plans (ORG-8).

pub mod configuration;
pub mod list;
pub mod plans;
