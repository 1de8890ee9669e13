-- +goose Up

-- PostgreSQL moves receipt bodies into their own table in this version (see
-- migrations/postgres/00004_receipt_bodies.sql: status updates there re-indexed
-- every body). SQLite has no body index and rewrites the row either way, so its
-- schema does not change; the migration exists so both dialects share versions.
SELECT 1;

-- +goose Down
SELECT 1;
