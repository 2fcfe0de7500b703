-- Organisation members: names on the account (ACC-9 profile), account type
-- on the membership (Local, External, LDAP), and indexes for the Users page.
ALTER TABLE accounts ADD COLUMN first_name TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN last_name TEXT NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN account_type TEXT NOT NULL DEFAULT 'local';
CREATE INDEX memberships_org ON memberships(organisation_id, account_id);
