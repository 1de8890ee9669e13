-- +goose Up

-- The W3C traceparent of the ingest span that created the receipt (tracing on;
-- NULL otherwise), so that the relay and the workflow continue its trace.
ALTER TABLE receipts ADD COLUMN traceparent text;

-- +goose Down
ALTER TABLE receipts DROP COLUMN traceparent;
