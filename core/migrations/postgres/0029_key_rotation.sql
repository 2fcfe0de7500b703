-- CRY-4: boxes and folders whose identity must be renewed because
-- someone's access to them ended (a permit removed or expired, a member
-- removed). A browser holding the key above does it: the remover's at
-- once, otherwise the next one to open the organisation.
CREATE TABLE rotations_due (
    node_id TEXT PRIMARY KEY REFERENCES nodes(id),
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    since BIGINT NOT NULL
);
CREATE INDEX rotations_due_organisation ON rotations_due (organisation_id);
