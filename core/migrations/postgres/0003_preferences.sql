-- Per-person page preferences, such as the Users page's visible columns.
CREATE TABLE preferences (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (account_id, name)
);
