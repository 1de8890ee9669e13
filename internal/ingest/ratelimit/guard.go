package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"
)

// Sentinel errors returned by Guard.Admit; callers map them to HTTP answers.
var (
	// ErrRateLimited: a traffic limit (per IP or per source) is spent (429).
	ErrRateLimited = errors.New("rate limited")
	// ErrTooManyFailures: the IP spent its failure budget for the source (429).
	ErrTooManyFailures = errors.New("too many failed verifications")
	// ErrBlocked: the IP kept failing for the source and is blocked for a
	// while (429 with Retry-After: its valid requests are still accepted).
	ErrBlocked = errors.New("client blocked")
)

// Refusal is the error Admit returns: one of the sentinels, with the wait.
type Refusal struct {
	Err        error
	RetryAfter time.Duration
}

func (r *Refusal) Error() string { return r.Err.Error() }
func (r *Refusal) Unwrap() error { return r.Err }

// Policy is a Guard's limits. Zero limits do not bind.
type Policy struct {
	// PerIP is charged on every request, per client IP and source.
	PerIP Limit
	// PerSource is charged on every request to the source that passes
	// verification (AdmitVerified).
	PerSource Limit
	// Failures is the per-IP budget of failed verifications (in process).
	Failures Limit
	// BlockAfter is the number of requests refused for a spent failure budget
	// after which the IP is blocked; 0 never blocks.
	BlockAfter int
	// BlockFor is how long a block lasts.
	BlockFor time.Duration
}

// Options configure a Guard.
type Options struct {
	// Policy applies to every source unless Sources overrides it.
	Policy Policy
	// Sources overrides PerIP and PerSource of named sources.
	Sources map[string]Policy
	// Store keeps the traffic budgets (nil: an in-process Memory).
	Store Store
	// Logger, Now: defaults slog.Default and time.Now.
	Logger *slog.Logger
	Now    func() time.Time
	// MaxKeys bounds in-process state (default DefaultMaxKeys).
	MaxKeys int
	// StoreTimeout bounds each call to Store (default 250ms): a slow Redis
	// must not hold webhooks; past it the traffic limits fail open.
	StoreTimeout time.Duration
}

// Guard admits or refuses requests. Safe for concurrent use.
type Guard struct {
	opts      Options
	store     Store
	fail      *failures
	log       *slog.Logger
	now       func() time.Time
	failOpens atomic.Int64
}

// New builds a Guard. It validates the limits.
func New(o Options) (*Guard, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxKeys <= 0 {
		o.MaxKeys = DefaultMaxKeys
	}
	if o.StoreTimeout <= 0 {
		o.StoreTimeout = 250 * time.Millisecond
	}
	if o.Store == nil {
		o.Store = NewMemory(o.Now, o.MaxKeys)
	}
	for name, l := range map[string]Limit{"per_ip": o.Policy.PerIP, "per_source": o.Policy.PerSource, "failures": o.Policy.Failures} {
		if err := l.Validate(); err != nil {
			return nil, fmt.Errorf("ratelimit: %s: %w", name, err)
		}
	}
	for src, p := range o.Sources {
		for name, l := range map[string]Limit{"per_ip": p.PerIP, "per_source": p.PerSource} {
			if err := l.Validate(); err != nil {
				return nil, fmt.Errorf("ratelimit: source %s: %s: %w", src, name, err)
			}
		}
	}
	return &Guard{
		opts:  o,
		store: o.Store,
		fail: &failures{
			limit: o.Policy.Failures, blockAfter: o.Policy.BlockAfter, blockFor: o.Policy.BlockFor,
			maxKeys: o.MaxKeys, ips: map[string]*failureState{},
		},
		log: o.Logger,
		now: o.Now,
	}, nil
}

// Suspect reports whether ip has spent its failure budget for source (or is
// blocked for it): it returns nil or a *Refusal wrapping ErrBlocked or
// ErrTooManyFailures. The gateway asks after a failed verification, so that a
// request that verifies is accepted whatever its IP's record (one source's
// bad secret, or a flood of forgeries from a shared IP, never refuses an
// authentic delivery), and before verifying only for schemes whose check is
// expensive (a network call).
func (g *Guard) Suspect(ip, source string) error {
	switch v, wait := g.fail.check(failureKey(ip, source), g.now()); v {
	case verdictBlocked:
		return &Refusal{Err: ErrBlocked, RetryAfter: wait}
	case verdictOverBudget:
		return &Refusal{Err: ErrTooManyFailures, RetryAfter: wait}
	}
	return nil
}

// failureKey keys failure budgets per IP and source.
func failureKey(ip, source string) string { return source + "|" + ip }

// Admit decides, before any verification work, whether a request from ip to
// source may proceed under the per-IP traffic limit. It returns nil or a
// *Refusal wrapping ErrRateLimited. When the traffic store fails (Redis down)
// the traffic limits fail open, logged and counted (FailOpens).
func (g *Guard) Admit(ctx context.Context, ip, source string) error {
	return g.allow(ctx, "ip:"+source+":"+ip, g.policy(source).PerIP, source)
}

// AdmitVerified charges a request that passed verification to its source's
// traffic limit. Forgeries never reach it, so a flood of them, from however
// many IPs, cannot spend the budget the provider's authentic deliveries share.
func (g *Guard) AdmitVerified(ctx context.Context, source string) error {
	return g.allow(ctx, "src:"+source, g.policy(source).PerSource, source)
}

func (g *Guard) allow(ctx context.Context, key string, l Limit, source string) error {
	var (
		d   Decision
		err error
	)
	if m, ok := g.store.(*Memory); ok {
		d, err = m.Allow(ctx, key, l) // in process: nothing to time out
	} else {
		sctx, cancel := context.WithTimeout(ctx, g.opts.StoreTimeout)
		d, err = g.store.Allow(sctx, key, l)
		cancel()
	}
	if err != nil {
		n := g.failOpens.Add(1)
		// Log the first failure and then one in a thousand: with Redis
		// down every request fails here, and the log must not flood.
		if n%1000 == 1 {
			g.log.Warn("rate limit store unavailable: failing open", "source", source, "fail_opens", n, "err", err)
		}
		return nil
	}
	if !d.Allowed {
		return &Refusal{Err: ErrRateLimited, RetryAfter: d.RetryAfter}
	}
	return nil
}

// Failed charges a failed verification to ip for source.
func (g *Guard) Failed(ip, source string) { g.fail.failed(failureKey(ip, source), g.now()) }

// FailOpens returns how many requests were admitted because the traffic store
// was unavailable.
func (g *Guard) FailOpens() int64 { return g.failOpens.Load() }

// Blocked returns how many client IPs are blocked now.
func (g *Guard) Blocked() int { return g.fail.blocked(g.now()) }

func (g *Guard) policy(source string) Policy {
	p := g.opts.Policy
	if o, ok := g.opts.Sources[source]; ok {
		if !o.PerIP.IsZero() {
			p.PerIP = o.PerIP
		}
		if !o.PerSource.IsZero() {
			p.PerSource = o.PerSource
		}
	}
	return p
}
