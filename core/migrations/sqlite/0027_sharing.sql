-- BOX-2, BOX-3, CRY-3: permits on any node (box, folder or file), each
-- with a permission, an optional access window, the node's record sealed
-- under its own key (the holder has no parent key to open the usual one),
-- and the granter's signature. A box owner's permit is Manage, unsigned.
ALTER TABLE permits ADD COLUMN permission TEXT NOT NULL DEFAULT 'manage';
ALTER TABLE permits ADD COLUMN not_before BIGINT;
ALTER TABLE permits ADD COLUMN not_after BIGINT;
ALTER TABLE permits ADD COLUMN sealed_meta BLOB;
ALTER TABLE permits ADD COLUMN signature BLOB;
CREATE INDEX permits_expiry ON permits (not_after);
