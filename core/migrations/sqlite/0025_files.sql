-- CRY-5: each member's Ed25519 signing key; the seed is an age file to the
-- member's own X25519 key, so whatever unlocks that unlocks this.
ALTER TABLE accounts ADD COLUMN signing_public_key TEXT;
ALTER TABLE accounts ADD COLUMN wrapped_signing_key BLOB;

-- BOX-1, CRY-2: an upload in progress. The file node is created only when
-- the upload completes, so no half-uploaded file is ever visible. Parts
-- are stored as blobs under parts/<upload id>/<n>.
CREATE TABLE uploads (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    box_id TEXT NOT NULL REFERENCES nodes(id),
    parent_id TEXT NOT NULL REFERENCES nodes(id),
    node_id TEXT NOT NULL UNIQUE,
    public_key TEXT NOT NULL,
    wrapped_key BLOB NOT NULL,
    sealed_meta BLOB NOT NULL,
    header BLOB NOT NULL,
    plain_size BIGINT NOT NULL,
    payload_size BIGINT NOT NULL,
    parts BIGINT NOT NULL,
    -- BOX-6: whose plan the bytes count against (the box's owner).
    charged_to TEXT NOT NULL REFERENCES accounts(id),
    created_by TEXT NOT NULL REFERENCES accounts(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX uploads_expiry ON uploads (expires_at);
CREATE INDEX uploads_charged ON uploads (charged_to);

CREATE TABLE upload_parts (
    upload_id TEXT NOT NULL REFERENCES uploads(id),
    n BIGINT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (upload_id, n)
);

-- A complete file: its age header (kept apart from the payload), the
-- manifest's part hashes and the uploader's signature on it.
CREATE TABLE files (
    node_id TEXT PRIMARY KEY REFERENCES nodes(id),
    blob_prefix TEXT NOT NULL,
    header BLOB NOT NULL,
    plain_size BIGINT NOT NULL,
    -- Payload plus header: what counts against the plan.
    stored_bytes BIGINT NOT NULL,
    -- Hex SHA-256 of each part, in order, comma-separated.
    part_sha256 TEXT NOT NULL,
    signature BLOB NOT NULL,
    signed_by TEXT NOT NULL REFERENCES accounts(id),
    charged_to TEXT NOT NULL REFERENCES accounts(id)
);
CREATE INDEX files_charged ON files (charged_to);

-- Blobs whose rows are gone (a purged file, an abandoned upload): the
-- sweeper deletes them after the transaction that queued them commits.
CREATE TABLE blob_sweep (
    prefix TEXT PRIMARY KEY,
    parts BIGINT NOT NULL,
    queued_at BIGINT NOT NULL
);
