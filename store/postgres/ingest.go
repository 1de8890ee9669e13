package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hookgate/hookgate/store"
	"github.com/hookgate/hookgate/store/internal/dedupe"
	"github.com/hookgate/hookgate/store/internal/headerjson"
)

// upsertReceipts inserts one row per distinct key, and its body into
// receipt_bodies. A key already stored gets its duplicates counter raised
// instead, by one for this delivery plus the batch's own later deliveries of it,
// and no body row. RETURNING names the receipt each key now has: the caller's ID
// when inserted, the stored one otherwise (so only inserted rows join u.id).
const upsertReceipts = `
WITH r AS (
  INSERT INTO receipts (id, source, provider, event_id, event_type, content_type,
                        headers, received_at, duplicates, traceparent)
  SELECT id, source, provider, event_id, event_type, content_type,
         headers::json, received_at, duplicates, NULLIF(traceparent, '')
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
              $7::text[], $9::timestamptz[], $10::int4[], $11::text[])
       AS u(id, source, provider, event_id, event_type, content_type,
            headers, received_at, duplicates, traceparent)
  ON CONFLICT (source, event_id)
  DO UPDATE SET duplicates = receipts.duplicates + 1 + excluded.duplicates
  RETURNING id, source, event_id
), b AS (
  INSERT INTO receipt_bodies (receipt_id, body)
  SELECT u.id, u.body FROM unnest($1::text[], $8::bytea[]) AS u(id, body)
  JOIN r ON r.id = u.id
  WHERE length(u.body) > 0
)
SELECT id, source, event_id FROM r`

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
	n := len(b.First)
	var (
		ids, sources, providers = make([]string, n), make([]string, n), make([]string, n)
		eventIDs, types, ctypes = make([]string, n), make([]string, n), make([]string, n)
		headers, traceparents   = make([]string, n), make([]string, n)
		bodies                  = make([][]byte, n)
		received                = make([]time.Time, n)
		later                   = make([]int32, n)
	)
	for j, i := range b.First {
		r := ds[i].Receipt
		h, err := headerjson.Encode(r.Header)
		if err != nil {
			return nil, fmt.Errorf("ingest: receipt %s: %w", r.ID, err)
		}
		ids[j], sources[j], providers[j] = r.ID, r.Source, r.Provider
		eventIDs[j], types[j], ctypes[j] = r.EventID, r.EventType, r.ContentType
		headers[j], bodies[j], received[j] = string(h), nonNil(r.Body), ts(r.ReceivedAt)
		later[j], traceparents[j] = int32(b.Later[j]), r.TraceParent
	}

	var results []store.IngestResult
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, upsertReceipts,
			ids, sources, providers, eventIDs, types, ctypes, headers, bodies, received, later, traceparents)
		if err != nil {
			return fmt.Errorf("insert receipts: %w", err)
		}
		stored := make(map[dedupe.Key]string, n)
		var id string
		var k dedupe.Key
		_, err = pgx.ForEachRow(rows, []any{&id, &k.Source, &k.EventID}, func() error {
			stored[k] = id
			return nil
		})
		if err != nil {
			return fmt.Errorf("insert receipts: %w", err)
		}
		res, audit, err := b.Resolve(stored)
		if err != nil {
			return err
		}
		if err := insertAudit(ctx, tx, audit); err != nil {
			return err
		}
		if s.notify && hasNew(res) {
			if _, err := tx.Exec(ctx, notifyReceipts); err != nil {
				return fmt.Errorf("notify %s: %w", ReceiptsChannel, err)
			}
		}
		results = res
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	return results, nil
}

// execer is what insertAudit needs: a pool or a transaction.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

const insertAuditSQL = `
INSERT INTO audit (id, at, source, remote_ip, method, path, headers, body,
                   body_size, status, outcome, reason, receipt_id, event_id)
SELECT id, at, source, remote_ip, method, path, headers::json, body,
       body_size, status, outcome, reason, NULLIF(receipt_id, ''), event_id
FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[],
            $7::text[], $8::bytea[], $9::int8[], $10::int4[], $11::text[], $12::text[],
            $13::text[], $14::text[])
     AS u(id, at, source, remote_ip, method, path, headers, body,
          body_size, status, outcome, reason, receipt_id, event_id)`

// insertAudit writes audit records in one statement.
func insertAudit(ctx context.Context, db execer, recs []store.AuditRecord) error {
	n := len(recs)
	var (
		ids, sources, ips, methods = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		paths, headers, outcomes   = make([]string, n), make([]string, n), make([]string, n)
		reasons, receipts, events  = make([]string, n), make([]string, n), make([]string, n)
		ats                        = make([]time.Time, n)
		bodies                     = make([][]byte, n)
		sizes                      = make([]int64, n)
		statuses                   = make([]int32, n)
	)
	for i, a := range recs {
		h, err := headerjson.Encode(a.Header)
		if err != nil {
			return fmt.Errorf("insert audit: record %s: %w", a.ID, err)
		}
		ids[i], ats[i], sources[i], ips[i], methods[i] = a.ID, ts(a.At), a.Source, a.RemoteIP, a.Method
		paths[i], headers[i], bodies[i], sizes[i] = a.Path, string(h), a.Body, a.BodySize
		statuses[i], outcomes[i], reasons[i] = int32(a.Status), string(a.Outcome), a.Reason
		receipts[i], events[i] = a.ReceiptID, a.EventID
	}
	_, err := db.Exec(ctx, insertAuditSQL, ids, ats, sources, ips, methods, paths,
		headers, bodies, sizes, statuses, outcomes, reasons, receipts, events)
	if err != nil {
		return fmt.Errorf("insert audit: %w", err)
	}
	return nil
}

// Audit writes audit records (typically of rejected requests) in one
// statement: all or none. A nil Body is stored as NULL.
func (s *Store) Audit(ctx context.Context, recs []store.AuditRecord) error {
	if len(recs) == 0 {
		return nil
	}
	return insertAudit(ctx, s.pool, recs)
}

// notifyReceipts announces a batch of new receipts; PostgreSQL delivers it at
// commit, and folds identical notifications of one transaction into one.
const notifyReceipts = `SELECT pg_notify('` + ReceiptsChannel + `', '')`

// hasNew reports whether a batch stored any new receipt.
func hasNew(res []store.IngestResult) bool {
	for _, r := range res {
		if !r.Duplicate {
			return true
		}
	}
	return false
}
