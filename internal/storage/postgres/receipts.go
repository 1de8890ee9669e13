package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hookgate/hookgate/internal/storage/internal/headerjson"
	"github.com/hookgate/hookgate/internal/storage/internal/keyset"
	"github.com/hookgate/hookgate/internal/storage/internal/refrow"
	"github.com/hookgate/hookgate/store"
)

// receiptCols are the columns scanReceipt reads, body last so that listings can
// leave it out.
const receiptCols = `id, source, provider, event_id, event_type, status, content_type,
	headers::text, received_at, queued_at, started_at, completed_at,
	workflow_id, attempts, duplicates, last_error, COALESCE(traceparent, ''), generation`

// A receipt's body lives in receipt_bodies (written once at ingest, removed by
// the body retention); a receipt without a row there has an empty body.
const (
	bodyJoin = `LEFT JOIN receipt_bodies ON receipt_bodies.receipt_id = receipts.id`
	bodyCol  = `COALESCE(receipt_bodies.body, ''::bytea)`
)

// scanReceipt scans receiptCols (and body, when withBody).
func scanReceipt(row pgx.Row, withBody bool) (store.Receipt, error) {
	var (
		r                          store.Receipt
		headers                    []byte
		queued, started, completed *time.Time
	)
	dest := []any{&r.ID, &r.Source, &r.Provider, &r.EventID, &r.EventType, &r.Status, &r.ContentType,
		&headers, &r.ReceivedAt, &queued, &started, &completed,
		&r.WorkflowID, &r.Attempts, &r.Duplicates, &r.LastError, &r.TraceParent, &r.Generation}
	if withBody {
		dest = append(dest, &r.Body)
	}
	if err := row.Scan(dest...); err != nil {
		return store.Receipt{}, err
	}
	h, err := headerjson.Decode(headers)
	if err != nil {
		return store.Receipt{}, fmt.Errorf("receipt %s: %w", r.ID, err)
	}
	r.Header = h
	r.ReceivedAt = r.ReceivedAt.UTC()
	r.QueuedAt, r.StartedAt, r.CompletedAt = fromNull(queued), fromNull(started), fromNull(completed)
	if withBody && r.Body == nil {
		r.Body = []byte{}
	}
	return r, nil
}

// Receipt returns the receipt with its body, or an error wrapping
// store.ErrNotFound.
func (s *Store) Receipt(ctx context.Context, id string) (store.Receipt, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+receiptCols+`, `+bodyCol+` FROM receipts `+bodyJoin+` WHERE id = $1`, id)
	r, err := scanReceipt(row, true)
	if errors.Is(err, pgx.ErrNoRows) {
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
	row := s.pool.QueryRow(ctx, `SELECT `+receiptCols+`, `+bodyCol+` FROM receipts `+bodyJoin+`
		WHERE source = $1 AND event_id = $2`, source, eventID)
	r, err := scanReceipt(row, true)
	if errors.Is(err, pgx.ErrNoRows) {
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
	rows, err := s.pool.Query(ctx, `SELECT `+refrow.Columns+` FROM receipts
		WHERE status = 'verified' AND received_at < $1
		ORDER BY received_at, id LIMIT $2`, ts(before), store.ClampLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("unstarted receipts: %w", err)
	}
	refs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Ref, error) {
		var r store.Ref
		err := row.Scan(refrow.Dest(&r)...)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("unstarted receipts: %w", err)
	}
	return refs, nil
}

// Unfinished returns receipts whose workflow has started (queued, processing
// or retrying) and that were queued before before, oldest first: the
// reconciler checks that each still has an open run. limit is clamped like a
// list limit (store.ClampLimit).
func (s *Store) Unfinished(ctx context.Context, before time.Time, limit int) ([]store.Ref, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+refrow.Columns+` FROM receipts
		WHERE status IN ('queued', 'processing', 'retrying') AND queued_at < $1
		ORDER BY queued_at, id LIMIT $2`, ts(before), store.ClampLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("unfinished receipts: %w", err)
	}
	refs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Ref, error) {
		var r store.Ref
		err := row.Scan(refrow.Dest(&r)...)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("unfinished receipts: %w", err)
	}
	return refs, nil
}

// Claim returns receipts still in status verified that were received before
// before and that no relay has claimed (or whose claim has expired), oldest
// first, and claims them for lease, in one statement (FOR UPDATE SKIP LOCKED,
// then UPDATE … RETURNING): the relays of several replicas do not start the
// same receipts, nor wait for each other's rows. A failed start leaves its
// claim to expire. limit is clamped like a list limit (store.ClampLimit).
func (s *Store) Claim(ctx context.Context, before time.Time, limit int, lease time.Duration) ([]store.Ref, error) {
	rows, err := s.pool.Query(ctx, `WITH c AS (
			SELECT id AS claim_id FROM receipts
			WHERE status = 'verified' AND received_at < $1 AND (claimed_until IS NULL OR claimed_until < now())
			ORDER BY received_at, id LIMIT $2
			FOR UPDATE SKIP LOCKED)
		UPDATE receipts SET claimed_until = now() + $3::interval FROM c WHERE id = c.claim_id
		RETURNING `+refrow.Columns+`, received_at`,
		ts(before), store.ClampLimit(limit), lease)
	if err != nil {
		return nil, fmt.Errorf("claim receipts: %w", err)
	}
	type claimed struct {
		ref      store.Ref
		received time.Time
	}
	cs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (claimed, error) {
		var c claimed
		err := row.Scan(append(refrow.Dest(&c.ref), &c.received)...)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("claim receipts: %w", err)
	}
	// RETURNING has no order: oldest first, as Unstarted.
	slices.SortFunc(cs, func(a, b claimed) int {
		return cmp.Or(a.received.Compare(b.received), cmp.Compare(a.ref.ID, b.ref.ID))
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
	// One lock order for all writers.
	qs = slices.SortedFunc(slices.Values(qs), func(a, b store.Queued) int { return strings.Compare(a.ReceiptID, b.ReceiptID) })
	ids, wfs, ats := make([]string, len(qs)), make([]string, len(qs)), make([]time.Time, len(qs))
	for i, q := range qs {
		ids[i], wfs[i], ats[i] = q.ReceiptID, q.WorkflowID, ts(q.At)
	}
	_, err := s.pool.Exec(ctx, `
		UPDATE receipts r SET
			status = CASE WHEN r.status = 'verified' THEN 'queued' ELSE r.status END,
			workflow_id = CASE WHEN r.queued_at IS NULL THEN q.workflow_id ELSE r.workflow_id END,
			queued_at = COALESCE(r.queued_at, q.at)
		FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS q(id, workflow_id, at)
		WHERE r.id = q.id AND (r.status = 'verified' OR r.queued_at IS NULL)`, ids, wfs, ats)
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
		started = ts(tr.At)
	}
	if tr.To.Terminal() {
		completed = ts(tr.At)
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
	return transition(ctx, s.pool, tr)
}

// transitionSQL changes a receipt's status when the change is allowed from
// its current one (transitionSQLArgs).
const transitionSQL = `UPDATE receipts SET
		status = $2,
		started_at = COALESCE(started_at, $3::timestamptz),
		completed_at = COALESCE($4::timestamptz, completed_at),
		last_error = COALESCE($5::text, last_error)
	WHERE id = $1 AND status = ANY($6::text[])`

// transitionSQLArgs are transitionSQL's arguments for tr.
func transitionSQLArgs(tr store.Transition) []any {
	started, completed, lastError := transitionArgs(tr)
	from := []string{string(tr.To)}
	for _, f := range tr.To.From() {
		from = append(from, string(f))
	}
	return []any{tr.ReceiptID, string(tr.To), started, completed, lastError, from}
}

// transition is Transition through q (the pool or a transaction).
func transition(ctx context.Context, q dbtx, tr store.Transition) error {
	if !tr.To.Valid() {
		return fmt.Errorf("transition receipt %s to %q: %w", tr.ReceiptID, tr.To, store.ErrInvalid)
	}
	tag, err := q.Exec(ctx, transitionSQL, transitionSQLArgs(tr)...)
	what := fmt.Sprintf("transition receipt %s to %s", tr.ReceiptID, tr.To)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if tag.RowsAffected() == 0 {
		return refusal(ctx, q, tr.ReceiptID, what)
	}
	return nil
}

// refusal is the error of a status change that changed no row: the receipt
// is unknown (store.ErrNotFound) or in a status the change is not allowed
// from (store.ErrConflict).
func refusal(ctx context.Context, q dbtx, receiptID, what string) error {
	var status store.Status
	switch err := q.QueryRow(ctx, `SELECT status FROM receipts WHERE id = $1`, receiptID).Scan(&status); {
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("%s: %w", what, err)
	}
	return store.Refused(what, status)
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
	err := s.pool.QueryRow(ctx, `UPDATE receipts SET
			status = 'verified', queued_at = NULL, started_at = NULL, completed_at = NULL,
			last_error = '', requeued_at = $2, generation = generation + 1,
			claimed_until = now() + $3::interval, replay_mode = $4
		WHERE id = $1 AND status IN ('completed', 'unhandled', 'dead')
		RETURNING generation`, receiptID, ts(at), store.ReplayClaim, string(mode)).Scan(&gen)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, refusal(ctx, s.pool, receiptID, "requeue receipt "+receiptID+" (its run has not ended)")
	}
	if err != nil {
		return 0, fmt.Errorf("requeue receipt %s: %w", receiptID, err)
	}
	if s.notify {
		// A relay in another process starts the replay at once. Best effort:
		// its periodic sweep finds the receipt anyway.
		if _, err := s.pool.Exec(ctx, notifyReceipts); err != nil {
			s.logger.Warn("notify of a requeued receipt failed", "receipt_id", receiptID, "err", err)
		}
	}
	return gen, nil
}

// where accumulates SQL conditions and their numbered arguments.
type where struct {
	conds []string
	args  []any
}

// add appends a condition; "?" in cond stands for the next argument.
func (w *where) add(cond string, arg any) {
	w.args = append(w.args, arg)
	w.conds = append(w.conds, strings.Replace(cond, "?", "$"+strconv.Itoa(len(w.args)), 1))
}

// arg appends an argument and returns its placeholder.
func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
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
		w.add("received_at >= ?", ts(f.Since))
	}
	if !f.Until.IsZero() {
		w.add("received_at < ?", ts(f.Until))
	}
	if f.Text != "" {
		if err := store.CheckText(f.Text); err != nil {
			return store.Page{}, fmt.Errorf("list receipts: %w", err)
		}
		like, re := textPatterns(f.Text)
		// ILIKE lets the trigram index receipt_search_excerpt_trgm_idx find
		// candidates; the regular expression drops the false ones (see
		// textPatterns). Bodies not yet indexed (search_queue) are scanned
		// with the same expression over their first store.SearchExcerpt
		// bytes. The statement's one snapshot sees each body in exactly one
		// of the two (the indexer moves it in one transaction).
		like, re = w.arg(like), w.arg(re)
		w.conds = append(w.conds, "id IN (SELECT receipt_id FROM receipt_search WHERE excerpt ILIKE "+like+" AND excerpt ~* "+re+
			" UNION ALL SELECT b.receipt_id FROM search_queue q JOIN receipt_bodies b USING (receipt_id) WHERE "+
			excerptExpr+" ILIKE "+like+" AND "+excerptExpr+" ~* "+re+")")
	}
	if f.Cursor != "" {
		k, err := keyset.Decode(f.Cursor)
		if err != nil {
			return store.Page{}, fmt.Errorf("list receipts: %w", err)
		}
		w.conds = append(w.conds, "(received_at, id) < ("+w.arg(k.At)+"::timestamptz, "+w.arg(k.ID)+"::text)")
	}
	limit := store.ClampLimit(f.Limit)
	// One row more than the page tells whether another page follows.
	q := `SELECT ` + receiptCols + ` FROM receipts` + w.String() +
		` ORDER BY received_at DESC, id DESC LIMIT ` + w.arg(limit+1)
	rows, err := s.pool.Query(ctx, q, w.args...)
	if err != nil {
		return store.Page{}, fmt.Errorf("list receipts: %w", err)
	}
	rs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Receipt, error) {
		return scanReceipt(row, false)
	})
	if err != nil {
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

// escapeBytes encodes b as Postgres's encode(b, 'escape') does: NUL and bytes
// >= 0x80 as a backslash and three octal digits, a backslash doubled, any other
// byte as itself.
func escapeBytes(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		switch {
		case c == 0 || c >= 0x80:
			fmt.Fprintf(&sb, `\%03o`, c)
		case c == '\\':
			sb.WriteString(`\\`)
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

// textPatterns returns the ILIKE pattern and the regular expression that match
// the bodies containing text, compared on their encode(body, 'escape') form
// (the form migration 00002 indexes, because it never fails on non-UTF-8
// bytes). The ILIKE pattern alone also matches inside an escape sequence (a
// term "303" in the "\303" of a "é"); the regular expression only lets a match
// start at a whole escaped byte.
func textPatterns(text string) (like, re string) {
	enc := escapeBytes([]byte(text))
	like = "%" + likeEscaper.Replace(enc) + "%"
	// regexp.QuoteMeta escapes only punctuation, which Postgres's regular
	// expressions also read as literal after a backslash.
	re = `^(?:[^\\]|\\\\|\\[0-7]{3})*?` + regexp.QuoteMeta(enc)
	return like, re
}

// likeEscaper makes a string match itself literally in LIKE (escape character:
// backslash, the default).
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
