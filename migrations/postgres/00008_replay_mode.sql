-- +goose Up

-- How a requeued receipt is replayed: 'resume' (finish what is unfinished,
-- same message IDs) or 'redo' (run the handler again and publish its output
-- under message IDs of the replay's generation); '' for a first run.
ALTER TABLE receipts ADD COLUMN replay_mode text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE receipts DROP COLUMN replay_mode;
