-- BOX-9: the member key each member last shared with, per person, sealed
-- by that member's browser under a key derived from their own identity:
-- the server can drop a pin but can neither read nor write one.
CREATE TABLE key_pins (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    subject_id TEXT NOT NULL REFERENCES accounts(id),
    sealed BLOB NOT NULL,
    pinned_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, subject_id)
);
