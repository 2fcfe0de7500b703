-- MFA-4: passkeys (WebAuthn discoverable credentials, user verification
-- required). `credential` is webauthn-rs's Passkey as JSON: the public key
-- and signature counter, nothing secret. MFA-5: `prf_wrapped_key` is the
-- member's private key wrapped in the browser under a key derived from the
-- passkey's PRF output, which never reaches the server.
CREATE TABLE passkeys (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    credential_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    credential TEXT NOT NULL,
    prf_wrapped_key BLOB,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX passkeys_by_account ON passkeys(account_id, created_at);

-- ORG-1's MFA column now means "a confirmed authenticator app or a passkey".
DROP TRIGGER totp_member_key_insert;
DROP TRIGGER totp_member_key_update;
DROP TRIGGER totp_member_key_delete;
CREATE TRIGGER totp_member_key_insert AFTER INSERT ON totp_factors
BEGIN
    UPDATE memberships SET mfa_key = (NEW.confirmed_at IS NOT NULL
        OR EXISTS (SELECT 1 FROM passkeys p WHERE p.account_id = NEW.account_id))
    WHERE account_id = NEW.account_id;
END;
CREATE TRIGGER totp_member_key_update AFTER UPDATE OF confirmed_at ON totp_factors
BEGIN
    UPDATE memberships SET mfa_key = (NEW.confirmed_at IS NOT NULL
        OR EXISTS (SELECT 1 FROM passkeys p WHERE p.account_id = NEW.account_id))
    WHERE account_id = NEW.account_id;
END;
CREATE TRIGGER totp_member_key_delete AFTER DELETE ON totp_factors
BEGIN
    UPDATE memberships SET mfa_key =
        EXISTS (SELECT 1 FROM passkeys p WHERE p.account_id = OLD.account_id)
    WHERE account_id = OLD.account_id;
END;
CREATE TRIGGER passkey_member_key_insert AFTER INSERT ON passkeys
BEGIN
    UPDATE memberships SET mfa_key = 1 WHERE account_id = NEW.account_id;
END;
CREATE TRIGGER passkey_member_key_delete AFTER DELETE ON passkeys
BEGIN
    UPDATE memberships SET mfa_key = (
        EXISTS (SELECT 1 FROM totp_factors t WHERE t.account_id = OLD.account_id AND t.confirmed_at IS NOT NULL)
        OR EXISTS (SELECT 1 FROM passkeys p WHERE p.account_id = OLD.account_id))
    WHERE account_id = OLD.account_id;
END;

DROP TRIGGER memberships_keys_on_insert;
CREATE TRIGGER memberships_keys_on_insert AFTER INSERT ON memberships
WHEN NEW.email_key = ''
BEGIN
    UPDATE memberships SET
        email_key = (SELECT LOWER(email) FROM accounts WHERE id = NEW.account_id),
        first_key = (SELECT LOWER(first_name) FROM accounts WHERE id = NEW.account_id),
        last_key = (SELECT LOWER(last_name) FROM accounts WHERE id = NEW.account_id),
        locked_key = (SELECT locked_at IS NOT NULL FROM accounts WHERE id = NEW.account_id),
        group_key = COALESCE((SELECT LOWER(name) FROM groups WHERE id = NEW.group_id), ''),
        plan_key = COALESCE((SELECT LOWER(name) FROM plans WHERE id = NEW.plan_id), ''),
        mfa_key = (EXISTS (SELECT 1 FROM totp_factors t WHERE t.account_id = NEW.account_id AND t.confirmed_at IS NOT NULL)
            OR EXISTS (SELECT 1 FROM passkeys p WHERE p.account_id = NEW.account_id))
    WHERE organisation_id = NEW.organisation_id AND account_id = NEW.account_id;
END;
