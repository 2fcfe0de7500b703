//! One folder per domain, as on the server side (docs/ARCHITECTURE.md "Rooms").

pub mod accounts;
pub mod audit;
pub mod boxes;
pub mod import;
pub mod labels;
pub mod members;
pub mod mfa;
pub mod organisations;
pub mod recovery;
pub mod sharing;
pub mod transfers;
