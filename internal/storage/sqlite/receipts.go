package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hookgate/hookgate/internal/storage/internal/headerjson"
	"github.com/hookgate/hookgate/internal/storage/internal/keyset"
	"github.com/hookgate/hookgate/internal/storage/internal/refrow"
	"github.com/hookgate/hookgate/store"
)

// selectReceipt are the columns scanReceipt reads, body last so that listings
// can leave it out.
const selectReceipt = `SELECT id, source, provider, event_id, event_type, status, content_type,
	headers, received_at, queued_at, started_at, completed_at,
	workflow_id, attempts, duplicates, last_error, COALESCE(traceparent, ''), generation`

type scanner interface{ Scan(dest ...any) error }

// scanReceipt scans selectReceipt's columns (and body, when withBody).
func scanReceipt(row scanner, withBody bool) (store.Receipt, error) {
	var (
		r                          store.Receipt
		headers                    string
		received                   int64
		queued, started, completed sql.NullInt64
	)
	dest := []any{&r.ID, &r.Source, &r.Provider, &r.EventID, &r.EventType, &r.Status, &r.ContentType,
		&headers, &received, &queued, &started, &completed,
		&r.WorkflowID, &r.Attempts, &r.Duplicates, &r.LastError, &r.TraceParent, &r.Generation}
	if withBody {
		dest = append(dest, &r.Body)
	}
	if err := row.Scan(dest...); err != nil {
		return store.Receipt{}, err
	}
	h, err := headerjson.Decode([]byte(headers))
	if err != nil {
		return store.Receipt{}, fmt.Errorf("receipt %s: %w", r.ID, err)
	}
	r.Header = h
	r.ReceivedAt = fromUS(received)
	r.QueuedAt, r.StartedAt, r.CompletedAt = fromNullUS(queued), fromNullUS(started), fromNullUS(completed)
	if withBody && r.Body == nil {
		r.Body = []byte{}
	}
	return r, nil
}

// Receipt returns the receipt with its body, or an error wrapping
// store.ErrNotFound.
func (s *Store) Receipt(ctx context.Context, id string) (store.Receipt, error) {
	row := s.r.QueryRowContext(ctx, selectReceipt+`, body FROM receipts WHERE id = ?`, id)
	r, err := scanReceipt(row, true)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Receipt{}, fmt.Errorf("receipt %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.Receipt{}, fmt.Errorf("load receipt %s: %w", id, err)
	}
	return r, nil
}

// ReceiptByEvent returns the receipt of (source, eventID) with its body, or an
// error wrapping store.ErrNotFound.
func (s *Store) ReceiptByEvent(ctx context.Context, source, eventID string) (store.Receipt, error) {
	row := s.r.QueryRowContext(ctx, selectReceipt+`, body FROM receipts
		WHERE source = ? AND event_id = ?`, source, eventID)
	r, err := scanReceipt(row, true)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Receipt{}, fmt.Errorf("receipt of %s event %s: %w", source, eventID, store.ErrNotFound)
	}
	if err != nil {
		return store.Receipt{}, fmt.Errorf("load receipt of %s event %s: %w", source, eventID, err)
	}
	return r, nil
}

// Unstarted returns receipts still in status verified that were received before
// before, oldest first: the relay's backlog of workflows to start. limit is
// clamped like a list limit (store.ClampLimit).
func (s *Store) Unstarted(ctx context.Context, before time.Time, limit int) ([]store.Ref, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+refrow.Columns+` FROM receipts
		WHERE status = 'verified' AND received_at < ?
		ORDER BY received_at, id LIMIT ?`, us(before), store.ClampLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("unstarted receipts: %w", err)
	}
	defer rows.Close()
	var refs []store.Ref
	for rows.Next() {
		var r store.Ref
		if err := rows.Scan(refrow.Dest(&r)...); err != nil {
			return nil, fmt.Errorf("unstarted receipts: %w", err)
		}
		refs = append(refs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("unstarted receipts: %w", err)
	}
	return refs, nil
}

// Unfinished returns receipts whose workflow has started (queued, processing
// or retrying) and that were queued before before, oldest first: the
// reconciler checks that each still has an open run. limit is clamped like a
// list limit (store.ClampLimit).
func (s *Store) Unfinished(ctx context.Context, before time.Time, limit int) ([]store.Ref, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+refrow.Columns+` FROM receipts
		WHERE status IN ('queued', 'processing', 'retrying') AND queued_at < ?
		ORDER BY queued_at, id LIMIT ?`, us(before), store.ClampLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("unfinished receipts: %w", err)
	}
	defer rows.Close()
	var refs []store.Ref
	for rows.Next() {
		var r store.Ref
		if err := rows.Scan(refrow.Dest(&r)...); err != nil {
			return nil, fmt.Errorf("unfinished receipts: %w", err)
		}
		refs = append(refs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("unfinished receipts: %w", err)
	}
	return refs, nil
}

// Claim returns receipts still in status verified that were received before
// before and that no relay has claimed (or whose claim has expired), oldest
// first, and claims them for lease, in one statement: the relays of several
// processes do not start the same receipts. A failed start leaves its claim
// to expire. limit is clamped like a list limit (store.ClampLimit).
func (s *Store) Claim(ctx context.Context, before time.Time, limit int, lease time.Duration) ([]store.Ref, error) {
	now := time.Now()
	rows, err := s.w.QueryContext(ctx, `UPDATE receipts SET claimed_until = ?1
		WHERE id IN (SELECT id FROM receipts
			WHERE status = 'verified' AND received_at < ?2 AND (claimed_until IS NULL OR claimed_until < ?3)
			ORDER BY received_at, id LIMIT ?4)
		RETURNING `+refrow.Columns+`, received_at`,
		us(now.Add(lease)), us(before), us(now), store.ClampLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("claim receipts: %w", err)
	}
	defer rows.Close()
	type claimed struct {
		ref      store.Ref
		received int64
	}
	var cs []claimed
	for rows.Next() {
		var c claimed
		if err := rows.Scan(append(refrow.Dest(&c.ref), &c.received)...); err != nil {
			return nil, fmt.Errorf("claim receipts: %w", err)
		}
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim receipts: %w", err)
	}
	// RETURNING has no order: oldest first, as Unstarted.
	slices.SortFunc(cs, func(a, b claimed) int {
		return cmp.Or(cmp.Compare(a.received, b.received), cmp.Compare(a.ref.ID, b.ref.ID))
	})
	refs := make([]store.Ref, len(cs))
	for i, c := range cs {
		refs[i] = c.ref
	}
	return refs, nil
}

// MarkQueued records that the receipts' workflows have started. Status moves
// from verified to queued and never back from a later status (the workflow may
// already be running when the relay gets here). The first call's workflow ID
// and time are kept, so retries change nothing. Unknown receipts are ignored.
func (s *Store) MarkQueued(ctx context.Context, qs []store.Queued) error {
	if len(qs) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `UPDATE receipts SET
				status = CASE WHEN status = 'verified' THEN 'queued' ELSE status END,
				workflow_id = CASE WHEN queued_at IS NULL THEN ?2 ELSE workflow_id END,
				queued_at = COALESCE(queued_at, ?3)
			WHERE id = ?1 AND (status = 'verified' OR queued_at IS NULL)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, q := range qs {
			if _, err := stmt.ExecContext(ctx, q.ReceiptID, q.WorkflowID, us(q.At)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mark queued: %w", err)
	}
	return nil
}

// transitionArgs turns a transition into the values its UPDATE sets, NULL
// meaning "keep": processing sets started_at only when still unset, a terminal
// status sets completed_at, a non-empty error replaces last_error, and
// completed replaces it even when empty (clearing it).
func transitionArgs(tr store.Transition) (started, completed, lastError any) {
	if tr.To == store.StatusProcessing {
		started = us(tr.At)
	}
	if tr.To.Terminal() {
		completed = us(tr.At)
	}
	if tr.Error != "" || tr.To == store.StatusCompleted {
		lastError = tr.Error
	}
	return started, completed, lastError
}

// Transition changes a receipt's status (see transitionArgs for the timestamps
// and error it sets). An unknown status wraps store.ErrInvalid, an unknown
// receipt store.ErrNotFound.
func (s *Store) Transition(ctx context.Context, tr store.Transition) error {
	return transition(ctx, s.w, tr)
}

// transition is Transition through q (the writer or a transaction on it).
func transition(ctx context.Context, q dbtx, tr store.Transition) error {
	if !tr.To.Valid() {
		return fmt.Errorf("transition receipt %s to %q: %w", tr.ReceiptID, tr.To, store.ErrInvalid)
	}
	started, completed, lastError := transitionArgs(tr)
	from := `'` + string(tr.To) + `'` // statuses are constants: no injection
	for _, f := range tr.To.From() {
		from += `, '` + string(f) + `'`
	}
	res, err := q.ExecContext(ctx, `UPDATE receipts SET
			status = ?2,
			started_at = COALESCE(started_at, ?3),
			completed_at = COALESCE(?4, completed_at),
			last_error = COALESCE(?5, last_error)
		WHERE id = ?1 AND status IN (`+from+`)`, tr.ReceiptID, string(tr.To), started, completed, lastError)
	what := fmt.Sprintf("transition receipt %s to %s", tr.ReceiptID, tr.To)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	} else if n == 0 {
		return refusal(ctx, q, tr.ReceiptID, what)
	}
	return nil
}

// refusal is the error of a status change that changed no row: the receipt
// is unknown (store.ErrNotFound) or in a status the change is not allowed
// from (store.ErrConflict).
func refusal(ctx context.Context, q dbtx, receiptID, what string) error {
	var status store.Status
	switch err := q.QueryRowContext(ctx, `SELECT status FROM receipts WHERE id = ?`, receiptID).Scan(&status); {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("%s: %w", what, err)
	}
	return store.Refused(what, status)
}

// dbtx is what the writer and a transaction on it share: statements written
// once run alone or as part of RecordStep (the writer has one connection, so
// a transaction's statements must go through the transaction).
type dbtx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// mustAffect turns "no row changed" into an error wrapping store.ErrNotFound.
func mustAffect(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return nil
}

// Requeue puts a receipt whose run has ended (completed, unhandled or dead)
// back to verified for a replay, as the next generation, and returns that
// generation: the relay starts its workflow again. Queue, start and completion
// times and the last error are cleared; attempts, duplicates and the workflow
// ID are kept. at is recorded as the receipt's requeued_at. A receipt whose
// run has not ended wraps store.ErrConflict, an unknown one store.ErrNotFound;
// the check and the change are one statement.
func (s *Store) Requeue(ctx context.Context, receiptID string, at time.Time, mode store.ReplayMode) (int, error) {
	if !mode.Valid() {
		return 0, fmt.Errorf("requeue receipt %s: replay mode %q: %w", receiptID, mode, store.ErrInvalid)
	}
	var gen int
	err := s.w.QueryRowContext(ctx, `UPDATE receipts SET
			status = 'verified', queued_at = NULL, started_at = NULL, completed_at = NULL,
			last_error = '', requeued_at = ?2, generation = generation + 1, claimed_until = ?3, replay_mode = ?4
		WHERE id = ?1 AND status IN ('completed', 'unhandled', 'dead')
		RETURNING generation`, receiptID, us(at), us(time.Now().Add(store.ReplayClaim)), string(mode)).Scan(&gen)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, refusal(ctx, s.w, receiptID, "requeue receipt "+receiptID+" (its run has not ended)")
	}
	if err != nil {
		return 0, fmt.Errorf("requeue receipt %s: %w", receiptID, err)
	}
	return gen, nil
}

// where accumulates SQL conditions and their arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// String returns the WHERE clause, or "" without conditions.
func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// ListReceipts returns one page of receipts, without bodies, newest first
// (received_at, then ID, descending). A malformed cursor or unknown status
// wraps store.ErrInvalid. Pages are keyset-based: rows arriving between pages
// neither repeat nor hide rows on later pages.
func (s *Store) ListReceipts(ctx context.Context, f store.Filter) (store.Page, error) {
	var w where
	if f.Source != "" {
		w.add("source = ?", f.Source)
	}
	if f.Status != "" {
		if !f.Status.Valid() {
			return store.Page{}, fmt.Errorf("list receipts: status %q: %w", f.Status, store.ErrInvalid)
		}
		w.add("status = ?", string(f.Status))
	}
	if f.EventType != "" {
		w.add("event_type = ?", f.EventType)
	}
	if f.EventID != "" {
		w.add("event_id = ?", f.EventID)
	}
	if !f.Since.IsZero() {
		w.add("received_at >= ?", us(f.Since))
	}
	if !f.Until.IsZero() {
		w.add("received_at < ?", us(f.Until))
	}
	if f.Text != "" {
		if err := store.CheckText(f.Text); err != nil {
			return store.Page{}, fmt.Errorf("list receipts: %w", err)
		}
		// instr, not LIKE: the term's % and _ stay literal. SQLite's lower()
		// folds ASCII only, as the Postgres query does on its escaped text.
		// The first store.SearchExcerpt bytes, as Postgres indexes them.
		w.add("instr(lower(CAST(substr(body, 1, 8192) AS TEXT)), lower(?)) > 0", f.Text)
	}
	if f.Cursor != "" {
		k, err := keyset.Decode(f.Cursor)
		if err != nil {
			return store.Page{}, fmt.Errorf("list receipts: %w", err)
		}
		w.add("(received_at, id) < (?, ?)", us(k.At), k.ID)
	}
	limit := store.ClampLimit(f.Limit)
	// One row more than the page tells whether another page follows.
	q := selectReceipt + ` FROM receipts` + w.String() + ` ORDER BY received_at DESC, id DESC LIMIT ?`
	rows, err := s.r.QueryContext(ctx, q, append(w.args, limit+1)...)
	if err != nil {
		return store.Page{}, fmt.Errorf("list receipts: %w", err)
	}
	defer rows.Close()
	var rs []store.Receipt
	for rows.Next() {
		r, err := scanReceipt(rows, false)
		if err != nil {
			return store.Page{}, fmt.Errorf("list receipts: %w", err)
		}
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return store.Page{}, fmt.Errorf("list receipts: %w", err)
	}
	var p store.Page
	if len(rs) > limit {
		rs = rs[:limit]
		last := rs[limit-1]
		p.Next = keyset.Encode(keyset.Key{At: last.ReceivedAt, ID: last.ID})
	}
	p.Receipts = rs
	return p, nil
}
