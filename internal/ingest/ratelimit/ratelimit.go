// Package ratelimit decides whether a webhook request may be processed, before
// any verification work is done.
//
// Two kinds of budget exist. Traffic limits (per client IP and per source) are
// charged on every request; they live in Redis when REDIS_URL is set (GCRA via
// redis_rate, so every gateway replica shares them) and in process otherwise. A
// failure budget, much smaller and per client IP, is charged only when a request
// fails verification; an IP that has spent it is refused before verification,
// and an IP that keeps sending while refused is blocked for a while. The failure
// budget is always kept in process: it must hold when Redis is down, and it is
// what makes a flood of forgeries cheap to reject.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Limit is a GCRA limit: Rate events per Per, with bursts of up to Burst.
// The zero Limit means "no limit".
type Limit struct {
	Rate  int
	Per   time.Duration
	Burst int
}

// IsZero reports whether l imposes no limit.
func (l Limit) IsZero() bool { return l.Rate <= 0 }

// Validate reports a limit that cannot be enforced.
func (l Limit) Validate() error {
	if l.IsZero() {
		return nil
	}
	if l.Per <= 0 {
		return errors.New("per must be a positive duration")
	}
	if l.Burst < 1 {
		return errors.New("burst must be at least 1")
	}
	return nil
}

// String is for logs.
func (l Limit) String() string {
	if l.IsZero() {
		return "unlimited"
	}
	return fmt.Sprintf("%d/%s burst %d", l.Rate, l.Per, l.Burst)
}

// Decision is the answer of a limiter.
type Decision struct {
	Allowed bool
	// RetryAfter is how long the caller should wait when not Allowed (at least
	// one second when set, since Retry-After is in whole seconds).
	RetryAfter time.Duration
}

// Store keeps traffic budgets. Allow charges one event to key under l.
// Implementations: *Memory (in process) and *Redis (shared by replicas).
type Store interface {
	Allow(ctx context.Context, key string, l Limit) (Decision, error)
}

// retryAfter rounds a wait up to whole seconds (Retry-After's unit), at least 1.
func retryAfter(d time.Duration) time.Duration {
	if d <= time.Second {
		return time.Second
	}
	return (d + time.Second - 1).Truncate(time.Second)
}
