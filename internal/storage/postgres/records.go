package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hookgate/hookgate/internal/storage/internal/headerjson"
	"github.com/hookgate/hookgate/store"
)

// ListAudit returns audit records, newest first (time, then ID, descending).
// An unknown outcome wraps store.ErrInvalid.
func (s *Store) ListAudit(ctx context.Context, f store.AuditFilter) ([]store.AuditRecord, error) {
	var w where
	if f.Source != "" {
		w.add("source = ?", f.Source)
	}
	if f.Outcome != "" {
		if !validOutcome(f.Outcome) {
			return nil, fmt.Errorf("list audit: outcome %q: %w", f.Outcome, store.ErrInvalid)
		}
		w.add("outcome = ?", string(f.Outcome))
	}
	if !f.Since.IsZero() {
		w.add("at >= ?", ts(f.Since))
	}
	q := `SELECT id, at, source, remote_ip, method, path, headers::text, body, body_size,
			status, outcome, reason, COALESCE(receipt_id, ''), event_id
		FROM audit` + w.String() + ` ORDER BY at DESC, id DESC LIMIT ` + w.arg(store.ClampLimit(f.Limit))
	rows, err := s.pool.Query(ctx, q, w.args...)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	recs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.AuditRecord, error) {
		var a store.AuditRecord
		var headers []byte
		err := row.Scan(&a.ID, &a.At, &a.Source, &a.RemoteIP, &a.Method, &a.Path, &headers, &a.Body,
			&a.BodySize, &a.Status, &a.Outcome, &a.Reason, &a.ReceiptID, &a.EventID)
		if err != nil {
			return a, err
		}
		a.At = a.At.UTC()
		a.Header, err = headerjson.Decode(headers)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	return recs, nil
}

func validOutcome(o store.Outcome) bool {
	return o == store.OutcomeAccepted || o == store.OutcomeDuplicate || o == store.OutcomeRejected
}

// RecordAttempt records one execution of a processing step and counts it on the
// receipt. Recording the same (receipt, run, step, attempt) again updates its times
// and error without counting it twice, so an activity retried after the write
// is harmless. An unknown receipt wraps store.ErrNotFound.
func (s *Store) RecordAttempt(ctx context.Context, a store.Attempt) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return recordAttempt(ctx, tx, a) })
	if err != nil {
		return fmt.Errorf("record attempt of receipt %s: %w", a.ReceiptID, err)
	}
	return nil
}

func attemptArgs(a store.Attempt) []any {
	return []any{a.ReceiptID, string(a.Step), a.Attempt, ts(a.StartedAt), nullTS(a.FinishedAt), a.Error, a.Run}
}

// recordAttempt is RecordAttempt inside tx: stepSQL without status changes
// (a new attempt is inserted and counted on its receipt; one already recorded,
// a retried recording, gets its times and error updated).
func recordAttempt(ctx context.Context, tx pgx.Tx, a store.Attempt) error {
	q, args := stepSQL(a, nil)
	var n int
	err := tx.QueryRow(ctx, q, args...).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && n == 0) {
		return store.ErrNotFound
	}
	return err
}

// Attempts returns a receipt's attempts ordered by start time (none for an
// unknown receipt).
func (s *Store) Attempts(ctx context.Context, receiptID string) ([]store.Attempt, error) {
	rows, err := s.pool.Query(ctx, `SELECT receipt_id, run, step, attempt, started_at, finished_at, error
		FROM attempts WHERE receipt_id = $1 ORDER BY run, started_at, step, attempt`, receiptID)
	if err != nil {
		return nil, fmt.Errorf("attempts of receipt %s: %w", receiptID, err)
	}
	as, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Attempt, error) {
		var a store.Attempt
		var finished *time.Time
		err := row.Scan(&a.ReceiptID, &a.Run, &a.Step, &a.Attempt, &a.StartedAt, &finished, &a.Error)
		a.StartedAt, a.FinishedAt = a.StartedAt.UTC(), fromNull(finished)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("attempts of receipt %s: %w", receiptID, err)
	}
	return as, nil
}

// SaveEvents stores normalized events in one statement. An event whose ID is
// already stored is kept as it is (a retried Handle activity derives the same
// IDs). An event of an unknown receipt fails the call with an error wrapping
// store.ErrNotFound, and nothing is stored.
func (s *Store) SaveEvents(ctx context.Context, es []store.Event) error {
	return saveEvents(ctx, s.pool, es)
}

// saveEventsSQL inserts events from arrays (eventArgs); a stored ID is kept.
const saveEventsSQL = `
	INSERT INTO events (id, receipt_id, seq, type, subject, time, envelope, published_at)
	SELECT * FROM unnest($1::text[], $2::text[], $3::int4[], $4::text[], $5::text[],
	                     $6::timestamptz[], $7::bytea[], $8::timestamptz[])
	ON CONFLICT (id) DO NOTHING`

// eventArgs are saveEventsSQL's arrays.
func eventArgs(es []store.Event) []any {
	n := len(es)
	ids, receipts, types, subjects := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	seqs, times, envelopes, published := make([]int32, n), make([]time.Time, n), make([][]byte, n), make([]*time.Time, n)
	for i, e := range es {
		ids[i], receipts[i], seqs[i], types[i], subjects[i] = e.ID, e.ReceiptID, int32(e.Seq), e.Type, e.Subject
		times[i], envelopes[i] = ts(e.Time), nonNil(e.Envelope)
		if !e.PublishedAt.IsZero() {
			p := ts(e.PublishedAt)
			published[i] = &p
		}
	}
	return []any{ids, receipts, seqs, types, subjects, times, envelopes, published}
}

// saveEvents is SaveEvents through q (the pool or a transaction).
func saveEvents(ctx context.Context, q dbtx, es []store.Event) error {
	if len(es) == 0 {
		return nil
	}
	_, err := q.Exec(ctx, saveEventsSQL, eventArgs(es)...)
	if isForeignKeyViolation(err) {
		return fmt.Errorf("save events: receipt: %w", store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("save events: %w", err)
	}
	return nil
}

// MarkPublished records that the broker confirmed the events. The first
// confirmation's time is kept; IDs not stored are ignored.
func (s *Store) MarkPublished(ctx context.Context, ids []string, at time.Time) error {
	return markPublished(ctx, s.pool, ids, at)
}

// markPublishedSQL marks events published, keeping a first confirmation.
const markPublishedSQL = `UPDATE events SET published_at = $2
	WHERE id = ANY($1::text[]) AND published_at IS NULL`

// markPublished is MarkPublished through q.
func markPublished(ctx context.Context, q dbtx, ids []string, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := q.Exec(ctx, markPublishedSQL, ids, ts(at)); err != nil {
		return fmt.Errorf("mark events published: %w", err)
	}
	return nil
}

// dbtx is what the pool and a transaction share: statements written once
// run alone or as part of RecordStep.
type dbtx interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Events returns stored events, newest first (time, then ID, descending).
func (s *Store) Events(ctx context.Context, f store.EventFilter) ([]store.Event, error) {
	var w where
	if f.ReceiptID != "" {
		w.add("receipt_id = ?", f.ReceiptID)
	}
	if f.Type != "" {
		w.add("type = ?", f.Type)
	}
	if !f.Since.IsZero() {
		w.add("time >= ?", ts(f.Since))
	}
	tail := w.String() + ` ORDER BY time DESC, id DESC LIMIT ` + w.arg(store.ClampLimit(f.Limit))
	return s.events(ctx, "list events", tail, w.args...)
}

// ReceiptEvents returns every event of a receipt in the order its handler
// produced them (Seq ascending), however many there are.
func (s *Store) ReceiptEvents(ctx context.Context, receiptID string) ([]store.Event, error) {
	return s.events(ctx, "receipt events", ` WHERE receipt_id = $1 ORDER BY seq`, receiptID)
}

// events runs the events query whose WHERE, ORDER and LIMIT clauses are tail.
func (s *Store) events(ctx context.Context, what, tail string, args ...any) ([]store.Event, error) {
	q := `SELECT id, receipt_id, seq, type, subject, time, envelope, published_at FROM events` + tail
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	es, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Event, error) {
		var e store.Event
		var published *time.Time
		err := row.Scan(&e.ID, &e.ReceiptID, &e.Seq, &e.Type, &e.Subject, &e.Time, &e.Envelope, &published)
		e.Time, e.PublishedAt = e.Time.UTC(), fromNull(published)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return es, nil
}

// RecordReplay records an operator's replay request. An unknown receipt wraps
// store.ErrNotFound.
func (s *Store) RecordReplay(ctx context.Context, r store.Replay) error {
	tag, err := s.pool.Exec(ctx, `INSERT INTO replays (receipt_id, at, actor, reason)
		SELECT $1::text, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM receipts WHERE id = $1::text)`,
		r.ReceiptID, ts(r.At), r.Actor, r.Reason)
	if err != nil {
		return fmt.Errorf("record replay of receipt %s: %w", r.ReceiptID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("record replay of receipt %s: %w", r.ReceiptID, store.ErrNotFound)
	}
	return nil
}

// Replays returns a receipt's replay requests, oldest first (none for an
// unknown receipt).
func (s *Store) Replays(ctx context.Context, receiptID string) ([]store.Replay, error) {
	rows, err := s.pool.Query(ctx, `SELECT receipt_id, at, actor, reason FROM replays
		WHERE receipt_id = $1 ORDER BY at, id`, receiptID)
	if err != nil {
		return nil, fmt.Errorf("replays of receipt %s: %w", receiptID, err)
	}
	rs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Replay, error) {
		var r store.Replay
		err := row.Scan(&r.ReceiptID, &r.At, &r.Actor, &r.Reason)
		r.At = r.At.UTC()
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("replays of receipt %s: %w", receiptID, err)
	}
	return rs, nil
}
