-- ORG-12 configuration (one JSON document per organisation), PKG-8
-- per-member permission flags, ORG-8 plans, ORG-10 logo.
CREATE TABLE organisation_settings (
    organisation_id TEXT PRIMARY KEY REFERENCES organisations(id),
    settings TEXT NOT NULL
);
ALTER TABLE memberships ADD COLUMN permissions TEXT NOT NULL DEFAULT '';
CREATE TABLE plans (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    quota_bytes BIGINT NOT NULL,
    is_default BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    UNIQUE (organisation_id, name_key)
);
ALTER TABLE memberships ADD COLUMN plan_id TEXT REFERENCES plans(id);
CREATE TABLE organisation_logos (
    organisation_id TEXT PRIMARY KEY REFERENCES organisations(id),
    image BYTEA NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
