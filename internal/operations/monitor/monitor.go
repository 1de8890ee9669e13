// Package monitor evaluates hookgate's health from the store, per source, and
// sends alerts to sinks (Slack, an Alertmanager-compatible webhook, the log):
// error rate and p95 processing time over a window, relay lag, dead-letter
// growth, and missing webhooks (a source silent for longer than its expected
// interval, optionally only within active hours).
//
// Alerts are deduplicated: a condition fires once when it starts and resolves
// once when it ends, however many evaluations it spans. Only one process
// should evaluate: Run takes a Leader (a Postgres advisory lock) and evaluates
// only while it leads. A new leader starts with no state, so an alert still
// firing when leadership moves is sent once more.
package monitor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/hookgate/hookgate/store"
)

// Store is what the monitor reads.
type Store interface {
	Stats(ctx context.Context, f store.StatsFilter) ([]store.StatusStats, error)
	ListReceipts(ctx context.Context, f store.Filter) (store.Page, error)
	OldestUnstarted(ctx context.Context) (time.Time, int, error)
}

// Severity of an alert.
type Severity string

// Severities.
const (
	Warning  Severity = "warning"
	Critical Severity = "critical"
)

// Alert names (the alertname label).
const (
	AlertMissingWebhooks = "HookgateMissingWebhooks"
	AlertErrorRate       = "HookgateErrorRate"
	AlertSlowProcessing  = "HookgateSlowProcessing"
	AlertRelayLag        = "HookgateRelayLag"
	AlertDeadLetters     = "HookgateDeadLetters"
)

// Alert is one condition, firing or resolved.
type Alert struct {
	Name     string
	Source   string // empty for process-wide alerts
	Severity Severity
	Summary  string
	StartsAt time.Time
	// EndsAt is when the condition ended; zero while it fires.
	EndsAt time.Time
}

// Resolved reports whether the alert has ended.
func (a Alert) Resolved() bool { return !a.EndsAt.IsZero() }

// key identifies a condition across evaluations. The severity is part of it:
// a warning that turns critical resolves the warning and fires the critical.
func (a Alert) key() string { return a.Name + "\x00" + a.Source + "\x00" + string(a.Severity) }

// Sink delivers alerts. Send gets the alerts that started or ended in one
// evaluation.
type Sink interface {
	Send(ctx context.Context, alerts []Alert) error
}

// SourceRule is one source's missing-webhooks rule.
type SourceRule struct {
	Source string
	// ExpectedInterval is the longest normal silence; zero disables the rule.
	ExpectedInterval time.Duration
	// Hours, if set, limits the rule to those hours (a source that only sends
	// during business hours).
	Hours *Hours
}

// Hours is a daily time range [From, To) in a location; From > To wraps past
// midnight.
type Hours struct {
	From, To time.Duration // since midnight
	Location *time.Location
}

// Contains reports whether t falls within the hours.
func (h Hours) Contains(t time.Time) bool {
	loc := h.Location
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	d := time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second
	if h.From <= h.To {
		return d >= h.From && d < h.To
	}
	return d >= h.From || d < h.To
}

// Options configure a Monitor. Zero thresholds take the defaults.
type Options struct {
	Store  Store
	Sinks  []Sink
	Rules  []SourceRule
	Logger *slog.Logger
	Now    func() time.Time

	// Window is the range of the error-rate, processing-time and dead-letter
	// rules (default 15 minutes).
	Window time.Duration
	// ErrorWarning and ErrorCritical are the dead share of a source's receipts
	// that raise the error-rate alert (defaults 0.10 and 0.30).
	ErrorWarning, ErrorCritical float64
	// MinReceipts is how many receipts a source needs in the window before its
	// error rate counts (default 10): one failure out of one is not a trend.
	MinReceipts int
	// SlowP95 is the p95 processing time that raises the slow alert (default 30 s).
	SlowP95 time.Duration
	// RelayLag is the age of the oldest un-started receipt that raises the relay
	// alert (default 2 minutes).
	RelayLag time.Duration
}

// Monitor evaluates the rules and remembers what fires. It is not safe for
// concurrent Evaluate calls.
type Monitor struct {
	o       Options
	started time.Time
	firing  map[string]Alert
}

// New returns a monitor. Missing webhooks are measured from the last receipt,
// or from New's time for a source without any.
func New(o Options) (*Monitor, error) {
	if o.Store == nil {
		return nil, errors.New("monitor: Store is required")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Window <= 0 {
		o.Window = 15 * time.Minute
	}
	if o.ErrorWarning <= 0 {
		o.ErrorWarning = 0.10
	}
	if o.ErrorCritical <= 0 {
		o.ErrorCritical = 0.30
	}
	if o.MinReceipts <= 0 {
		o.MinReceipts = 10
	}
	if o.SlowP95 <= 0 {
		o.SlowP95 = 30 * time.Second
	}
	if o.RelayLag <= 0 {
		o.RelayLag = 2 * time.Minute
	}
	return &Monitor{o: o, started: o.Now(), firing: map[string]Alert{}}, nil
}

// Firing returns the alerts firing after the last evaluation, sorted.
func (m *Monitor) Firing() []Alert {
	out := make([]Alert, 0, len(m.firing))
	for _, a := range m.firing {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b Alert) int {
		if a.key() < b.key() {
			return -1
		}
		if a.key() > b.key() {
			return 1
		}
		return 0
	})
	return out
}

// Evaluate checks every rule once and sends the alerts that started or ended
// to every sink. A rule that cannot be evaluated (store down) keeps its alerts'
// state; the error is returned. Sink errors are returned too, but the state
// moves on: alerts fire once, even if a sink missed one.
func (m *Monitor) Evaluate(ctx context.Context) error {
	now := m.o.Now()
	current := map[string]Alert{}
	// keep carries the firing alerts of a rule that was not evaluated.
	keep := func(name, source string) {
		for k, a := range m.firing {
			if a.Name == name && (source == "" || a.Source == source) {
				current[k] = a
			}
		}
	}
	add := func(a Alert) {
		a.StartsAt = now
		if prev, ok := m.firing[a.key()]; ok {
			a.StartsAt = prev.StartsAt
		}
		current[a.key()] = a
	}
	var errs []error
	if err := m.windowRules(ctx, now, add); err != nil {
		errs = append(errs, err)
		keep(AlertErrorRate, "")
		keep(AlertSlowProcessing, "")
		keep(AlertDeadLetters, "")
	}
	if err := m.relayRule(ctx, now, add); err != nil {
		errs = append(errs, err)
		keep(AlertRelayLag, "")
	}
	for _, r := range m.o.Rules {
		if r.ExpectedInterval <= 0 {
			continue
		}
		if r.Hours != nil && !r.Hours.Contains(now) {
			// Outside its hours a source's silence says nothing: leave the
			// alert as it is.
			keep(AlertMissingWebhooks, r.Source)
			continue
		}
		if err := m.missingRule(ctx, now, r, add); err != nil {
			errs = append(errs, err)
			keep(AlertMissingWebhooks, r.Source)
		}
	}

	var changed []Alert
	for k, a := range current {
		if _, ok := m.firing[k]; !ok {
			changed = append(changed, a)
		}
	}
	for k, a := range m.firing {
		if _, ok := current[k]; !ok {
			a.EndsAt = now
			changed = append(changed, a)
		}
	}
	m.firing = current
	if len(changed) == 0 {
		return errors.Join(errs...)
	}
	slices.SortFunc(changed, func(a, b Alert) int {
		switch {
		case a.key() < b.key():
			return -1
		case a.key() > b.key():
			return 1
		}
		return 0
	})
	for _, s := range m.o.Sinks {
		if err := s.Send(ctx, changed); err != nil {
			errs = append(errs, fmt.Errorf("alert sink: %w", err))
		}
	}
	return errors.Join(errs...)
}

func (m *Monitor) windowRules(ctx context.Context, now time.Time, add func(Alert)) error {
	rows, err := m.o.Store.Stats(ctx, store.StatsFilter{Since: now.Add(-m.o.Window)})
	if err != nil {
		return fmt.Errorf("monitor stats: %w", err)
	}
	type agg struct{ total, dead int }
	per := map[string]*agg{}
	var order []string
	totalDead := 0
	for _, r := range rows {
		a, ok := per[r.Source]
		if !ok {
			a = &agg{}
			per[r.Source] = a
			order = append(order, r.Source)
		}
		a.total += r.Count
		if r.Status == store.StatusDead {
			a.dead += r.Count
			totalDead += r.Count
		}
		if r.Status == store.StatusCompleted && r.Processed > 0 && r.P95Processing > m.o.SlowP95 {
			add(Alert{Name: AlertSlowProcessing, Source: r.Source, Severity: Warning,
				Summary: fmt.Sprintf("%s: p95 processing time %s over %s", r.Source, r.P95Processing.Round(time.Millisecond), m.o.Window)})
		}
	}
	for _, src := range order {
		a := per[src]
		if a.total < m.o.MinReceipts {
			continue
		}
		rate := float64(a.dead) / float64(a.total)
		sev := Severity("")
		switch {
		case rate > m.o.ErrorCritical:
			sev = Critical
		case rate > m.o.ErrorWarning:
			sev = Warning
		}
		if sev != "" {
			add(Alert{Name: AlertErrorRate, Source: src, Severity: sev,
				Summary: fmt.Sprintf("%s: %.0f%% of %d receipts dead over %s", src, rate*100, a.total, m.o.Window)})
		}
	}
	if totalDead > 0 {
		add(Alert{Name: AlertDeadLetters, Severity: Warning,
			Summary: fmt.Sprintf("%d receipts dead-lettered over %s", totalDead, m.o.Window)})
	}
	return nil
}

func (m *Monitor) relayRule(ctx context.Context, now time.Time, add func(Alert)) error {
	oldest, n, err := m.o.Store.OldestUnstarted(ctx)
	if err != nil {
		return fmt.Errorf("monitor relay lag: %w", err)
	}
	if !oldest.IsZero() && now.Sub(oldest) > m.o.RelayLag {
		add(Alert{Name: AlertRelayLag, Severity: Critical,
			Summary: fmt.Sprintf("%d receipts wait for their workflow; the oldest for %s", n, now.Sub(oldest).Round(time.Second))})
	}
	return nil
}

func (m *Monitor) missingRule(ctx context.Context, now time.Time, r SourceRule, add func(Alert)) error {
	page, err := m.o.Store.ListReceipts(ctx, store.Filter{Source: r.Source, Limit: 1})
	if err != nil {
		return fmt.Errorf("monitor last receipt of %s: %w", r.Source, err)
	}
	last := m.started
	if len(page.Receipts) > 0 && page.Receipts[0].ReceivedAt.After(last) {
		last = page.Receipts[0].ReceivedAt
	}
	if silent := now.Sub(last); silent > r.ExpectedInterval {
		add(Alert{Name: AlertMissingWebhooks, Source: r.Source, Severity: Warning,
			Summary: fmt.Sprintf("%s: no webhook for %s (expected every %s)", r.Source, silent.Round(time.Second), r.ExpectedInterval)})
	}
	return nil
}

// Leader reports whether this process should evaluate now (a Postgres
// advisory lock held across calls, say).
type Leader interface {
	Lead(ctx context.Context) (bool, error)
}

// Run evaluates every interval until ctx ends, while leader (nil: always)
// says this process leads. Losing the lead forgets the state, so the next
// leader's view is the one that counts.
func (m *Monitor) Run(ctx context.Context, interval time.Duration, leader Leader) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		lead := true
		if leader != nil {
			var err error
			if lead, err = leader.Lead(ctx); err != nil && ctx.Err() == nil {
				m.o.Logger.Warn("monitor leadership check failed", "err", err)
			}
		}
		if lead {
			if err := m.Evaluate(ctx); err != nil && ctx.Err() == nil {
				m.o.Logger.Warn("monitor evaluation incomplete", "err", err)
			}
		} else {
			m.firing = map[string]Alert{}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
