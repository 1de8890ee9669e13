package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/hookgate/hookgate/store"
	"github.com/hookgate/hookgate/store/internal/dedupe"
	"github.com/hookgate/hookgate/store/internal/headerjson"
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
	b := dedupe.New(ds)
	// Encode before taking the write lock: the writer is the bottleneck.
	args := make([]any, 0, len(b.First)*receiptCols)
	for j, i := range b.First {
		r := ds[i].Receipt
		h, err := headerjson.Encode(r.Header)
		if err != nil {
			return nil, fmt.Errorf("ingest: receipt %s: %w", r.ID, err)
		}
		var traceparent any // NULL when tracing is off
		if r.TraceParent != "" {
			traceparent = r.TraceParent
		}
		args = append(args, r.ID, r.Source, r.Provider, r.EventID, r.EventType, r.ContentType,
			string(h), nonNil(r.Body), us(r.ReceivedAt), b.Later[j], traceparent)
	}

	var results []store.IngestResult
	err := s.inTx(ctx, func(tx *sql.Tx) error {
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
		results = res
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	return results, nil
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
