package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hookgate/hookgate/internal/storage/internal/dedupe"
	"github.com/hookgate/hookgate/internal/storage/internal/headerjson"
	"github.com/hookgate/hookgate/store"
)

// upsertReceipts inserts one row per distinct key, and its body into
// receipt_bodies, queued for the search index (search.go). A key already stored gets its duplicates counter raised
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
), q AS (
  INSERT INTO search_queue (receipt_id)
  SELECT u.id FROM unnest($1::text[], $8::bytea[]) AS u(id, body)
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
	ds, _ = dedupe.ApplyContent(ds, nil) // the batch's own repeats of one signed content
	b, cols, err := receiptColumns(ds)
	if err != nil {
		return nil, err
	}
	contents := dedupe.Contents(ds)

	var results []store.IngestResult
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		ds, b, cols := ds, b, cols
		if len(contents) > 0 {
			found, err := lookupContents(ctx, tx, contents)
			if err != nil {
				return err
			}
			if remapped, changed := dedupe.ApplyContent(ds, found); changed {
				// A replay of stored signed content (rare): regroup.
				ds = remapped
				if b, cols, err = receiptColumns(ds); err != nil {
					return err
				}
			}
		}
		rows, err := tx.Query(ctx, upsertReceipts, cols...)
		if err != nil {
			return fmt.Errorf("insert receipts: %w", err)
		}
		stored := make(map[dedupe.Key]string, len(b.First))
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
		if err := saveContents(ctx, tx, dedupe.NewContents(ds, stored)); err != nil {
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
		return nil, fmt.Errorf("ingest: %w", refused(err))
	}
	return results, nil
}

// refused marks err as store.ErrRefused when PostgreSQL refused a value: a
// data exception (class 22: a NUL byte or invalid UTF-8 in text, a value out
// of range) or an integrity violation (class 23) that the ingest statements do
// not resolve themselves. Retrying the same records fails the same way.
func refused(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (strings.HasPrefix(pe.Code, "22") || strings.HasPrefix(pe.Code, "23")) {
		return fmt.Errorf("%w: %w", store.ErrRefused, err)
	}
	return err
}

// receiptColumns groups ds by key and encodes the first delivery of each key
// as the column arrays of upsertReceipts, in its parameter order.
func receiptColumns(ds []store.Delivery) (*dedupe.Batch, []any, error) {
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
			return nil, nil, fmt.Errorf("ingest: receipt %s: %w", r.ID, err)
		}
		ids[j], sources[j], providers[j] = r.ID, r.Source, r.Provider
		eventIDs[j], types[j], ctypes[j] = r.EventID, r.EventType, r.ContentType
		headers[j], bodies[j], received[j] = string(h), nonNil(r.Body), ts(r.ReceivedAt)
		later[j], traceparents[j] = int32(b.Later[j]), r.TraceParent
	}
	return b, []any{ids, sources, providers, eventIDs, types, ctypes, headers, bodies, received, later, traceparents}, nil
}

// lookupContents locks the content keys (a transaction-scoped advisory lock
// per key, taken in key order, so two gateways committing the same signed
// content one after the other see each other's key) and reads the stored ones.
func lookupContents(ctx context.Context, tx pgx.Tx, keys []dedupe.ContentKey) (map[dedupe.ContentKey]dedupe.ContentHit, error) {
	sources, hashes := make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		sources[i], hashes[i] = k.Source, k.Hash
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(k) FROM (
			SELECT DISTINCT hashtextextended(s || ':' || h, 0) AS k
			FROM unnest($1::text[], $2::text[]) AS u(s, h) ORDER BY 1) locks`, sources, hashes); err != nil {
		return nil, fmt.Errorf("lock content keys: %w", err)
	}
	rows, err := tx.Query(ctx, `SELECT c.source, c.hash, c.event_id, c.received_at
		FROM content_keys c JOIN unnest($1::text[], $2::text[]) AS u(s, h) ON c.source = u.s AND c.hash = u.h`,
		sources, hashes)
	if err != nil {
		return nil, fmt.Errorf("content keys: %w", err)
	}
	found := map[dedupe.ContentKey]dedupe.ContentHit{}
	var k dedupe.ContentKey
	var hit dedupe.ContentHit
	_, err = pgx.ForEachRow(rows, []any{&k.Source, &k.Hash, &hit.EventID, &hit.At}, func() error {
		found[k] = hit
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("content keys: %w", err)
	}
	return found, nil
}

// saveContents remembers the content keys of new receipts, replacing a key
// remembered for a receipt outside its window.
func saveContents(ctx context.Context, tx pgx.Tx, keys map[dedupe.ContentKey]dedupe.ContentHit) error {
	if len(keys) == 0 {
		return nil
	}
	var sources, hashes, events []string
	var ats []time.Time
	for k, hit := range keys {
		sources, hashes = append(sources, k.Source), append(hashes, k.Hash)
		events, ats = append(events, hit.EventID), append(ats, ts(hit.At))
	}
	if _, err := tx.Exec(ctx, `INSERT INTO content_keys (source, hash, event_id, received_at)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])
		ON CONFLICT (source, hash) DO UPDATE SET event_id = excluded.event_id, received_at = excluded.received_at`,
		sources, hashes, events, ats); err != nil {
		return fmt.Errorf("save content keys: %w", err)
	}
	return nil
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
