// Package retention purges what hookgate no longer needs on a schedule: audit
// records (mostly rejected requests, which an attacker can make numerous) after
// one period, and the payloads of finished receipts after a longer one. The
// receipt rows themselves stay, so that duplicates are still recognised.
package retention

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Purger is the store's retention methods (*postgres.Store, *sqlite.Store).
type Purger interface {
	// PurgeAudit deletes audit records older than before.
	PurgeAudit(ctx context.Context, before time.Time) (int64, error)
	// PurgeBodies empties the bodies of terminal receipts received before before.
	PurgeBodies(ctx context.Context, before time.Time) (int64, error)
}

// Options configure a Job.
type Options struct {
	// Audit is how long audit records are kept; Bodies how long the bodies of
	// finished receipts are kept; Interval how often the job runs. All must be
	// positive.
	Audit, Bodies, Interval time.Duration
	// Logger and Now default to slog.Default and time.Now.
	Logger *slog.Logger
	Now    func() time.Time
}

// Result is what one pass removed.
type Result struct {
	Audit  int64
	Bodies int64
}

// Job runs the purge.
type Job struct {
	p   Purger
	o   Options
	log *slog.Logger
}

// New returns a job; it validates the periods.
func New(p Purger, o Options) (*Job, error) {
	if p == nil {
		return nil, errors.New("retention: a Purger is required")
	}
	if o.Audit <= 0 || o.Bodies <= 0 || o.Interval <= 0 {
		return nil, errors.New("retention: audit, bodies and interval must be positive")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Job{p: p, o: o, log: o.Logger}, nil
}

// Once runs one pass: it purges audit records older than now-Audit, then
// bodies older than now-Bodies, and logs what it removed. Both purges are
// attempted even when the first fails; the errors are joined.
func (j *Job) Once(ctx context.Context) (Result, error) {
	now := j.o.Now()
	var res Result
	var errAudit, errBodies error
	res.Audit, errAudit = j.p.PurgeAudit(ctx, now.Add(-j.o.Audit))
	res.Bodies, errBodies = j.p.PurgeBodies(ctx, now.Add(-j.o.Bodies))
	err := errors.Join(errAudit, errBodies)
	if err != nil {
		j.log.Error("retention purge failed", "audit_removed", res.Audit, "bodies_emptied", res.Bodies, "err", err)
	} else {
		j.log.Info("retention purge", "audit_removed", res.Audit, "bodies_emptied", res.Bodies,
			"audit_before", now.Add(-j.o.Audit), "bodies_before", now.Add(-j.o.Bodies))
	}
	return res, err
}

// Run purges at start and then every Interval until ctx ends. A failed pass
// is logged and retried at the next tick: retention is never urgent enough to
// stop the gateway. It returns nil when ctx ends.
func (j *Job) Run(ctx context.Context) error {
	t := time.NewTicker(j.o.Interval)
	defer t.Stop()
	for {
		if ctx.Err() != nil {
			return nil
		}
		_, _ = j.Once(ctx) // logged in Once
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
