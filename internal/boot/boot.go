// Package boot opens what every hookgate process runs on, from the
// configuration: the store, the Temporal client, metrics, tracing, the relay
// (which runs in the gateway or the worker) and the HTTP server limits. The
// gateway process (internal/ingest/server) and the worker process (package
// app) are assembled over it; it links neither the Gin gateway nor the
// workflows' activities.
package boot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"go.opentelemetry.io/otel/trace"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/internal/operations/metrics"
	"github.com/hookgate/hookgate/internal/processing/relay"
	"github.com/hookgate/hookgate/internal/processing/runs"
	"github.com/hookgate/hookgate/internal/storage/postgres"
	"github.com/hookgate/hookgate/internal/storage/sqlite"
	"github.com/hookgate/hookgate/providers/paypal"
	"github.com/hookgate/hookgate/store"
)

// Store is every method of a hookgate store; *postgres.Store and
// *sqlite.Store implement it. Each part of a process declares the subset it
// uses (gateway.AuditWriter, relay.Store, activities.Store, admin.Store, …),
// which Store satisfies; the processes' assemblies check that at compile time.
type Store interface {
	// Ingest path.
	Ingest(ctx context.Context, ds []store.Delivery) ([]store.IngestResult, error)
	Audit(ctx context.Context, recs []store.AuditRecord) error
	// Relay and reconciler.
	Claim(ctx context.Context, before time.Time, limit int, lease time.Duration) ([]store.Ref, error)
	Unstarted(ctx context.Context, before time.Time, limit int) ([]store.Ref, error)
	Unfinished(ctx context.Context, before time.Time, limit int) ([]store.Ref, error)
	OldestUnstarted(ctx context.Context) (time.Time, int, error)
	MarkQueued(ctx context.Context, qs []store.Queued) error
	Requeue(ctx context.Context, receiptID string, at time.Time, mode store.ReplayMode) (int, error)
	RecordReplay(ctx context.Context, r store.Replay) error
	// Processing.
	Receipt(ctx context.Context, id string) (store.Receipt, error)
	ReceiptByEvent(ctx context.Context, source, eventID string) (store.Receipt, error)
	ReceiptEvents(ctx context.Context, receiptID string) ([]store.Event, error)
	SaveEvents(ctx context.Context, es []store.Event) error
	MarkPublished(ctx context.Context, ids []string, at time.Time) error
	RecordAttempt(ctx context.Context, a store.Attempt) error
	RecordStep(ctx context.Context, r store.StepRecord) ([]store.Transition, error)
	Transition(ctx context.Context, tr store.Transition) error
	// Operations.
	ListReceipts(ctx context.Context, f store.Filter) (store.Page, error)
	ListAudit(ctx context.Context, f store.AuditFilter) ([]store.AuditRecord, error)
	Attempts(ctx context.Context, receiptID string) ([]store.Attempt, error)
	Events(ctx context.Context, f store.EventFilter) ([]store.Event, error)
	Replays(ctx context.Context, receiptID string) ([]store.Replay, error)
	Stats(ctx context.Context, f store.StatsFilter) ([]store.StatusStats, error)
	RedactHeaders(ctx context.Context, source string, names []string) (int64, error)
	RecordSourceSecret(ctx context.Context, source, secret string, at time.Time) (string, error)
	SourceSecret(ctx context.Context, source string) (string, error)
	ForgetSourceSecret(ctx context.Context, source string) (bool, error)
	ProbeWrite(ctx context.Context) error
	PurgeAudit(ctx context.Context, before time.Time) (int64, error)
	PurgeBodies(ctx context.Context, before time.Time) (int64, error)
	PurgeReceipts(ctx context.Context, before time.Time) (int64, error)
	PurgeContentKeys(ctx context.Context, before time.Time) (int64, error)
	Ping(ctx context.Context) error
	Migrate(ctx context.Context) error
	Close() error
}

var (
	_ Store = (*postgres.Store)(nil)
	_ Store = (*sqlite.Store)(nil)
)

// OpenStore opens PostgreSQL when DATABASE_URL is set, else the SQLite file
// under the data folder.
func OpenStore(ctx context.Context, cfg *config.Config, log *slog.Logger) (Store, error) {
	if cfg.DatabaseURL != "" {
		opts := []postgres.Option{postgres.WithLogger(log)}
		if cfg.Relay.Process == config.RelayInWorker {
			opts = append(opts, postgres.WithNotify()) // wakes the worker's relay
		}
		s, err := postgres.Open(ctx, cfg.DatabaseURL, opts...)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		return s, nil
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data folder: %w", err)
	}
	s, err := sqlite.Open(ctx, filepath.Join(cfg.DataDir, "hookgate.db"), sqlite.WithLogger(log))
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	return s, nil
}

// StoreKind names the store in use, for start-up logs.
func StoreKind(cfg *config.Config) string {
	if cfg.DatabaseURL != "" {
		return "postgres"
	}
	return "sqlite:" + filepath.Join(cfg.DataDir, "hookgate.db")
}

// DialTemporal returns a lazy Temporal client: it connects on first use, so a
// process starts (and its gateway acks) while Temporal is down.
func DialTemporal(cfg *config.Config, address string, log *slog.Logger, opts ...DialOption) (client.Client, error) {
	if address == "" {
		address = cfg.TemporalAddress
	}
	if address == "" {
		address = client.DefaultHostPort
	}
	co := client.Options{
		HostPort:  address,
		Namespace: cfg.TemporalNamespace,
		Logger:    sdklog.NewStructuredLogger(log.With("component", "temporal-sdk")),
		// hookgate's requests carry references, never payloads (a workflow
		// input is a receipt ID and a policy), so gzip saves a few bytes and
		// costs CPU on every call: about a twentieth of the worker's CPU per
		// event in a profile of the end-to-end benchmark.
		ConnectionOptions: client.ConnectionOptions{GrpcCompression: &client.GrpcCompressionNone{}},
	}
	for _, o := range opts {
		o(&co)
	}
	c, err := client.NewLazyClient(co)
	if err != nil {
		return nil, fmt.Errorf("temporal client: %w", err)
	}
	return c, nil
}

// Starter builds the relay's workflow starter for cfg.
func Starter(c client.Client, cfg *config.Config, eager bool) *runs.Starter {
	return &runs.Starter{
		Client: c, TaskQueue: cfg.TaskQueue, Eager: eager,
		Sources: func(name string) (runs.SourceInfo, bool) {
			s, ok := cfg.Source(name)
			if !ok {
				return runs.SourceInfo{}, false
			}
			return runs.SourceInfo{Provider: string(s.Provider), Retry: s.RetryPolicy}, true
		},
	}
}

// NewMetrics returns the process's metrics, labelled by the configured sources.
// Pass the same *Metrics to DialTemporal (TemporalMetrics), the gateway
// and the worker, so that one /metrics page shows them all.
func NewMetrics(cfg *config.Config) *metrics.Metrics {
	names := make([]string, 0, len(cfg.Sources))
	for _, s := range cfg.Sources {
		names = append(names, s.Name)
	}
	m := metrics.New(names)
	// PayPal verifications call out from any process that verifies; the
	// observer is process-wide, like the calls' limit.
	paypal.SetCallObserver(m.PayPalCall)
	return m
}

// DialOption adjusts the Temporal client options of DialTemporal.
type DialOption func(*client.Options)

// TemporalMetrics exports the Temporal SDK's metrics on m (nil m: none).
func TemporalMetrics(m *metrics.Metrics) DialOption {
	return func(o *client.Options) {
		if m != nil {
			o.MetricsHandler = m.Temporal()
		}
	}
}

// oldestUnstarted is the store method that feeds the relay lag gauge.
type oldestUnstarted interface {
	OldestUnstarted(ctx context.Context) (time.Time, int, error)
}

// meteredRelayStore feeds the relay lag and backlog gauges after every sweep.
type meteredRelayStore struct {
	relay.Store
	oldest oldestUnstarted
	m      *metrics.Metrics
	now    func() time.Time
}

// relayStore wraps s so that each sweep also measures the lag (nil m: s).
func relayStore(s Store, m *metrics.Metrics) relay.Store {
	if m == nil {
		return s
	}
	return &meteredRelayStore{Store: s, oldest: s, m: m, now: time.Now}
}

func (s *meteredRelayStore) Claim(ctx context.Context, before time.Time, limit int, lease time.Duration) ([]store.Ref, error) {
	refs, err := s.Store.Claim(ctx, before, limit, lease)
	if err != nil {
		return refs, err
	}
	// The gauge is best effort: a failure here must not fail the sweep, and the
	// sweep's own errors are logged by the relay.
	if oldest, n, lerr := s.oldest.OldestUnstarted(ctx); lerr == nil {
		lag := time.Duration(0)
		if !oldest.IsZero() {
			lag = s.now().Sub(oldest)
		}
		s.m.RelaySweep(lag, n)
	}
	return refs, nil
}

// relayStarted chains the relay's OnStarted with the start counter.
func relayStarted(m *metrics.Metrics, next func(store.Ref, error)) func(store.Ref, error) {
	if m == nil {
		return next
	}
	return func(ref store.Ref, err error) {
		m.RelayStarted(err, errors.Is(err, relay.ErrPermanent))
		if next != nil {
			next(ref, err)
		}
	}
}

// NewServer applies the HTTP limits every listener has: providers send small
// requests quickly; anything slower is a slow-loris, not a webhook.
func NewServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

func Serve(s *http.Server, ln net.Listener) error {
	serveFn := s.Serve
	if s.TLSConfig != nil {
		serveFn = func(ln net.Listener) error { return s.ServeTLS(ln, "", "") }
	}
	if err := serveFn(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// NewRelay builds this process's relay: o's intervals (tests shorten them),
// with the process's logger, tracing and metrics; eager when a worker of the
// same client runs in this process.
func NewRelay(o relay.Options, cfg *config.Config, st Store, tc client.Client, eager bool,
	m *metrics.Metrics, tp trace.TracerProvider, log *slog.Logger) *relay.Relay {
	o.Logger = log.With("component", "relay")
	o.TracerProvider = tp
	o.OnStarted = relayStarted(m, o.OnStarted)
	return relay.New(relayStore(st, m), Starter(tc, cfg, eager), o)
}
