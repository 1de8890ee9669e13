// Package server runs the gateway process: the ingest endpoint and the admin
// API on their listeners, the relay (unless the worker runs it), the alert
// monitor and the retention job, with graceful drain on shutdown.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"
	"go.temporal.io/sdk/client"

	"github.com/dustin/go-humanize"
	"github.com/gin-gonic/gin"

	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/internal/boot"
	"github.com/hookgate/hookgate/internal/ingest/gateway"
	"github.com/hookgate/hookgate/internal/ingest/groupcommit"
	"github.com/hookgate/hookgate/internal/operations/admin"
	"github.com/hookgate/hookgate/internal/operations/console"
	"github.com/hookgate/hookgate/internal/operations/metrics"
	"github.com/hookgate/hookgate/internal/operations/monitor"
	"github.com/hookgate/hookgate/internal/processing/relay"
	"github.com/hookgate/hookgate/internal/processing/runs"
	"github.com/hookgate/hookgate/internal/storage/retention"
	"github.com/hookgate/hookgate/internal/storage/searchindex"
	"github.com/hookgate/hookgate/providers/builtin"
	"github.com/hookgate/hookgate/providers/catalogue"
)

// Deps are the parts a gateway process runs on.
type Deps struct {
	Config   *config.Config
	Store    boot.Store
	Temporal client.Client
	Logger   *slog.Logger
	// Eager starts workflows eagerly (only when a worker runs on Temporal).
	Eager bool
	// Listeners, when set, are used instead of listening on the configured
	// addresses (tests pass :0 listeners).
	Ingest, Admin net.Listener
	// Ready, if set, is called once the servers listen.
	Ready func(ingest, admin net.Addr)
	// Relay receives the relay options (tests shorten the intervals).
	Relay relay.Options
	// Metrics, if set, are fed by the gateway and relay and served on the admin
	// listener's /metrics (see boot.NewMetrics).
	Metrics *metrics.Metrics
	// TracerProvider, if set, traces the gateway and relay instead of the
	// provider the config's tracing block would build (tests).
	TracerProvider trace.TracerProvider
	// TemporalUI, if set, is the Temporal UI the console links workflows to
	// (hookgate dev's own); otherwise the config's TemporalUIURL.
	TemporalUI string
}

// Run serves the ingest endpoint, the admin API and the relay until ctx
// ends, then drains: new webhooks get 503, in-flight ones finish and commit, the
// audit queue is flushed.
func Run(ctx context.Context, d Deps) error {
	log := d.Logger
	sources, err := Sources(d.Config)
	if err != nil {
		return err
	}
	tp, stopTracing, err := boot.TracerProvider(ctx, d.TracerProvider, d.Config, boot.ServiceGateway, log)
	if err != nil {
		return err
	}
	defer stopTracing()
	committer := groupcommit.New(d.Store, groupcommit.Options{})
	// The relay runs here unless the config places it in the worker (then the
	// store's NOTIFY wakes it there, and replays reach it the same way).
	var (
		rl       *relay.Relay
		notifier gateway.Notifier
	)
	if d.Config.Relay.Process != config.RelayInWorker {
		rl = boot.NewRelay(d.Relay, d.Config, d.Store, d.Temporal, d.Eager, d.Metrics, tp, log)
		notifier = rl
	}
	limits, closeLimits, err := Limits(d.Config, log.With("component", "ratelimit"))
	if err != nil {
		return err
	}
	defer closeLimits()
	gw, err := gateway.New(gateway.Options{
		TrustedProxies: d.Config.TrustedProxies, Limits: limits,
		Sources: sources, Committer: committer, Audit: d.Store, Secrets: d.Store, Probe: d.Store.ProbeWrite, Notifier: notifier, Logger: log.With("component", "gateway"),
		Observer: gatewayObserver(d.Metrics), TracerProvider: tp,
		Checks: []gateway.Check{
			{Name: "store", Fn: d.Store.Ping},
			{Name: "temporal", Fn: func(ctx context.Context) error {
				_, err := d.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{})
				return err
			}},
		},
	})
	if err != nil {
		return err
	}
	tokens := make([]admin.Token, 0, len(d.Config.AdminTokens))
	for _, t := range d.Config.AdminTokens {
		var scopes []admin.Scope
		for _, s := range t.Scopes {
			sc, err := admin.ParseScope(s)
			if err != nil { // config validation makes this unreachable
				return fmt.Errorf("admin_tokens (%s): %w", t.Name, err)
			}
			scopes = append(scopes, sc)
		}
		tokens = append(tokens, admin.Token{Name: t.Name, Value: t.Token.Reveal(), Scopes: scopes})
	}
	if len(tokens) == 0 {
		log.Warn("no admin tokens configured: the admin API refuses every request (set HOOKGATE_ADMIN_TOKENS)")
	}
	adm := admin.New(admin.Options{
		Store: d.Store, Starter: boot.Starter(d.Temporal, d.Config, false), Tokens: tokens, Logger: log.With("component", "admin"),
		Stats: d.Store, Secrets: d.Store, Extra: adminMetricsRoute(d.Metrics, d.Config),
		BulkReplays: &runs.BulkReplays{Client: d.Temporal, TaskQueue: d.Config.TaskQueue},
	})

	ui := d.TemporalUI
	if ui == "" {
		ui = d.Config.TemporalUIURL
	}
	con, err := console.New(console.Options{Store: d.Store, Tokens: consoleTokens(tokens), TemporalUI: ui, Sources: consoleSources(d.Config),
		Starter: boot.Starter(d.Temporal, d.Config, false), BulkReplays: &runs.BulkReplays{Client: d.Temporal, TaskQueue: d.Config.TaskQueue},
		Namespace: d.Config.TemporalNamespace, Logger: log.With("component", "console")})
	if err != nil {
		return err
	}

	ingestLn, err := listen(d.Ingest, d.Config.Listen)
	if err != nil {
		return err
	}
	adminLn, err := listen(d.Admin, d.Config.AdminListen)
	if err != nil {
		ingestLn.Close()
		return err
	}
	ingestSrv := boot.NewServer(gw.Handler(), log)
	adminSrv := boot.NewServer(withConsole(adminHandler(adm, d.Metrics, d.Config), con), log)
	serverLimits(ingestSrv, d.Config.Server)
	serverLimits(adminSrv, d.Config.Server)
	if err := serverTLS(ingestSrv, d.Config.TLS); err != nil {
		ingestLn.Close()
		adminLn.Close()
		return err
	}

	relayCtx, stopRelay := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	errc := make(chan error, 3)
	wg.Add(2)
	go func() { defer wg.Done(); errc <- boot.Serve(ingestSrv, ingestLn) }()
	go func() { defer wg.Done(); errc <- boot.Serve(adminSrv, adminLn) }()
	if rl != nil {
		wg.Add(1)
		go func() { defer wg.Done(); errc <- rl.Run(relayCtx) }()
	}
	stopMonitor := startMonitor(ctx, d.Config, d.Store, log)
	defer stopMonitor()
	waitRetention := startRetention(relayCtx, d.Config, d.Store, log)
	if ix, ok := d.Store.(searchindex.Indexer); ok {
		// PostgreSQL builds its text-search index after the commit; SQLite
		// searches without one.
		wg.Add(1)
		go func() {
			defer wg.Done()
			searchindex.Run(relayCtx, ix, searchindex.Options{Busy: committer.Busy}, log.With("component", "searchindex"))
		}()
	}
	log.Info("gateway listening", "ingest", ingestLn.Addr().String(), "admin", adminLn.Addr().String(), "sources", len(sources))
	if d.Ready != nil {
		d.Ready(ingestLn.Addr(), adminLn.Addr())
	}

	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
	}
	gw.Drain()
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_ = ingestSrv.Shutdown(sctx) // in-flight requests finish (their commits complete)
	_ = adminSrv.Shutdown(sctx)
	gw.Close() // records the duplicates acked in the background, flushes the audit queue
	committer.Close()
	stopRelay()
	wg.Wait()
	waitRetention()
	return runErr
}

func listen(ln net.Listener, addr string) (net.Listener, error) {
	if ln != nil {
		return ln, nil
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	return l, nil
}

// adminHandler serves the admin API and, with metrics, /metrics: open unless
// metrics_token_required (then behind the API's bearer token, mounted by
// adminMetricsRoute).
// consoleTokens are the admin tokens that may sign in to the console: those
// that may read; bodies are shown to those with read:bodies.
func consoleTokens(tokens []admin.Token) []console.Token {
	var out []console.Token
	for _, t := range tokens {
		scopes := t.Scopes
		if len(scopes) == 0 {
			scopes = admin.DefaultScopes
		}
		bodies := slices.Contains(scopes, admin.ScopeReadBodies)
		if bodies || slices.Contains(scopes, admin.ScopeRead) {
			out = append(out, console.Token{Name: t.Name, Value: t.Value, Bodies: bodies, Replay: slices.Contains(scopes, admin.ScopeReplay)})
		}
	}
	return out
}

// consoleSources describes the configured sources for the console: never
// their secrets.
func consoleSources(cfg *config.Config) []console.Source {
	base := strings.TrimSuffix(cfg.PublicBaseURL, "/")
	if base == "" {
		host := cfg.Listen
		if strings.HasPrefix(host, ":") {
			host = "<this host>" + host
		}
		base = "http://" + host
	}
	out := make([]console.Source, 0, len(cfg.Sources))
	for _, s := range cfg.Sources {
		delays := make([]string, len(s.RetryPolicy.Delays))
		for i, d := range s.RetryPolicy.Delays {
			delays[i] = d.String()
		}
		cs := console.Source{Name: s.Name, Provider: string(s.Provider), URL: base + "/webhooks/" + s.Name,
			BodyLimit: humanize.IBytes(uint64(s.BodyLimit)), AllowedIPs: s.AllowedIPs,
			Retry: fmt.Sprintf("%d attempts, waits %s", s.RetryPolicy.MaxAttempts(), strings.Join(delays, ", "))}
		if e, ok := catalogue.Lookup(s.Provider); ok {
			cs.Handshake = string(e.Handshake)
		}
		out = append(out, cs)
	}
	return out
}

// withConsole serves the console's pages on the admin listener and the rest
// (/v1/…, /metrics) with api.
func withConsole(api, con http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if console.Serves(r.URL.Path) {
			con.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}

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

// gatewayObserver is m as the gateway's observer; nil when m is nil, so the
// gateway skips the call altogether.
func gatewayObserver(m *metrics.Metrics) gateway.Observer {
	if m == nil {
		return nil
	}
	return m
}

// Sources builds the configured sources with the built-in providers.
func Sources(cfg *config.Config) ([]gateway.Source, error) {
	return gateway.BuildSources(cfg, builtin.Providers())
}

// The gateway's parts take the store through the interfaces they declare.
var (
	_ gateway.AuditWriter  = boot.Store(nil)
	_ groupcommit.Ingester = boot.Store(nil)
	_ admin.Store          = boot.Store(nil)
	_ admin.StatsStore     = boot.Store(nil)
	_ retention.Purger     = boot.Store(nil)
	_ monitor.Store        = boot.Store(nil)
)
