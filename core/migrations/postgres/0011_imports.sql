-- IMP-4/IMP-6: CSV imports. The file is kept from preview until the import
-- finishes; the members, their mail and the 'finished' state are written in
-- one transaction, so an import is either wholly there or not at all.
CREATE TABLE imports (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    created_by TEXT NOT NULL REFERENCES accounts(id),
    created_at BIGINT NOT NULL,
    format TEXT NOT NULL,
    state TEXT NOT NULL,
    rows_total BIGINT NOT NULL,
    imported BIGINT NOT NULL DEFAULT 0,
    problems TEXT NOT NULL DEFAULT '[]',
    failure TEXT NOT NULL DEFAULT '',
    started_at BIGINT,
    finished_at BIGINT,
    source BYTEA NOT NULL
);
CREATE INDEX imports_organisation ON imports(organisation_id, state);
