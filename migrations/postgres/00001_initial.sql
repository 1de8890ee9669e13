-- +goose Up

-- One row per accepted webhook event. The gateway generates id (a UUIDv7, kept
-- as text so the caller's spelling round-trips exactly); (source, event_id) is
-- the deduplication key and holds for as long as the row is kept.
CREATE TABLE receipts (
    id           text        PRIMARY KEY,
    source       text        NOT NULL,
    provider     text        NOT NULL,
    event_id     text        NOT NULL,
    event_type   text        NOT NULL DEFAULT '',
    status       text        NOT NULL DEFAULT 'verified'
        CHECK (status IN ('verified', 'queued', 'processing', 'retrying',
                          'completed', 'unhandled', 'dead')),
    content_type text        NOT NULL DEFAULT '',
    -- http.Header as a JSON object of arrays. json, not jsonb: it keeps the
    -- text as written and accepts every escape encoding/json produces (jsonb
    -- rejects \u0000), and nothing queries into it.
    headers      json        NOT NULL DEFAULT '{}',
    body         bytea       NOT NULL,
    received_at  timestamptz NOT NULL,
    queued_at    timestamptz,
    started_at   timestamptz,
    completed_at timestamptz,
    requeued_at  timestamptz,
    workflow_id  text        NOT NULL DEFAULT '',
    attempts     integer     NOT NULL DEFAULT 0,
    duplicates   integer     NOT NULL DEFAULT 0,
    last_error   text        NOT NULL DEFAULT '',
    CONSTRAINT receipts_source_event_id_key UNIQUE (source, event_id)
);

-- The relay's scan for receipts whose workflow has not started: small, because
-- a receipt leaves it within moments of arriving.
CREATE INDEX receipts_unstarted_idx ON receipts (received_at, id) WHERE status = 'verified';
-- Listing, newest first, with keyset pagination on (received_at, id).
CREATE INDEX receipts_received_idx ON receipts (received_at DESC, id DESC);
CREATE INDEX receipts_source_received_idx ON receipts (source, received_at DESC, id DESC);
CREATE INDEX receipts_status_received_idx ON receipts (status, received_at DESC, id DESC);
CREATE INDEX receipts_event_type_received_idx ON receipts (event_type, received_at DESC, id DESC);

-- One row per HTTP request to the ingest endpoint, whatever its outcome.
CREATE TABLE audit (
    id         text        PRIMARY KEY,
    at         timestamptz NOT NULL,
    source     text        NOT NULL,
    remote_ip  text        NOT NULL DEFAULT '',
    method     text        NOT NULL DEFAULT '',
    path       text        NOT NULL DEFAULT '',
    headers    json        NOT NULL DEFAULT '{}',
    body       bytea,
    body_size  bigint      NOT NULL DEFAULT 0,
    status     integer     NOT NULL,
    outcome    text        NOT NULL
        CHECK (outcome IN ('accepted', 'duplicate', 'rejected')),
    reason     text        NOT NULL DEFAULT '',
    -- Kept when a receipt is deleted (retention): the request still happened.
    receipt_id text        REFERENCES receipts (id) ON DELETE SET NULL,
    event_id   text        NOT NULL DEFAULT ''
);

CREATE INDEX audit_at_idx ON audit (at DESC, id DESC);
CREATE INDEX audit_source_at_idx ON audit (source, at DESC, id DESC);
CREATE INDEX audit_receipt_id_idx ON audit (receipt_id);
-- Rejections are the rows operators look for, and rare: a partial index costs
-- accepted requests nothing.
CREATE INDEX audit_rejected_at_idx ON audit (at DESC, id DESC) WHERE outcome = 'rejected';

-- One row per execution of one processing step.
CREATE TABLE attempts (
    receipt_id  text        NOT NULL REFERENCES receipts (id) ON DELETE CASCADE,
    step        text        NOT NULL,
    attempt     integer     NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    error       text        NOT NULL DEFAULT '',
    PRIMARY KEY (receipt_id, step, attempt)
);

CREATE INDEX attempts_receipt_started_idx ON attempts (receipt_id, started_at);

-- Normalized events derived from receipts; id is the deterministic message ID.
CREATE TABLE events (
    id           text        PRIMARY KEY,
    receipt_id   text        NOT NULL REFERENCES receipts (id) ON DELETE CASCADE,
    seq          integer     NOT NULL,
    type         text        NOT NULL,
    subject      text        NOT NULL DEFAULT '',
    time         timestamptz NOT NULL,
    -- The CloudEvents JSON exactly as published.
    envelope     bytea       NOT NULL,
    published_at timestamptz
);

CREATE INDEX events_receipt_seq_idx ON events (receipt_id, seq);
CREATE INDEX events_time_idx ON events (time DESC, id DESC);
CREATE INDEX events_type_time_idx ON events (type, time DESC, id DESC);

-- Operators' requests to process a receipt again.
CREATE TABLE replays (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    receipt_id text        NOT NULL REFERENCES receipts (id) ON DELETE CASCADE,
    at         timestamptz NOT NULL,
    actor      text        NOT NULL DEFAULT '',
    reason     text        NOT NULL DEFAULT ''
);

CREATE INDEX replays_receipt_at_idx ON replays (receipt_id, at);

-- +goose Down
DROP TABLE replays;
DROP TABLE events;
DROP TABLE attempts;
DROP TABLE audit;
DROP TABLE receipts;
