-- ORG-6 groups: each member in at most one group of their organisation.
CREATE TABLE groups (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (organisation_id, name_key)
);
ALTER TABLE memberships ADD COLUMN group_id TEXT REFERENCES groups(id);
