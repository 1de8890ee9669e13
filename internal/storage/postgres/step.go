package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/hookgate/hookgate/store"
)

// RecordStep records one attempt of a step in one transaction (see
// store.StepRecord) and returns the status changes it skipped because the
// receipt had moved past them. On error nothing is recorded.
//
// Its statements reach the server as one pipeline (three round trips with
// BEGIN and COMMIT), and the attempt and every status change are a single
// statement (stepSQL), so the receipt gets one new row version per step,
// not one per change: status is indexed, so no update of a receipt is HOT,
// and each version adds an entry to each of its indexes.
func (s *Store) RecordStep(ctx context.Context, r store.StepRecord) ([]store.Transition, error) {
	for _, tr := range r.Transitions {
		if !tr.To.Valid() {
			return nil, fmt.Errorf("record step %s of receipt %s: transition to %q: %w", r.Attempt.Step, r.Attempt.ReceiptID, tr.To, store.ErrInvalid)
		}
	}
	var skipped []store.Transition
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		skipped = skipped[:0]
		var b pgx.Batch
		if len(r.Events) > 0 {
			b.Queue(saveEventsSQL, eventArgs(r.Events)...)
		}
		if len(r.Published) > 0 {
			b.Queue(markPublishedSQL, r.Published, ts(r.PublishedAt))
		}
		q, args := stepSQL(r.Attempt, r.Transitions)
		b.Queue(q, args...)
		br := tx.SendBatch(ctx, &b)
		moved, err := readStep(br, r)
		if cerr := br.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if isForeignKeyViolation(err) {
			return fmt.Errorf("save events: receipt: %w", store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		for i, tr := range r.Transitions {
			if !moved[i] {
				skipped = append(skipped, tr)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("record step %s of receipt %s: %w", r.Attempt.Step, r.Attempt.ReceiptID, err)
	}
	return skipped, nil
}

// readStep reads RecordStep's batch results in the order it queued them and
// reports which status changes changed the receipt.
func readStep(br pgx.BatchResults, r store.StepRecord) ([]bool, error) {
	if len(r.Events) > 0 {
		if _, err := br.Exec(); err != nil {
			return nil, err
		}
	}
	if len(r.Published) > 0 {
		if _, err := br.Exec(); err != nil {
			return nil, fmt.Errorf("mark events published: %w", err)
		}
	}
	var written int
	moved := make([]bool, len(r.Transitions))
	dest := []any{&written}
	for i := range moved {
		dest = append(dest, &moved[i])
	}
	err := br.QueryRow().Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("attempt: %w", store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("attempt: %w", err)
	}
	if written == 0 {
		return nil, fmt.Errorf("attempt: %w", store.ErrNotFound)
	}
	return moved, nil
}

// stepSQL is the statement that records attempt a (recordAttemptSQL's
// insert or update) and applies the status changes trs to its receipt in
// order, each only when the receipt's status (after the previous ones)
// allows it, with Transition's timestamps and error (transitionArgs), in one
// UPDATE of the receipt that also counts a new attempt. Its one row holds
// the attempt rows written and, per change, whether it applied; no row when
// the receipt does not exist.
func stepSQL(a store.Attempt, trs []store.Transition) (string, []any) {
	args := attemptArgs(a) // $1 receipt, $2 step, $3 attempt, $4 started, $5 finished, $6 error, $7 run
	var sb strings.Builder
	sb.WriteString(`WITH a AS (
  INSERT INTO attempts (receipt_id, run, step, attempt, started_at, finished_at, error)
  SELECT $1::text, $7, $2, $3, $4, $5, $6
  WHERE EXISTS (SELECT 1 FROM receipts WHERE id = $1::text)
  ON CONFLICT (receipt_id, run, step, attempt) DO UPDATE
    SET started_at = excluded.started_at, finished_at = excluded.finished_at, error = excluded.error
  RETURNING (xmax = 0) AS inserted
), r0 AS (
  SELECT status AS s, started_at AS st, completed_at AS ct, last_error AS le
  FROM receipts WHERE id = $1::text FOR UPDATE
)`)
	var moved []string
	for i, tr := range trs {
		started, completed, lastError := transitionArgs(tr)
		from := []string{string(tr.To)}
		for _, f := range tr.To.From() {
			from = append(from, string(f))
		}
		n := len(args)
		args = append(args, string(tr.To), started, completed, lastError, from)
		m := fmt.Sprintf("m%d", i+1)
		keep := ""
		for _, prev := range moved {
			keep += "p." + prev + ", "
		}
		fmt.Fprintf(&sb, `, r%[1]d AS (
  SELECT CASE WHEN p.%[2]s THEN $%[3]d::text ELSE p.s END AS s,
         CASE WHEN p.%[2]s THEN COALESCE(p.st, $%[4]d::timestamptz) ELSE p.st END AS st,
         CASE WHEN p.%[2]s THEN COALESCE($%[5]d::timestamptz, p.ct) ELSE p.ct END AS ct,
         CASE WHEN p.%[2]s THEN COALESCE($%[6]d::text, p.le) ELSE p.le END AS le,
         %[8]sp.%[2]s
  FROM (SELECT q.*, q.s = ANY($%[7]d::text[]) AS %[2]s FROM r%[9]d q) p
)`, i+1, m, n+1, n+2, n+3, n+4, n+5, keep, i)
		moved = append(moved, m)
	}
	fmt.Fprintf(&sb, `
UPDATE receipts SET attempts = attempts + (SELECT count(*) FROM a WHERE inserted),
       status = f.s, started_at = f.st, completed_at = f.ct, last_error = f.le
FROM r%d f WHERE receipts.id = $1::text
RETURNING (SELECT count(*) FROM a)`, len(trs))
	for _, m := range moved {
		sb.WriteString(", f." + m)
	}
	return sb.String(), args
}
