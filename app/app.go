// Package app assembles hookgate's worker process: the Temporal worker with
// ProcessWebhook, BulkReplay and their activities, a team's own activities
// beside them (Team), the reconciler, and the relay when the configuration
// places it in the worker. cmd/worker is a thin main over it.
//
// Public: a team's own worker (examples/provisioning) is app.RunWorker with
// app.Team, its activities registered beside the built-in ones; OpenStore,
// DialTemporal, DialPublisher and NewMetrics open what it runs on.
package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/hookgate/hookgate/activities"
	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/events"
	"github.com/hookgate/hookgate/internal/boot"
	"github.com/hookgate/hookgate/internal/operations/metrics"
	"github.com/hookgate/hookgate/internal/processing/runs"
	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/builtin"
	"github.com/hookgate/hookgate/publisher"
	"github.com/hookgate/hookgate/store"
	"github.com/hookgate/hookgate/workflows"
)

// Store is every method of a hookgate store (PostgreSQL or SQLite).
type Store = boot.Store

// The worker's parts take the store through the interfaces they declare.
var (
	_ activities.Store       = Store(nil)
	_ activities.ReplayStore = Store(nil)
)

// OpenStore opens PostgreSQL when DATABASE_URL is set, else the SQLite file
// under the data folder.
func OpenStore(ctx context.Context, cfg *config.Config, log *slog.Logger) (Store, error) {
	return boot.OpenStore(ctx, cfg, log)
}

// StoreKind names the store in use, for start-up logs.
func StoreKind(cfg *config.Config) string { return boot.StoreKind(cfg) }

// DialOption adjusts the Temporal client options of DialTemporal.
type DialOption = boot.DialOption

// DialTemporal returns a lazy Temporal client: it connects on first use, so a
// process starts while Temporal is down.
func DialTemporal(cfg *config.Config, address string, log *slog.Logger, opts ...DialOption) (client.Client, error) {
	return boot.DialTemporal(cfg, address, log, opts...)
}

// NewMetrics returns the process's metrics, labelled by the configured
// sources; pass it to DialTemporal (TemporalMetrics) and RunWorker.
func NewMetrics(cfg *config.Config) *metrics.Metrics { return boot.NewMetrics(cfg) }

// TemporalMetrics exports the Temporal SDK's metrics on m (nil m: none).
func TemporalMetrics(m *metrics.Metrics) DialOption { return boot.TemporalMetrics(m) }

// Starter builds the workflow starter for cfg (the relay's and reconciler's).
func Starter(c client.Client, cfg *config.Config, eager bool) *runs.Starter {
	return boot.Starter(c, cfg, eager)
}

// DialPublisher connects to RabbitMQ when AMQP_URL is set (nil publisher
// otherwise: events stay in the store). It retries until ctx ends, so a worker
// started before the broker waits for it.
// m (may be nil) counts the broker's blocks of the connection.
func DialPublisher(ctx context.Context, cfg *config.Config, log *slog.Logger, m *metrics.Metrics) (*publisher.AMQP, error) {
	if cfg.AMQPURL == "" {
		return nil, nil
	}
	delay := time.Second
	for {
		p, err := publisher.Dial(ctx, cfg.AMQPURL, publisher.Options{OnBlocked: func(blocked bool, _ string) { m.PublisherBlocked(blocked) }},
			log.With("component", "publisher"))
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, publisher.ErrUnavailable) {
			return nil, fmt.Errorf("publisher: %w", err)
		}
		log.Warn("RabbitMQ unreachable; retrying", "in", delay, "err", err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(delay):
		}
		delay = min(delay*2, 30*time.Second)
	}
}

// decoders builds the configured sources' providers and keeps those that
// decode payloads for the handlers.
func decoders(cfg *config.Config) (map[string]providers.Decoder, error) {
	reg := builtin.Providers()
	dec := map[string]providers.Decoder{}
	var errs []error
	for i := range cfg.Sources {
		s := &cfg.Sources[i]
		p, err := reg.Build(s.Provider, s.Spec())
		if err != nil {
			errs = append(errs, fmt.Errorf("sources[%d] (%s): %w", i, s.Name, err))
			continue
		}
		if d, ok := p.(providers.Decoder); ok {
			dec[s.Name] = d
		}
	}
	return dec, errors.Join(errs...)
}

// NewActivities builds the activities over st with the configured sources'
// decoders and team activities. pub may be nil (events stay in the store).
func NewActivities(cfg *config.Config, st activities.Store, pub activities.Publisher, log *slog.Logger) (*activities.Activities, error) {
	dec, err := decoders(cfg)
	if err != nil {
		return nil, err
	}
	team := map[events.Type][]activities.TeamActivity{}
	for typ, acts := range cfg.Activities {
		for _, a := range acts {
			team[events.Type(typ)] = append(team[events.Type(typ)], activities.TeamActivity{Name: a.Name, Policy: a.Policy})
		}
	}
	a := &activities.Activities{Store: st, Handlers: builtin.Handlers(), Decoders: dec, Team: team, Logger: log}
	if pub != nil {
		a.Publisher = pub
	}
	return a, nil
}

// Team maps activity names to team activity functions, registered on the worker.
type Team map[string]activities.TeamFunc

var builtinActivityNames = map[string]bool{
	activities.NameHandle: true, activities.NamePublish: true,
	activities.NameComplete: true, activities.NameDeadLetter: true,
}

// NewWorker builds the Temporal worker: ProcessWebhook, the built-in activities,
// and the team activities. Every activity named in the config must be in team.
func NewWorker(c client.Client, cfg *config.Config, acts *activities.Activities, team Team, opts worker.Options) (worker.Worker, error) {
	var missing []string
	for typ, list := range cfg.Activities {
		for _, a := range list {
			if builtinActivityNames[a.Name] {
				return nil, fmt.Errorf("activities[%s]: %q is a built-in activity name; choose another", typ, a.Name)
			}
			if team[a.Name] == nil {
				missing = append(missing, a.Name)
			}
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("config attaches activities this worker does not register: %s (register them with app.Team)", strings.Join(missing, ", "))
	}
	w := worker.New(c, cfg.TaskQueue, opts)
	w.RegisterWorkflowWithOptions(workflows.ProcessWebhook, workflow.RegisterOptions{Name: runs.Name})
	w.RegisterWorkflowWithOptions(workflows.BulkReplay, workflow.RegisterOptions{Name: runs.BulkReplayName})
	if acts.Starter == nil {
		acts.Starter = boot.Starter(c, cfg, false)
	}
	w.RegisterActivity(acts)
	for name, fn := range team {
		w.RegisterActivityWithOptions(activities.WrapTeam(acts, fn), activity.RegisterOptions{Name: name})
	}
	return w, nil
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

// RecordStep meters the step's attempt and the terminal outcomes it
// recorded (not those it skipped).
func (s *meteredActivityStore) RecordStep(ctx context.Context, r store.StepRecord) ([]store.Transition, error) {
	skipped, err := s.Store.RecordStep(ctx, r)
	if err != nil {
		return skipped, err
	}
	if a := r.Attempt; !a.FinishedAt.IsZero() {
		s.m.Attempt(string(a.Step), a.FinishedAt.Sub(a.StartedAt), a.Error != "")
	}
	for _, t := range r.Transitions {
		if t.To.Terminal() && !slices.Contains(skipped, t) {
			s.m.WorkflowOutcome(string(t.To))
		}
	}
	return skipped, nil
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

// blockable is a publisher whose connection a broker can block
// (publisher.AMQP).
type blockable interface {
	Blocked() (bool, string, time.Time)
}

// serveWorkerMetrics serves m on the worker's metrics address, if both are
// set, until stop is called. The listener is opened here, so a taken port
// fails the start.
// It also serves /readyz: 503 while the broker blocks the publisher's
// connection (pub implementing blockable), 200 otherwise.
func serveWorkerMetrics(cfg *config.Config, m *metrics.Metrics, pub any, log *slog.Logger) (stop func(), err error) {
	if m == nil || cfg.WorkerMetricsListen == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", cfg.WorkerMetricsListen)
	if err != nil {
		return nil, fmt.Errorf("worker metrics listen %s: %w", cfg.WorkerMetricsListen, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if b, ok := pub.(blockable); ok {
			if blocked, reason, since := b.Blocked(); blocked {
				w.WriteHeader(http.StatusServiceUnavailable)
				_ = json.NewEncoder(w).Encode(map[string]string{
					"publisher": "blocked by the broker since " + since.UTC().Format(time.RFC3339) + " (" + reason + ")"})
				return
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"publisher": "ok"})
	})
	srv := boot.NewServer(mux, log)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := boot.Serve(srv, ln); err != nil {
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
