-- Account-wide security (password reset, unlock, re-seed, lockout threshold,
-- inactivity locking, account history) belongs to the organisation that
-- first enrolled the account. Existing accounts get their oldest
-- membership's organisation.
ALTER TABLE accounts ADD COLUMN home_organisation_id TEXT;
UPDATE accounts SET home_organisation_id = (
    SELECT m.organisation_id FROM memberships m WHERE m.account_id = accounts.id
    ORDER BY m.created_at, m.organisation_id LIMIT 1
);
