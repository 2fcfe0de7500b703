-- CRY-6 / ACC-7: organisation key recovery, off until a Liaison turns it
-- on. The recovery key pair is made in that Liaison's browser; the server
-- keeps its public key, its identity as an age file to each Liaison's
-- member key, and each member's identity as an age file to it.
CREATE TABLE recovery_keys (
    organisation_id TEXT PRIMARY KEY REFERENCES organisations(id),
    public_key TEXT NOT NULL,
    enabled_by TEXT NOT NULL REFERENCES accounts(id),
    enabled_at BIGINT NOT NULL
);

CREATE TABLE recovery_holders (
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    -- The Liaison's member key it was wrapped to.
    member_public_key TEXT NOT NULL,
    wrapped_key BLOB NOT NULL,
    PRIMARY KEY (organisation_id, account_id)
);

CREATE TABLE recovery_escrows (
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    -- The member key escrowed: a new key pair needs a new escrow.
    member_public_key TEXT NOT NULL,
    escrow BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, account_id)
);

-- A reset that keeps the member's keys: the browser that chose the new
-- password made a one-off key pair (kept wrapped under the new password);
-- a Liaison's browser opens the escrow and hands the member's identity
-- over to it; the member's next sign-in takes it and wraps it again.
CREATE TABLE key_handovers (
    account_id TEXT PRIMARY KEY REFERENCES accounts(id),
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    handover_public_key TEXT NOT NULL,
    wrapped_handover BLOB NOT NULL,
    handed_over BLOB,
    handed_over_by TEXT REFERENCES accounts(id),
    requested_at BIGINT NOT NULL
);
