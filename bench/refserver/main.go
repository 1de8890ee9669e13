package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hookgate/hookgate/internal/ingest/groupcommit"
	"github.com/hookgate/hookgate/internal/storage/postgres"
	"github.com/jackc/pgx/v5/pgxpool"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "refserver:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	listen := flag.String("listen", "127.0.0.1:8015", "listen address")
	source := flag.String("source", "github", "source name (URL path /webhooks/{source})")
	writers := flag.Int("writers", 1, "group-commit writers")
	bare := flag.Bool("bare", false, "scenario 0: one row per request into a table of its own, batched (Bare), instead of hookgate's rows")
	flag.Parse()
	secret := os.Getenv("REFSERVER_SECRET")
	dsn := os.Getenv("DATABASE_URL")
	if secret == "" || dsn == "" {
		return fmt.Errorf("REFSERVER_SECRET and DATABASE_URL are required")
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if *bare {
		pool, err := pgxpool.New(ctx, dsn)
		if err != nil {
			return fmt.Errorf("connect: %w", err)
		}
		defer pool.Close()
		b := &Bare{Source: *source, Secret: []byte(secret), Log: log}
		if err := b.Start(ctx, pool); err != nil {
			return err
		}
		return serve(ctx, *listen, b, log)
	}
	st, err := postgres.Open(ctx, dsn, postgres.WithLogger(log))
	if err != nil {
		return fmt.Errorf("open postgres: %w", err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	c := groupcommit.New(st, groupcommit.Options{Writers: *writers})
	defer c.Close()
	return serve(ctx, *listen, &Server{Source: *source, Secret: []byte(secret), Commit: c, Log: log}, log)
}

// serve runs h on listen until ctx ends.
func serve(ctx context.Context, listen string, h http.Handler, log *slog.Logger) error {
	srv := &http.Server{Addr: listen, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("refserver listening", "addr", listen)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}
