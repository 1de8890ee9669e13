package groupcommit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/uuid"

	"github.com/hookgate/hookgate/internal/storage/postgres"
	"github.com/hookgate/hookgate/internal/testing/testenv"
	"github.com/hookgate/hookgate/store"
)

// gated holds the first Ingest until open is closed, so that the test can
// queue a whole batch behind it.
type gated struct {
	Ingester
	entered chan struct{}
	open    chan struct{}
	once    sync.Once
}

func (g *gated) Ingest(ctx context.Context, ds []store.Delivery) ([]store.IngestResult, error) {
	first := false
	g.once.Do(func() { first = true })
	if first {
		close(g.entered)
		<-g.open
	}
	return g.Ingester.Ingest(ctx, ds)
}

func pgDelivery(eventID string) store.Delivery {
	id := uuid.Must(uuid.NewV7()).String()
	now := time.Now()
	return store.Delivery{
		Receipt: store.Receipt{ID: id, Source: "paypal", Provider: "paypal", EventID: eventID, EventType: "PAYMENT.CAPTURE.COMPLETED",
			Body: []byte(`{}`), ReceivedAt: now},
		Audit: store.AuditRecord{ID: uuid.NewString(), At: now, Source: "paypal", Method: http.MethodPost, Status: http.StatusOK},
	}
}

// A value PostgreSQL refuses (a NUL byte in an event ID, which the gateway's
// checks would stop, but a store must not trust that) fails only its own
// delivery: 21 deliveries committed as one batch, one of them bad, give 20
// acks and one error wrapping store.ErrRefused.
func TestRefusedValueFailsOnlyItsOwnDelivery(t *testing.T) {
	st, err := postgres.Open(context.Background(), testenv.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	g := &gated{Ingester: st, entered: make(chan struct{}), open: make(chan struct{})}
	c := New(g, Options{MaxBatch: 64})
	defer c.Close()

	// The first commit holds the writer; the next 21 queue as one batch.
	plug := make(chan error, 1)
	go func() { _, err := c.Commit(context.Background(), pgDelivery("WH-plug")); plug <- err }()
	<-g.entered
	const n, bad = 21, 7
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		id := fmt.Sprintf("WH-%d", i)
		if i == bad {
			id = "WH-\x00"
		}
		wg.Add(1)
		go func() { defer wg.Done(); _, errs[i] = c.Commit(context.Background(), pgDelivery(id)) }()
	}
	for len(c.queue) < n {
		time.Sleep(time.Millisecond)
	}
	close(g.open)
	wg.Wait()
	if err := <-plug; err != nil {
		t.Fatalf("plug: %v", err)
	}
	for i, err := range errs {
		switch {
		case i == bad && !errors.Is(err, store.ErrRefused):
			t.Errorf("the bad delivery: %v, want ErrRefused", err)
		case i != bad && err != nil:
			t.Errorf("delivery %d failed with its batch's bad neighbour: %v", i, err)
		}
	}
	page, err := st.ListReceipts(context.Background(), store.Filter{Limit: 100})
	if err != nil || len(page.Receipts) != n {
		t.Errorf("%d receipts stored (%v), want %d (the plug and 20)", len(page.Receipts), err, n)
	}
}

// hung is a store whose connection hangs: Ingest returns only when its
// context ends.
type hung struct{}

func (hung) Ingest(ctx context.Context, _ []store.Delivery) ([]store.IngestResult, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// A hung store fails the batch at the flush deadline, not never.
func TestFlushDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New(hung{}, Options{FlushTimeout: 3 * time.Second})
		defer c.Close()
		start := time.Now()
		_, err := c.Commit(context.Background(), delivery(1))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Commit on a hung store: %v, want the deadline", err)
		}
		if got := time.Since(start); got != 3*time.Second {
			t.Errorf("Commit returned after %v, want the 3 s flush deadline", got)
		}
	})
}

// An ack is never sent without a commit: a caller whose context ends after
// its delivery was queued still gets the commit's outcome (the delivery is
// stored), not the context's error.
func TestCancelledAfterEnqueueGetsTheCommitOutcome(t *testing.T) {
	f := &fakeStore{seen: map[string]string{}}
	g := &gated{Ingester: f, entered: make(chan struct{}), open: make(chan struct{})}
	c := New(g, Options{})
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Commit(ctx, delivery(1))
		done <- err
	}()
	<-g.entered // queued and in the writer's transaction
	cancel()
	select {
	case err := <-done:
		t.Fatalf("Commit returned %v before its transaction ended", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(g.open)
	if err := <-done; err != nil {
		t.Fatalf("Commit = %v, want the commit's success", err)
	}
	if f.seen["s/e1"] != "r1" {
		t.Error("the delivery was not stored")
	}
}

// failingBatches is a store that is down: every Ingest fails.
type failingBatches struct{ fakeStore }

func (f *failingBatches) Ingest(ctx context.Context, ds []store.Delivery) ([]store.IngestResult, error) {
	return nil, errors.New("connection reset")
}

// A multi-member batch that fails (not a refused value: the store is down)
// fails every member: no ack without a commit, and no member retried alone.
func TestFailedBatchFailsEveryMember(t *testing.T) {
	f := &failingBatches{}
	g := &gated{Ingester: f, entered: make(chan struct{}), open: make(chan struct{})}
	c := New(g, Options{})
	defer c.Close()
	go func() { _, _ = c.Commit(context.Background(), delivery(0)) }()
	<-g.entered
	const n = 5
	errs := make(chan error, n)
	for i := range n {
		go func() { _, err := c.Commit(context.Background(), delivery(i+1)); errs <- err }()
	}
	for len(c.queue) < n {
		time.Sleep(time.Millisecond)
	}
	close(g.open)
	for range n {
		if err := <-errs; err == nil {
			t.Error("a member of a failed batch was acknowledged")
		}
	}
}
