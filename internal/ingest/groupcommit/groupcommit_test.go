package groupcommit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookgate/hookgate/store"
)

type fakeStore struct {
	mu      sync.Mutex
	batches []int
	seen    map[string]string
	fail    atomic.Bool
	delay   time.Duration
}

func (f *fakeStore) Ingest(_ context.Context, ds []store.Delivery) ([]store.IngestResult, error) {
	time.Sleep(f.delay)
	if f.fail.Load() {
		return nil, errors.New("db down")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.batches = append(f.batches, len(ds))
	out := make([]store.IngestResult, len(ds))
	for i, d := range ds {
		k := d.Receipt.Source + "/" + d.Receipt.EventID
		if id, ok := f.seen[k]; ok {
			out[i] = store.IngestResult{ReceiptID: id, Duplicate: true}
			continue
		}
		f.seen[k] = d.Receipt.ID
		out[i] = store.IngestResult{ReceiptID: d.Receipt.ID}
	}
	return out, nil
}

func delivery(i int) store.Delivery {
	return store.Delivery{Receipt: store.Receipt{ID: fmt.Sprint("r", i), Source: "s", EventID: fmt.Sprint("e", i)}}
}

func TestCommitBatchesConcurrentRequests(t *testing.T) {
	fs := &fakeStore{seen: map[string]string{}, delay: 5 * time.Millisecond}
	c := New(fs, Options{MaxBatch: 64})
	defer c.Close()
	var wg sync.WaitGroup
	const n = 500
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := c.Commit(context.Background(), delivery(i))
			if err != nil {
				errs <- err
				return
			}
			if res.ReceiptID != fmt.Sprint("r", i) || res.Duplicate {
				errs <- fmt.Errorf("delivery %d: got %+v", i, res)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	total, maxSeen := 0, 0
	for _, b := range fs.batches {
		total += b
		maxSeen = max(maxSeen, b)
		if b > 64 {
			t.Fatalf("batch of %d exceeds MaxBatch", b)
		}
	}
	if total != n {
		t.Fatalf("committed %d deliveries, want %d", total, n)
	}
	if len(fs.batches) >= n || maxSeen < 2 {
		t.Fatalf("no batching happened: %d batches, largest %d", len(fs.batches), maxSeen)
	}
}

func TestCommitReportsStoreFailureToEveryCaller(t *testing.T) {
	fs := &fakeStore{seen: map[string]string{}}
	fs.fail.Store(true)
	c := New(fs, Options{})
	defer c.Close()
	for i := range 3 {
		if _, err := c.Commit(context.Background(), delivery(i)); err == nil {
			t.Fatal("Commit succeeded while the store fails")
		}
	}
	fs.fail.Store(false)
	if _, err := c.Commit(context.Background(), delivery(9)); err != nil {
		t.Fatalf("Commit after recovery: %v", err)
	}
}

func TestCommitAfterClose(t *testing.T) {
	c := New(&fakeStore{seen: map[string]string{}}, Options{})
	c.Close()
	if _, err := c.Commit(context.Background(), delivery(1)); !errors.Is(err, ErrClosed) {
		t.Fatalf("err = %v, want ErrClosed", err)
	}
}

// Busy is false for one request at a time, true while concurrent requests
// queue behind a slow commit, and false again a second after the last
// saturated batch.
func TestBusyFollowsQueueing(t *testing.T) {
	fs := &fakeStore{seen: map[string]string{}, delay: 5 * time.Millisecond}
	c := New(fs, Options{MaxBatch: 64})
	defer c.Close()
	for i := range 5 {
		if _, err := c.Commit(context.Background(), delivery(i)); err != nil {
			t.Fatal(err)
		}
	}
	if c.Busy() {
		t.Fatal("busy after one request at a time")
	}
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = c.Commit(context.Background(), delivery(100+i))
		}()
	}
	wg.Wait()
	if !c.Busy() {
		t.Fatal("not busy after 200 concurrent requests queued behind 5 ms commits")
	}
	c.saturatedAt.Store(time.Now().Add(-busyFor).UnixNano())
	if c.Busy() {
		t.Fatal("still busy a second after the last saturated batch")
	}
}
