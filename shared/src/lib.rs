//! What the browser and the server must agree on: wire types, the error
//! enum and its user-facing messages, input rules. The cryptography lives in
//! `coffer-crypto`, which the page does not load.

pub mod accounts;
pub mod audit;
pub mod boxes;
pub mod errors;
pub mod files;
pub mod i18n;
pub mod ids;
pub mod import;
pub mod labels;
pub mod members;
pub mod mfa;
pub mod organisations;
pub mod policy;
pub mod recovery;
pub mod settings;
pub mod sharing;
pub mod site;
pub mod transfers;
pub mod types;
pub mod worker;

pub use errors::Refusal;
/// WebAuthn's wire types, shared so both ends agree on them.
pub use webauthn_rs_proto;
