package server

import (
	"context"
	"log/slog"
	"sync"

	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/internal/boot"
	"github.com/hookgate/hookgate/internal/operations/monitor"
	"github.com/hookgate/hookgate/internal/storage/postgres"
)

// monitorLockKey is the advisory lock the gateways compete for: one of them
// runs the monitor ("hookmon" in ASCII).
const monitorLockKey int64 = 0x686f6f6b6d6f6e

// NewMonitor builds the alert monitor from the configuration: a rule per
// monitored source, and the configured sinks plus the log.
func NewMonitor(cfg *config.Config, st monitor.Store, log *slog.Logger) (*monitor.Monitor, error) {
	sinks := []monitor.Sink{monitor.LogSink{Logger: log}}
	if u := cfg.Monitor.SlackWebhookURL; u != nil {
		sinks = append(sinks, monitor.SlackSink{URL: u.Reveal()})
	}
	if u := cfg.Monitor.WebhookURL; u != nil {
		sinks = append(sinks, monitor.WebhookSink{URL: u.Reveal()})
	}
	var rules []monitor.SourceRule
	for _, s := range cfg.Sources {
		ms, ok := cfg.Monitor.Sources[s.Name]
		if !ok {
			continue
		}
		r := monitor.SourceRule{Source: s.Name, ExpectedInterval: ms.ExpectedInterval}
		if ms.From != ms.To {
			r.Hours = &monitor.Hours{From: ms.From, To: ms.To, Location: ms.Location}
		}
		rules = append(rules, r)
	}
	return monitor.New(monitor.Options{Store: st, Sinks: sinks, Rules: rules, Logger: log})
}

// startMonitor runs the monitor, when enabled, until the returned stop is
// called. With PostgreSQL the gateways elect one runner by advisory lock; the
// SQLite store serves one process, which always runs it.
func startMonitor(ctx context.Context, cfg *config.Config, st boot.Store, log *slog.Logger) (stop func()) {
	if !cfg.Monitor.Enabled {
		return func() {}
	}
	log = log.With("component", "monitor")
	m, err := NewMonitor(cfg, st, log)
	if err != nil {
		log.Error("monitor not started", "err", err)
		return func() {}
	}
	var leader monitor.Leader
	var pgLeader *postgres.Leader
	if pg, ok := st.(*postgres.Store); ok {
		pgLeader = pg.Leader(monitorLockKey)
		leader = pgLeader
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		m.Run(ctx, cfg.Monitor.Interval, leader)
	}()
	return func() {
		cancel()
		wg.Wait()
		if pgLeader != nil {
			if err := pgLeader.Close(); err != nil {
				log.Warn("monitor lock release failed", "err", err)
			}
		}
	}
}
