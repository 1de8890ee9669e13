package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

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
		w.add("at >= ?", us(f.Since))
	}
	q := `SELECT id, at, source, remote_ip, method, path, headers, body, body_size,
			status, outcome, reason, COALESCE(receipt_id, ''), event_id
		FROM audit` + w.String() + ` ORDER BY at DESC, id DESC LIMIT ?`
	rows, err := s.r.QueryContext(ctx, q, append(w.args, store.ClampLimit(f.Limit))...)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	defer rows.Close()
	var recs []store.AuditRecord
	for rows.Next() {
		var a store.AuditRecord
		var at int64
		var headers string
		if err := rows.Scan(&a.ID, &at, &a.Source, &a.RemoteIP, &a.Method, &a.Path, &headers, &a.Body,
			&a.BodySize, &a.Status, &a.Outcome, &a.Reason, &a.ReceiptID, &a.EventID); err != nil {
			return nil, fmt.Errorf("list audit: %w", err)
		}
		a.At = fromUS(at)
		if a.Header, err = headerjson.Decode([]byte(headers)); err != nil {
			return nil, fmt.Errorf("list audit: record %s: %w", a.ID, err)
		}
		recs = append(recs, a)
	}
	if err := rows.Err(); err != nil {
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
	err := s.inTx(ctx, func(tx *sql.Tx) error { return recordAttempt(ctx, tx, a) })
	if err != nil {
		return fmt.Errorf("record attempt of receipt %s: %w", a.ReceiptID, err)
	}
	return nil
}

// recordAttempt is RecordAttempt inside tx.
func recordAttempt(ctx context.Context, tx *sql.Tx, a store.Attempt) error {
	args := []any{a.ReceiptID, string(a.Step), a.Attempt, us(a.StartedAt), nullUS(a.FinishedAt), a.Error, a.Run}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO attempts (receipt_id, run, step, attempt, started_at, finished_at, error)
		SELECT ?1, ?7, ?2, ?3, ?4, ?5, ?6
		WHERE EXISTS (SELECT 1 FROM receipts WHERE id = ?1)
		ON CONFLICT (receipt_id, run, step, attempt) DO NOTHING`, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 1 {
		_, err := tx.ExecContext(ctx, `UPDATE receipts SET attempts = attempts + 1 WHERE id = ?`, a.ReceiptID)
		return err
	}
	res, err = tx.ExecContext(ctx, `UPDATE attempts SET started_at = ?4, finished_at = ?5, error = ?6
		WHERE receipt_id = ?1 AND run = ?7 AND step = ?2 AND attempt = ?3`, args...)
	if err != nil {
		return err
	}
	return mustAffect(res, "attempt")
}

// RecordStep records one attempt of a step in one transaction (see
// store.StepRecord) and returns the status changes it skipped because the
// receipt had moved past them. On error nothing is recorded.
func (s *Store) RecordStep(ctx context.Context, r store.StepRecord) ([]store.Transition, error) {
	var skipped []store.Transition
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		skipped = skipped[:0]
		if err := saveEvents(ctx, tx, r.Events); err != nil {
			return err
		}
		if err := markPublished(ctx, tx, r.Published, r.PublishedAt); err != nil {
			return err
		}
		if err := recordAttempt(ctx, tx, r.Attempt); err != nil {
			return fmt.Errorf("attempt: %w", err)
		}
		for _, tr := range r.Transitions {
			err := transition(ctx, tx, tr)
			if errors.Is(err, store.ErrConflict) {
				skipped = append(skipped, tr)
				continue
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("record step %s of receipt %s: %w", r.Attempt.Step, r.Attempt.ReceiptID, err)
	}
	return skipped, nil
}

// Attempts returns a receipt's attempts ordered by start time (none for an
// unknown receipt).
func (s *Store) Attempts(ctx context.Context, receiptID string) ([]store.Attempt, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT receipt_id, run, step, attempt, started_at, finished_at, error
		FROM attempts WHERE receipt_id = ? ORDER BY run, started_at, step, attempt`, receiptID)
	if err != nil {
		return nil, fmt.Errorf("attempts of receipt %s: %w", receiptID, err)
	}
	defer rows.Close()
	var as []store.Attempt
	for rows.Next() {
		var a store.Attempt
		var started int64
		var finished sql.NullInt64
		if err := rows.Scan(&a.ReceiptID, &a.Run, &a.Step, &a.Attempt, &started, &finished, &a.Error); err != nil {
			return nil, fmt.Errorf("attempts of receipt %s: %w", receiptID, err)
		}
		a.StartedAt, a.FinishedAt = fromUS(started), fromNullUS(finished)
		as = append(as, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("attempts of receipt %s: %w", receiptID, err)
	}
	return as, nil
}

// SaveEvents stores normalized events in one transaction. An event whose ID is
// already stored is kept as it is (a retried Handle activity derives the same
// IDs). An event of an unknown receipt fails the call with an error wrapping
// store.ErrNotFound, and nothing is stored.
func (s *Store) SaveEvents(ctx context.Context, es []store.Event) error {
	if len(es) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error { return saveEvents(ctx, tx, es) })
	if err != nil {
		return fmt.Errorf("save events: %w", err)
	}
	return nil
}

// saveEvents is SaveEvents inside tx.
func saveEvents(ctx context.Context, tx *sql.Tx, es []store.Event) error {
	if len(es) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO events
			(id, receipt_id, seq, type, subject, time, envelope, published_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, e := range es {
		_, err := stmt.ExecContext(ctx, e.ID, e.ReceiptID, e.Seq, e.Type, e.Subject, us(e.Time),
			nonNil(e.Envelope), nullUS(e.PublishedAt))
		if isForeignKeyViolation(err) {
			return fmt.Errorf("receipt %s: %w", e.ReceiptID, store.ErrNotFound)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// MarkPublished records that the broker confirmed the events. The first
// confirmation's time is kept; IDs not stored are ignored.
func (s *Store) MarkPublished(ctx context.Context, ids []string, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error { return markPublished(ctx, tx, ids, at) })
	if err != nil {
		return fmt.Errorf("mark events published: %w", err)
	}
	return nil
}

// markPublished is MarkPublished inside tx.
func markPublished(ctx context.Context, tx *sql.Tx, ids []string, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `UPDATE events SET published_at = ?
		WHERE id = ? AND published_at IS NULL`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, id := range ids {
		if _, err := stmt.ExecContext(ctx, us(at), id); err != nil {
			return err
		}
	}
	return nil
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
		w.add("time >= ?", us(f.Since))
	}
	return s.events(ctx, "list events", w.String()+` ORDER BY time DESC, id DESC LIMIT ?`,
		append(w.args, store.ClampLimit(f.Limit))...)
}

// ReceiptEvents returns every event of a receipt in the order its handler
// produced them (Seq ascending), however many there are.
func (s *Store) ReceiptEvents(ctx context.Context, receiptID string) ([]store.Event, error) {
	return s.events(ctx, "receipt events", ` WHERE receipt_id = ? ORDER BY seq`, receiptID)
}

// events runs the events query whose WHERE, ORDER and LIMIT clauses are tail.
func (s *Store) events(ctx context.Context, what, tail string, args ...any) ([]store.Event, error) {
	q := `SELECT id, receipt_id, seq, type, subject, time, envelope, published_at FROM events` + tail
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var es []store.Event
	for rows.Next() {
		var e store.Event
		var t int64
		var published sql.NullInt64
		if err := rows.Scan(&e.ID, &e.ReceiptID, &e.Seq, &e.Type, &e.Subject, &t, &e.Envelope, &published); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		e.Time, e.PublishedAt = fromUS(t), fromNullUS(published)
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return es, nil
}

// RecordReplay records an operator's replay request. An unknown receipt wraps
// store.ErrNotFound.
func (s *Store) RecordReplay(ctx context.Context, r store.Replay) error {
	res, err := s.w.ExecContext(ctx, `INSERT INTO replays (receipt_id, at, actor, reason)
		SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM receipts WHERE id = ?1)`,
		r.ReceiptID, us(r.At), r.Actor, r.Reason)
	if err != nil {
		return fmt.Errorf("record replay of receipt %s: %w", r.ReceiptID, err)
	}
	return mustAffect(res, "record replay of receipt "+r.ReceiptID)
}

// Replays returns a receipt's replay requests, oldest first (none for an
// unknown receipt).
func (s *Store) Replays(ctx context.Context, receiptID string) ([]store.Replay, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT receipt_id, at, actor, reason FROM replays
		WHERE receipt_id = ? ORDER BY at, id`, receiptID)
	if err != nil {
		return nil, fmt.Errorf("replays of receipt %s: %w", receiptID, err)
	}
	defer rows.Close()
	var rs []store.Replay
	for rows.Next() {
		var r store.Replay
		var at int64
		if err := rows.Scan(&r.ReceiptID, &at, &r.Actor, &r.Reason); err != nil {
			return nil, fmt.Errorf("replays of receipt %s: %w", receiptID, err)
		}
		r.At = fromUS(at)
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("replays of receipt %s: %w", receiptID, err)
	}
	return rs, nil
}
