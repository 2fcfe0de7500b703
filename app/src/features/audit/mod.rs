//! The audit log (AUD-1) and the mail outbox (AUD-2).

pub mod log;
pub mod outbox;
