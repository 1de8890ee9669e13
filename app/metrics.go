package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"

	"github.com/hookgate/hookgate/activities"
	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/internal/ingest/gateway"
	"github.com/hookgate/hookgate/internal/operations/admin"
	"github.com/hookgate/hookgate/internal/operations/metrics"
	"github.com/hookgate/hookgate/internal/processing/relay"
	"github.com/hookgate/hookgate/providers/paypal"
	"github.com/hookgate/hookgate/publisher"
	"github.com/hookgate/hookgate/store"
)

// NewMetrics returns the process's metrics, labelled by the configured sources.
// Pass the same *Metrics to DialTemporal (TemporalMetrics), RunGateway and
// RunWorker, so that one /metrics page shows them all.
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

// adminHandler serves the admin API and, with metrics, /metrics: open unless
// metrics_token_required (then behind the API's bearer token, mounted by
// adminMetricsRoute).
func adminHandler(api *admin.API, m *metrics.Metrics, cfg *config.Config) http.Handler {
	if m == nil || cfg.MetricsTokenRequired {
		return api.Handler()
	}
	return admin.WithOpenMetrics(api.Handler(), m.Handler())
}

// adminMetricsRoute is the admin Options.Extra hook that mounts /metrics behind
// the token when metrics_token_required.
func adminMetricsRoute(m *metrics.Metrics, cfg *config.Config) func(gin.IRoutes) {
	if m == nil || !cfg.MetricsTokenRequired {
		return nil
	}
	return admin.MountMetrics(m.Handler())
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

// meteredActivityStore counts processing attempts and terminal outcomes as the
// activities record them. An activity retried after recording a terminal
// status counts it again: outcome counters are "at least once". It embeds the
// whole Store, so that the activities' optional-capability checks (bulk
// replay's ReplayStore) still see every method.
type meteredActivityStore struct {
	Store
	m *metrics.Metrics
}

func activityStore(s Store, m *metrics.Metrics) Store {
	if m == nil {
		return s
	}
	return &meteredActivityStore{Store: s, m: m}
}

func (s *meteredActivityStore) RecordAttempt(ctx context.Context, a store.Attempt) error {
	err := s.Store.RecordAttempt(ctx, a)
	if err == nil && !a.FinishedAt.IsZero() {
		s.m.Attempt(string(a.Step), a.FinishedAt.Sub(a.StartedAt), a.Error != "")
	}
	return err
}

func (s *meteredActivityStore) Transition(ctx context.Context, t store.Transition) error {
	err := s.Store.Transition(ctx, t)
	if err == nil && t.To.Terminal() {
		s.m.WorkflowOutcome(string(t.To))
	}
	return err
}

// meteredPublisher times publishes and counts confirms.
type meteredPublisher struct {
	p activities.Publisher
	m *metrics.Metrics
}

func publisherOf(p activities.Publisher, m *metrics.Metrics) activities.Publisher {
	if p == nil || m == nil {
		return p
	}
	return &meteredPublisher{p: p, m: m}
}

func (p *meteredPublisher) Publish(ctx context.Context, msgs ...publisher.Message) error {
	start := time.Now()
	err := p.p.Publish(ctx, msgs...)
	p.m.Published(metrics.KindEvents, len(msgs), time.Since(start), err)
	return err
}

func (p *meteredPublisher) PublishDeadLetter(ctx context.Context, msg publisher.Message) error {
	start := time.Now()
	err := p.p.PublishDeadLetter(ctx, msg)
	p.m.Published(metrics.KindDeadLetter, 1, time.Since(start), err)
	return err
}

// gatewayObserver is m as the gateway's observer; nil when m is nil, so the
// gateway skips the call altogether.
func gatewayObserver(m *metrics.Metrics) gateway.Observer {
	if m == nil {
		return nil
	}
	return m
}

// serveWorkerMetrics serves m on the worker's metrics address, if both are
// set, until stop is called. The listener is opened here, so a taken port
// fails the start.
func serveWorkerMetrics(cfg *config.Config, m *metrics.Metrics, log *slog.Logger) (stop func(), err error) {
	if m == nil || cfg.WorkerMetricsListen == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", cfg.WorkerMetricsListen)
	if err != nil {
		return nil, fmt.Errorf("worker metrics listen %s: %w", cfg.WorkerMetricsListen, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+admin.MetricsPath, m.Handler())
	srv := newServer(mux, log)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := serve(srv, ln); err != nil {
			log.Error("worker metrics server failed", "err", err)
		}
	}()
	log.Info("worker metrics listening", "addr", ln.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			log.Warn("worker metrics shutdown", "err", err)
		}
		<-done
	}, nil
}
