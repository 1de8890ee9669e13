-- +goose Up

-- A receipt's generation counts its replays: run 0 is the first run of its
-- workflow, run n the run started by the n-th replay (see the PostgreSQL
-- migration of the same version). SQLite cannot change a primary key in
-- place, so attempts is rebuilt; no table references it.
ALTER TABLE receipts ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
UPDATE receipts SET generation = (SELECT count(*) FROM replays WHERE replays.receipt_id = receipts.id);

CREATE TABLE attempts_runs (
    receipt_id  TEXT    NOT NULL REFERENCES receipts (id) ON DELETE CASCADE,
    run         INTEGER NOT NULL DEFAULT 0,
    step        TEXT    NOT NULL,
    attempt     INTEGER NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    error       TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (receipt_id, run, step, attempt)
);
INSERT INTO attempts_runs (receipt_id, run, step, attempt, started_at, finished_at, error)
    SELECT receipt_id, 0, step, attempt, started_at, finished_at, error FROM attempts;
DROP TABLE attempts;
ALTER TABLE attempts_runs RENAME TO attempts;
CREATE INDEX attempts_receipt_started_idx ON attempts (receipt_id, started_at);

CREATE INDEX receipts_unfinished_idx ON receipts (queued_at, id)
    WHERE status IN ('queued', 'processing', 'retrying');

-- +goose Down
DROP INDEX receipts_unfinished_idx;
CREATE TABLE attempts_steps (
    receipt_id  TEXT    NOT NULL REFERENCES receipts (id) ON DELETE CASCADE,
    step        TEXT    NOT NULL,
    attempt     INTEGER NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    error       TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (receipt_id, step, attempt)
);
INSERT INTO attempts_steps (receipt_id, step, attempt, started_at, finished_at, error)
    SELECT receipt_id, step, attempt, started_at, finished_at, error FROM attempts WHERE run = 0;
DROP TABLE attempts;
ALTER TABLE attempts_steps RENAME TO attempts;
CREATE INDEX attempts_receipt_started_idx ON attempts (receipt_id, started_at);
ALTER TABLE receipts DROP COLUMN generation;
