package config

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"time"
)

// Defaults of the hardening settings. The traffic limits are far above what a
// provider sends (GitHub, Stripe and Shopify deliver from a few IPs at most a
// few hundred requests a second); the failure budget is small because a real
// provider never fails verification unless a secret is misconfigured.
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 60 * time.Second
	DefaultWriteTimeout      = 60 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultMaxHeaderBytes    = 64 << 10
	DefaultJSONMaxDepth      = 64
	DefaultAuditPerSecond    = 100
	DefaultAuditKeepOneIn    = 100
	DefaultRetentionAudit    = 30 * 24 * time.Hour
	DefaultRetentionBodies   = 90 * 24 * time.Hour
	DefaultRetentionInterval = time.Hour
)

// Default limits (see Limits).
var (
	DefaultPerIP      = Rate{Rate: 1000, Per: time.Second, Burst: 2000}
	DefaultPerSource  = Rate{Rate: 5000, Per: time.Second, Burst: 10000}
	DefaultFailures   = Rate{Rate: 10, Per: time.Minute, Burst: 30}
	DefaultBlockAfter = 100
	DefaultBlockFor   = 15 * time.Minute
)

// Hardening holds the top-level limit and transport-security settings; it is
// inlined into Config, so its fields are top-level YAML keys.
type Hardening struct {
	// Server bounds every HTTP listener (slow clients, header size).
	Server ServerLimits `yaml:"server"`
	// TLS, when both files are set, makes the ingest listener serve HTTPS.
	TLS TLS `yaml:"tls"`
	// RequireForwardedProtoHTTPS refuses (403) webhooks that did not arrive as
	// HTTPS at a trusted proxy: X-Forwarded-Proto must be "https" and come from
	// one of TrustedProxies. Requests served over TLS directly always pass.
	RequireForwardedProtoHTTPS bool `yaml:"require_forwarded_proto_https"`
	// TrustedProxies are the CIDRs whose X-Forwarded-For / X-Forwarded-Proto
	// are believed. Empty: the client IP is the connection's peer.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// Limits are the rate limits.
	Limits Limits `yaml:"limits"`
	// JSONMaxDepth caps the nesting of JSON bodies (default 64).
	JSONMaxDepth int `yaml:"json_max_depth"`
	// AuditSampling bounds the audit records of rejected requests under flood.
	AuditSampling AuditSampling `yaml:"audit_sampling"`
	// Retention purges old audit records and receipt bodies.
	Retention Retention `yaml:"retention"`
}

// ServerLimits are the HTTP server's timeouts and header cap; zero fields take
// the defaults.
type ServerLimits struct {
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"`
	ReadTimeout       time.Duration `yaml:"read_timeout"`
	WriteTimeout      time.Duration `yaml:"write_timeout"`
	IdleTimeout       time.Duration `yaml:"idle_timeout"`
	MaxHeaderBytes    ByteSize      `yaml:"max_header_bytes"`
}

// TLS names the certificate and key files (PEM) of the ingest listener.
type TLS struct {
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
}

// Enabled reports whether TLS is configured.
func (t TLS) Enabled() bool { return t.CertFile != "" }

// Rate is a rate limit: Rate requests per Per (default 1s), bursts up to Burst
// (default 2×Rate).
type Rate struct {
	Rate  int           `yaml:"rate"`
	Per   time.Duration `yaml:"per"`
	Burst int           `yaml:"burst"`
}

// IsZero reports whether r is unset.
func (r Rate) IsZero() bool { return r.Rate == 0 && r.Per == 0 && r.Burst == 0 }

// Limits are the gateway's rate limits. Unset fields take the defaults; with
// Disabled nothing is limited.
type Limits struct {
	Disabled bool `yaml:"disabled"`
	// PerIP is charged on every request, per client IP and source.
	PerIP Rate `yaml:"per_ip"`
	// PerSource is charged on every request to a source that passes
	// verification: forgeries never spend it.
	PerSource Rate `yaml:"per_source"`
	// Failures is the much smaller budget, per IP and source, charged only on
	// failed verification; once spent, the IP's requests to the source that
	// fail verification are answered 429 (a request that verifies is still
	// accepted).
	Failures Rate `yaml:"failures"`
	// BlockAfter requests refused for a spent failure budget block the IP for
	// the source for BlockFor (429 with Retry-After; its valid requests are
	// still accepted).
	BlockAfter int           `yaml:"block_after"`
	BlockFor   time.Duration `yaml:"block_for"`
}

// AuditSampling: beyond PerSecond rejected-request records per second and
// source, only one in KeepOneIn is stored; the rest are counted.
type AuditSampling struct {
	PerSecond int `yaml:"per_second"`
	KeepOneIn int `yaml:"keep_one_in"`
}

// Retention: audit records older than Audit are deleted, and the bodies of
// terminal receipts older than Bodies are emptied, every Interval. Receipts,
// when set (at least 1h; zero, the default, keeps them forever), deletes
// terminal receipts older than it with their attempts, events and replays; a
// deleted receipt no longer deduplicates redeliveries of its event.
type Retention struct {
	Disabled bool          `yaml:"disabled"`
	Audit    time.Duration `yaml:"audit"`
	Bodies   time.Duration `yaml:"bodies"`
	Receipts time.Duration `yaml:"receipts"`
	Interval time.Duration `yaml:"interval"`
}

// SourceHardening holds a source's own limits; inlined into Source.
type SourceHardening struct {
	// AllowedIPs, when set, are the only client IPs (CIDRs or addresses) the
	// source accepts; others get 403.
	AllowedIPs []string `yaml:"allowed_ips"`
	// Limits override the global per_ip and per_source limits.
	Limits *SourceLimits `yaml:"limits"`

	// AllowedNets is AllowedIPs parsed.
	AllowedNets []netip.Prefix `yaml:"-"`
}

// SourceLimits override the traffic limits of one source.
type SourceLimits struct {
	PerIP     Rate `yaml:"per_ip"`
	PerSource Rate `yaml:"per_source"`
}

// resolveHardening applies the defaults of the hardening settings and validates
// them, naming each field.
func (c *Config) resolveHardening() []error {
	var errs []error
	fail := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	s := &c.Server
	for _, d := range []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"server.read_header_timeout", &s.ReadHeaderTimeout, DefaultReadHeaderTimeout},
		{"server.read_timeout", &s.ReadTimeout, DefaultReadTimeout},
		{"server.write_timeout", &s.WriteTimeout, DefaultWriteTimeout},
		{"server.idle_timeout", &s.IdleTimeout, DefaultIdleTimeout},
	} {
		if *d.v < 0 {
			fail(d.name, "must be a positive duration, e.g. 10s")
		}
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	if s.MaxHeaderBytes == 0 {
		s.MaxHeaderBytes = DefaultMaxHeaderBytes
	} else if s.MaxHeaderBytes < 4<<10 {
		fail("server.max_header_bytes", "at least 4KiB (providers send several signature headers)")
	}
	if (c.TLS.CertFile == "") != (c.TLS.KeyFile == "") {
		fail("tls", "give both cert_file and key_file, or neither")
	}
	for name, p := range map[string]string{"tls.cert_file": c.TLS.CertFile, "tls.key_file": c.TLS.KeyFile} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err != nil {
			fail(name, "%v", err)
		}
	}
	for i, p := range c.TrustedProxies {
		if _, err := ParsePrefix(p); err != nil {
			fail(fmt.Sprintf("trusted_proxies[%d]", i), "%v", err)
		}
	}
	if c.RequireForwardedProtoHTTPS && len(c.TrustedProxies) == 0 && !c.TLS.Enabled() {
		fail("require_forwarded_proto_https", "needs trusted_proxies (the proxies whose X-Forwarded-Proto is believed) or tls")
	}
	l := &c.Limits
	l.PerIP.defaults(DefaultPerIP)
	l.PerSource.defaults(DefaultPerSource)
	l.Failures.defaults(DefaultFailures)
	if l.BlockAfter == 0 {
		l.BlockAfter = DefaultBlockAfter
	}
	if l.BlockFor == 0 {
		l.BlockFor = DefaultBlockFor
	}
	errs = append(errs, l.PerIP.validate("limits.per_ip")...)
	errs = append(errs, l.PerSource.validate("limits.per_source")...)
	errs = append(errs, l.Failures.validate("limits.failures")...)
	if l.BlockAfter < 0 || l.BlockFor < 0 {
		fail("limits", "block_after and block_for must not be negative")
	}
	if c.JSONMaxDepth == 0 {
		c.JSONMaxDepth = DefaultJSONMaxDepth
	} else if c.JSONMaxDepth < 8 {
		fail("json_max_depth", "at least 8 (provider payloads nest about 10 levels)")
	}
	a := &c.AuditSampling
	if a.PerSecond == 0 {
		a.PerSecond = DefaultAuditPerSecond
	}
	if a.KeepOneIn == 0 {
		a.KeepOneIn = DefaultAuditKeepOneIn
	}
	if a.PerSecond < 0 || a.KeepOneIn < 0 {
		fail("audit_sampling", "per_second and keep_one_in must be positive")
	}
	r := &c.Retention
	if r.Audit == 0 {
		r.Audit = DefaultRetentionAudit
	}
	if r.Bodies == 0 {
		r.Bodies = DefaultRetentionBodies
	}
	if r.Interval == 0 {
		r.Interval = DefaultRetentionInterval
	}
	if r.Audit < time.Hour || r.Bodies < time.Hour || r.Interval < time.Minute {
		fail("retention", "audit and bodies must be at least 1h, interval at least 1m")
	}
	if r.Receipts != 0 && r.Receipts < time.Hour {
		fail("retention", "receipts must be 0 (kept forever) or at least 1h")
	}
	for i := range c.Sources {
		src := &c.Sources[i]
		f := fmt.Sprintf("sources[%d]", i)
		src.AllowedNets = src.AllowedNets[:0]
		for j, p := range src.AllowedIPs {
			pf, err := ParsePrefix(p)
			if err != nil {
				fail(fmt.Sprintf("%s.allowed_ips[%d]", f, j), "%v", err)
				continue
			}
			src.AllowedNets = append(src.AllowedNets, pf)
		}
		if src.Limits != nil {
			if !src.Limits.PerIP.IsZero() {
				src.Limits.PerIP.defaults(l.PerIP)
				errs = append(errs, src.Limits.PerIP.validate(f+".limits.per_ip")...)
			}
			if !src.Limits.PerSource.IsZero() {
				src.Limits.PerSource.defaults(l.PerSource)
				errs = append(errs, src.Limits.PerSource.validate(f+".limits.per_source")...)
			}
		}
	}
	return errs
}

// defaults fills an unset rate with def, and an unset period or burst of a set
// rate with 1s and 2×rate.
func (r *Rate) defaults(def Rate) {
	if r.IsZero() {
		*r = def
		return
	}
	if r.Per == 0 {
		r.Per = time.Second
	}
	if r.Burst == 0 {
		r.Burst = 2 * r.Rate
	}
}

func (r Rate) validate(field string) []error {
	if r.Rate <= 0 || r.Per <= 0 || r.Burst <= 0 {
		return []error{fmt.Errorf("%s: rate, per and burst must be positive (e.g. {rate: 100, per: 1s, burst: 200}); set limits.disabled to turn limits off", field)}
	}
	return nil
}

var errPrefix = errors.New("not a CIDR or IP address (e.g. 10.0.0.0/8 or 192.0.2.7)")

// ParsePrefix parses a CIDR, or a single address as a one-address prefix.
func ParsePrefix(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q: %w", s, errPrefix)
	}
	return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
}
