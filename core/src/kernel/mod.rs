//! What every domain uses: who is asking and what they may do (`authz`,
//! `principal`, `access`), the unit of work that wraps a change (`work`),
//! the audit chain, the database, mail, tokens, ids, blobs and the error
//! every use case returns. Nothing here knows a domain's rules.

pub mod access;
pub mod audit;
pub mod authz;
pub mod blobs;
pub mod db;
pub mod error;
pub mod mail;
pub(crate) mod notices;
pub mod principal;
pub mod throttle;
pub mod tokens;
pub mod work;
