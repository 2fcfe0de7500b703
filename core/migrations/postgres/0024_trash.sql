-- BOX-10: a deleted item goes to its box's trash; what is inside it goes
-- with it (hidden because an ancestor is trashed), and comes back with it.
ALTER TABLE nodes ADD COLUMN trashed_at BIGINT;
ALTER TABLE nodes ADD COLUMN trashed_by TEXT REFERENCES accounts(id);
CREATE INDEX nodes_trash ON nodes (box_id, trashed_at);
