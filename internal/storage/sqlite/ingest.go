package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/hookgate/hookgate/internal/storage/internal/dedupe"
	"github.com/hookgate/hookgate/internal/storage/internal/headerjson"
	"github.com/hookgate/hookgate/store"
)

// maxRows bounds the rows of one multi-row statement, keeping its parameters
// (14 per audit row) well under SQLite's limit of 32766.
const maxRows = 1000

const receiptCols = 11

// Ingest commits a batch of verified deliveries in one transaction: a receipt
// per new (source, event ID), a raised duplicates counter per known one, and
// every delivery's audit row (outcome accepted or duplicate, receipt ID
// filled). Within the batch the first delivery of a key wins. The receipt's
// status starts at verified; its lifecycle fields, and the audit record's
// Outcome and ReceiptID, are set by the store whatever the caller left in them.
// Results are in input order. On error nothing is committed.
func (s *Store) Ingest(ctx context.Context, ds []store.Delivery) ([]store.IngestResult, error) {
	if len(ds) == 0 {
		return nil, nil
	}
	ds, _ = dedupe.ApplyContent(ds, nil) // the batch's own repeats of one signed content
	// Encode before taking the write lock: the writer is the bottleneck.
	b, args, err := receiptArgs(ds)
	if err != nil {
		return nil, err
	}
	contents := dedupe.Contents(ds)

	var results []store.IngestResult
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		ds, b, args := ds, b, args
		if len(contents) > 0 {
			found, err := lookupContents(ctx, tx, contents)
			if err != nil {
				return err
			}
			if remapped, changed := dedupe.ApplyContent(ds, found); changed {
				// A replay of stored signed content (rare): regroup.
				ds = remapped
				if b, args, err = receiptArgs(ds); err != nil {
					return err
				}
			}
		}
		stored := make(map[dedupe.Key]string, len(b.First))
		for chunk := range slices.Chunk(args, maxRows*receiptCols) {
			if err := upsertReceipts(ctx, tx, chunk, stored); err != nil {
				return err
			}
		}
		res, audit, err := b.Resolve(stored)
		if err != nil {
			return err
		}
		if err := insertAudit(ctx, tx, audit); err != nil {
			return err
		}
		if err := saveContents(ctx, tx, dedupe.NewContents(ds, stored)); err != nil {
			return err
		}
		results = res
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", refused(err))
	}
	return results, nil
}

// refused marks err as store.ErrRefused when SQLite refused a value (a
// constraint the ingest statements do not resolve themselves, a value too
// big): retrying the same records fails the same way.
func refused(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_CONSTRAINT, sqlite3.SQLITE_TOOBIG, sqlite3.SQLITE_MISMATCH:
			return fmt.Errorf("%w: %w", store.ErrRefused, err)
		}
	}
	return err
}

// receiptArgs groups ds by key and encodes the first delivery of each key as
// the arguments of upsertReceipts.
func receiptArgs(ds []store.Delivery) (*dedupe.Batch, []any, error) {
	b := dedupe.New(ds)
	args := make([]any, 0, len(b.First)*receiptCols)
	for j, i := range b.First {
		r := ds[i].Receipt
		h, err := headerjson.Encode(r.Header)
		if err != nil {
			return nil, nil, fmt.Errorf("ingest: receipt %s: %w", r.ID, err)
		}
		var traceparent any // NULL when tracing is off
		if r.TraceParent != "" {
			traceparent = r.TraceParent
		}
		args = append(args, r.ID, r.Source, r.Provider, r.EventID, r.EventType, r.ContentType,
			string(h), nonNil(r.Body), us(r.ReceivedAt), b.Later[j], traceparent)
	}
	return b, args, nil
}

// lookupContents reads the stored content keys among keys.
func lookupContents(ctx context.Context, tx *sql.Tx, keys []dedupe.ContentKey) (map[dedupe.ContentKey]dedupe.ContentHit, error) {
	found := map[dedupe.ContentKey]dedupe.ContentHit{}
	for chunk := range slices.Chunk(keys, maxRows) {
		args := make([]any, 0, 2*len(chunk))
		for _, k := range chunk {
			args = append(args, k.Source, k.Hash)
		}
		rows, err := tx.QueryContext(ctx, `SELECT source, hash, event_id, received_at FROM content_keys
			WHERE (source, hash) IN (VALUES `+placeholders(len(chunk), 2)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("content keys: %w", err)
		}
		for rows.Next() {
			var k dedupe.ContentKey
			var hit dedupe.ContentHit
			var at int64
			if err := rows.Scan(&k.Source, &k.Hash, &hit.EventID, &at); err != nil {
				rows.Close()
				return nil, fmt.Errorf("content keys: %w", err)
			}
			hit.At = fromUS(at)
			found[k] = hit
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("content keys: %w", err)
		}
	}
	return found, nil
}

// saveContents remembers the content keys of new receipts, replacing a key
// remembered for a receipt outside its window.
func saveContents(ctx context.Context, tx *sql.Tx, keys map[dedupe.ContentKey]dedupe.ContentHit) error {
	if len(keys) == 0 {
		return nil
	}
	args := make([]any, 0, 4*len(keys))
	for k, hit := range keys {
		args = append(args, k.Source, k.Hash, hit.EventID, us(hit.At))
	}
	for chunk := range slices.Chunk(args, maxRows*4) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO content_keys (source, hash, event_id, received_at)
			VALUES `+placeholders(len(chunk)/4, 4)+`
			ON CONFLICT (source, hash) DO UPDATE SET event_id = excluded.event_id, received_at = excluded.received_at`, chunk...); err != nil {
			return fmt.Errorf("save content keys: %w", err)
		}
	}
	return nil
}

// upsertReceipts inserts one row per distinct key. A key already stored gets
// its duplicates counter raised instead, by one for this delivery plus the
// batch's own later deliveries of it. RETURNING names the receipt each key now
// has (the caller's ID when inserted, the stored one otherwise), recorded in
// stored.
func upsertReceipts(ctx context.Context, tx *sql.Tx, args []any, stored map[dedupe.Key]string) error {
	q := `INSERT INTO receipts (id, source, provider, event_id, event_type, content_type,
			headers, body, received_at, duplicates, traceparent)
		VALUES ` + placeholders(len(args)/receiptCols, receiptCols) + `
		ON CONFLICT (source, event_id) DO UPDATE SET duplicates = duplicates + 1 + excluded.duplicates
		RETURNING id, source, event_id`
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("insert receipts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var k dedupe.Key
		if err := rows.Scan(&id, &k.Source, &k.EventID); err != nil {
			return fmt.Errorf("insert receipts: %w", err)
		}
		stored[k] = id
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("insert receipts: %w", err)
	}
	return nil
}

const auditCols = 14

// insertAudit writes audit records in multi-row statements.
func insertAudit(ctx context.Context, tx *sql.Tx, recs []store.AuditRecord) error {
	for chunk := range slices.Chunk(recs, maxRows) {
		args := make([]any, 0, len(chunk)*auditCols)
		for _, a := range chunk {
			h, err := headerjson.Encode(a.Header)
			if err != nil {
				return fmt.Errorf("insert audit: record %s: %w", a.ID, err)
			}
			var receiptID any
			if a.ReceiptID != "" {
				receiptID = a.ReceiptID
			}
			args = append(args, a.ID, us(a.At), a.Source, a.RemoteIP, a.Method, a.Path, string(h),
				a.Body, a.BodySize, a.Status, string(a.Outcome), a.Reason, receiptID, a.EventID)
		}
		q := `INSERT INTO audit (id, at, source, remote_ip, method, path, headers, body,
				body_size, status, outcome, reason, receipt_id, event_id)
			VALUES ` + placeholders(len(chunk), auditCols)
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("insert audit: %w", err)
		}
	}
	return nil
}

// Audit writes audit records (typically of rejected requests) in one
// transaction: all or none. A nil Body is stored as NULL.
func (s *Store) Audit(ctx context.Context, recs []store.AuditRecord) error {
	if len(recs) == 0 {
		return nil
	}
	return s.inTx(ctx, func(tx *sql.Tx) error { return insertAudit(ctx, tx, recs) })
}
