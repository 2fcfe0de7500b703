-- ORG-1 at 100,000 members: lower-cased copies of the searchable and
-- sortable account fields on each membership, so filtering reads one table
-- and sorting walks an index. Triggers keep them right on every write.
ALTER TABLE memberships ADD COLUMN email_key TEXT NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN first_key TEXT NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN last_key TEXT NOT NULL DEFAULT '';
-- email, first, last, role label and tier joined by U+001F, which search
-- text never contains, for "contains" searches across all fields.
ALTER TABLE memberships ADD COLUMN search_key TEXT NOT NULL DEFAULT '';
-- Sort keys of the columns that live in other tables.
ALTER TABLE memberships ADD COLUMN group_key TEXT NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN plan_key TEXT NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN locked_key BIGINT NOT NULL DEFAULT 0;

CREATE TRIGGER memberships_search_key AFTER UPDATE OF email_key, first_key, last_key, role, admin_tier ON memberships
BEGIN
    UPDATE memberships SET search_key = NEW.email_key || char(31) || NEW.first_key || char(31) || NEW.last_key
        || char(31) || (CASE NEW.role WHEN 'adhoc' THEN 'ad hoc' ELSE NEW.role END) || char(31) || NEW.admin_tier
    WHERE organisation_id = NEW.organisation_id AND account_id = NEW.account_id;
END;

CREATE TRIGGER memberships_keys_on_insert AFTER INSERT ON memberships
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

CREATE TRIGGER memberships_group_plan_keys AFTER UPDATE OF group_id, plan_id ON memberships
BEGIN
    UPDATE memberships SET
        group_key = COALESCE((SELECT LOWER(name) FROM groups WHERE id = NEW.group_id), ''),
        plan_key = COALESCE((SELECT LOWER(name) FROM plans WHERE id = NEW.plan_id), '')
    WHERE organisation_id = NEW.organisation_id AND account_id = NEW.account_id;
END;

CREATE TRIGGER plans_member_keys AFTER UPDATE OF name ON plans
BEGIN
    UPDATE memberships SET plan_key = LOWER(NEW.name) WHERE plan_id = NEW.id;
END;

CREATE TRIGGER accounts_member_locked_key AFTER UPDATE OF locked_at ON accounts
BEGIN
    UPDATE memberships SET locked_key = (NEW.locked_at IS NOT NULL) WHERE account_id = NEW.id;
END;

CREATE TRIGGER accounts_member_keys AFTER UPDATE OF email, first_name, last_name ON accounts
BEGIN
    UPDATE memberships SET email_key = LOWER(NEW.email), first_key = LOWER(NEW.first_name), last_key = LOWER(NEW.last_name)
    WHERE account_id = NEW.id;
END;

-- Existing rows: setting the keys fires memberships_search_key.
UPDATE memberships SET
    email_key = (SELECT LOWER(email) FROM accounts a WHERE a.id = memberships.account_id),
    first_key = (SELECT LOWER(first_name) FROM accounts a WHERE a.id = memberships.account_id),
    last_key = (SELECT LOWER(last_name) FROM accounts a WHERE a.id = memberships.account_id),
    locked_key = (SELECT locked_at IS NOT NULL FROM accounts a WHERE a.id = memberships.account_id),
    group_key = COALESCE((SELECT LOWER(name) FROM groups g WHERE g.id = memberships.group_id), ''),
    plan_key = COALESCE((SELECT LOWER(name) FROM plans p WHERE p.id = memberships.plan_id), '');

-- Sort indexes end with account_id so a page is found from the index alone.
CREATE INDEX memberships_by_email ON memberships(organisation_id, email_key, account_id);
CREATE INDEX memberships_by_first ON memberships(organisation_id, first_key, email_key, account_id);
CREATE INDEX memberships_by_last ON memberships(organisation_id, last_key, email_key, account_id);
CREATE INDEX memberships_by_role ON memberships(organisation_id, role, email_key, account_id);
CREATE INDEX memberships_by_tier ON memberships(organisation_id, admin_tier, email_key, account_id);
CREATE INDEX memberships_by_type ON memberships(organisation_id, account_type, email_key, account_id);
CREATE INDEX memberships_by_group ON memberships(organisation_id, group_key, email_key, account_id);
CREATE INDEX memberships_by_plan ON memberships(organisation_id, plan_key, email_key, account_id);
CREATE INDEX memberships_by_locked ON memberships(organisation_id, locked_key, email_key, account_id);
-- "Contains" across all fields scans this index rather than the table.
CREATE INDEX memberships_by_search ON memberships(organisation_id, search_key);

-- Seats in use, kept by triggers so the Users page never counts 100,000 rows.
ALTER TABLE organisations ADD COLUMN member_count BIGINT NOT NULL DEFAULT 0;
UPDATE organisations SET member_count = (SELECT COUNT(*) FROM memberships m WHERE m.organisation_id = organisations.id);
CREATE TRIGGER memberships_count_insert AFTER INSERT ON memberships
BEGIN
    UPDATE organisations SET member_count = member_count + 1 WHERE id = NEW.organisation_id;
END;
CREATE TRIGGER memberships_count_delete AFTER DELETE ON memberships
BEGIN
    UPDATE organisations SET member_count = member_count - 1 WHERE id = OLD.organisation_id;
END;
