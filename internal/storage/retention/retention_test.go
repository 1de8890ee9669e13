package retention_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hookgate/hookgate/internal/storage/retention"
	"github.com/hookgate/hookgate/internal/storage/sqlite"
	"github.com/hookgate/hookgate/store"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fakePurger records the cut-offs it is called with.
type fakePurger struct {
	mu                      sync.Mutex
	audit, bodies, receipts []time.Time
	err                     error
}

func (f *fakePurger) PurgeAudit(_ context.Context, before time.Time) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.audit = append(f.audit, before)
	return 3, f.err
}

func (f *fakePurger) PurgeBodies(_ context.Context, before time.Time) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bodies = append(f.bodies, before)
	return 2, nil
}

func (f *fakePurger) PurgeReceipts(_ context.Context, before time.Time) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.receipts = append(f.receipts, before)
	return 5, nil
}

func (f *fakePurger) PurgeContentKeys(context.Context, time.Time) (int64, error) { return 0, nil }

func (f *fakePurger) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.audit)
}

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func TestOnceCutOffs(t *testing.T) {
	f := &fakePurger{}
	j, err := retention.New(f, retention.Options{Audit: 720 * time.Hour, Bodies: 2160 * time.Hour, Interval: time.Hour,
		Logger: quiet, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := j.Once(context.Background())
	if err != nil || res != (retention.Result{Audit: 3, Bodies: 2}) {
		t.Fatalf("Once = %+v, %v", res, err)
	}
	if !f.audit[0].Equal(now.Add(-720*time.Hour)) || !f.bodies[0].Equal(now.Add(-2160*time.Hour)) {
		t.Fatalf("cut-offs audit %v bodies %v", f.audit[0], f.bodies[0])
	}
	if len(f.receipts) != 0 {
		t.Fatalf("receipts purged (before %v) with Receipts zero: they must be kept forever", f.receipts)
	}
}

func TestOnceReceipts(t *testing.T) {
	f := &fakePurger{}
	j, err := retention.New(f, retention.Options{Audit: 720 * time.Hour, Bodies: 2160 * time.Hour, Receipts: 8760 * time.Hour,
		Interval: time.Hour, Logger: quiet, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := j.Once(context.Background())
	if err != nil || res != (retention.Result{Audit: 3, Bodies: 2, Receipts: 5}) {
		t.Fatalf("Once = %+v, %v", res, err)
	}
	if len(f.receipts) != 1 || !f.receipts[0].Equal(now.Add(-8760*time.Hour)) {
		t.Fatalf("receipts cut-offs %v, want one at %v", f.receipts, now.Add(-8760*time.Hour))
	}
}

func TestOnceKeepsGoingAfterAnError(t *testing.T) {
	f := &fakePurger{err: errors.New("disk full")}
	j, err := retention.New(f, retention.Options{Audit: time.Hour, Bodies: time.Hour, Interval: time.Hour, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.Once(context.Background()); err == nil {
		t.Fatal("the audit purge error was lost")
	}
	if len(f.bodies) != 1 {
		t.Fatal("bodies not purged after the audit purge failed")
	}
}

func TestNewValidates(t *testing.T) {
	tests := []retention.Options{
		{Audit: 0, Bodies: time.Hour, Interval: time.Hour},
		{Audit: time.Hour, Bodies: -time.Hour, Interval: time.Hour},
		{Audit: time.Hour, Bodies: time.Hour},
		{Audit: time.Hour, Bodies: time.Hour, Interval: time.Hour, Receipts: -time.Hour},
	}
	for i, o := range tests {
		if _, err := retention.New(&fakePurger{}, o); err == nil {
			t.Errorf("options %d accepted", i)
		}
	}
	if _, err := retention.New(nil, retention.Options{Audit: 1, Bodies: 1, Interval: 1}); err == nil {
		t.Error("nil purger accepted")
	}
}

func TestRunTicksUntilCancelled(t *testing.T) {
	f := &fakePurger{}
	j, err := retention.New(f, retention.Options{Audit: time.Hour, Bodies: time.Hour, Interval: 10 * time.Millisecond, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- j.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for f.calls() < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	if f.calls() < 3 {
		t.Fatalf("%d passes, want at least 3 (one at start, then every interval)", f.calls())
	}
}

func TestAgainstSQLite(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hookgate.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	rec := func(id string, at time.Time) store.AuditRecord {
		return store.AuditRecord{ID: id, At: at, Source: "gh", Status: 401, Outcome: store.OutcomeRejected, Reason: "bad_signature"}
	}
	if err := st.Audit(ctx, []store.AuditRecord{rec("old", now.Add(-800*time.Hour)), rec("new", now.Add(-time.Hour))}); err != nil {
		t.Fatal(err)
	}
	j, err := retention.New(st, retention.Options{Audit: 720 * time.Hour, Bodies: 2160 * time.Hour, Interval: time.Hour,
		Logger: quiet, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := j.Once(ctx)
	if err != nil || res.Audit != 1 {
		t.Fatalf("Once = %+v, %v; want one audit record removed", res, err)
	}
	left, err := st.ListAudit(ctx, store.AuditFilter{Limit: 10})
	if err != nil || len(left) != 1 || left[0].ID != "new" {
		t.Fatalf("left %+v, %v", left, err)
	}
}
