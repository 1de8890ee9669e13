package server

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/internal/boot"
	"github.com/hookgate/hookgate/internal/ingest/gateway"
	"github.com/hookgate/hookgate/internal/ingest/ratelimit"
	"github.com/hookgate/hookgate/internal/storage/retention"
)

// Limits builds the gateway's abuse limits from the configuration: rate
// limits shared through Redis when REDIS_URL is set (in process otherwise), the
// in-process failure budget, JSON depth, HTTPS requirement and audit sampling.
// close releases the Redis client; call it after the gateway has stopped.
func Limits(cfg *config.Config, log *slog.Logger) (lo gateway.LimitOptions, close func(), err error) {
	close = func() {}
	lo = gateway.LimitOptions{
		JSONMaxDepth:   cfg.JSONMaxDepth,
		RequireHTTPS:   cfg.RequireForwardedProtoHTTPS,
		AuditPerSecond: cfg.AuditSampling.PerSecond,
		AuditKeepOneIn: cfg.AuditSampling.KeepOneIn,
	}
	if cfg.Limits.Disabled {
		log.Warn("rate limits disabled (limits.disabled): forgeries are not throttled")
		return lo, close, nil
	}
	o := ratelimit.Options{
		Policy: ratelimit.Policy{
			PerIP:      limitOf(cfg.Limits.PerIP),
			PerSource:  limitOf(cfg.Limits.PerSource),
			Failures:   limitOf(cfg.Limits.Failures),
			BlockAfter: cfg.Limits.BlockAfter,
			BlockFor:   cfg.Limits.BlockFor,
		},
		Sources: map[string]ratelimit.Policy{},
		Logger:  log,
	}
	for _, s := range cfg.Sources {
		if s.Limits != nil {
			o.Sources[s.Name] = ratelimit.Policy{PerIP: limitOf(s.Limits.PerIP), PerSource: limitOf(s.Limits.PerSource)}
		}
	}
	if cfg.RedisURL != "" {
		opt, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			// The URL may hold a password: do not echo it.
			return lo, close, fmt.Errorf("%s: not a redis:// URL", config.EnvRedisURL)
		}
		rdb := redis.NewClient(opt)
		close = func() { rdb.Close() }
		o.Store = ratelimit.NewRedis(rdb, "hookgate:rl:")
	}
	g, err := ratelimit.New(o)
	if err != nil {
		close()
		return lo, func() {}, err
	}
	lo.Limiter = g
	return lo, close, nil
}

func limitOf(r config.Rate) ratelimit.Limit {
	return ratelimit.Limit{Rate: r.Rate, Per: r.Per, Burst: r.Burst}
}

// serverLimits applies the configured timeouts and header cap to s.
func serverLimits(s *http.Server, l config.ServerLimits) {
	if l.ReadHeaderTimeout > 0 {
		s.ReadHeaderTimeout = l.ReadHeaderTimeout
	}
	if l.ReadTimeout > 0 {
		s.ReadTimeout = l.ReadTimeout
	}
	if l.WriteTimeout > 0 {
		s.WriteTimeout = l.WriteTimeout
	}
	if l.IdleTimeout > 0 {
		s.IdleTimeout = l.IdleTimeout
	}
	if l.MaxHeaderBytes > 0 {
		s.MaxHeaderBytes = int(l.MaxHeaderBytes)
	}
}

// serverTLS makes s serve HTTPS with the configured certificate (TLS 1.2+).
func serverTLS(s *http.Server, t config.TLS) error {
	if !t.Enabled() {
		return nil
	}
	cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
	if err != nil {
		return fmt.Errorf("tls: %w", err)
	}
	s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	return nil
}

// startRetention runs the retention job until ctx ends, when the store
// supports it and retention is not disabled; wait blocks until it has stopped.
func startRetention(ctx context.Context, cfg *config.Config, st boot.Store, log *slog.Logger) (wait func()) {
	log = log.With("component", "retention")
	p, ok := st.(retention.Purger)
	if cfg.Retention.Disabled || !ok {
		log.Warn("retention disabled: audit records and receipt bodies are kept forever", "store_supports_it", ok)
		return func() {}
	}
	var window time.Duration // content keys are kept for the longest window
	for _, s := range cfg.Sources {
		window = max(window, s.Dedupe.Window)
	}
	j, err := retention.New(p, retention.Options{
		Audit: cfg.Retention.Audit, Bodies: cfg.Retention.Bodies, Receipts: cfg.Retention.Receipts,
		ContentKeys: window, Interval: cfg.Retention.Interval, Logger: log,
	})
	if err != nil {
		// Config validation makes this unreachable; do not stop the gateway for it.
		log.Error("retention not started", "err", err)
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = j.Run(ctx) // returns nil when ctx ends; failed passes are logged
	}()
	return func() { <-done }
}
