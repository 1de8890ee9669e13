-- +goose Up

-- Text search indexes the first 8 KiB of each body (store.SearchExcerpt), not
-- the whole body: the trigrams of every byte of up to 25 MiB were extracted and
-- inserted into the GIN index on the request path, about three quarters of
-- the ingest cost with realistic 2 KB–200 KB bodies (docs/performance.md).
-- Identifiers, addresses and event names sit in a webhook's first kilobytes;
-- a term further in is not found. The query uses the same expression.
DROP INDEX receipt_bodies_trgm_idx;
CREATE INDEX receipt_bodies_excerpt_trgm_idx ON receipt_bodies
    USING gin (encode(substring(body FROM 1 FOR 8192), 'escape') gin_trgm_ops);

-- +goose Down
DROP INDEX receipt_bodies_excerpt_trgm_idx;
CREATE INDEX receipt_bodies_trgm_idx ON receipt_bodies USING gin (encode(body, 'escape') gin_trgm_ops);
