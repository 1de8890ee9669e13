// Package groupcommit batches the gateway's durable writes: many concurrent
// requests share one database transaction (and one fsync), so the commit that
// every ack waits for costs a fraction of a transaction per request.
//
// There is no artificial delay: a single writer takes everything queued, commits
// it, and answers each caller; what arrives meanwhile forms the next batch. At low
// load a batch is one request and latency is one commit; under a burst batches grow
// up to MaxBatch.
package groupcommit

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hookgate/hookgate/store"
)

// ErrClosed is returned by Commit after Close.
var ErrClosed = errors.New("committer closed")

// Ingester is the store method the committer needs.
type Ingester interface {
	Ingest(ctx context.Context, ds []store.Delivery) ([]store.IngestResult, error)
}

// Options tune the committer.
type Options struct {
	// MaxBatch caps the deliveries per transaction (default 256).
	MaxBatch int
	// Writers is the number of concurrent transactions (default 1). Two overlap
	// one batch's fsync with the next batch's statements.
	Writers int
	// FlushTimeout bounds one transaction (default 10 s): a hung connection
	// fails its batch (the gateway answers 503, the provider retries) within
	// it instead of at the kernel's TCP timeout.
	FlushTimeout time.Duration
}

// DefaultFlushTimeout is the default Options.FlushTimeout.
const DefaultFlushTimeout = 10 * time.Second

type request struct {
	d    store.Delivery
	done chan result
}

type result struct {
	res store.IngestResult
	err error
}

// Committer group-commits deliveries. Safe for concurrent use.
type Committer struct {
	store    Ingester
	maxBatch int
	timeout  time.Duration
	queue    chan *request
	stop     chan struct{}
	wg       sync.WaitGroup
	once     sync.Once
	mu       sync.RWMutex
	closed   bool
	// BatchHook, if set before the first Commit, observes each batch size (metrics).
	BatchHook func(n int)
	// saturatedAt is when a batch last grouped BusyBatch or more deliveries
	// (unix nanoseconds).
	saturatedAt atomic.Int64
}

// BusyBatch is the batch size from which ingest counts as saturated: requests
// arrive faster than one transaction commits them, so they queue.
const BusyBatch = 8

// busyFor is how long one saturated batch keeps Busy true.
const busyFor = time.Second

// Busy reports whether a batch of BusyBatch or more deliveries was committed
// in the last second: work that can wait (the search index) yields then.
func (c *Committer) Busy() bool {
	at := c.saturatedAt.Load()
	return at != 0 && time.Since(time.Unix(0, at)) < busyFor
}

// New starts a committer writing to s.
func New(s Ingester, o Options) *Committer {
	if o.MaxBatch <= 0 {
		o.MaxBatch = 256
	}
	if o.Writers <= 0 {
		o.Writers = 1
	}
	if o.FlushTimeout <= 0 {
		o.FlushTimeout = DefaultFlushTimeout
	}
	c := &Committer{
		store:    s,
		maxBatch: o.MaxBatch,
		timeout:  o.FlushTimeout,
		queue:    make(chan *request, o.MaxBatch*4),
		stop:     make(chan struct{}),
	}
	c.wg.Add(o.Writers)
	for range o.Writers {
		go c.run()
	}
	return c
}

// Commit durably stores d (together with whatever else is queued) and returns
// once the transaction holding it has committed, or failed. The caller must not
// acknowledge the request before Commit returns nil.
func (c *Committer) Commit(ctx context.Context, d store.Delivery) (store.IngestResult, error) {
	r := &request{d: d, done: make(chan result, 1)}
	// The read lock orders every enqueue before Close's stop signal, so the
	// writers' final drain sees every queued request.
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return store.IngestResult{}, ErrClosed
	}
	select {
	case c.queue <- r:
		c.mu.RUnlock()
	case <-ctx.Done():
		c.mu.RUnlock()
		return store.IngestResult{}, ctx.Err()
	}
	// Once queued, the write may commit even if ctx ends: wait for the outcome so
	// that an ack is never sent without a commit and a commit is never reported
	// as a failure.
	res := <-r.done
	return res.res, res.err
}

// Close stops accepting new deliveries, commits what is queued, and waits.
func (c *Committer) Close() {
	c.once.Do(func() {
		c.mu.Lock()
		c.closed = true
		c.mu.Unlock()
		close(c.stop)
	})
	c.wg.Wait()
}

func (c *Committer) run() {
	defer c.wg.Done()
	batch := make([]*request, 0, c.maxBatch)
	for {
		batch = batch[:0]
		select {
		case r := <-c.queue:
			batch = append(batch, r)
		case <-c.stop:
			// Drain what was queued before the stop.
			for {
				select {
				case r := <-c.queue:
					c.flush([]*request{r})
				default:
					return
				}
			}
		}
	fill:
		for len(batch) < c.maxBatch {
			select {
			case r := <-c.queue:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		c.flush(batch)
	}
}

func (c *Committer) flush(batch []*request) {
	if c.BatchHook != nil {
		c.BatchHook(len(batch))
	}
	if len(batch) >= BusyBatch {
		c.saturatedAt.Store(time.Now().UnixNano())
	}
	ds := make([]store.Delivery, len(batch))
	for i, r := range batch {
		ds[i] = r.d
	}
	res, err := c.ingest(ds)
	if errors.Is(err, store.ErrRefused) && len(batch) > 1 {
		// A value the database refuses (which the gateway's checks let
		// through) fails its whole transaction: commit the members one by one,
		// so only the bad one is refused.
		for _, r := range batch {
			res, err := c.ingest([]store.Delivery{r.d})
			if err != nil {
				r.done <- result{err: err}
				continue
			}
			r.done <- result{res: res[0]}
		}
		return
	}
	for i, r := range batch {
		if err != nil {
			r.done <- result{err: err}
			continue
		}
		r.done <- result{res: res[i]}
	}
}

// ingest runs one transaction under the flush deadline. The context is not
// the requests': the transaction must finish (commit or roll back) whatever
// happens to the requests that queued it.
func (c *Committer) ingest(ds []store.Delivery) ([]store.IngestResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	res, err := c.store.Ingest(ctx, ds)
	if err == nil && len(res) != len(ds) {
		err = errors.New("groupcommit: store returned a result count that does not match the batch")
	}
	return res, err
}
