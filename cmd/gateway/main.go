// Command gateway runs hookgate's ingest endpoint, outbox relay and admin API
// against the services named by the environment (see the README).
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/internal/boot"
	"github.com/hookgate/hookgate/internal/ingest/server"
	"github.com/hookgate/hookgate/internal/logging"
	"github.com/hookgate/hookgate/providers/builtin"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gateway:", err)
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
	st, err := boot.OpenStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	m := boot.NewMetrics(cfg)
	tc, err := boot.DialTemporal(cfg, "", log, boot.TemporalMetrics(m))
	if err != nil {
		return err
	}
	defer tc.Close()
	log.Info("starting gateway", "store", boot.StoreKind(cfg), "temporal", cfg.TemporalAddress)
	return server.Run(ctx, server.Deps{Config: cfg, Store: st, Temporal: tc, Logger: log, Metrics: m})
}
