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
    prf_wrapped_key BYTEA,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX passkeys_by_account ON passkeys(account_id, created_at);

-- ORG-1's MFA column now means "a confirmed authenticator app or a passkey".
CREATE FUNCTION coffer_has_second_factor(account TEXT) RETURNS BIGINT LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN EXISTS (SELECT 1 FROM totp_factors t WHERE t.account_id = account AND t.confirmed_at IS NOT NULL)
        OR EXISTS (SELECT 1 FROM passkeys p WHERE p.account_id = account) THEN 1 ELSE 0 END
$$;

CREATE OR REPLACE FUNCTION coffer_totp_member_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE memberships SET mfa_key = coffer_has_second_factor(OLD.account_id) WHERE account_id = OLD.account_id;
    ELSE
        UPDATE memberships SET mfa_key = coffer_has_second_factor(NEW.account_id) WHERE account_id = NEW.account_id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER passkey_member_key AFTER INSERT OR DELETE ON passkeys
    FOR EACH ROW EXECUTE FUNCTION coffer_totp_member_key();

CREATE OR REPLACE FUNCTION coffer_membership_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT LOWER(a.email), LOWER(a.first_name), LOWER(a.last_name), CASE WHEN a.locked_at IS NULL THEN 0 ELSE 1 END
        INTO NEW.email_key, NEW.first_key, NEW.last_key, NEW.locked_key
        FROM accounts a WHERE a.id = NEW.account_id;
    NEW.group_key := COALESCE((SELECT LOWER(g.name) FROM groups g WHERE g.id = NEW.group_id), '');
    NEW.plan_key := COALESCE((SELECT LOWER(p.name) FROM plans p WHERE p.id = NEW.plan_id), '');
    NEW.search_key := coffer_member_search_key(NEW.email_key, NEW.first_key, NEW.last_key, NEW.role, NEW.admin_tier);
    NEW.mfa_key := coffer_has_second_factor(NEW.account_id);
    RETURN NEW;
END
$$;
