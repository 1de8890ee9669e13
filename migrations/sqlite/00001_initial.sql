-- +goose Up

-- Times are INTEGER microseconds since the Unix epoch, UTC: exact at the
-- precision the Postgres store keeps, and they sort right. NULL means "not yet".

-- One row per accepted webhook event. The gateway generates id (a UUIDv7);
-- (source, event_id) is the deduplication key.
CREATE TABLE receipts (
    id           TEXT    NOT NULL PRIMARY KEY,
    source       TEXT    NOT NULL,
    provider     TEXT    NOT NULL,
    event_id     TEXT    NOT NULL,
    event_type   TEXT    NOT NULL DEFAULT '',
    status       TEXT    NOT NULL DEFAULT 'verified'
        CHECK (status IN ('verified', 'queued', 'processing', 'retrying',
                          'completed', 'unhandled', 'dead')),
    content_type TEXT    NOT NULL DEFAULT '',
    -- http.Header as a JSON object of arrays.
    headers      TEXT    NOT NULL DEFAULT '{}',
    body         BLOB    NOT NULL,
    received_at  INTEGER NOT NULL,
    queued_at    INTEGER,
    started_at   INTEGER,
    completed_at INTEGER,
    requeued_at  INTEGER,
    workflow_id  TEXT    NOT NULL DEFAULT '',
    attempts     INTEGER NOT NULL DEFAULT 0,
    duplicates   INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT    NOT NULL DEFAULT '',
    UNIQUE (source, event_id)
);

-- The relay's scan for receipts whose workflow has not started.
CREATE INDEX receipts_unstarted_idx ON receipts (received_at, id) WHERE status = 'verified';
-- Listing, newest first, with keyset pagination on (received_at, id).
CREATE INDEX receipts_received_idx ON receipts (received_at DESC, id DESC);
CREATE INDEX receipts_source_received_idx ON receipts (source, received_at DESC, id DESC);
CREATE INDEX receipts_status_received_idx ON receipts (status, received_at DESC, id DESC);
CREATE INDEX receipts_event_type_received_idx ON receipts (event_type, received_at DESC, id DESC);

-- One row per HTTP request to the ingest endpoint, whatever its outcome.
CREATE TABLE audit (
    id         TEXT    NOT NULL PRIMARY KEY,
    at         INTEGER NOT NULL,
    source     TEXT    NOT NULL,
    remote_ip  TEXT    NOT NULL DEFAULT '',
    method     TEXT    NOT NULL DEFAULT '',
    path       TEXT    NOT NULL DEFAULT '',
    headers    TEXT    NOT NULL DEFAULT '{}',
    body       BLOB,
    body_size  INTEGER NOT NULL DEFAULT 0,
    status     INTEGER NOT NULL,
    outcome    TEXT    NOT NULL
        CHECK (outcome IN ('accepted', 'duplicate', 'rejected')),
    reason     TEXT    NOT NULL DEFAULT '',
    -- Kept when a receipt is deleted (retention): the request still happened.
    receipt_id TEXT    REFERENCES receipts (id) ON DELETE SET NULL,
    event_id   TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX audit_at_idx ON audit (at DESC, id DESC);
CREATE INDEX audit_source_at_idx ON audit (source, at DESC, id DESC);
CREATE INDEX audit_receipt_id_idx ON audit (receipt_id);
-- Rejections are the rows operators look for, and rare: a partial index costs
-- accepted requests nothing.
CREATE INDEX audit_rejected_at_idx ON audit (at DESC, id DESC) WHERE outcome = 'rejected';

-- One row per execution of one processing step.
CREATE TABLE attempts (
    receipt_id  TEXT    NOT NULL REFERENCES receipts (id) ON DELETE CASCADE,
    step        TEXT    NOT NULL,
    attempt     INTEGER NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    error       TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (receipt_id, step, attempt)
);

CREATE INDEX attempts_receipt_started_idx ON attempts (receipt_id, started_at);

-- Normalized events derived from receipts; id is the deterministic message ID.
CREATE TABLE events (
    id           TEXT    NOT NULL PRIMARY KEY,
    receipt_id   TEXT    NOT NULL REFERENCES receipts (id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    type         TEXT    NOT NULL,
    subject      TEXT    NOT NULL DEFAULT '',
    time         INTEGER NOT NULL,
    -- The CloudEvents JSON exactly as published.
    envelope     BLOB    NOT NULL,
    published_at INTEGER
);

CREATE INDEX events_receipt_seq_idx ON events (receipt_id, seq);
CREATE INDEX events_time_idx ON events (time DESC, id DESC);
CREATE INDEX events_type_time_idx ON events (type, time DESC, id DESC);

-- Operators' requests to process a receipt again.
CREATE TABLE replays (
    id         INTEGER NOT NULL PRIMARY KEY,
    receipt_id TEXT    NOT NULL REFERENCES receipts (id) ON DELETE CASCADE,
    at         INTEGER NOT NULL,
    actor      TEXT    NOT NULL DEFAULT '',
    reason     TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX replays_receipt_at_idx ON replays (receipt_id, at);

-- +goose Down
DROP TABLE replays;
DROP TABLE events;
DROP TABLE attempts;
DROP TABLE audit;
DROP TABLE receipts;
