-- BOX-6, ORG-8: what each member's files take of their plan, kept with the
-- membership and changed in the transaction that completes or purges a
-- file (`coffer admin storage check` recomputes it). `usage_key` is the
-- same figure as zero-padded text, the sort key of the Users page.
ALTER TABLE memberships ADD COLUMN used_bytes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE memberships ADD COLUMN usage_key TEXT NOT NULL DEFAULT '00000000000000000000';
CREATE INDEX memberships_usage ON memberships (organisation_id, usage_key, email_key);
