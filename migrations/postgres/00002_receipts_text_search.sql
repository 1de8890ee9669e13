-- +goose Up

-- Text search over receipt bodies (store.Filter.Text) with a trigram index.
-- body is bytea and may hold any bytes, so the indexed text is
-- encode(body, 'escape'): it is immutable and never fails (unlike convert_from,
-- which rejects invalid UTF-8), keeps ASCII as is, and writes NUL, backslash and
-- bytes >= 0x80 as backslash escapes. The query encodes its term the same way,
-- so a byte substring of the body is a substring of the indexed text.
-- The index is built inside the migration's transaction: on a large receipts
-- table, ingest waits for it once, at upgrade.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX receipts_body_trgm_idx ON receipts USING gin (encode(body, 'escape') gin_trgm_ops);

-- +goose Down
DROP INDEX receipts_body_trgm_idx;
-- The extension stays: other objects may have come to depend on it.
