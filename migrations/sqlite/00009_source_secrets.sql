-- +goose Up

-- Secrets handed over in a handshake (see the PostgreSQL migration of the
-- same version).
CREATE TABLE source_secrets (
    source      TEXT PRIMARY KEY,
    secret      TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE source_secrets;
