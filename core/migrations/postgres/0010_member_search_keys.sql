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

CREATE FUNCTION coffer_member_search_key(email_key TEXT, first_key TEXT, last_key TEXT, role TEXT, tier TEXT)
RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
    SELECT email_key || chr(31) || first_key || chr(31) || last_key || chr(31)
        || (CASE role WHEN 'adhoc' THEN 'ad hoc' ELSE role END) || chr(31) || tier
$$;

CREATE FUNCTION coffer_membership_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT LOWER(a.email), LOWER(a.first_name), LOWER(a.last_name), CASE WHEN a.locked_at IS NULL THEN 0 ELSE 1 END
        INTO NEW.email_key, NEW.first_key, NEW.last_key, NEW.locked_key
        FROM accounts a WHERE a.id = NEW.account_id;
    NEW.group_key := COALESCE((SELECT LOWER(g.name) FROM groups g WHERE g.id = NEW.group_id), '');
    NEW.plan_key := COALESCE((SELECT LOWER(p.name) FROM plans p WHERE p.id = NEW.plan_id), '');
    NEW.search_key := coffer_member_search_key(NEW.email_key, NEW.first_key, NEW.last_key, NEW.role, NEW.admin_tier);
    RETURN NEW;
END
$$;

CREATE TRIGGER memberships_keys BEFORE INSERT OR UPDATE OF account_id, role, admin_tier, group_id, plan_id ON memberships
    FOR EACH ROW EXECUTE FUNCTION coffer_membership_keys();

CREATE FUNCTION coffer_account_member_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE memberships m SET
        email_key = LOWER(NEW.email), first_key = LOWER(NEW.first_name), last_key = LOWER(NEW.last_name),
        search_key = coffer_member_search_key(LOWER(NEW.email), LOWER(NEW.first_name), LOWER(NEW.last_name), m.role, m.admin_tier),
        locked_key = CASE WHEN NEW.locked_at IS NULL THEN 0 ELSE 1 END
    WHERE m.account_id = NEW.id;
    RETURN NEW;
END
$$;

CREATE TRIGGER accounts_member_keys AFTER UPDATE OF email, first_name, last_name, locked_at ON accounts
    FOR EACH ROW EXECUTE FUNCTION coffer_account_member_keys();

CREATE FUNCTION coffer_plan_member_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE memberships SET plan_key = LOWER(NEW.name) WHERE plan_id = NEW.id;
    RETURN NEW;
END
$$;

CREATE TRIGGER plans_member_keys AFTER UPDATE OF name ON plans
    FOR EACH ROW EXECUTE FUNCTION coffer_plan_member_keys();

UPDATE memberships m SET
    locked_key = CASE WHEN a.locked_at IS NULL THEN 0 ELSE 1 END,
    group_key = COALESCE((SELECT LOWER(g.name) FROM groups g WHERE g.id = m.group_id), ''),
    plan_key = COALESCE((SELECT LOWER(p.name) FROM plans p WHERE p.id = m.plan_id), ''),
    email_key = LOWER(a.email), first_key = LOWER(a.first_name), last_key = LOWER(a.last_name),
    search_key = coffer_member_search_key(LOWER(a.email), LOWER(a.first_name), LOWER(a.last_name), m.role, m.admin_tier)
FROM accounts a WHERE a.id = m.account_id;

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

-- "Contains" and wildcard searches use trigram indexes (pg_trgm ships with
-- PostgreSQL and is a trusted extension: the database owner may create it).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX memberships_search_trgm ON memberships USING gin (search_key gin_trgm_ops);
CREATE INDEX memberships_email_trgm ON memberships USING gin (email_key gin_trgm_ops);
CREATE INDEX memberships_first_trgm ON memberships USING gin (first_key gin_trgm_ops);
CREATE INDEX memberships_last_trgm ON memberships USING gin (last_key gin_trgm_ops);

-- Seats in use, kept by statement-level triggers (one update per
-- statement, however many rows it inserts) so nothing counts 100,000 rows.
ALTER TABLE organisations ADD COLUMN member_count BIGINT NOT NULL DEFAULT 0;
UPDATE organisations o SET member_count = (SELECT COUNT(*) FROM memberships m WHERE m.organisation_id = o.id);

CREATE FUNCTION coffer_count_members_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE organisations o SET member_count = o.member_count + c.n
    FROM (SELECT organisation_id, COUNT(*) AS n FROM added GROUP BY organisation_id) c
    WHERE o.id = c.organisation_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER memberships_count_insert AFTER INSERT ON memberships
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION coffer_count_members_added();

CREATE FUNCTION coffer_count_members_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE organisations o SET member_count = o.member_count - c.n
    FROM (SELECT organisation_id, COUNT(*) AS n FROM removed GROUP BY organisation_id) c
    WHERE o.id = c.organisation_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER memberships_count_delete AFTER DELETE ON memberships
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION coffer_count_members_removed();
