-- IMP-6: a bulk import computes the member keys in its INSERT … SELECT; the
-- insert trigger runs only for rows whose writer did not.
DROP TRIGGER memberships_keys ON memberships;
CREATE TRIGGER memberships_keys_on_insert BEFORE INSERT ON memberships
    FOR EACH ROW WHEN (NEW.email_key = '') EXECUTE FUNCTION coffer_membership_keys();
CREATE TRIGGER memberships_keys_on_update BEFORE UPDATE OF account_id, role, admin_tier, group_id, plan_id ON memberships
    FOR EACH ROW EXECUTE FUNCTION coffer_membership_keys();

-- The primary key (organisation_id, account_id) already is this index; a
-- second copy only made every member insert write one more.
DROP INDEX memberships_org;

-- User names are compared without case; an import looks thousands up at once.
CREATE INDEX accounts_username_lower ON accounts(LOWER(username));
