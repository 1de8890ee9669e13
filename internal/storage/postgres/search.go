package postgres

import (
	"context"
	"fmt"
)

// excerptExpr is the searched form of a body: its first store.SearchExcerpt
// bytes, encoded so that bytes which are not UTF-8 never fail (see
// textPatterns). receipt_search.excerpt holds the same value.
const excerptExpr = "encode(substring(b.body FROM 1 FOR 8192), 'escape')"

// indexSearch moves up to $1 queued bodies into receipt_search in one
// statement (one transaction), skipping rows another indexer holds. A queued
// ID whose body is gone (purged) just leaves the queue.
const indexSearch = `
WITH q AS (
  DELETE FROM search_queue WHERE receipt_id IN (
    SELECT receipt_id FROM search_queue LIMIT $1 FOR UPDATE SKIP LOCKED)
  RETURNING receipt_id
), ins AS (
  INSERT INTO receipt_search (receipt_id, excerpt)
  SELECT b.receipt_id, ` + excerptExpr + `
  FROM receipt_bodies b JOIN q USING (receipt_id)
  ON CONFLICT (receipt_id) DO NOTHING
)
SELECT count(*) FROM q`

// IndexSearch adds up to limit bodies acked since the last call to the
// text-search index and returns how many it took from the queue; fewer than
// limit means the queue is empty (or held by another indexer). Text search
// finds a body before and after: ListReceipts scans the queued ones. Safe to
// run in several processes at once.
func (s *Store) IndexSearch(ctx context.Context, limit int) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, indexSearch, limit).Scan(&n); err != nil {
		return 0, fmt.Errorf("index search: %w", err)
	}
	return n, nil
}
