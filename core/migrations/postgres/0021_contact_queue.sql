-- ACC-10: "Contact login administrator" only queues the request, whatever
-- the address, so its answer takes the same time for known and unknown
-- addresses; the work (lookups, mail, audit) happens after the answer.
CREATE TABLE contact_queue (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
