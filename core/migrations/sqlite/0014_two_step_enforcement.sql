-- MFA-2/MFA-3: a session opened by the password alone for a member who must
-- set up a second factor may do nothing else until it is set up.
ALTER TABLE sessions ADD COLUMN setup_only BIGINT NOT NULL DEFAULT 0;
-- MFA-3: an administrator re-seeded the member's authenticator, so a new one
-- is needed whatever the organisations enforce.
ALTER TABLE accounts ADD COLUMN two_step_reseeded BIGINT NOT NULL DEFAULT 0;
