package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// emptyWorkflow is the Temporal ceiling's workflow: it does nothing, so a run
// measures only starting, one workflow task, and completion.
func emptyWorkflow(workflow.Context) error { return nil }

// ceilingResult is scenario 4's measurement.
type ceilingResult struct {
	Completed int64
	Elapsed   time.Duration
	Errors    int64
	// FirstError quotes the first error (", first: …"), if any.
	FirstError string
}

func (r ceilingResult) perSec() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Completed) / r.Elapsed.Seconds()
}

// runCeiling starts empty workflows from conc goroutines for d, each waiting
// for its workflow's result, with eager start (the starter's client is the
// worker's, so the server hands the first task straight back).
func runCeiling(ctx context.Context, address, taskQueue string, conc int, d time.Duration, eager bool, log *slog.Logger) (ceilingResult, error) {
	c, stop, err := emptyWorker(ctx, address, taskQueue, conc, eager, log)
	if err != nil {
		return ceilingResult{}, err
	}
	defer stop()
	return startLoop(ctx, c, taskQueue, conc, d, eager)
}

// emptyWorker dials the server, runs a worker of emptyWorkflow on taskQueue
// and warms it up (the task queue's partitions, the worker's pollers and the
// server's caches are created by the first workflows); stop closes both.
func emptyWorker(ctx context.Context, address, taskQueue string, conc int, eager bool, log *slog.Logger) (client.Client, func(), error) {
	c, err := client.Dial(client.Options{HostPort: address, Logger: quietSDK(log)})
	if err != nil {
		return nil, nil, fmt.Errorf("temporal client: %w", err)
	}
	w := worker.New(c, taskQueue, worker.Options{})
	w.RegisterWorkflowWithOptions(emptyWorkflow, workflow.RegisterOptions{Name: "bench-empty"})
	if err := w.Start(); err != nil {
		c.Close()
		return nil, nil, fmt.Errorf("start worker: %w", err)
	}
	stop := func() { w.Stop(); c.Close() }
	if _, err := startLoop(ctx, c, taskQueue, conc, 3*time.Second, eager); err != nil {
		stop()
		return nil, nil, err
	}
	return c, stop, nil
}

// startLoop runs conc starters for d and counts completed workflows.
func startLoop(ctx context.Context, c client.Client, taskQueue string, conc int, d time.Duration, eager bool) (ceilingResult, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var done, failed atomic.Int64
	var firstErr atomic.Pointer[string]
	var wg sync.WaitGroup
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
					ID: "bench-empty-" + uuid.NewString(), TaskQueue: taskQueue, EnableEagerStart: eager,
				}, "bench-empty")
				if err == nil {
					err = run.Get(ctx, nil)
				}
				switch {
				case err == nil:
					done.Add(1)
				case ctx.Err() == nil:
					failed.Add(1)
					msg := ", first: " + err.Error()
					firstErr.CompareAndSwap(nil, &msg)
				}
			}
		}()
	}
	wg.Wait()
	res := ceilingResult{Completed: done.Load(), Elapsed: time.Since(start), Errors: failed.Load()}
	if p := firstErr.Load(); p != nil {
		res.FirstError = *p
	}
	return res, nil
}

// runBurst starts n empty workflows from conc starters as fast as the server
// accepts them (eager start), then waits for every one, and reports the time
// from the first start to the last completion.
func runBurst(ctx context.Context, address, taskQueue string, conc, n int, eager bool, log *slog.Logger) (ceilingResult, error) {
	c, stop, err := emptyWorker(ctx, address, taskQueue, conc, eager, log)
	if err != nil {
		return ceilingResult{}, err
	}
	defer stop()
	runs := make([]client.WorkflowRun, n)
	var next, failed atomic.Int64
	var firstErr atomic.Pointer[string]
	fail := func(err error) {
		failed.Add(1)
		msg := ", first: " + err.Error()
		firstErr.CompareAndSwap(nil, &msg)
	}
	start := time.Now()
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < int64(n) && ctx.Err() == nil; i = next.Add(1) - 1 {
				run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
					ID: "bench-burst-" + uuid.NewString(), TaskQueue: taskQueue, EnableEagerStart: eager,
				}, "bench-empty")
				if err != nil {
					fail(err)
					continue
				}
				runs[i] = run
			}
		}()
	}
	wg.Wait()
	var done atomic.Int64
	next.Store(0)
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < int64(n); i = next.Add(1) - 1 {
				if runs[i] == nil {
					continue
				}
				if err := runs[i].Get(ctx, nil); err != nil {
					fail(err)
					continue
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	res := ceilingResult{Completed: done.Load(), Elapsed: time.Since(start), Errors: failed.Load()}
	if p := firstErr.Load(); p != nil {
		res.FirstError = *p
	}
	return res, nil
}

// e2eResult is scenario 3's measurement, read from the store.
type e2eResult struct {
	Receipts  int64 // receipts of the run
	Published int64 // their events confirmed by RabbitMQ
	Span      time.Duration
	P50, P90  time.Duration // ack (received_at) → published_at
	P99, Max  time.Duration
}

func (r e2eResult) perSec() float64 {
	if r.Span <= 0 {
		return 0
	}
	return float64(r.Published) / r.Span.Seconds()
}

// e2eProgress reads how far the events of receipts received since `since` got:
// sustained rate is published events over the span from the first receipt to
// the last publication.
func e2eProgress(ctx context.Context, db *pgx.Conn, source string, since time.Time) (e2eResult, error) {
	var r e2eResult
	err := db.QueryRow(ctx, `SELECT count(*) FROM receipts WHERE source = $1 AND received_at >= $2`, source, since).Scan(&r.Receipts)
	if err != nil {
		return r, fmt.Errorf("count receipts: %w", err)
	}
	var first, last *time.Time
	var p50, p90, p99, mx *float64
	err = db.QueryRow(ctx, `
SELECT count(*), min(r.received_at), max(e.published_at),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM e.published_at - r.received_at)),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM e.published_at - r.received_at)),
       percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM e.published_at - r.received_at)),
       max(extract(epoch FROM e.published_at - r.received_at))::float8
FROM events e JOIN receipts r ON r.id = e.receipt_id
WHERE r.source = $1 AND r.received_at >= $2 AND e.published_at IS NOT NULL`, source, since).
		Scan(&r.Published, &first, &last, &p50, &p90, &p99, &mx)
	if err != nil {
		return r, fmt.Errorf("published events: %w", err)
	}
	if first != nil && last != nil {
		r.Span = last.Sub(*first)
	}
	sec := func(p *float64) time.Duration {
		if p == nil {
			return 0
		}
		return time.Duration(*p * float64(time.Second))
	}
	r.P50, r.P90, r.P99, r.Max = sec(p50), sec(p90), sec(p99), sec(mx)
	return r, nil
}
