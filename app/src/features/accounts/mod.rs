//! Accounts and sign-in (ACC-*): the front-door pages, the account page and the browser's half of each credential ceremony.

pub mod account;
pub mod auth;
pub mod home;
pub mod invite;
pub mod reauth;
pub mod recovery;
pub mod setup;
pub mod sign_in;
