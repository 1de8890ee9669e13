package gateway

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hookgate/hookgate/store"
)

// AuditWriter is the store method the auditor needs.
type AuditWriter interface {
	Audit(ctx context.Context, rs []store.AuditRecord) error
}

// auditor writes the audit records of rejected requests in the background, in
// batches. Its queue is bounded: under a flood of rejected requests records are
// dropped (and counted) rather than letting an attacker fill memory or the disk.
// Accepted requests are audited in the ingest transaction, not here.
type auditor struct {
	w       AuditWriter
	log     *slog.Logger
	queue   chan store.AuditRecord
	dropped atomic.Int64
	wg      sync.WaitGroup
	// sample, when set, thins records under a flood (sampling.go); sampled
	// counts the records it skipped.
	sample  *sampler
	sampled atomic.Int64
	// closeOnce makes close idempotent (Close may be called twice on shutdown).
	closeOnce sync.Once
}

func newAuditor(w AuditWriter, log *slog.Logger, capacity int) *auditor {
	a := &auditor{w: w, log: log, queue: make(chan store.AuditRecord, capacity)}
	a.wg.Add(1)
	go a.run()
	return a
}

// add queues r, or drops it when the queue is full or sampling skips it.
func (a *auditor) add(r store.AuditRecord) {
	if a.sample != nil && !a.sample.keep(r.Source, r.At) {
		a.sampled.Add(1)
		return
	}
	select {
	case a.queue <- r:
	default:
		a.dropped.Add(1)
	}
}

// close flushes what is queued and stops.
func (a *auditor) close() {
	a.closeOnce.Do(func() { close(a.queue) })
	a.wg.Wait()
}

func (a *auditor) run() {
	defer a.wg.Done()
	const maxBatch = 256
	batch := make([]store.AuditRecord, 0, maxBatch)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	flush := func() {
		if len(batch) == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.w.Audit(ctx, batch); err != nil {
			a.log.Error("audit write failed", "records", len(batch), "err", err)
		}
		batch = batch[:0]
		if n := a.dropped.Swap(0); n > 0 {
			a.log.Warn("audit records dropped under load", "dropped", n)
		}
		if n := a.sampled.Swap(0); n > 0 {
			a.log.Warn("audit records skipped by sampling under flood", "skipped", n)
		}
	}
	for {
		select {
		case r, ok := <-a.queue:
			if !ok {
				flush()
				return
			}
			batch = append(batch, r)
			if len(batch) == maxBatch {
				flush()
			}
		case <-tick.C:
			flush()
		}
	}
}
