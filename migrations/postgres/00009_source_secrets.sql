-- +goose Up

-- Secrets a provider hands over in a handshake (Asana's X-Hook-Secret): the
-- first one offered for a source is kept, and every gateway replica verifies
-- the source's later requests with it. An operator forgets it (the admin API)
-- before the provider's webhook is created again.
CREATE TABLE source_secrets (
    source      text PRIMARY KEY,
    secret      text NOT NULL,
    recorded_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE source_secrets;
