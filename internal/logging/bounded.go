// Package logging holds the processes' log handlers. Bounded keeps the log of
// a failure that repeats per request or per retry (a full disk, an
// unreachable broker, a flood of forgeries) to one line per interval per
// cause, each carrying how many identical lines it stands for; the metrics
// keep the exact counts.
package logging

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	slogmulti "github.com/samber/slog-multi"
	slogsampling "github.com/samber/slog-sampling"
)

// DefaultInterval is how often a repeating cause is logged.
const DefaultInterval = 10 * time.Second

// SuppressedKey is the attribute of a line that stands for lines left out
// since the previous line of its cause.
const SuppressedKey = "suppressed"

// causeAttrs are the attributes that tell causes apart besides the level and
// the message: the same message for another source, reason or step is
// another cause.
var causeAttrs = []string{"source", "reason", "step", "check", "component"}

// cause is the grouping key of a record.
func cause(_ context.Context, r *slog.Record) string {
	var b strings.Builder
	b.WriteString(r.Level.String())
	b.WriteByte('@')
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		for _, k := range causeAttrs {
			if a.Key == k {
				b.WriteByte('@')
				b.WriteString(k)
				b.WriteByte('=')
				b.WriteString(a.Value.String())
			}
		}
		return true
	})
	return b.String()
}

// Bounded returns h behind a sampler (github.com/samber/slog-sampling) that
// passes the first record of each cause per interval (0: DefaultInterval) and
// drops the others, counting them; the next record of the cause that passes
// carries that count as SuppressedKey.
//
// A cause is the level, the message and the attributes named in causeAttrs
// of the record itself (not those added with Logger.With: a component's
// logger keeps them on its handler, and its records are grouped by message).
func Bounded(h slog.Handler, interval time.Duration) slog.Handler {
	if interval <= 0 {
		interval = DefaultInterval
	}
	c := &counts{}
	sampler := slogsampling.ThresholdSamplingOption{
		Tick: interval, Threshold: 1, Rate: 0,
		Matcher:   cause,
		OnDropped: func(ctx context.Context, r slog.Record) { c.add(cause(ctx, &r)) },
	}.NewMiddleware()
	return slogmulti.Pipe(sampler).Handler(&annotate{next: h, counts: c})
}

// counts are the records dropped per cause since its last line.
type counts struct {
	m sync.Map // cause → *atomic.Uint64
}

func (c *counts) add(key string) {
	v, _ := c.m.LoadOrStore(key, new(atomic.Uint64))
	v.(*atomic.Uint64).Add(1)
}

func (c *counts) take(key string) uint64 {
	if v, ok := c.m.Load(key); ok {
		return v.(*atomic.Uint64).Swap(0)
	}
	return 0
}

// annotate adds SuppressedKey to a record whose cause had records dropped.
type annotate struct {
	next   slog.Handler
	counts *counts
}

func (a *annotate) Enabled(ctx context.Context, l slog.Level) bool { return a.next.Enabled(ctx, l) }

func (a *annotate) Handle(ctx context.Context, r slog.Record) error {
	if n := a.counts.take(cause(ctx, &r)); n > 0 {
		r = r.Clone()
		r.AddAttrs(slog.Uint64(SuppressedKey, n))
	}
	return a.next.Handle(ctx, r)
}

func (a *annotate) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &annotate{next: a.next.WithAttrs(attrs), counts: a.counts}
}

func (a *annotate) WithGroup(name string) slog.Handler {
	return &annotate{next: a.next.WithGroup(name), counts: a.counts}
}
