-- MFA-1: an authenticator app per account. The secret is needed to check
-- codes, so the server holds it; confirmed_at stays empty until the member
-- proves the app shows the right codes. last_step is the newest time step
-- a code was accepted for, so no code works twice.
CREATE TABLE totp_factors (
    account_id TEXT PRIMARY KEY REFERENCES accounts(id),
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    confirmed_at BIGINT,
    last_step BIGINT NOT NULL DEFAULT 0
);

-- Ten single-use recovery codes, stored as SHA-256 of 80 random bits.
CREATE TABLE recovery_codes (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    code_hash TEXT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (account_id, code_hash)
);

-- Wrong second-factor codes against one half-finished sign-in.
ALTER TABLE pending_logins ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
