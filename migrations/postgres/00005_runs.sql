-- +goose Up

-- A receipt's generation counts its replays: run 0 is the first run of its
-- workflow, run n the run started by the n-th replay. The starter records it
-- on each run (memo hookgate_generation), so a start can tell its own run from
-- an earlier one, and each attempt records the run it belongs to, so that a
-- replay keeps the attempts of the runs before it.
ALTER TABLE receipts ADD COLUMN generation integer NOT NULL DEFAULT 0;
UPDATE receipts r SET generation = n.n
    FROM (SELECT receipt_id, count(*) AS n FROM replays GROUP BY receipt_id) n
    WHERE n.receipt_id = r.id;

ALTER TABLE attempts ADD COLUMN run integer NOT NULL DEFAULT 0;
ALTER TABLE attempts DROP CONSTRAINT attempts_pkey;
ALTER TABLE attempts ADD PRIMARY KEY (receipt_id, run, step, attempt);

-- The reconciler's scan for receipts whose run may have been lost.
CREATE INDEX receipts_unfinished_idx ON receipts (queued_at, id)
    WHERE status IN ('queued', 'processing', 'retrying');

-- +goose Down
DROP INDEX receipts_unfinished_idx;
DELETE FROM attempts WHERE run > 0;
ALTER TABLE attempts DROP CONSTRAINT attempts_pkey;
ALTER TABLE attempts ADD PRIMARY KEY (receipt_id, step, attempt);
ALTER TABLE attempts DROP COLUMN run;
ALTER TABLE receipts DROP COLUMN generation;
