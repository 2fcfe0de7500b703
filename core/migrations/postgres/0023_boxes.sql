-- BOX-1, CRY-1, CRY-3: boxes and folders. The server keeps no name: each
-- node has its own public key (age X25519), its identity wrapped to its
-- parent's key (a box's is in its owner's permit), and one sealed record
-- (name, times) only holders of the sealing key can read or write.
CREATE TABLE nodes (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    -- The box a node is in; a box is its own.
    box_id TEXT NOT NULL,
    parent_id TEXT REFERENCES nodes(id),
    kind TEXT NOT NULL,
    public_key TEXT NOT NULL,
    -- The identity as an age file to the parent's key; NULL for a box.
    wrapped_key BYTEA,
    sealed_meta BYTEA NOT NULL,
    created_by TEXT NOT NULL REFERENCES accounts(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX nodes_children ON nodes (parent_id);
CREATE INDEX nodes_box ON nodes (box_id);

-- Who holds a node's identity: for now a box's owner (the first permit
-- holder); sharing adds the others. The identity is an age file to the
-- holder's member key.
CREATE TABLE permits (
    node_id TEXT NOT NULL REFERENCES nodes(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    owner BIGINT NOT NULL,
    wrapped_key BYTEA NOT NULL,
    granted_by TEXT NOT NULL REFERENCES accounts(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (node_id, account_id)
);
CREATE INDEX permits_holder ON permits (account_id);
