-- ORG-9 points of contact and ACC-10 "Contact login administrator".
ALTER TABLE memberships ADD COLUMN point_of_contact BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN contact_requested_at BIGINT;
