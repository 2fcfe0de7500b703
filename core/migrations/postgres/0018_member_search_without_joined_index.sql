-- A "contains" search across every field now combines the per-field
-- trigram indexes with the role and tier indexes (a bitmap OR), which the
-- Users page answers as fast. The joined key's own trigram index held as
-- many entries as the other three together, and keeping it up cost a
-- 100,000-row CSV import more than two seconds.
DROP INDEX memberships_search_trgm;
