-- ACC-6 lockout, ACC-7 reset links, ACC-5 security question, ORG-5 removal.
-- Every emailed single-use link (invitation, password reset, unlock) lives
-- in `invitations`, told apart by its purpose.
ALTER TABLE accounts ADD COLUMN failed_sign_ins BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN locked_at BIGINT;
ALTER TABLE accounts ADD COLUMN last_sign_in_at BIGINT;
ALTER TABLE accounts ADD COLUMN security_question TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN security_answer_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE invitations ADD COLUMN purpose TEXT NOT NULL DEFAULT 'invite';
ALTER TABLE invitations ADD COLUMN failed_answers BIGINT NOT NULL DEFAULT 0;
-- ORG-5: what became of a removed member's items. The boxes feature moves
-- items of rows whose `done_at` is empty to `transfer_to` (or deletes them).
CREATE TABLE member_removals (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    email TEXT NOT NULL,
    removed_at BIGINT NOT NULL,
    removed_by TEXT NOT NULL REFERENCES accounts(id),
    disposition TEXT NOT NULL,
    transfer_to TEXT REFERENCES accounts(id),
    folder_name TEXT NOT NULL,
    done_at BIGINT
);
CREATE INDEX member_removals_org ON member_removals(organisation_id, removed_at);
CREATE INDEX audit_events_target ON audit_events(target, at);
