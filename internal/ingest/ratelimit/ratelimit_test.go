package ratelimit_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hookgate/hookgate/internal/ingest/ratelimit"
	"github.com/hookgate/hookgate/internal/testing/testenv"
)

// clock is a manual clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// allowN calls Allow n times and returns how many were allowed and the last decision.
func allowN(t *testing.T, s ratelimit.Store, key string, l ratelimit.Limit, n int) (int, ratelimit.Decision) {
	t.Helper()
	ok := 0
	var last ratelimit.Decision
	for range n {
		d, err := s.Allow(context.Background(), key, l)
		if err != nil {
			t.Fatal(err)
		}
		if d.Allowed {
			ok++
		}
		last = d
	}
	return ok, last
}

func TestMemoryBurstThenRate(t *testing.T) {
	tests := []struct {
		name      string
		limit     ratelimit.Limit
		tries     int
		wantOK    int
		wantRetry time.Duration
	}{
		{"zero limit never binds", ratelimit.Limit{}, 1000, 1000, 0},
		{"burst then refused", ratelimit.Limit{Rate: 1, Per: time.Second, Burst: 5}, 8, 5, time.Second},
		{"slow refill rounds Retry-After up", ratelimit.Limit{Rate: 1, Per: 10 * time.Second, Burst: 2}, 3, 2, 10 * time.Second},
		{"sub-second wait is one second", ratelimit.Limit{Rate: 100, Per: time.Second, Burst: 1}, 2, 1, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			m := ratelimit.NewMemory(c.now, 0)
			ok, last := allowN(t, m, "k", tt.limit, tt.tries)
			if ok != tt.wantOK {
				t.Fatalf("allowed %d of %d, want %d", ok, tt.tries, tt.wantOK)
			}
			if tt.wantOK < tt.tries && last.RetryAfter != tt.wantRetry {
				t.Fatalf("RetryAfter = %v, want %v", last.RetryAfter, tt.wantRetry)
			}
		})
	}
}

func TestMemoryRefillsAndKeysAreIndependent(t *testing.T) {
	c := newClock()
	m := ratelimit.NewMemory(c.now, 0)
	l := ratelimit.Limit{Rate: 2, Per: time.Second, Burst: 2}
	if ok, _ := allowN(t, m, "a", l, 3); ok != 2 {
		t.Fatalf("a: allowed %d, want 2", ok)
	}
	if ok, _ := allowN(t, m, "b", l, 2); ok != 2 {
		t.Fatalf("b is charged for a's requests: allowed %d, want 2", ok)
	}
	c.advance(500 * time.Millisecond) // one token back at 2/s
	if ok, _ := allowN(t, m, "a", l, 2); ok != 1 {
		t.Fatalf("a after 500ms: allowed %d, want 1", ok)
	}
}

func TestMemoryBoundedKeys(t *testing.T) {
	c := newClock()
	m := ratelimit.NewMemory(c.now, 3)
	l := ratelimit.Limit{Rate: 1, Per: time.Minute, Burst: 1}
	for _, k := range []string{"a", "b", "c"} {
		allowN(t, m, k, l, 1)
	}
	// Every bucket is busy: a fourth key is refused rather than tracked.
	if d, _ := m.Allow(context.Background(), "d", l); d.Allowed {
		t.Fatal("a new key was admitted past MaxKeys while all keys are busy")
	}
	if m.Len() != 3 {
		t.Fatalf("Len = %d, want 3", m.Len())
	}
	// Once the buckets have refilled they are evicted and new keys fit.
	c.advance(time.Minute)
	if d, _ := m.Allow(context.Background(), "d", l); !d.Allowed {
		t.Fatal("new key refused although idle keys could be evicted")
	}
	if m.Len() != 1 {
		t.Fatalf("Len after eviction = %d, want 1", m.Len())
	}
}

func refusal(t *testing.T, err error) *ratelimit.Refusal {
	t.Helper()
	var r *ratelimit.Refusal
	if !errors.As(err, &r) {
		t.Fatalf("err = %v, want a *Refusal", err)
	}
	return r
}

func TestGuardTrafficLimits(t *testing.T) {
	c := newClock()
	g, err := ratelimit.New(ratelimit.Options{
		Policy: ratelimit.Policy{
			PerIP:     ratelimit.Limit{Rate: 1, Per: time.Second, Burst: 2},
			PerSource: ratelimit.Limit{Rate: 1, Per: time.Second, Burst: 3},
		},
		Sources: map[string]ratelimit.Policy{
			"big": {PerIP: ratelimit.Limit{Rate: 100, Per: time.Second, Burst: 100}, PerSource: ratelimit.Limit{Rate: 100, Per: time.Second, Burst: 100}},
		},
		Now: c.now,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// Per IP: 2, then refused.
	for i := range 2 {
		if err := g.Admit(ctx, "1.1.1.1", "gh"); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	r := refusal(t, g.Admit(ctx, "1.1.1.1", "gh"))
	if !errors.Is(r, ratelimit.ErrRateLimited) || r.RetryAfter != time.Second {
		t.Fatalf("refusal = %v after %v, want rate limited after 1s", r, r.RetryAfter)
	}
	// Per IP, so other IPs are not refused for the first one's traffic, and
	// the per-IP check spends nothing of the source's budget.
	for _, ip := range []string{"2.2.2.2", "3.3.3.3"} {
		if err := g.Admit(ctx, ip, "gh"); err != nil {
			t.Fatalf("IP %s: %v", ip, err)
		}
	}
	// Per source: verified requests only, 3 whatever their IPs, then refused.
	for i := range 3 {
		if err := g.AdmitVerified(ctx, "gh"); err != nil {
			t.Fatalf("verified request %d: %v", i, err)
		}
	}
	if r := refusal(t, g.AdmitVerified(ctx, "gh")); !errors.Is(r, ratelimit.ErrRateLimited) || r.RetryAfter != time.Second {
		t.Fatalf("over the source budget: %v after %v, want rate limited after 1s", r, r.RetryAfter)
	}
	// Another source has its own budgets, and an override lifts them.
	for i := range 50 {
		if err := g.Admit(ctx, "1.1.1.1", "big"); err != nil {
			t.Fatalf("overridden source, request %d: %v", i, err)
		}
		if err := g.AdmitVerified(ctx, "big"); err != nil {
			t.Fatalf("overridden source, verified request %d: %v", i, err)
		}
	}
}

func TestGuardFailuresThenBlock(t *testing.T) {
	c := newClock()
	g, err := ratelimit.New(ratelimit.Options{
		Policy: ratelimit.Policy{
			Failures:   ratelimit.Limit{Rate: 1, Per: time.Minute, Burst: 3},
			BlockAfter: 2,
			BlockFor:   10 * time.Minute,
		},
		Now: c.now,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const bad, good = "6.6.6.6", "7.7.7.7"
	for i := range 3 {
		if err := g.Suspect(bad, "gh"); err != nil {
			t.Fatalf("failure %d suspected before the budget is spent: %v", i, err)
		}
		g.Failed(bad, "gh")
	}
	// The traffic limits are not the failure budget's: Admit still admits.
	if err := g.Admit(ctx, bad, "gh"); err != nil {
		t.Fatalf("Admit after spent failures: %v", err)
	}
	// Budgets are per IP and source: the IP's record for gh says nothing of stripe.
	if err := g.Suspect(bad, "stripe"); err != nil {
		t.Fatalf("another source suspected: %v", err)
	}
	r := refusal(t, g.Suspect(bad, "gh"))
	if !errors.Is(r, ratelimit.ErrTooManyFailures) || r.RetryAfter != time.Minute {
		t.Fatalf("after the budget: %v retry %v, want ErrTooManyFailures retry 1m", r, r.RetryAfter)
	}
	// Another IP is unaffected.
	if err := g.Suspect(good, "gh"); err != nil {
		t.Fatalf("innocent IP suspected: %v", err)
	}
	// Keeping on while refused blocks the IP.
	r = refusal(t, g.Suspect(bad, "gh"))
	if !errors.Is(r, ratelimit.ErrBlocked) || r.RetryAfter != 10*time.Minute {
		t.Fatalf("second refusal = %v retry %v, want ErrBlocked for 10m", r, r.RetryAfter)
	}
	if g.Blocked() != 1 {
		t.Fatalf("Blocked = %d, want 1", g.Blocked())
	}
	// Blocked even after the failure budget would have refilled.
	c.advance(5 * time.Minute)
	if err := g.Suspect(bad, "gh"); !errors.Is(err, ratelimit.ErrBlocked) {
		t.Fatalf("during the block: %v, want ErrBlocked", err)
	}
	c.advance(5 * time.Minute)
	if err := g.Suspect(bad, "gh"); err != nil {
		t.Fatalf("after the block: %v", err)
	}
	if g.Blocked() != 0 {
		t.Fatalf("Blocked after expiry = %d, want 0", g.Blocked())
	}
}

func TestGuardRejectsInvalidLimits(t *testing.T) {
	tests := []struct {
		name string
		o    ratelimit.Options
	}{
		{"no period", ratelimit.Options{Policy: ratelimit.Policy{PerIP: ratelimit.Limit{Rate: 1, Burst: 1}}}},
		{"no burst", ratelimit.Options{Policy: ratelimit.Policy{Failures: ratelimit.Limit{Rate: 1, Per: time.Second}}}},
		{"bad override", ratelimit.Options{Sources: map[string]ratelimit.Policy{"x": {PerSource: ratelimit.Limit{Rate: 1, Per: time.Second}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ratelimit.New(tt.o); err == nil {
				t.Fatal("New accepted an unenforceable limit")
			}
		})
	}
}

func TestRedisSharedBudget(t *testing.T) {
	opt, err := redis.ParseURL(testenv.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	prefix := testenv.Unique("rl") + ":"
	// Two stores on one server stand for two replicas.
	a, b := ratelimit.NewRedis(rdb, prefix), ratelimit.NewRedis(rdb, prefix)
	l := ratelimit.Limit{Rate: 1, Per: time.Minute, Burst: 4}
	okA, _ := allowN(t, a, "k", l, 2)
	okB, last := allowN(t, b, "k", l, 4)
	if okA+okB != 4 {
		t.Fatalf("allowed %d+%d across replicas, want 4 in total", okA, okB)
	}
	// One per minute: the next event is a whole emission interval away.
	if last.Allowed || last.RetryAfter < 59*time.Second || last.RetryAfter > 61*time.Second {
		t.Fatalf("last decision %+v, want refused with ~1m", last)
	}
	if ok, _ := allowN(t, a, "other", l, 1); ok != 1 {
		t.Fatal("an unrelated key is charged")
	}
}

func TestRedisDownFailsOpenButFailureBudgetHolds(t *testing.T) {
	// Nothing listens on port 1: every Redis call fails.
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { rdb.Close() })
	c := newClock()
	g, err := ratelimit.New(ratelimit.Options{
		Policy: ratelimit.Policy{
			PerIP:    ratelimit.Limit{Rate: 1, Per: time.Hour, Burst: 1},
			Failures: ratelimit.Limit{Rate: 1, Per: time.Hour, Burst: 1},
		},
		Store: ratelimit.NewRedis(rdb, "x:"),
		Now:   c.now,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 3 {
		if err := g.Admit(ctx, "1.1.1.1", "gh"); err != nil {
			t.Fatalf("request %d refused with Redis down: %v", i, err)
		}
	}
	if g.FailOpens() != 3 {
		t.Fatalf("FailOpens = %d, want 3", g.FailOpens())
	}
	g.Failed("1.1.1.1", "gh")
	if err := g.Suspect("1.1.1.1", "gh"); !errors.Is(err, ratelimit.ErrTooManyFailures) {
		t.Fatalf("failure budget with Redis down: %v, want ErrTooManyFailures", err)
	}
}

// slowStore never answers before its context ends.
type slowStore struct{}

func (slowStore) Allow(ctx context.Context, _ string, _ ratelimit.Limit) (ratelimit.Decision, error) {
	<-ctx.Done()
	return ratelimit.Decision{}, ctx.Err()
}

func TestSlowStoreFailsOpenWithinTheTimeout(t *testing.T) {
	g, err := ratelimit.New(ratelimit.Options{
		Policy:       ratelimit.Policy{PerIP: ratelimit.Limit{Rate: 1, Per: time.Hour, Burst: 1}},
		Store:        slowStore{},
		StoreTimeout: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := g.Admit(context.Background(), "1.1.1.1", "gh"); err != nil {
		t.Fatalf("Admit = %v, want fail open", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Admit took %v with a hung store, want about the 50ms timeout", d)
	}
	if g.FailOpens() != 1 {
		t.Fatalf("FailOpens = %d, want 1", g.FailOpens())
	}
}
