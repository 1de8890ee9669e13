// Package relay is hookgate's transactional outbox: it starts the workflow of every
// committed receipt. New receipts are started as soon as the gateway notifies the
// relay; a periodic sweep starts whatever was left behind (Temporal down, process
// killed between commit and start). Starting is idempotent (the workflow ID is
// "{source}/{event ID}"), so a receipt started twice still runs once.
package relay

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/hookgate/hookgate/internal/operations/tracing"
	"github.com/hookgate/hookgate/store"
)

// Store is what the relay needs from the store.
type Store interface {
	// Claim returns receipts whose workflow has not started, received before
	// before, that no relay holds, and holds them for lease.
	Claim(ctx context.Context, before time.Time, limit int, lease time.Duration) ([]store.Ref, error)
	MarkQueued(ctx context.Context, qs []store.Queued) error
	// Transition marks a receipt whose start can never succeed dead.
	Transition(ctx context.Context, tr store.Transition) error
}

// ErrPermanent is wrapped by a Starter's error when the start can never
// succeed (the source was removed from the config, Temporal refuses the
// request as invalid, the namespace does not exist, the workflow's latest run
// is another generation's). The relay then marks the receipt dead with the
// cause instead of retrying it at the head of every sweep, where a thousand
// of them would hide every younger receipt.
var ErrPermanent = errors.New("the workflow start can never succeed")

// Starter starts the workflow of a receipt and returns its workflow ID. Starting
// an already running workflow must succeed without starting a second one.
type Starter interface {
	Start(ctx context.Context, ref store.Ref) (workflowID string, err error)
}

// Options tune the relay.
type Options struct {
	// Interval between sweeps for un-started receipts (default 5 s).
	Interval time.Duration
	// Grace: a sweep only picks receipts older than this, leaving fresh ones to the
	// notification path (default 10 s).
	Grace time.Duration
	// Concurrency is the number of workflow starts in flight (default 32).
	Concurrency int
	// SweepLimit caps the receipts one sweep takes (default 1000).
	SweepLimit int
	// StartTimeout bounds one start call (default 10 s).
	StartTimeout time.Duration
	// Lease is how long a sweep's claim keeps other relays off a receipt
	// (default 30 s): a failed start is retried once it expires.
	Lease  time.Duration
	Logger *slog.Logger
	Now    func() time.Time
	// OnStarted, if set, observes each started receipt (metrics, tests).
	OnStarted func(ref store.Ref, err error)
	// TracerProvider, when set, gives each start a span (SpanStart) that
	// continues the receipt's trace; the starter then receives the ref with
	// the span's traceparent, for the workflow to continue. Nil: tracing off.
	TracerProvider trace.TracerProvider
}

// SpanStart is the name of the span of one workflow start.
const SpanStart = "relay.start"

// tracerName is the instrumentation scope of the relay's spans.
const tracerName = "github.com/hookgate/hookgate/internal/processing/relay"

// Relay starts workflows for committed receipts.
type Relay struct {
	store   Store
	starter Starter
	o       Options
	notify  chan store.Ref
	queued  chan store.Queued
	kick    chan struct{}
	wake    chan struct{}
	tracer  trace.Tracer // nil: tracing off

	// inflight holds the IDs of receipts queued or being started and not yet
	// recorded as queued, so that a sweep without grace (Wake) does not pick
	// them a second time.
	mu       sync.Mutex
	inflight map[string]struct{}
}

// New builds a relay; call Run to start it.
func New(s Store, st Starter, o Options) *Relay {
	if o.Interval <= 0 {
		o.Interval = 5 * time.Second
	}
	if o.Grace <= 0 {
		o.Grace = 10 * time.Second
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 32
	}
	if o.SweepLimit <= 0 {
		o.SweepLimit = 1000
	}
	if o.Lease <= 0 {
		o.Lease = 30 * time.Second
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	r := &Relay{
		store: s, starter: st, o: o,
		notify: make(chan store.Ref, 4096),
		queued: make(chan store.Queued, 4096),
		kick:   make(chan struct{}, 1),
		wake:   make(chan struct{}, 1),

		inflight: map[string]struct{}{},
	}
	if o.TracerProvider != nil {
		r.tracer = o.TracerProvider.Tracer(tracerName)
	}
	return r
}

// Notify asks for ref's workflow to be started now. It never blocks: when the
// queue is full the receipt is left to the next sweep.
func (r *Relay) Notify(ref store.Ref) {
	select {
	case r.notify <- ref:
	default:
	}
}

// Sweep asks for an immediate sweep (after a replay, say), without waiting.
func (r *Relay) Sweep() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Wake says new receipts were committed elsewhere (another process's gateway):
// the relay looks for receipts not yet started without waiting for the grace
// period, skipping those it is already starting. Wakes arriving during a sweep
// cause one more sweep after it. It never blocks.
func (r *Relay) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// claim marks ref in flight; false if it already is.
func (r *Relay) claim(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.inflight[id]; ok {
		return false
	}
	r.inflight[id] = struct{}{}
	return true
}

// release ends the flight of receipts (started and recorded, or failed).
func (r *Relay) release(ids ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range ids {
		delete(r.inflight, id)
	}
}

// Run starts workflows until ctx ends. It sweeps once at start-up.
func (r *Relay) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	work := make(chan store.Ref)
	for range r.o.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ref := range work {
				r.start(ctx, ref)
			}
		}()
	}
	marked := make(chan struct{})
	go func() { defer close(marked); r.markLoop() }()

	sweeps := make(chan []store.Ref, 1)
	sweeping, again, wakeLater := false, false, false
	// startSweep looks for receipts older than grace (0: all) without blocking
	// the loop; one sweep runs at a time.
	startSweep := func(grace time.Duration) {
		if sweeping {
			again = again || grace == 0
			return
		}
		sweeping = true
		go func() {
			refs, err := r.store.Claim(ctx, r.o.Now().Add(-grace), r.o.SweepLimit, r.o.Lease)
			if err != nil && ctx.Err() == nil {
				r.o.Logger.Warn("relay sweep failed", "err", err)
			}
			sweeps <- refs
		}()
	}
	tick := time.NewTicker(r.o.Interval)
	defer tick.Stop()
	startSweep(r.o.Grace)
	var pending []store.Ref
	enqueue := func(ref store.Ref) {
		if r.claim(ref.ID) {
			pending = append(pending, ref)
		}
	}
	for {
		var out chan store.Ref
		var next store.Ref
		if len(pending) > 0 {
			out, next = work, pending[0]
		}
		select {
		case <-ctx.Done():
			close(work)
			wg.Wait()
			close(r.queued)
			<-marked
			return nil
		case ref := <-r.notify:
			enqueue(ref)
		case refs := <-sweeps:
			sweeping = false
			n := len(pending)
			for _, ref := range refs {
				enqueue(ref)
			}
			if found := len(pending) - n; found > 0 && !again {
				r.o.Logger.Info("relay sweep found un-started receipts", "count", found)
			}
			if again {
				again = false
				startSweep(0)
			}
		case <-tick.C:
			startSweep(r.o.Grace)
		case <-r.kick:
			startSweep(r.o.Grace)
		case <-r.wake:
			// Skip while a backlog is queued here: its starts come first, and the
			// sweep would only return receipts already in flight.
			if len(pending) < r.o.SweepLimit {
				startSweep(0)
			} else {
				wakeLater = true
			}
		case out <- next:
			pending = pending[1:]
			if wakeLater && len(pending) < r.o.SweepLimit/2 {
				wakeLater = false
				startSweep(0)
			}
		}
	}
}

func (r *Relay) start(ctx context.Context, ref store.Ref) {
	sctx, cancel := context.WithTimeout(ctx, r.o.StartTimeout)
	var span trace.Span
	if r.tracer != nil {
		sctx, span = r.startSpan(sctx, ref)
		ref.TraceParent = tracing.TraceParent(sctx)
	}
	wid, err := r.starter.Start(sctx, ref)
	cancel()
	if span != nil {
		endSpan(span, wid, err)
	}
	if r.o.OnStarted != nil {
		r.o.OnStarted(ref, err)
	}
	if errors.Is(err, ErrPermanent) {
		r.refuse(ctx, ref, err)
		return
	}
	if err != nil {
		r.release(ref.ID)
		if ctx.Err() == nil {
			r.o.Logger.Warn("workflow start failed; the sweep will retry", "receipt_id", ref.ID, "source", ref.Source, "err", err)
		}
		return
	}
	r.queued <- store.Queued{ReceiptID: ref.ID, WorkflowID: wid, At: r.o.Now()}
}

// refuse marks dead a receipt whose start can never succeed, with the cause.
// If that fails too, the sweep finds the receipt again.
func (r *Relay) refuse(ctx context.Context, ref store.Ref, cause error) {
	defer r.release(ref.ID)
	tctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	msg := "workflow could not be started: " + cause.Error()
	if err := r.store.Transition(tctx, store.Transition{ReceiptID: ref.ID, To: store.StatusDead, At: r.o.Now(), Error: msg}); err != nil {
		r.o.Logger.Warn("marking an unstartable receipt dead failed; the sweep will retry", "receipt_id", ref.ID, "err", err)
		return
	}
	r.o.Logger.Error("receipt dead: its workflow can never start", "receipt_id", ref.ID, "source", ref.Source, "err", cause)
}

// startSpan starts the span of ref's workflow start as a child of the
// receipt's ingest span (a new root when the receipt has no traceparent).
func (r *Relay) startSpan(ctx context.Context, ref store.Ref) (context.Context, trace.Span) {
	return r.tracer.Start(tracing.Continue(ctx, ref.TraceParent), SpanStart,
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("hookgate.receipt_id", ref.ID),
			attribute.String("hookgate.source", ref.Source), attribute.String("hookgate.event_id", ref.EventID)))
}

func endSpan(span trace.Span, workflowID string, err error) {
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, "workflow start failed")
	} else {
		span.SetAttributes(attribute.String("hookgate.workflow_id", workflowID))
	}
	span.End()
}

// markLoop records started workflows in batches.
func (r *Relay) markLoop() {
	const maxBatch = 256
	batch := make([]store.Queued, 0, maxBatch)
	flush := func() {
		if len(batch) == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := r.store.MarkQueued(ctx, batch); err != nil {
			// Harmless: the receipts stay "verified", the sweep starts them again
			// and the idempotent start finds the running workflow.
			r.o.Logger.Warn("mark queued failed", "count", len(batch), "err", err)
		}
		for _, q := range batch {
			r.release(q.ReceiptID)
		}
		batch = batch[:0]
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case q, ok := <-r.queued:
			if !ok {
				flush()
				return
			}
			batch = append(batch, q)
			if len(batch) == maxBatch {
				flush()
			}
		case <-tick.C:
			flush()
		}
	}
}
