-- +goose Up

-- Bodies move out of receipts into their own immutable table. A receipt row is
-- updated three or four times in its life (queued, processing, completed), and
-- PostgreSQL writes a new version of the whole row, with an entry in every
-- index, on each update (status is indexed, so none of them is a HOT update).
-- With the body and its trigram index on receipts, every status change copied
-- the body and re-indexed all its trigrams; the ingest benchmark lost about a
-- quarter of its throughput to that. receipt_bodies is written once, at ingest,
-- in the same statement as the receipt, and only deleted (retention, purge).
CREATE TABLE receipt_bodies (
    receipt_id text  PRIMARY KEY REFERENCES receipts (id) ON DELETE CASCADE,
    body       bytea NOT NULL
);
INSERT INTO receipt_bodies (receipt_id, body) SELECT id, body FROM receipts WHERE length(body) > 0;

-- The same text search as 00002, on the new table.
DROP INDEX receipts_body_trgm_idx;
CREATE INDEX receipt_bodies_trgm_idx ON receipt_bodies USING gin (encode(body, 'escape') gin_trgm_ops);
ALTER TABLE receipts DROP COLUMN body;

-- +goose Down
ALTER TABLE receipts ADD COLUMN body bytea NOT NULL DEFAULT ''::bytea;
UPDATE receipts r SET body = b.body FROM receipt_bodies b WHERE b.receipt_id = r.id;
ALTER TABLE receipts ALTER COLUMN body DROP DEFAULT;
CREATE INDEX receipts_body_trgm_idx ON receipts USING gin (encode(body, 'escape') gin_trgm_ops);
DROP TABLE receipt_bodies;
