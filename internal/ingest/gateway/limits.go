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
)

// Limiter admits requests before any verification work and is told about
// failed verifications (see package ratelimit; *ratelimit.Guard implements it).
type Limiter interface {
	// Admit returns nil, or an error wrapping ratelimit.ErrBlocked,
	// ErrTooManyFailures or ErrRateLimited (a *ratelimit.Refusal carries the
	// Retry-After).
	Admit(ctx context.Context, ip, source string) error
	// Failed charges one failed verification to ip.
	Failed(ip string)
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

// failedVerification charges a failed verification to the client's budget.
func (g *Gateway) failedVerification(ip string) {
	if lim := g.limits.opts.Limiter; lim != nil {
		lim.Failed(ip)
	}
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
