-- ACC-9 own profile: other name and mobile number (E.164).
ALTER TABLE accounts ADD COLUMN other_name TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN mobile TEXT NOT NULL DEFAULT '';
