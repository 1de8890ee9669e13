-- +goose Up

-- One row written to while commits fail (see the PostgreSQL migration of the
-- same version).
CREATE TABLE heartbeat (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE heartbeat;
