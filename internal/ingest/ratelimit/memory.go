package ratelimit

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultMaxKeys bounds the number of keys a Memory store tracks.
const DefaultMaxKeys = 100_000

// Memory is an in-process Store (token buckets from golang.org/x/time/rate,
// equivalent to GCRA). It is safe for concurrent use. Its key count is bounded:
// when full, idle keys (whose bucket has refilled) are evicted, and if none is
// idle the store refuses new keys rather than growing without bound under a
// flood of spoofed sources.
type Memory struct {
	now     func() time.Time
	maxKeys int

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

// NewMemory returns an in-process store. now is the clock (nil: time.Now);
// maxKeys <= 0 means DefaultMaxKeys.
func NewMemory(now func() time.Time, maxKeys int) *Memory {
	if now == nil {
		now = time.Now
	}
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	return &Memory{now: now, maxKeys: maxKeys, buckets: map[string]*rate.Limiter{}}
}

// Allow charges one event to key. It never returns an error.
func (m *Memory) Allow(_ context.Context, key string, l Limit) (Decision, error) {
	if l.IsZero() {
		return Decision{Allowed: true}, nil
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.buckets[key]
	if !ok {
		if len(m.buckets) >= m.maxKeys && !m.evictIdle(now) {
			// Refusing is safer than unbounded memory: only reached when
			// maxKeys distinct keys are all busy at once.
			return Decision{RetryAfter: time.Second}, nil
		}
		b = rate.NewLimiter(perSecond(l), l.Burst)
		m.buckets[key] = b
	}
	r := b.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return Decision{RetryAfter: retryAfter(d)}, nil
	}
	return Decision{Allowed: true}, nil
}

// Len returns the number of tracked keys (tests, metrics).
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.buckets)
}

// evictIdle drops every bucket that is full again (it holds no state worth
// keeping) and reports whether anything was dropped. Called with mu held.
func (m *Memory) evictIdle(now time.Time) bool {
	n := len(m.buckets)
	for k, b := range m.buckets {
		if b.TokensAt(now) >= float64(b.Burst()) {
			delete(m.buckets, k)
		}
	}
	return len(m.buckets) < n
}

func perSecond(l Limit) rate.Limit {
	return rate.Limit(float64(l.Rate) / l.Per.Seconds())
}
