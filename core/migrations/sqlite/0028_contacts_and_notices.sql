-- BOX-9: the people each member shares with, most often first; kept as
-- they share, so the Share panel suggests them.
CREATE TABLE share_contacts (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    contact_id TEXT NOT NULL REFERENCES accounts(id),
    shares BIGINT NOT NULL,
    last_shared_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, organisation_id, contact_id)
);

-- AUD-3: the notices a member receives by mail; no row means all of them.
CREATE TABLE notice_preferences (
    account_id TEXT PRIMARY KEY REFERENCES accounts(id),
    shares BIGINT NOT NULL,
    uploads BIGINT NOT NULL,
    expiring BIGINT NOT NULL
);

-- AUD-3: when the holder of a permit was told that it ends soon.
ALTER TABLE permits ADD COLUMN expiry_noticed_at BIGINT;
