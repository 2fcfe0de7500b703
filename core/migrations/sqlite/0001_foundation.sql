-- Foundation: the instance, accounts, organisations, memberships, invitations,
-- sessions, pending OPAQUE logins, the audit trail and the mail queue.
-- Booleans and times are BIGINT (0/1, Unix milliseconds) so that the same
-- queries run unchanged on SQLite and PostgreSQL.

CREATE TABLE instance (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    setup_at BIGINT NOT NULL,
    setup_by TEXT NOT NULL
);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    username TEXT UNIQUE,
    is_instance_admin BIGINT NOT NULL DEFAULT 0,
    opaque_record BLOB,
    public_key TEXT,
    wrapped_private_key BLOB,
    created_at BIGINT NOT NULL,
    activated_at BIGINT
);

CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    licence_seats BIGINT NOT NULL,
    expiry_date TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL REFERENCES accounts(id)
);

CREATE TABLE memberships (
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    role TEXT NOT NULL,
    admin_tier TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, account_id)
);
CREATE INDEX memberships_account ON memberships(account_id);

CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    organisation_id TEXT REFERENCES organisations(id),
    created_by TEXT REFERENCES accounts(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX invitations_account ON invitations(account_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    user_agent TEXT NOT NULL,
    ip TEXT NOT NULL
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE pending_logins (
    id TEXT PRIMARY KEY,
    account_id TEXT REFERENCES accounts(id),
    purpose TEXT NOT NULL,
    server_state BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX pending_logins_account ON pending_logins(account_id);

CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at BIGINT NOT NULL,
    actor_account_id TEXT,
    actor_label TEXT NOT NULL,
    organisation_id TEXT,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    details TEXT NOT NULL
);
CREATE INDEX audit_events_org ON audit_events(organisation_id, id);

CREATE TABLE mail_queue (
    id TEXT PRIMARY KEY,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    message BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT
);
