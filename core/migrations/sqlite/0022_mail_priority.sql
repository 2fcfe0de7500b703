-- Interactive mail (resets, unlock, set-up and single invitations, contact
-- requests) is priority 0 and goes out ahead of bulk mail (an import's
-- invitations, priority 1); the index serves "what is due, in that order".
ALTER TABLE mail_queue ADD COLUMN priority BIGINT NOT NULL DEFAULT 0;
CREATE INDEX mail_queue_due ON mail_queue (priority, next_attempt_at);
