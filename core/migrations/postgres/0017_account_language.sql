-- ACC-9 / PLT-5: the member's default language (a BCP 47 primary tag).
ALTER TABLE accounts ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
