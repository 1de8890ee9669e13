package gateway

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hookgate/hookgate/store"
)

// Probe is a small write to the store (a heartbeat row): it fails when
// commits fail (a full disk, a read-only file system, an unreachable
// database), unlike a ping, which a full disk does not stop.
type Probe func(ctx context.Context) error

// probeEvery is how often a failing store is probed until a write succeeds.
const probeEvery = time.Second

// commitHealth says whether the store takes commits: a failed commit makes
// the gateway unready (/readyz 503) until a commit or a probe write succeeds,
// so that a load balancer sends deliveries to replicas that can store them.
type commitHealth struct {
	probe Probe // nil: only commits end a failure
	// report, when set, is told when commits start or stop failing (metrics).
	report func(failing bool)

	// down mirrors failing for the request path: a successful commit reads
	// it without the lock.
	down atomic.Bool

	mu      sync.Mutex
	failing bool
	since   time.Time
	probing bool
}

// observe records the outcome of a commit made for a request whose context
// is ctx. A failure caused by the request itself (its client went away) or
// by one record's value (store.ErrRefused) says nothing of the store.
func (h *commitHealth) observe(ctx context.Context, err error, now time.Time) {
	switch {
	case err == nil:
		h.recovered()
	case ctx.Err() != nil, errors.Is(err, store.ErrRefused), errors.Is(err, context.Canceled):
	default:
		h.failed(now)
	}
}

func (h *commitHealth) recovered() {
	if !h.down.Load() {
		return // the common case: nothing to recover from, no lock taken
	}
	h.mu.Lock()
	was := h.failing
	h.failing = false
	h.down.Store(false)
	h.mu.Unlock()
	if was && h.report != nil {
		h.report(false)
	}
}

func (h *commitHealth) failed(now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.failing {
		h.failing, h.since = true, now
		h.down.Store(true)
		if h.report != nil {
			h.report(true)
		}
	}
	if h.probe != nil && !h.probing {
		h.probing = true
		go h.probeUntilRecovered()
	}
}

// probeUntilRecovered writes to the store every probeEvery while commits
// fail, and ends the failure at the first write that succeeds.
func (h *commitHealth) probeUntilRecovered() {
	t := time.NewTicker(probeEvery)
	defer t.Stop()
	for range t.C {
		h.mu.Lock()
		if !h.failing {
			h.probing = false
			h.mu.Unlock()
			return
		}
		h.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := h.probe(ctx)
		cancel()
		if err == nil {
			h.mu.Lock()
			h.probing = false
			h.mu.Unlock()
			h.recovered()
			return
		}
	}
}

// state reports whether commits fail, and since when.
func (h *commitHealth) state() (bool, time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.failing, h.since
}

// CommitHealthObserver is implemented by observers that are told when the
// gateway's commits start or stop failing (metrics: a gauge).
type CommitHealthObserver interface {
	CommitsFailing(failing bool)
}
