-- ORG-1: the Users page's MFA column, sortable like the others: whether the
-- member has a confirmed authenticator app, kept by triggers on
-- totp_factors and computed for new memberships.
ALTER TABLE memberships ADD COLUMN mfa_key BIGINT NOT NULL DEFAULT 0;
UPDATE memberships SET mfa_key = 1
WHERE account_id IN (SELECT account_id FROM totp_factors WHERE confirmed_at IS NOT NULL);

CREATE TRIGGER totp_member_key_insert AFTER INSERT ON totp_factors
BEGIN
    UPDATE memberships SET mfa_key = (NEW.confirmed_at IS NOT NULL) WHERE account_id = NEW.account_id;
END;
CREATE TRIGGER totp_member_key_update AFTER UPDATE OF confirmed_at ON totp_factors
BEGIN
    UPDATE memberships SET mfa_key = (NEW.confirmed_at IS NOT NULL) WHERE account_id = NEW.account_id;
END;
CREATE TRIGGER totp_member_key_delete AFTER DELETE ON totp_factors
BEGIN
    UPDATE memberships SET mfa_key = 0 WHERE account_id = OLD.account_id;
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
        mfa_key = EXISTS (SELECT 1 FROM totp_factors t WHERE t.account_id = NEW.account_id AND t.confirmed_at IS NOT NULL)
    WHERE organisation_id = NEW.organisation_id AND account_id = NEW.account_id;
END;

CREATE INDEX memberships_by_mfa ON memberships(organisation_id, mfa_key, email_key, account_id);
