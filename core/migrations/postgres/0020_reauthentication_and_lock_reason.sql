-- When the session's holder last proved a password or a second factor:
-- factor changes need a proof from the last few minutes.
ALTER TABLE sessions ADD COLUMN proved_at BIGINT NOT NULL DEFAULT 0;
UPDATE sessions SET proved_at = created_at;
-- Why an account is locked: 'guessing' (wrong passwords or codes) blocks
-- passwords only, since a passkey cannot be guessed; 'inactivity' blocks
-- every way in.
ALTER TABLE accounts ADD COLUMN lock_reason TEXT;
UPDATE accounts SET lock_reason = 'guessing' WHERE locked_at IS NOT NULL;
