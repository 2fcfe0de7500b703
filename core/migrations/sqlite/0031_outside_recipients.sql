-- BOX-5: shares with outside recipients (Ad hoc members invited by the
-- share) waiting for them to set up their keys; the granter's browser
-- turns each into a permit once they have.
CREATE TABLE pending_shares (
    node_id TEXT NOT NULL REFERENCES nodes(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    permission TEXT NOT NULL,
    not_before BIGINT,
    not_after BIGINT,
    granted_by TEXT NOT NULL REFERENCES accounts(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (node_id, account_id)
);
CREATE INDEX pending_shares_granter ON pending_shares (granted_by);
