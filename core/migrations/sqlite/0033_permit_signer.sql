-- A permit keeps the verifying key its granter signed it with: a reset
-- that makes a member new keys also gives them a new signing key, and the
-- permits they gave before must still verify for their holders.
ALTER TABLE permits ADD COLUMN signing_key TEXT;
UPDATE permits SET signing_key = (
    SELECT a.signing_public_key FROM accounts a WHERE a.id = permits.granted_by
) WHERE owner = 0;
