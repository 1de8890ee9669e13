// Package retention purges what hookgate no longer needs on a schedule: audit
// records (mostly rejected requests, which an attacker can make numerous) after
// one period, the payloads of finished receipts after a longer one, and,
// when configured, the finished receipts themselves. Until a receipt row is
// purged its event ID is still recognised as a duplicate; after, it is not.
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
	// PurgeReceipts deletes terminal receipts received before before, with
	// their attempts, events and replays.
	PurgeReceipts(ctx context.Context, before time.Time) (int64, error)
	// PurgeContentKeys forgets the content deduplication keys of receipts
	// received before before.
	PurgeContentKeys(ctx context.Context, before time.Time) (int64, error)
}

// Options configure a Job.
type Options struct {
	// Audit is how long audit records are kept; Bodies how long the bodies of
	// finished receipts are kept; Interval how often the job runs. All must be
	// positive.
	Audit, Bodies, Interval time.Duration
	// Receipts is how long finished receipts (completed, unhandled, dead) are
	// kept at all; zero keeps them forever. A purged receipt no longer
	// deduplicates: a provider redelivering its event afterwards creates a new
	// receipt. Keep it longer than any provider's redelivery window.
	Receipts time.Duration
	// ContentKeys is how long content deduplication keys are kept: the
	// longest dedupe.window of the sources. Zero keeps them forever.
	ContentKeys time.Duration
	// Logger and Now default to slog.Default and time.Now.
	Logger *slog.Logger
	Now    func() time.Time
}

// Result is what one pass removed.
type Result struct {
	Audit    int64
	Bodies   int64
	Receipts int64 // zero when Options.Receipts is zero
	// ContentKeys forgotten; zero when Options.ContentKeys is zero.
	ContentKeys int64
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
	if o.Receipts < 0 {
		return nil, errors.New("retention: receipts must be zero (kept forever) or positive")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Job{p: p, o: o, log: o.Logger}, nil
}

// Once runs one pass: it purges audit records older than now-Audit, bodies
// older than now-Bodies and, when Receipts is set, receipts older than
// now-Receipts, and logs what it removed. Every purge is attempted even when
// an earlier one fails; the errors are joined.
func (j *Job) Once(ctx context.Context) (Result, error) {
	now := j.o.Now()
	var res Result
	var errAudit, errBodies, errReceipts error
	// Receipts first: their bodies then need no emptying before deletion.
	if j.o.Receipts > 0 {
		res.Receipts, errReceipts = j.p.PurgeReceipts(ctx, now.Add(-j.o.Receipts))
	}
	res.Audit, errAudit = j.p.PurgeAudit(ctx, now.Add(-j.o.Audit))
	res.Bodies, errBodies = j.p.PurgeBodies(ctx, now.Add(-j.o.Bodies))
	var errKeys error
	if j.o.ContentKeys > 0 {
		res.ContentKeys, errKeys = j.p.PurgeContentKeys(ctx, now.Add(-j.o.ContentKeys))
	}
	err := errors.Join(errReceipts, errAudit, errBodies, errKeys)
	attrs := []any{"audit_removed", res.Audit, "bodies_emptied", res.Bodies, "receipts_removed", res.Receipts,
		"content_keys_removed", res.ContentKeys}
	if err != nil {
		j.log.Error("retention purge failed", append(attrs, "err", err)...)
	} else {
		attrs = append(attrs, "audit_before", now.Add(-j.o.Audit), "bodies_before", now.Add(-j.o.Bodies))
		if j.o.Receipts > 0 {
			attrs = append(attrs, "receipts_before", now.Add(-j.o.Receipts))
		}
		j.log.Info("retention purge", attrs...)
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
