// Package searchindex builds the store's text-search index after the commit,
// off the request path, in batches that yield to ingest while ingest is
// saturated.
package searchindex

import (
	"context"
	"log/slog"
	"time"
)

// Indexer is the store's method (*postgres.Store): it indexes up to limit
// queued bodies and returns how many it took.
type Indexer interface {
	IndexSearch(ctx context.Context, limit int) (int, error)
}

// Options tune Run; zero values take the defaults.
type Options struct {
	// Batch is the bodies indexed per transaction (default 256).
	Batch int
	// Idle is the pause once the queue is empty (default 1 s): a body is
	// indexed within about that of its ack when ingest is not saturated.
	Idle time.Duration
	// Share is the fraction of time the indexer may work while Busy reports
	// true (default 0.1): ingest then keeps at least 1 − Share of the
	// database, and the queue grows until the load falls.
	Share float64
	// Busy reports whether ingest is saturated now (the group committer's
	// Busy); nil means never.
	Busy func() bool
	// Retry is the pause after a failed batch (default 5 s).
	Retry time.Duration
}

// Run indexes until ctx ends. Search finds every acked body whatever the
// indexer's progress (the store scans what is still queued), so falling
// behind costs search time, never results.
func Run(ctx context.Context, ix Indexer, o Options, log *slog.Logger) {
	if o.Batch <= 0 {
		o.Batch = 256
	}
	if o.Idle <= 0 {
		o.Idle = time.Second
	}
	if o.Share <= 0 || o.Share > 1 {
		o.Share = 0.1
	}
	if o.Retry <= 0 {
		o.Retry = 5 * time.Second
	}
	for {
		start := time.Now()
		n, err := ix.IndexSearch(ctx, o.Batch)
		took := time.Since(start)
		var pause time.Duration
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			log.Warn("search index: batch failed; text search still finds the bodies it did not index", "err", err)
			pause = o.Retry
		case n < o.Batch:
			pause = o.Idle
		case o.Busy != nil && o.Busy():
			// Work took Share of the time: rest (1 − Share)/Share as long.
			pause = time.Duration(float64(took) * (1 - o.Share) / o.Share)
		}
		if pause == 0 {
			continue
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}
