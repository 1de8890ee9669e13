package searchindex_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookgate/hookgate/internal/storage/searchindex"
)

// fakeIndexer holds a queue of n bodies; each batch takes cost.
type fakeIndexer struct {
	mu     sync.Mutex
	queued int
	cost   time.Duration
	calls  int
	busy   time.Duration // time spent indexing
	fail   int           // batches that fail first
}

func (f *fakeIndexer) IndexSearch(ctx context.Context, limit int) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.fail > 0 {
		f.fail--
		return 0, errors.New("connection refused")
	}
	time.Sleep(f.cost)
	f.busy += f.cost
	n := min(limit, f.queued)
	f.queued -= n
	return n, nil
}

func (f *fakeIndexer) state() (queued int, busy time.Duration, calls int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.queued, f.busy, f.calls
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func run(t *testing.T, f *fakeIndexer, o searchindex.Options, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	done := make(chan struct{})
	go func() { searchindex.Run(ctx, f, o, quiet); close(done) }()
	<-done
}

// Not busy: batches run back to back until the queue is empty, then the
// indexer waits Idle between polls.
func TestDrainsAtFullSpeedWhenIngestIsNotBusy(t *testing.T) {
	f := &fakeIndexer{queued: 10 * 256, cost: 2 * time.Millisecond}
	run(t, f, searchindex.Options{Idle: time.Hour}, 300*time.Millisecond)
	queued, _, calls := f.state()
	if queued != 0 || calls != 11 {
		t.Fatalf("queued %d after %d calls, want 0 after 11 (10 full batches, one empty poll, then idle)", queued, calls)
	}
}

// Busy: the indexer works about Share of the time, and the queue waits.
func TestYieldsToSaturatedIngest(t *testing.T) {
	f := &fakeIndexer{queued: 1 << 30, cost: 5 * time.Millisecond}
	var busy atomic.Bool
	busy.Store(true)
	const window = 600 * time.Millisecond
	run(t, f, searchindex.Options{Share: 0.1, Busy: busy.Load}, window)
	_, worked, calls := f.state()
	// 10% of 600 ms is 60 ms, 12 batches; allow for the first batch and
	// scheduling, but far from the 120 batches of full speed.
	if worked > 100*time.Millisecond || calls < 5 {
		t.Fatalf("worked %v in %d batches over %v, want about 10%%", worked, calls, window)
	}
}

// A failed batch is retried after Retry, and indexing goes on.
func TestRetriesAfterAFailure(t *testing.T) {
	f := &fakeIndexer{queued: 300, fail: 2}
	run(t, f, searchindex.Options{Retry: 10 * time.Millisecond, Idle: time.Hour}, 200*time.Millisecond)
	if queued, _, calls := f.state(); queued != 0 || calls != 4 {
		t.Fatalf("queued %d after %d calls, want 0 after 4 (2 failures, a full batch, the rest)", queued, calls)
	}
}
