package app

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/hookgate/hookgate/activities"
	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/internal/boot"
	"github.com/hookgate/hookgate/internal/operations/metrics"
	"github.com/hookgate/hookgate/internal/processing/reconcile"
	"github.com/hookgate/hookgate/internal/processing/relay"
	"github.com/hookgate/hookgate/store"
)

// WorkerDeps are the parts a worker process runs on.
type WorkerDeps struct {
	Config    *config.Config
	Store     Store
	Temporal  client.Client
	Publisher activities.Publisher // nil: events stay in the store
	Team      Team
	Logger    *slog.Logger
	Options   worker.Options
	// Metrics, if set, count activity attempts, outcomes and publishes.
	Metrics *metrics.Metrics
	// TracerProvider, if set, traces the activities (and the publishes they
	// make) instead of the provider the config's tracing block would build.
	TracerProvider trace.TracerProvider
	// Relay receives the options of the relay the worker runs when the config
	// places it there (relay.process: worker); tests shorten the intervals.
	Relay relay.Options
	// Reconcile receives the options of the reconciler the worker runs; its
	// After and Interval default to the config's reconcile block.
	Reconcile reconcile.Options
}

// receiptListener is a store that wakes a relay when another process commits
// receipts (internal/storage/postgres with WithNotify on the gateway's side).
type receiptListener interface {
	ListenReceipts(ctx context.Context, wake func()) error
}

// RunWorker runs the Temporal worker until ctx ends.
func RunWorker(ctx context.Context, d WorkerDeps) error {
	tp, stopTracing, err := boot.TracerProvider(ctx, d.TracerProvider, d.Config, boot.ServiceWorker, d.Logger)
	if err != nil {
		return err
	}
	defer stopTracing()
	acts, err := NewActivities(d.Config, activityStore(d.Store, d.Metrics), publisherOf(d.Publisher, d.Metrics), d.Logger.With("component", "activities"))
	if err != nil {
		return err
	}
	acts.TracerProvider = tp
	w, err := startWorker(ctx, func() (worker.Worker, error) {
		return NewWorker(d.Temporal, d.Config, acts, d.Team, d.Options)
	}, d.Logger)
	if err != nil || w == nil {
		return err // nil when ctx ended while Temporal was still unreachable
	}
	stopMetrics, err := serveWorkerMetrics(d.Config, d.Metrics, d.Publisher, d.Logger.With("component", "metrics"))
	if err != nil {
		w.Stop()
		return err
	}
	defer stopMetrics()
	d.Logger.Info("worker started", "task_queue", d.Config.TaskQueue, "team_activities", len(d.Team))
	var wg sync.WaitGroup
	if d.Config.Relay.Process == config.RelayInWorker {
		// The starter is this worker's client: workflows start eagerly, their
		// first task handed to this worker in the start response.
		rl := boot.NewRelay(d.Relay, d.Config, d.Store, d.Temporal, true, d.Metrics, tp, d.Logger)
		wg.Add(1)
		go func() { defer wg.Done(); _ = rl.Run(ctx) }()
		if l, ok := d.Store.(receiptListener); ok {
			wg.Add(1)
			go func() { defer wg.Done(); _ = l.ListenReceipts(ctx, rl.Wake) }()
		} else {
			d.Logger.Warn("the store cannot announce commits: the worker's relay finds new receipts by its periodic sweep only")
		}
		d.Logger.Info("relay runs in the worker, with eager workflow start")
	}
	rc := newReconciler(d, acts)
	wg.Add(1)
	go func() { defer wg.Done(); _ = rc.Run(ctx) }()
	<-ctx.Done()
	wg.Wait() // the relay stops before the worker it starts workflows for
	w.Stop()
	return nil
}

// workerRetryPause is the first pause of startWorker (tests shorten it).
var workerRetryPause = time.Second

// startWorker builds and starts the Temporal worker, retrying with a growing
// pause (1 s up to 30 s) while the server cannot be reached, so a worker started
// during a Temporal outage waits for it instead of exiting. It returns a nil
// worker and nil error if ctx ends first, and a build error at once.
func startWorker(ctx context.Context, build func() (worker.Worker, error), log *slog.Logger) (worker.Worker, error) {
	pause := workerRetryPause
	for {
		w, err := build()
		if err != nil {
			return nil, err
		}
		err = w.Start()
		if err == nil {
			return w, nil
		}
		log.Warn("worker cannot start yet; retrying", "err", err, "in", pause)
		select {
		case <-ctx.Done():
			return nil, nil
		case <-time.After(pause):
		}
		pause = min(2*pause, 30*time.Second)
	}
}

// newReconciler builds the worker's reconciler: it starts lost runs with the
// relay's starter and dead-letters receipts whose run closed unrecorded with
// the dead-letter activity's code.
func newReconciler(d WorkerDeps, acts *activities.Activities) *reconcile.Reconciler {
	o := d.Reconcile
	if o.After == 0 {
		o.After = d.Config.Reconcile.After
	}
	if o.Interval == 0 {
		o.Interval = d.Config.Reconcile.Interval
	}
	if o.Logger == nil {
		o.Logger = d.Logger.With("component", "reconciler")
	}
	actions := make([]string, 0, len(reconcile.Actions()))
	for _, a := range reconcile.Actions() {
		actions = append(actions, string(a))
	}
	d.Metrics.InitRepairs(actions...)
	if o.OnRepair == nil {
		o.OnRepair = func(a reconcile.Action) { d.Metrics.Repaired(string(a)) }
	}
	return reconcile.New(d.Store, d.Temporal, boot.Starter(d.Temporal, d.Config, false), DeadLetterer(acts), o)
}

// DeadLetterer dead-letters receipts outside a workflow (the reconciler's),
// with the code of the dead-letter activity.
func DeadLetterer(acts *activities.Activities) reconcile.DeadLetterer { return deadLetterer{acts} }

type deadLetterer struct{ acts *activities.Activities }

func (d deadLetterer) DeadLetter(ctx context.Context, ref store.Ref, cause string) error {
	return d.acts.DeadLetterReceipt(ctx, activities.DeadInput{Receipt: ref, Step: "workflow", Error: cause})
}
