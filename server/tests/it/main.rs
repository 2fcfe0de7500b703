//! The integration suite, one test binary (linking one binary instead of one
//! per file is most of a warm test run on two cores). A module per domain;
//! each starts the real server on 127.0.0.1:0 and speaks to it over HTTP,
//! on SQLite and on PostgreSQL (`on_both!`).

#[macro_use]
mod common;

mod account_security;
mod admin_cli;
mod audit_log;
mod authorization_matrix;
mod boxes;
mod cli;
mod contact;
mod cry1_password_never_stored;
mod files;
mod foundation;
mod groups;
mod import;
mod labels;
mod members;
mod mfa_enforcement;
mod mfa_passkeys;
mod mfa_totp;
mod operations;
mod org_config;
mod outsiders;
mod profile;
mod recovery;
mod rotation;
mod sharing;
mod smtp;
mod transfers;
