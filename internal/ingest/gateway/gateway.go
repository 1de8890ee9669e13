// Package gateway is hookgate's ingest HTTP service (Gin): POST /webhooks/{source}
// verifies the raw request, commits an audit record and a receipt in one
// transaction, and acknowledges only after the commit. It never waits on Temporal:
// the relay starts workflows afterwards.
package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel/trace"

	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/store"
)

// Committer durably stores a delivery (see package groupcommit).
type Committer interface {
	Commit(ctx context.Context, d store.Delivery) (store.IngestResult, error)
}

// Notifier is told about each newly committed receipt (the relay), so that its
// workflow starts at once. It must not block.
type Notifier interface {
	Notify(ref store.Ref)
}

// Check is a readiness probe of a dependency.
type Check struct {
	Name string
	Fn   func(ctx context.Context) error
}

// Source is one configured ingest endpoint with its built provider.
type Source struct {
	Name         string
	ProviderName providers.Name
	Provider     providers.Provider
	BodyLimit    int64
	// PublicURL is the public base URL requests are verified against (Twilio).
	PublicURL *url.URL
	// AllowedIPs, when set, are the only client IPs accepted (403 otherwise).
	AllowedIPs []netip.Prefix
	// ContentDedupe makes a delivery whose signed body equals that of a
	// receipt received within ContentWindow a duplicate of it (ContentKey,
	// store.Receipt.ContentKey).
	ContentDedupe bool
	ContentWindow time.Duration

	credentials []string // Provider.CredentialHeaders, canonical; set by New
	bodiless    bool     // providers.Bodiless; set by New
}

// Options configure a gateway.
type Options struct {
	Sources   []Source
	Committer Committer
	Audit     AuditWriter
	Notifier  Notifier // may be nil
	Observer  Observer // may be nil (metrics)
	Checks    []Check  // for /readyz
	// Probe writes to the store: while commits fail, the gateway is not
	// ready, and probes every second until a write succeeds (nil: only a
	// successful commit makes it ready again).
	Probe Probe
	// Secrets keeps the signing secrets providers hand over in a handshake
	// (Asana); nil: such a handshake is answered 503.
	Secrets SecretKeeper
	Logger  *slog.Logger
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
	// RejectedBodyCap caps the body kept in the audit log of a rejected request
	// (default 4 KiB).
	RejectedBodyCap int
	// TrustedProxies are the CIDRs whose X-Forwarded-For is believed (none by default).
	TrustedProxies []string
	// AuditQueue bounds the rejected-request audit queue (default 10,000).
	AuditQueue int
	// Limits are the abuse limits: rate limits, JSON depth, HTTPS, audit
	// sampling (limits.go).
	Limits LimitOptions
	// KnownEvents is how many recently committed events the duplicate fast path
	// remembers (known.go): 0 means DefaultKnownEvents, negative turns it off.
	KnownEvents int
	// TracerProvider, when set, gives each webhook request a server span
	// (trace.go) whose traceparent the receipt keeps. Nil: tracing off, and
	// the ingest path does no tracing work at all.
	TracerProvider trace.TracerProvider
}

// Gateway serves the ingest endpoints.
type Gateway struct {
	sources  map[string]*Source
	commit   Committer
	audit    *auditor
	notify   Notifier
	obs      Observer
	checks   []Check
	log      *slog.Logger
	now      func() time.Time
	bodyCap  int
	draining atomic.Bool
	engine   *gin.Engine
	limits   *limits
	tracer   trace.Tracer // nil: tracing off
	secrets  *handshakeSecrets
	health   *commitHealth

	known       *known        // events seen committed (duplicate fast path); nil: off
	pendingDups chan struct{} // semaphore of duplicates being recorded in the background
	background  sync.WaitGroup
}

// New builds a gateway.
func New(o Options) (*Gateway, error) {
	if o.Committer == nil || o.Audit == nil {
		return nil, errors.New("gateway: Committer and Audit are required")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RejectedBodyCap <= 0 {
		o.RejectedBodyCap = 4 << 10
	}
	if o.AuditQueue <= 0 {
		o.AuditQueue = 10_000
	}
	var err error
	g := &Gateway{
		sources: map[string]*Source{},
		commit:  o.Committer,
		audit:   newAuditor(o.Audit, o.Logger, o.AuditQueue),
		notify:  o.Notifier,
		obs:     o.Observer,
		checks:  o.Checks,
		log:     o.Logger,
		secrets: &handshakeSecrets{keeper: o.Secrets, last: map[string]time.Time{}},
		health:  &commitHealth{probe: o.Probe},
		now:     o.Now,
		bodyCap: o.RejectedBodyCap,

		pendingDups: make(chan struct{}, maxPendingDuplicates),
	}
	switch {
	case o.KnownEvents == 0:
		g.known = newKnown(DefaultKnownEvents)
	case o.KnownEvents > 0:
		g.known = newKnown(o.KnownEvents)
	}
	if ho, ok := o.Observer.(CommitHealthObserver); ok {
		g.health.report = ho.CommitsFailing
	}
	if g.limits, err = newLimits(o.Limits, o.TrustedProxies); err != nil {
		return nil, err
	}
	g.audit.sample = newSampler(o.Limits.AuditPerSecond, o.Limits.AuditKeepOneIn)
	if o.TracerProvider != nil {
		g.tracer = o.TracerProvider.Tracer(tracerName)
	}
	for i := range o.Sources {
		s := o.Sources[i]
		if s.Provider == nil {
			return nil, fmt.Errorf("gateway: source %q has no provider", s.Name)
		}
		s.credentials = nil
		for _, h := range s.Provider.CredentialHeaders() {
			s.credentials = append(s.credentials, http.CanonicalHeaderKey(h))
		}
		if b, ok := s.Provider.(providers.Bodiless); ok {
			s.bodiless = b.BodilessResponses()
		}
		g.sources[s.Name] = &s
	}
	// Handshake secrets kept by any replica: best effort, a source without
	// one reads the store again when a request needs it.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	if err := g.secrets.load(ctx, g.sources); err != nil {
		o.Logger.Warn("handshake secrets not loaded; read again when needed", "err", err)
	}
	cancel()
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	// Client IPs come from the connection unless trusted proxies are configured:
	// X-Forwarded-For from anyone else is ignored.
	if err := e.SetTrustedProxies(o.TrustedProxies); err != nil {
		return nil, fmt.Errorf("gateway: trusted proxies: %w", err)
	}
	// Route on the escaped path so that an encoded slash ("..%2F..") stays inside
	// the {source} segment: it is then refused as an invalid source name and
	// audited, instead of falling through to the unaudited NoRoute.
	e.UseRawPath = true
	e.UnescapePathValues = true
	e.Use(gin.Recovery(), securityHeaders)
	e.POST("/webhooks/:source", g.ingest)
	e.GET("/webhooks/:source", g.check)
	e.HEAD("/webhooks/:source", g.check)
	e.HandleMethodNotAllowed = true
	e.NoMethod(func(c *gin.Context) {
		rec := auditBase(c, g.now())
		if _, ok := g.sources[c.Param("source")]; !ok {
			rec.Source, rec.Path = unknownSourceLabel, "/webhooks/"+unknownSourceLabel
		}
		g.fail(c, nil, rec, errMethod)
	})
	e.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	e.GET("/readyz", g.ready)
	e.NoRoute(func(c *gin.Context) { c.JSON(http.StatusNotFound, gin.H{"error": "not found"}) })
	g.engine = e
	return g, nil
}

// Handler returns the HTTP handler.
func (g *Gateway) Handler() http.Handler { return g.engine }

// Drain makes the gateway answer 503 to new webhooks (before shutdown), so that
// providers retry against another replica.
func (g *Gateway) Drain() { g.draining.Store(true) }

// Close waits for the duplicates acked in the background to be recorded, then
// flushes the audit queue. Call after the HTTP server has shut down and before
// the Committer closes.
func (g *Gateway) Close() {
	g.background.Wait()
	g.audit.close()
}

func (g *Gateway) ready(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	status := http.StatusOK
	out := gin.H{}
	for _, ch := range g.checks {
		if err := ch.Fn(ctx); err != nil {
			status = http.StatusServiceUnavailable
			out[ch.Name] = "unavailable"
			g.log.Warn("readiness check failed", "check", ch.Name, "err", err)
			continue
		}
		out[ch.Name] = "ok"
	}
	if failing, since := g.health.state(); failing {
		// The cause stays in the log: this endpoint is on the public listener.
		status = http.StatusServiceUnavailable
		out["commits"] = "failing since " + since.UTC().Format(time.RFC3339)
	} else {
		out["commits"] = "ok"
	}
	if g.draining.Load() {
		status = http.StatusServiceUnavailable
		out["gateway"] = "draining"
	}
	c.JSON(status, out)
}

func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	if c.Request.TLS != nil {
		// Only over TLS: browsers ignore HSTS on plain HTTP (RFC 6797 §8.1).
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
	c.Next()
}

// PublicURL returns the URL a provider posted to: the configured public base URL
// joined with the request's path and query. Without a base URL it falls back to
// the request's own scheme and Host (fine for development only).
func PublicURL(base *url.URL, r *http.Request) *url.URL {
	u := &url.URL{Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	if base != nil {
		u.Scheme, u.Host = base.Scheme, base.Host
		u.Path = strings.TrimSuffix(base.Path, "/") + u.Path
		if u.RawPath != "" {
			u.RawPath = strings.TrimSuffix(base.EscapedPath(), "/") + u.RawPath
		}
		return u
	}
	u.Scheme, u.Host = "http", r.Host
	if r.TLS != nil {
		u.Scheme = "https"
	}
	return u
}

// BuildSources builds the gateway's sources from the configuration.
func BuildSources(cfg *config.Config, reg *providers.Registry) ([]Source, error) {
	var base *url.URL
	if cfg.PublicBaseURL != "" {
		u, err := url.Parse(cfg.PublicBaseURL)
		if err != nil {
			return nil, fmt.Errorf("public_base_url: %w", err)
		}
		base = u
	}
	out := make([]Source, 0, len(cfg.Sources))
	var errs []error
	for i := range cfg.Sources {
		s := &cfg.Sources[i]
		p, err := reg.Build(s.Provider, s.Spec())
		if err != nil {
			errs = append(errs, fmt.Errorf("sources[%d] (%s): %w", i, s.Name, err))
			continue
		}
		content := true // a scheme without a checked timestamp: captured requests verify forever
		if tc, ok := p.(providers.TimestampChecker); ok && tc.ChecksTimestamp() {
			content = false
		}
		if s.Dedupe.Content != nil {
			content = *s.Dedupe.Content
		}
		out = append(out, Source{
			Name: s.Name, ProviderName: s.Provider, Provider: p,
			BodyLimit: int64(s.BodyLimit), PublicURL: base, AllowedIPs: s.AllowedNets,
			ContentDedupe: content, ContentWindow: s.Dedupe.Window,
		})
	}
	return out, errors.Join(errs...)
}
