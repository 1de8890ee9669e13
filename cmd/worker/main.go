// Command worker runs hookgate's Temporal worker: ProcessWebhook and its
// activities. Teams that attach their own activities build their own worker
// binary the same way, passing app.Team (see examples/provisioning).
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"go.temporal.io/sdk/worker"

	"github.com/hookgate/hookgate/activities"
	"github.com/hookgate/hookgate/app"
	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/internal/logging"
	"github.com/hookgate/hookgate/providers/builtin"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	path := ""
	if len(args) > 0 {
		path = args[0]
	}
	cfg, err := config.Load(path, getenv, config.WithProviders(builtin.Providers()))
	if err != nil {
		return err
	}
	log := slog.New(logging.Bounded(slog.NewJSONHandler(stderr, nil), logging.DefaultInterval))
	st, err := app.OpenStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	m := app.NewMetrics(cfg)
	tc, err := app.DialTemporal(cfg, "", log, app.TemporalMetrics(m))
	if err != nil {
		return err
	}
	defer tc.Close()
	pub, err := app.DialPublisher(ctx, cfg, log, m)
	if err != nil {
		return err
	}
	var p activities.Publisher
	if pub != nil {
		defer pub.Close()
		p = pub
	}
	return app.RunWorker(ctx, app.WorkerDeps{Config: cfg, Store: st, Temporal: tc, Publisher: p, Logger: log, Options: worker.Options{}, Metrics: m})
}
