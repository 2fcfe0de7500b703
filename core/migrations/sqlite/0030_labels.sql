-- BOX-4: labels an organisation's administrators define and clear members
-- for. An item carries at most one; an item is shared only with members
-- cleared for every label on it, above it and inside it.
CREATE TABLE labels (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    -- The name in lower case: unique within the organisation.
    name_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (organisation_id, name_key)
);

CREATE TABLE clearances (
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    label_id TEXT NOT NULL REFERENCES labels(id),
    PRIMARY KEY (organisation_id, account_id, label_id)
);

ALTER TABLE nodes ADD COLUMN label_id TEXT REFERENCES labels(id);
CREATE INDEX nodes_label ON nodes (label_id);
