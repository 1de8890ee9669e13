-- +goose Up

-- How a requeued receipt is replayed (see the PostgreSQL migration of the
-- same version).
ALTER TABLE receipts ADD COLUMN replay_mode TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE receipts DROP COLUMN replay_mode;
