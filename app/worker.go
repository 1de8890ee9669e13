package app

import (
	"context"
	"fmt"
	"log/slog"

	"go.opentelemetry.io/otel/trace"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/hookgate/hookgate/activities"
	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/metrics"
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
}

// RunWorker runs the Temporal worker until ctx ends.
func RunWorker(ctx context.Context, d WorkerDeps) error {
	sources, err := Sources(d.Config)
	if err != nil {
		return err
	}
	tp, stopTracing, err := tracerProvider(ctx, d.TracerProvider, d.Config, ServiceWorker, d.Logger)
	if err != nil {
		return err
	}
	defer stopTracing()
	acts := NewActivities(d.Config, activityStore(d.Store, d.Metrics), publisherOf(d.Publisher, d.Metrics), sources, d.Logger.With("component", "activities"))
	acts.TracerProvider = tp
	w, err := NewWorker(d.Temporal, d.Config, acts, d.Team, d.Options)
	if err != nil {
		return err
	}
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	stopMetrics, err := serveWorkerMetrics(d.Config, d.Metrics, d.Logger.With("component", "metrics"))
	if err != nil {
		w.Stop()
		return err
	}
	defer stopMetrics()
	d.Logger.Info("worker started", "task_queue", d.Config.TaskQueue, "team_activities", len(d.Team))
	<-ctx.Done()
	w.Stop()
	return nil
}
