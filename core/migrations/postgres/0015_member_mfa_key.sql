-- ORG-1: the Users page's MFA column, sortable like the others: whether the
-- member has a confirmed authenticator app, kept by triggers on
-- totp_factors and computed for new memberships.
ALTER TABLE memberships ADD COLUMN mfa_key BIGINT NOT NULL DEFAULT 0;
UPDATE memberships SET mfa_key = 1
WHERE account_id IN (SELECT account_id FROM totp_factors WHERE confirmed_at IS NOT NULL);

CREATE FUNCTION coffer_totp_member_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE memberships SET mfa_key = 0 WHERE account_id = OLD.account_id;
    ELSE
        UPDATE memberships SET mfa_key = CASE WHEN NEW.confirmed_at IS NULL THEN 0 ELSE 1 END
        WHERE account_id = NEW.account_id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER totp_member_key AFTER INSERT OR DELETE OR UPDATE OF confirmed_at ON totp_factors
    FOR EACH ROW EXECUTE FUNCTION coffer_totp_member_key();

CREATE OR REPLACE FUNCTION coffer_membership_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT LOWER(a.email), LOWER(a.first_name), LOWER(a.last_name), CASE WHEN a.locked_at IS NULL THEN 0 ELSE 1 END
        INTO NEW.email_key, NEW.first_key, NEW.last_key, NEW.locked_key
        FROM accounts a WHERE a.id = NEW.account_id;
    NEW.group_key := COALESCE((SELECT LOWER(g.name) FROM groups g WHERE g.id = NEW.group_id), '');
    NEW.plan_key := COALESCE((SELECT LOWER(p.name) FROM plans p WHERE p.id = NEW.plan_id), '');
    NEW.search_key := coffer_member_search_key(NEW.email_key, NEW.first_key, NEW.last_key, NEW.role, NEW.admin_tier);
    NEW.mfa_key := CASE WHEN EXISTS (SELECT 1 FROM totp_factors t WHERE t.account_id = NEW.account_id
        AND t.confirmed_at IS NOT NULL) THEN 1 ELSE 0 END;
    RETURN NEW;
END
$$;

CREATE INDEX memberships_by_mfa ON memberships(organisation_id, mfa_key, email_key, account_id);
