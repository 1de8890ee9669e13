-- +goose Up

-- One row the gateway writes to while commits fail: a write, unlike a ping,
-- fails when the store cannot take commits (a full disk, a read-only file
-- system), so readiness recovers only when writes do.
CREATE TABLE heartbeat (
    id integer PRIMARY KEY CHECK (id = 1),
    at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE heartbeat;
