-- IMP-6: a bulk import computes the member keys in its INSERT … SELECT (one
-- write per row); the insert trigger fills them only when the writer did
-- not, instead of updating every new row twice more.
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
        plan_key = COALESCE((SELECT LOWER(name) FROM plans WHERE id = NEW.plan_id), '')
    WHERE organisation_id = NEW.organisation_id AND account_id = NEW.account_id;
END;

-- The primary key (organisation_id, account_id) already is this index; a
-- second copy only made every member insert write one more.
DROP INDEX memberships_org;

-- User names are compared without case; an import looks thousands up at once.
CREATE INDEX accounts_username_lower ON accounts(LOWER(username));
