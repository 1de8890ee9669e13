// Package app assembles hookgate's processes from the configuration: it opens the
// store, the Temporal client and the publisher, builds the gateway, relay, admin
// API and worker, and runs them with graceful shutdown. cmd/gateway, cmd/worker and
// `hookgate dev` are thin mains over it.
//
// Public: a team's own worker (examples/provisioning) is app.RunWorker with
// app.Team, its activities registered beside the built-in ones.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/hookgate/hookgate/activities"
	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/events"
	"github.com/hookgate/hookgate/internal/ingest/gateway"
	"github.com/hookgate/hookgate/internal/ingest/groupcommit"
	"github.com/hookgate/hookgate/internal/operations/admin"
	"github.com/hookgate/hookgate/internal/processing/relay"
	"github.com/hookgate/hookgate/internal/processing/runs"
	"github.com/hookgate/hookgate/internal/storage/postgres"
	"github.com/hookgate/hookgate/internal/storage/sqlite"
	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/builtin"
	"github.com/hookgate/hookgate/publisher"
	"github.com/hookgate/hookgate/store"
	"github.com/hookgate/hookgate/workflows"
)

// Store is every store method hookgate's processes use; *postgres.Store and
// *sqlite.Store implement it.
type Store interface {
	gateway.AuditWriter
	groupcommit.Ingester
	relay.Store
	activities.Store
	admin.Store
	admin.StatsStore
	OldestUnstarted(ctx context.Context) (time.Time, int, error)
	Unfinished(ctx context.Context, before time.Time, limit int) ([]store.Ref, error)
	RedactHeaders(ctx context.Context, source string, names []string) (int64, error)
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

// DialPublisher connects to RabbitMQ when AMQP_URL is set (nil publisher
// otherwise: events stay in the store). It retries until ctx ends, so a worker
// started before the broker waits for it.
func DialPublisher(ctx context.Context, cfg *config.Config, log *slog.Logger) (*publisher.AMQP, error) {
	if cfg.AMQPURL == "" {
		return nil, nil
	}
	delay := time.Second
	for {
		p, err := publisher.Dial(ctx, cfg.AMQPURL, publisher.Options{}, log.With("component", "publisher"))
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

// Sources builds the configured sources with the built-in providers.
func Sources(cfg *config.Config) ([]gateway.Source, error) {
	return gateway.BuildSources(cfg, builtin.Providers())
}

// NewActivities builds the activities' dependencies. pub may be nil (store bus).
func NewActivities(cfg *config.Config, st Store, pub activities.Publisher, sources []gateway.Source, log *slog.Logger) *activities.Activities {
	dec := map[string]providers.Decoder{}
	for _, s := range sources {
		if d, ok := s.Provider.(providers.Decoder); ok {
			dec[s.Name] = d
		}
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
	return a
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
		acts.Starter = Starter(c, cfg, false)
	}
	w.RegisterActivity(acts)
	for name, fn := range team {
		w.RegisterActivityWithOptions(activities.WrapTeam(acts, fn), activity.RegisterOptions{Name: name})
	}
	return w, nil
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
