// Command stubgateway is cmd/gateway for the ingest benchmark: the same
// configuration, store, group commit, gateway, admin API and relay (app.RunGateway),
// but with a Temporal client that accepts every workflow start at once. The relay
// still does all its own work (notify queue, start calls, MarkQueued batches), so
// the benchmark measures everything the gateway process does, without loading the
// shared CPU with a Temporal server that would fall behind the ingest rate by two
// orders of magnitude and pile up a backlog across rounds.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	_ "net/http/pprof" // served only when BENCH_PPROF names an address
	"os"
	"os/signal"
	"syscall"

	"go.temporal.io/sdk/client"

	"github.com/hookgate/hookgate/app"
	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/internal/ingest/server"
	"github.com/hookgate/hookgate/providers/builtin"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "stubgateway:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	path := ""
	if len(os.Args) > 1 {
		path = os.Args[1]
	}
	cfg, err := config.Load(path, os.Getenv, config.WithProviders(builtin.Providers()))
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if addr := os.Getenv("BENCH_PPROF"); addr != "" {
		// Profiling a run: go tool pprof http://$BENCH_PPROF/debug/pprof/profile?seconds=10
		go func() { log.Warn("pprof server ended", "err", http.ListenAndServe(addr, nil)) }()
	}
	st, err := app.OpenStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return server.Run(ctx, server.Deps{Config: cfg, Store: st, Temporal: acceptAll{}, Logger: log})
}

// acceptAll is a Temporal client whose workflow starts succeed at once. Only the
// methods the gateway process calls are implemented; any other call panics
// (nil embedded interface), which a benchmark run would show at once.
type acceptAll struct{ client.Client }

func (acceptAll) ExecuteWorkflow(_ context.Context, o client.StartWorkflowOptions, _ any, _ ...any) (client.WorkflowRun, error) {
	return stubRun{id: o.ID}, nil
}

func (acceptAll) CheckHealth(context.Context, *client.CheckHealthRequest) (*client.CheckHealthResponse, error) {
	return &client.CheckHealthResponse{}, nil
}

func (acceptAll) Close() {}

type stubRun struct {
	client.WorkflowRun
	id string
}

func (r stubRun) GetID() string    { return r.id }
func (r stubRun) GetRunID() string { return "stub" }
