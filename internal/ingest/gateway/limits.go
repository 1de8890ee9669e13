package gateway

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hookgate/hookgate/internal/ingest/ratelimit"
	"github.com/hookgate/hookgate/providers"
)

// Limiter applies the traffic limits before any verification work and keeps
// the failure budgets of (IP, source) pairs (see package ratelimit;
// *ratelimit.Guard implements it).
type Limiter interface {
	// Admit applies the per-IP traffic limit before verification: nil, or
	// an error wrapping ratelimit.ErrRateLimited (a *ratelimit.Refusal
	// carries the Retry-After).
	Admit(ctx context.Context, ip, source string) error
	// AdmitVerified applies the source's traffic limit to a request that
	// passed verification, so forgeries never spend it.
	AdmitVerified(ctx context.Context, source string) error
	// Suspect returns nil, or an error wrapping ratelimit.ErrBlocked or
	// ErrTooManyFailures when ip spent its failure budget for source.
	Suspect(ip, source string) error
	// Failed charges one failed verification to ip for source.
	Failed(ip, source string)
}

// LimitOptions are the gateway's abuse limits. The zero value limits nothing
// but the JSON depth (DefaultJSONMaxDepth).
type LimitOptions struct {
	// Limiter rate-limits requests; nil: no rate limits.
	Limiter Limiter
	// JSONMaxDepth caps the nesting of JSON bodies (default DefaultJSONMaxDepth).
	JSONMaxDepth int
	// RequireHTTPS refuses (403 https_required) webhooks that did not come over
	// TLS to this server or through a trusted proxy with X-Forwarded-Proto: https.
	RequireHTTPS bool
	// AuditPerSecond and AuditKeepOneIn sample the audit of rejected requests:
	// beyond AuditPerSecond records per second and source, one in AuditKeepOneIn
	// is kept and the others are counted. Zero: defaults 100 and 100.
	AuditPerSecond int
	AuditKeepOneIn int
}

// Gateway-level refusals of the abuse limits.
var (
	errIPNotAllowed  = errors.New("client ip not allowed")
	errHTTPSRequired = errors.New("https required")
	errJSONDepth     = fmt.Errorf("%w: %w", errMalformedBody, errJSONTooDeep)
)

// limits is the gateway's state for LimitOptions.
type limits struct {
	opts    LimitOptions
	proxies []netip.Prefix
}

func newLimits(o LimitOptions, trustedProxies []string) (*limits, error) {
	if o.JSONMaxDepth <= 0 {
		o.JSONMaxDepth = DefaultJSONMaxDepth
	}
	l := &limits{opts: o}
	for _, p := range trustedProxies {
		pf, err := parsePrefix(p)
		if err != nil {
			return nil, fmt.Errorf("gateway: trusted proxy %q: %w", p, err)
		}
		l.proxies = append(l.proxies, pf)
	}
	return l, nil
}

// screen runs the checks that need neither the body nor a secret, cheapest
// first: IP allowlist, HTTPS requirement, then the rate limits.
func (g *Gateway) screen(c *gin.Context, src *Source, ip string) error {
	if len(src.AllowedIPs) > 0 && !inPrefixes(ip, src.AllowedIPs) {
		return errIPNotAllowed
	}
	if g.limits.opts.RequireHTTPS && !g.viaHTTPS(c) {
		return errHTTPSRequired
	}
	if lim := g.limits.opts.Limiter; lim != nil {
		if err := lim.Admit(c.Request.Context(), ip, src.Name); err != nil {
			return err
		}
	}
	return nil
}

// viaHTTPS reports whether the request reached us over TLS, directly or at a
// trusted proxy. X-Forwarded-Proto from anyone else is ignored: a client could
// set it on a plain-HTTP request.
func (g *Gateway) viaHTTPS(c *gin.Context) bool {
	if c.Request.TLS != nil {
		return true
	}
	if !inPrefixes(c.RemoteIP(), g.limits.proxies) {
		return false
	}
	return c.Request.Header.Get("X-Forwarded-Proto") == "https"
}

// checkDepth refuses JSON bodies nested deeper than the configured depth.
func (g *Gateway) checkDepth(c *gin.Context, body []byte) error {
	if isJSON(c.Request.Header.Get("Content-Type"), body) && jsonTooDeep(body, g.limits.opts.JSONMaxDepth) {
		return errJSONDepth
	}
	return nil
}

// failedVerification charges a failed verification to the client's budget
// for source, and returns the refusal of an IP that spent it (nil otherwise):
// its forgeries are then answered 429 with Retry-After, not 401.
func (g *Gateway) failedVerification(ip, source string) error {
	lim := g.limits.opts.Limiter
	if lim == nil {
		return nil
	}
	lim.Failed(ip, source)
	return lim.Suspect(ip, source)
}

// admitVerified charges a verified request to its source's traffic limit.
func (g *Gateway) admitVerified(c *gin.Context, src *Source) error {
	if lim := g.limits.opts.Limiter; lim != nil {
		return lim.AdmitVerified(c.Request.Context(), src.Name)
	}
	return nil
}

// suspect is the failure-budget check made before verifying, only for
// schemes whose verification is expensive (providers.Expensive): an IP that
// spent its budget for the source is answered 429 without the network call.
func (g *Gateway) suspect(src *Source, ip string) error {
	lim := g.limits.opts.Limiter
	if lim == nil {
		return nil
	}
	if e, ok := src.Provider.(providers.Expensive); !ok || !e.ExpensiveVerify() {
		return nil
	}
	return lim.Suspect(ip, src.Name)
}

// setRetryAfter sets Retry-After from a rate-limit refusal.
func setRetryAfter(c *gin.Context, err error) bool {
	var r *ratelimit.Refusal
	if !errors.As(err, &r) {
		return false
	}
	secs := int64(r.RetryAfter / time.Second)
	if secs < 1 {
		secs = 1
	}
	c.Header("Retry-After", strconv.FormatInt(secs, 10))
	return true
}

func inPrefixes(ip string, ps []netip.Prefix) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parsePrefix parses a CIDR or a single address.
func parsePrefix(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
}
