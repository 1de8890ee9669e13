-- +goose Up

-- A relay claims the un-started receipts it is about to start for a lease
-- (unix µs; see the PostgreSQL migration of the same version).
ALTER TABLE receipts ADD COLUMN claimed_until INTEGER;

-- +goose Down
ALTER TABLE receipts DROP COLUMN claimed_until;
