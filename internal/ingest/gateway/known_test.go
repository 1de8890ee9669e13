package gateway_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hookgate/hookgate/internal/ingest/gateway"
	"github.com/hookgate/hookgate/internal/ingest/groupcommit"
	"github.com/hookgate/hookgate/store"
)

// gatedCommitter passes commits to next, except that while gate is set every
// commit waits for it to be closed.
type gatedCommitter struct {
	next gateway.Committer
	mu   sync.Mutex
	gate chan struct{}
	seen chan string // event IDs of commits that reached the gate
}

func (g *gatedCommitter) Commit(ctx context.Context, d store.Delivery) (store.IngestResult, error) {
	g.mu.Lock()
	gate := g.gate
	g.mu.Unlock()
	if gate != nil {
		g.seen <- d.Receipt.EventID
		<-gate
	}
	return g.next.Commit(ctx, d)
}

func (g *gatedCommitter) hold() chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.gate = make(chan struct{})
	return g.gate
}

func TestKnownDuplicateIsAckedWithoutWaitingForTheStore(t *testing.T) {
	inner := newHarness(t, nil) // for its store
	next := groupcommit.New(inner.st, groupcommit.Options{})
	t.Cleanup(next.Close) // after h closes (cleanups run last-registered first)
	gc := &gatedCommitter{next: next, seen: make(chan string, 10)}
	h := newHarness(t, gc)

	w := serve(h.h, ghRequest("k-1", []byte(pushBody), true))
	first := decode(t, w)
	if w.Code != http.StatusOK || first.Status != "accepted" {
		t.Fatalf("first delivery: %d %+v", w.Code, first)
	}

	// The store now blocks every commit: a redelivery of k-1 is still acked at
	// once, as a duplicate of the same receipt, with its commit left pending.
	gate := gc.hold()
	done := make(chan *http.Response, 1)
	go func() { done <- serve(h.h, ghRequest("k-1", []byte(pushBody), true)).Result() }()
	select {
	case resp := <-done:
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("duplicate status = %d", resp.StatusCode)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the duplicate of a committed event waited for the blocked store")
	}
	if got := <-gc.seen; got != "k-1" {
		t.Fatalf("background commit of %q, want k-1", got)
	}

	// An event never seen takes the normal path and waits for its commit.
	fresh := make(chan int, 1)
	go func() { fresh <- serve(h.h, ghRequest("k-2", pushOf("k-2"), true)).Code }()
	if got := <-gc.seen; got != "k-2" {
		t.Fatalf("commit of %q, want k-2", got)
	}
	select {
	case code := <-fresh:
		t.Fatalf("a new event was acked (%d) before its commit", code)
	case <-time.After(200 * time.Millisecond):
	}
	close(gate)
	if code := <-fresh; code != http.StatusOK {
		t.Fatalf("new event status = %d", code)
	}

	// Close waits for the background commit: the counter and the audit row of
	// the duplicate are then stored.
	h.close()
	rc, err := inner.st.Receipt(context.Background(), first.ReceiptID)
	if err != nil {
		t.Fatal(err)
	}
	if rc.Duplicates != 1 {
		t.Errorf("duplicates = %d, want 1", rc.Duplicates)
	}
	recs, err := inner.st.ListAudit(context.Background(), store.AuditFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	dups := 0
	for _, r := range recs {
		if r.Outcome == store.OutcomeDuplicate && r.EventID == "k-1" && r.ReceiptID == first.ReceiptID {
			dups++
		}
	}
	if dups != 1 {
		t.Errorf("duplicate audit rows for k-1 = %d, want 1", dups)
	}
}

// scriptedCommitter answers commits from a list, in order.
type scriptedCommitter struct {
	mu      sync.Mutex
	results []store.IngestResult
}

func (s *scriptedCommitter) Commit(context.Context, store.Delivery) (store.IngestResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.results[0]
	s.results = s.results[1:]
	return r, nil
}

func TestKnownEventNoLongerStoredIsStoredAgainAndRelayed(t *testing.T) {
	// The store accepts k-1 as r1; by the redelivery retention has purged it, so
	// the background commit stores it again as r2, which must reach the relay.
	sc := &scriptedCommitter{results: []store.IngestResult{{ReceiptID: "r1"}, {ReceiptID: "r2"}}}
	h := newHarness(t, sc)
	if a := decode(t, serve(h.h, ghRequest("k-1", []byte(pushBody), true))); a.ReceiptID != "r1" {
		t.Fatalf("first ack = %+v", a)
	}
	if a := decode(t, serve(h.h, ghRequest("k-1", []byte(pushBody), true))); a.Status != "duplicate" || a.ReceiptID != "r1" {
		t.Fatalf("redelivery ack = %+v", a)
	}
	h.close()
	refs := h.notify.got()
	if len(refs) != 2 || refs[0].ID != "r1" || refs[1].ID != "r2" || refs[1].EventID != "k-1" {
		t.Fatalf("relay notifications = %+v, want r1 then r2", refs)
	}
}
