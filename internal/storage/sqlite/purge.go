package sqlite

import (
	"context"
	"fmt"
	"time"
)

// purgeBatch bounds each purge statement, so that the single writer connection
// is never held long enough to stall ingest.
const purgeBatch = 5000

// PurgeAudit deletes the audit records older than before and returns how many
// it deleted. It works in batches; a cancelled ctx stops it between batches
// with what was deleted so far.
func (s *Store) PurgeAudit(ctx context.Context, before time.Time) (int64, error) {
	return s.purge(ctx, "purge audit", `DELETE FROM audit WHERE id IN (
		SELECT id FROM audit WHERE at < ? LIMIT ?)`, us(before))
}

// PurgeBodies empties the bodies of terminal receipts (completed, unhandled,
// dead) received before before and returns how many it emptied. The receipt
// rows stay, so duplicates are still detected and the history stays listable;
// such a receipt can no longer be replayed with its payload.
func (s *Store) PurgeBodies(ctx context.Context, before time.Time) (int64, error) {
	return s.purge(ctx, "purge bodies", `UPDATE receipts SET body = x'' WHERE id IN (
		SELECT id FROM receipts
		WHERE status IN ('completed', 'unhandled', 'dead') AND received_at < ? AND length(body) > 0
		LIMIT ?)`, us(before))
}

// PurgeReceipts deletes terminal receipts (completed, unhandled, dead)
// received before before, together with their attempts, events and replays,
// and returns how many receipts it deleted. Their audit records stay, with the
// receipt reference cleared. A purged receipt no longer deduplicates: a
// provider redelivering its event ID is then accepted as a new receipt. It
// works in batches; a cancelled ctx stops it between batches with what was
// deleted so far.
func (s *Store) PurgeReceipts(ctx context.Context, before time.Time) (int64, error) {
	// The foreign keys' ON DELETE CASCADE (attempts, events, replays) and SET
	// NULL (audit) do the rest inside each batch's statement.
	return s.purge(ctx, "purge receipts", `DELETE FROM receipts WHERE id IN (
		SELECT id FROM receipts
		WHERE status IN ('completed', 'unhandled', 'dead') AND received_at < ?
		LIMIT ?)`, us(before))
}

func (s *Store) purge(ctx context.Context, what, q string, before int64) (int64, error) {
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("%s: %w", what, err)
		}
		res, err := s.w.ExecContext(ctx, q, before, purgeBatch)
		if err != nil {
			return total, fmt.Errorf("%s: %w", what, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("%s: %w", what, err)
		}
		total += n
		if n < purgeBatch {
			return total, nil
		}
	}
}

// PurgeContentKeys forgets the content deduplication keys of receipts received
// before before, in batches.
func (s *Store) PurgeContentKeys(ctx context.Context, before time.Time) (int64, error) {
	return s.purge(ctx, "purge content keys", `DELETE FROM content_keys WHERE rowid IN (
		SELECT rowid FROM content_keys WHERE received_at < ? LIMIT ?)`, us(before))
}
