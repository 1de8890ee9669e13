package relay_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hookgate/hookgate/internal/processing/relay"
	"github.com/hookgate/hookgate/internal/testing/testenv"
	"github.com/hookgate/hookgate/store"
)

// fakeStore keeps refs left un-started; MarkQueued removes them.
type fakeStore struct {
	mu        sync.Mutex
	unstarted []store.Ref
	queued    map[string]store.Queued
	marks     int // MarkQueued calls
	befores   []time.Time
	// transitions are the receipts marked dead by the relay.
	transitions []store.Transition
}

func newFakeStore(left ...store.Ref) *fakeStore {
	return &fakeStore{unstarted: left, queued: map[string]store.Queued{}}
}

func (s *fakeStore) Unstarted(_ context.Context, before time.Time, limit int) ([]store.Ref, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.befores = append(s.befores, before)
	var out []store.Ref
	for _, r := range s.unstarted {
		if _, ok := s.queued[r.ID]; !ok && len(out) < limit {
			out = append(out, r)
		}
	}
	return out, nil
}

// Claim is Unstarted: the fake serves one relay.
func (s *fakeStore) Claim(ctx context.Context, before time.Time, limit int, _ time.Duration) ([]store.Ref, error) {
	return s.Unstarted(ctx, before, limit)
}

func (s *fakeStore) MarkQueued(_ context.Context, qs []store.Queued) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.marks++
	for _, q := range qs {
		s.queued[q.ReceiptID] = q
	}
	return nil
}

func (s *fakeStore) Transition(_ context.Context, tr store.Transition) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.transitions = append(s.transitions, tr)
	s.queued[tr.ReceiptID] = store.Queued{ReceiptID: tr.ReceiptID} // no longer unstarted
	return nil
}

func (s *fakeStore) queuedCopy() map[string]store.Queued {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]store.Queued, len(s.queued))
	for k, v := range s.queued {
		out[k] = v
	}
	return out
}

// fakeStarter counts starts per receipt and fails the first failFirst of each.
type fakeStarter struct {
	mu        sync.Mutex
	calls     map[string]int
	failFirst int
}

func (f *fakeStarter) Start(_ context.Context, ref store.Ref) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[ref.ID]++
	if f.calls[ref.ID] <= f.failFirst {
		return "", errors.New("temporal unavailable")
	}
	return ref.Source + "/" + ref.EventID, nil
}

func (f *fakeStarter) count(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[id]
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testenv.Eventually(t, what, 10*time.Second, 5*time.Millisecond, func() (bool, string) { return cond(), "" })
}

// runRelay runs r until the test ends and checks Run returns nil promptly.
func runRelay(t *testing.T, r *relay.Relay) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run = %v, want nil", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after cancel")
		}
	}
	t.Cleanup(stop)
	return stop
}

func TestNotifiedRefsStartedOnceAndMarked(t *testing.T) {
	st := newFakeStore()
	sr := &fakeStarter{}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	r := relay.New(st, sr, relay.Options{Interval: time.Hour, Grace: time.Minute, Now: func() time.Time { return now }})
	stop := runRelay(t, r)

	refs := []store.Ref{{ID: "r1", Source: "gh", EventID: "e1"}, {ID: "r2", Source: "stripe", EventID: "e2"}}
	for _, ref := range refs {
		r.Notify(ref)
	}
	waitFor(t, "both receipts marked queued", func() bool { return len(st.queuedCopy()) == 2 })
	stop()

	q := st.queuedCopy()
	for _, ref := range refs {
		if n := sr.count(ref.ID); n != 1 {
			t.Errorf("%s started %d times, want 1", ref.ID, n)
		}
		got := q[ref.ID]
		if got.WorkflowID != ref.Source+"/"+ref.EventID || !got.At.Equal(now) {
			t.Errorf("%s queued as %+v", ref.ID, got)
		}
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.befores) == 0 {
		t.Fatal("no sweep at start-up")
	}
	if want := now.Add(-time.Minute); !st.befores[0].Equal(want) {
		t.Errorf("sweep before = %v, want now-grace %v", st.befores[0], want)
	}
}

func TestSweepPicksUpLeftBehind(t *testing.T) {
	left := []store.Ref{{ID: "old1", Source: "gh", EventID: "o1"}, {ID: "old2", Source: "gh", EventID: "o2"}}
	st := newFakeStore(left...)
	// Temporal is down for the first start of each receipt.
	sr := &fakeStarter{failFirst: 1}
	var mu sync.Mutex
	var failures int
	r := relay.New(st, sr, relay.Options{
		Interval: 20 * time.Millisecond,
		OnStarted: func(_ store.Ref, err error) {
			if err != nil {
				mu.Lock()
				failures++
				mu.Unlock()
			}
		},
	})
	stop := runRelay(t, r)
	waitFor(t, "left-behind receipts queued", func() bool { return len(st.queuedCopy()) == 2 })
	stop()
	for _, ref := range left {
		if n := sr.count(ref.ID); n < 2 {
			t.Errorf("%s started %d times, want a failure then a success", ref.ID, n)
		}
		if q := st.queuedCopy()[ref.ID]; q.WorkflowID != "gh/"+ref.EventID {
			t.Errorf("%s workflow = %q", ref.ID, q.WorkflowID)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if failures < 2 {
		t.Errorf("OnStarted saw %d failures, want ≥ 2", failures)
	}
}

func TestSweepKick(t *testing.T) {
	st := newFakeStore()
	sr := &fakeStarter{}
	r := relay.New(st, sr, relay.Options{Interval: time.Hour})
	runRelay(t, r)
	waitFor(t, "start-up sweep", func() bool {
		st.mu.Lock()
		defer st.mu.Unlock()
		return len(st.befores) == 1
	})
	// A receipt appears (a replay): Sweep finds it without waiting an hour.
	st.mu.Lock()
	st.unstarted = append(st.unstarted, store.Ref{ID: "rp", Source: "gh", EventID: "x"})
	st.mu.Unlock()
	r.Sweep()
	waitFor(t, "kicked sweep to start the receipt", func() bool { return len(st.queuedCopy()) == 1 })
}

// blockingStarter blocks until its context ends.
type blockingStarter struct{ entered chan struct{} }

func (b *blockingStarter) Start(ctx context.Context, _ store.Ref) (string, error) {
	b.entered <- struct{}{}
	<-ctx.Done()
	return "", ctx.Err()
}

func TestShutdownIsClean(t *testing.T) {
	st := newFakeStore()
	bs := &blockingStarter{entered: make(chan struct{}, 10)}
	r := relay.New(st, bs, relay.Options{Interval: time.Hour, StartTimeout: time.Hour})
	stop := runRelay(t, r)
	r.Notify(store.Ref{ID: "r1", Source: "gh", EventID: "e1"})
	select {
	case <-bs.entered:
	case <-time.After(5 * time.Second):
		t.Fatal("start never called")
	}
	// Cancelling interrupts the in-flight start; Run returns and nothing is
	// marked queued for a start that failed.
	stop()
	if q := st.queuedCopy(); len(q) != 0 {
		t.Errorf("marked after a cancelled start: %+v", q)
	}
	// Notify after shutdown must not block.
	done := make(chan struct{})
	go func() {
		for range 5000 {
			r.Notify(store.Ref{ID: "late"})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Notify blocked")
	}
}

func TestShutdownFlushesMarks(t *testing.T) {
	st := newFakeStore()
	sr := &fakeStarter{}
	var started sync.WaitGroup
	started.Add(50)
	r := relay.New(st, sr, relay.Options{Interval: time.Hour, OnStarted: func(store.Ref, error) { started.Done() }})
	stop := runRelay(t, r)
	for i := range 50 {
		r.Notify(store.Ref{ID: "r" + string(rune('A'+i)), Source: "s", EventID: string(rune('A' + i))})
	}
	started.Wait()
	stop()
	// Every successful start is recorded, even those still batched at cancel.
	if n := len(st.queuedCopy()); n != 50 {
		t.Errorf("queued = %d after shutdown, want 50", n)
	}
}

// gatedStarter blocks every start until open is closed.
type gatedStarter struct {
	fakeStarter
	open chan struct{}
}

func (g *gatedStarter) Start(ctx context.Context, ref store.Ref) (string, error) {
	select {
	case <-g.open:
		return g.fakeStarter.Start(ctx, ref)
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func TestWakeStartsFreshReceiptsOnceEach(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	st := newFakeStore()
	gs := &gatedStarter{open: make(chan struct{})}
	r := relay.New(st, gs, relay.Options{Interval: time.Hour, Grace: time.Minute, Now: func() time.Time { return now }})
	runRelay(t, r)
	sweeps := func() int {
		st.mu.Lock()
		defer st.mu.Unlock()
		return len(st.befores)
	}
	waitFor(t, "start-up sweep", func() bool { return sweeps() == 1 })

	// Another process committed two receipts: a wake finds them at once,
	// without the grace period.
	st.mu.Lock()
	st.unstarted = append(st.unstarted, store.Ref{ID: "w1", Source: "gh", EventID: "1"}, store.Ref{ID: "w2", Source: "gh", EventID: "2"})
	st.mu.Unlock()
	r.Wake()
	waitFor(t, "wake sweep", func() bool { return sweeps() == 2 })
	st.mu.Lock()
	if !st.befores[1].Equal(now) {
		t.Errorf("wake sweep before = %v, want now (no grace)", st.befores[1])
	}
	st.mu.Unlock()

	// While their starts hang, more wakes sweep again and find the same
	// receipts, still un-marked: they are in flight and not started twice.
	for range 3 {
		n := sweeps()
		r.Wake()
		waitFor(t, "another wake sweep", func() bool { return sweeps() > n })
	}
	close(gs.open)
	waitFor(t, "both marked queued", func() bool { return len(st.queuedCopy()) == 2 })
	for _, id := range []string{"w1", "w2"} {
		if n := gs.count(id); n != 1 {
			t.Errorf("%s started %d times, want 1", id, n)
		}
	}
}

// refusingStarter refuses, for good, every start of the source "removed".
type refusingStarter struct{ fakeStarter }

func (f *refusingStarter) Start(ctx context.Context, ref store.Ref) (string, error) {
	if ref.Source == "removed" {
		f.fakeStarter.Start(ctx, ref) // counted
		return "", fmt.Errorf("start %s: source %q is not configured: %w", ref.ID, ref.Source, relay.ErrPermanent)
	}
	return f.fakeStarter.Start(ctx, ref)
}

// A receipt whose start can never succeed (its source was removed) is marked
// dead with the cause after one try, instead of being retried at the head of
// every sweep; the receipts behind it start.
func TestPermanentStartFailureMarksTheReceiptDead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var left []store.Ref
		for i := range 5 {
			left = append(left, store.Ref{ID: fmt.Sprint("bad", i), Source: "removed", EventID: fmt.Sprint("e", i)})
		}
		left = append(left, store.Ref{ID: "good", Source: "gh", EventID: "g"})
		st := newFakeStore(left...)
		sr := &refusingStarter{}
		r := relay.New(st, sr, relay.Options{Interval: time.Second, Grace: time.Millisecond, SweepLimit: 3})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- r.Run(ctx) }()
		time.Sleep(10 * time.Second) // ten sweeps
		cancel()
		<-done

		if _, ok := st.queuedCopy()["good"]; !ok {
			t.Error("the good receipt behind the unstartable ones was not started")
		}
		st.mu.Lock()
		defer st.mu.Unlock()
		if len(st.transitions) != 5 {
			t.Fatalf("%d receipts marked, want the 5 unstartable ones: %+v", len(st.transitions), st.transitions)
		}
		for _, tr := range st.transitions {
			if tr.To != store.StatusDead || !strings.Contains(tr.Error, "not configured") {
				t.Errorf("marked %+v, want dead with the cause", tr)
			}
			if n := sr.count(tr.ReceiptID); n != 1 {
				t.Errorf("%s tried %d times, want once", tr.ReceiptID, n)
			}
		}
	})
}
