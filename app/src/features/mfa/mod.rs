//! Second factors and passkeys (MFA-*).

pub mod passkeys;
pub mod two_step;
pub mod webauthn;
