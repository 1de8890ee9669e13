-- +goose Up

-- A relay claims the un-started receipts it is about to start for a lease
-- (store Claim: FOR UPDATE SKIP LOCKED, then this column, in one statement),
-- so the relays of several replicas do not start the same receipts; a replay
-- claims its receipt for its own start.
ALTER TABLE receipts ADD COLUMN claimed_until timestamptz;

-- +goose Down
ALTER TABLE receipts DROP COLUMN claimed_until;
