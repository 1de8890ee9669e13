-- +goose Up

-- The second deduplication key of sources whose scheme signs no checked
-- timestamp: the hash of a delivery's signed body, naming the event ID of the receipt that first had it and when it was
-- received. A later delivery with the same key within the source's
-- dedupe.window is a duplicate of that receipt whatever event ID its unsigned
-- headers carry. Retention deletes keys older than the longest window.
CREATE TABLE content_keys (
    source      text        NOT NULL,
    hash        text        NOT NULL,
    event_id    text        NOT NULL,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (source, hash)
);
CREATE INDEX content_keys_received_idx ON content_keys (received_at);

-- +goose Down
DROP TABLE content_keys;
