-- +goose Up

-- The text-search index is built after the commit, in batches, off the
-- request path (issue #14). Even bounded to 8 KiB, extracting and inserting a
-- body's trigrams was most of the ingest cost with realistic bodies
-- (docs/performance.md). Ingest now writes only the body's ID into
-- search_queue; the gateway's search indexer (store.IndexSearch) moves queued
-- IDs into receipt_search with the excerpt the GIN index covers, yielding to
-- ingest while ingest is saturated. Text search reads receipt_search through
-- the index and scans the bodies still queued, so it finds a receipt from the
-- moment it is acked.
DROP INDEX receipt_bodies_excerpt_trgm_idx;

CREATE TABLE search_queue (
    receipt_id text PRIMARY KEY
);

CREATE TABLE receipt_search (
    receipt_id text PRIMARY KEY REFERENCES receipt_bodies (receipt_id) ON DELETE CASCADE,
    -- encode(substring(body FROM 1 FOR 8192), 'escape'): store.SearchExcerpt
    -- bytes in a form that never fails on bytes that are not UTF-8.
    excerpt    text NOT NULL
);
CREATE INDEX receipt_search_excerpt_trgm_idx ON receipt_search USING gin (excerpt gin_trgm_ops);

INSERT INTO search_queue (receipt_id) SELECT receipt_id FROM receipt_bodies;

-- +goose Down
DROP TABLE receipt_search;
DROP TABLE search_queue;
CREATE INDEX receipt_bodies_excerpt_trgm_idx ON receipt_bodies
    USING gin (encode(substring(body FROM 1 FOR 8192), 'escape') gin_trgm_ops);
