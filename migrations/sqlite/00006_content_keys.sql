-- +goose Up

-- The second deduplication key (see the PostgreSQL migration of the same
-- version): the hash of a delivery's signed content, naming the event ID of
-- the receipt that first had it and when it was received (unix µs).
CREATE TABLE content_keys (
    source      TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    event_id    TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (source, hash)
);
CREATE INDEX content_keys_received_idx ON content_keys (received_at);

-- +goose Down
DROP TABLE content_keys;
