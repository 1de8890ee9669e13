// Package metrics holds hookgate's Prometheus metrics on a registry of their own
// (never the global default one, so tests and several processes in one binary do
// not collide), and the small observers the gateway, relay, activities and
// publisher feed.
//
// Every label value is bounded: source names are the configured ones (anything
// else is counted as OtherSource), reasons come from a fixed set, steps from the
// built-in steps and configured team activities. Event IDs never become labels.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes every hookgate metric name.
const Namespace = "hookgate"

// OtherSource is the source label of requests to a source that is not
// configured: requested names are attacker-chosen and must not grow the label set.
const OtherSource = "_other"

// Metric names, exported so that the dashboard and alert-rule tests can check
// that what they query exists.
const (
	NameRequests             = Namespace + "_requests_total"
	NameAckDuration          = Namespace + "_ack_duration_seconds"
	NameVerificationFailures = Namespace + "_verification_failures_total"
	NameDuplicates           = Namespace + "_duplicates_total"
	NameLastAccepted         = Namespace + "_last_accepted_timestamp_seconds"
	NameRelayLag             = Namespace + "_relay_lag_seconds"
	NameRelayBacklog         = Namespace + "_relay_backlog"
	NameRelayStarts          = Namespace + "_relay_starts_total"
	NameWorkflowOutcomes     = Namespace + "_workflow_outcomes_total"
	NameActivityAttempts     = Namespace + "_activity_attempts_total"
	NameActivityDuration     = Namespace + "_activity_duration_seconds"
	NamePublishDuration      = Namespace + "_publish_duration_seconds"
	NamePublishConfirms      = Namespace + "_publish_confirms_total"
	NameDeadLetters          = Namespace + "_dead_letters_total"
	NameReconcilerRepairs    = Namespace + "_reconciler_repairs_total"
	NamePayPalCalls          = Namespace + "_paypal_calls_total"
	NamePublisherBlocked     = Namespace + "_publisher_blocked"
	NamePublisherBlocks      = Namespace + "_publisher_blocks_total"
	NameStoreCommitsFailing  = Namespace + "_store_commits_failing"
)

// Names lists every metric name this package registers (histograms expose
// _bucket, _sum and _count series under these names).
func Names() []string {
	return []string{NameRequests, NameAckDuration, NameVerificationFailures, NameDuplicates,
		NameLastAccepted, NameRelayLag, NameRelayBacklog, NameRelayStarts, NameWorkflowOutcomes,
		NameActivityAttempts, NameActivityDuration, NamePublishDuration, NamePublishConfirms,
		NameDeadLetters, NameReconcilerRepairs, NamePayPalCalls, NamePublisherBlocked, NamePublisherBlocks,
		NameStoreCommitsFailing}
}

// Outcome labels of activity attempts, relay starts and publish confirms.
const (
	ResultOK    = "ok"
	ResultError = "error"
)

// Metrics are hookgate's metrics on their own registry. The zero value is not
// usable; call New. A nil *Metrics is valid and records nothing, so components
// can take one optionally.
type Metrics struct {
	reg     *prometheus.Registry
	sources map[string]bool

	requests         *prometheus.CounterVec
	ackDuration      *prometheus.HistogramVec
	verifyFailures   *prometheus.CounterVec
	duplicates       *prometheus.CounterVec
	lastAccepted     *prometheus.GaugeVec
	relayLag         prometheus.Gauge
	relayBacklog     prometheus.Gauge
	relayStarts      *prometheus.CounterVec
	workflowOutcomes *prometheus.CounterVec
	activityAttempts *prometheus.CounterVec
	activityDuration *prometheus.HistogramVec
	publishDuration  *prometheus.HistogramVec
	publishConfirms  *prometheus.CounterVec
	deadLetters      prometheus.Counter
	repairs          *prometheus.CounterVec
	paypalCalls      *prometheus.CounterVec
	pubBlocked       prometheus.Gauge
	pubBlocks        prometheus.Counter
	commitsFailing   prometheus.Gauge
}

// New registers hookgate's metrics, plus the Go runtime and process
// collectors, on a new registry. sources are the configured source names: the
// only values the source label takes besides OtherSource.
func New(sources []string) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{reg: reg, sources: map[string]bool{}}
	for _, s := range sources {
		m.sources[s] = true
	}
	// Webhook acks are fast (a commit) until the store struggles: buckets from
	// 1 ms to 10 s.
	ackBuckets := prometheus.ExponentialBuckets(0.001, 2.5, 11)
	// Activities and publishes range from milliseconds to a team's slow API.
	workBuckets := prometheus.ExponentialBuckets(0.005, 3, 11)
	f := factory{reg}
	m.requests = f.counterVec(NameRequests, "Webhook requests by source, outcome (accepted, duplicate, rejected) and HTTP status code.", "source", "outcome", "code")
	m.ackDuration = f.histogramVec(NameAckDuration, "Time from request start to acknowledgement, by source.", ackBuckets, "source")
	m.verifyFailures = f.counterVec(NameVerificationFailures, "Rejected webhook requests by source and reason.", "source", "reason")
	m.duplicates = f.counterVec(NameDuplicates, "Deliveries of an event ID already stored, by source.", "source")
	m.lastAccepted = f.gaugeVec(NameLastAccepted, "Unix time of the last accepted (or duplicate) webhook, by source.", "source")
	m.relayLag = f.gauge(NameRelayLag, "Age of the oldest receipt whose workflow has not started (0 when none), as of the relay's last sweep.")
	m.relayBacklog = f.gauge(NameRelayBacklog, "Receipts whose workflow has not started, as of the relay's last sweep.")
	m.relayStarts = f.counterVec(NameRelayStarts, "Workflow starts by the relay, by result (ok, error, refused: can never succeed, receipt marked dead).", "result")
	m.workflowOutcomes = f.counterVec(NameWorkflowOutcomes, "Receipts reaching a terminal status, by outcome (completed, unhandled, dead).", "outcome")
	m.activityAttempts = f.counterVec(NameActivityAttempts, "Processing step attempts, by step and result (ok, error).", "step", "result")
	m.activityDuration = f.histogramVec(NameActivityDuration, "Duration of processing step attempts, by step and result.", workBuckets, "step", "result")
	m.publishDuration = f.histogramVec(NamePublishDuration, "Time to publish a batch of events and get the broker's confirms, by kind (events, dead_letter) and result.", workBuckets, "kind", "result")
	m.publishConfirms = f.counterVec(NamePublishConfirms, "Messages confirmed (ok) or not (error) by the broker, by kind.", "kind", "result")
	m.deadLetters = f.counter(NameDeadLetters, "Receipts dead-lettered after exhausting their retries.")
	m.paypalCalls = f.counterVec(NamePayPalCalls, "Outbound calls to PayPal for verification, by call (cert, token, verify) and result (ok, error, limited: refused by the outbound limit, remembered: answered from the failure memory).", "call", "result")
	m.repairs = f.counterVec(NameReconcilerRepairs, "Receipts the reconciler repaired because their workflow run was missing or closed, by action (started, completed, dead).", "action")
	m.pubBlocked = f.gauge(NamePublisherBlocked, "1 while the broker blocks the publisher's connection (a memory or disk alarm): events wait, nothing is lost.")
	m.pubBlocks = f.counter(NamePublisherBlocks, "Times the broker blocked the publisher's connection.")
	m.commitsFailing = f.gauge(NameStoreCommitsFailing, "1 while the gateway's commits fail (the store is full, read-only or unreachable): it is not ready.")
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the registry the metrics are on (to add collectors, such as
// the Temporal SDK's).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	// ContinueOnError: one inconsistent family (the Temporal SDK names its
	// metrics at run time) must not blank the whole page; the errors are
	// counted in promhttp_metric_handler_errors_total.
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, ErrorHandling: promhttp.ContinueOnError})
}

// source bounds a source label to the configured names.
func (m *Metrics) source(s string) string {
	if m.sources[s] {
		return s
	}
	return OtherSource
}

// Request records one webhook request: its outcome ("accepted", "duplicate",
// "rejected"), the HTTP status answered, the rejection reason (empty unless
// rejected) and how long the acknowledgement took.
func (m *Metrics) Request(source, outcome string, status int, reason string, elapsed time.Duration, at time.Time) {
	if m == nil {
		return
	}
	src := m.source(source)
	m.requests.WithLabelValues(src, outcome, strconv.Itoa(status)).Inc()
	m.ackDuration.WithLabelValues(src).Observe(elapsed.Seconds())
	switch outcome {
	case "rejected":
		if reason == "" {
			reason = "unknown"
		}
		m.verifyFailures.WithLabelValues(src, reason).Inc()
	case "duplicate":
		m.duplicates.WithLabelValues(src).Inc()
		m.lastAccepted.WithLabelValues(src).Set(float64(at.UnixMilli()) / 1e3)
	case "accepted":
		m.lastAccepted.WithLabelValues(src).Set(float64(at.UnixMilli()) / 1e3)
	}
}

// RelaySweep records the relay's view after a sweep: the age of the oldest
// un-started receipt (zero when none) and how many there are.
func (m *Metrics) RelaySweep(lag time.Duration, backlog int) {
	if m == nil {
		return
	}
	m.relayLag.Set(max(lag, 0).Seconds())
	m.relayBacklog.Set(float64(backlog))
}

// ResultRefused labels a relay start that can never succeed (its receipt is
// marked dead).
const ResultRefused = "refused"

// RelayStarted records one workflow start by the relay; refused marks a start
// that can never succeed.
func (m *Metrics) RelayStarted(err error, refused bool) {
	if m == nil {
		return
	}
	r := result(err)
	if refused {
		r = ResultRefused
	}
	m.relayStarts.WithLabelValues(r).Inc()
}

// WorkflowOutcome records a receipt reaching a terminal status ("completed",
// "unhandled" or "dead"); a dead one also counts as a dead letter.
func (m *Metrics) WorkflowOutcome(outcome string) {
	if m == nil {
		return
	}
	m.workflowOutcomes.WithLabelValues(outcome).Inc()
	if outcome == "dead" {
		m.deadLetters.Inc()
	}
}

// PayPalCall records one outbound PayPal call decision (paypal.SetCallObserver).
func (m *Metrics) PayPalCall(call, result string) {
	if m == nil {
		return
	}
	m.paypalCalls.WithLabelValues(call, result).Inc()
}

// InitRepairs creates the repairs series of every action at 0, so that an
// increase from nothing shows (and alerts) on the first repair.
func (m *Metrics) InitRepairs(actions ...string) {
	if m == nil {
		return
	}
	for _, a := range actions {
		m.repairs.WithLabelValues(a)
	}
}

// Repaired records one receipt the reconciler repaired, by action.
func (m *Metrics) Repaired(action string) {
	if m == nil {
		return
	}
	m.repairs.WithLabelValues(action).Inc()
}

// Attempt records one attempt of a processing step.
func (m *Metrics) Attempt(step string, d time.Duration, failed bool) {
	if m == nil {
		return
	}
	r := ResultOK
	if failed {
		r = ResultError
	}
	m.activityAttempts.WithLabelValues(step, r).Inc()
	m.activityDuration.WithLabelValues(step, r).Observe(max(d, 0).Seconds())
}

// Publish kinds.
const (
	KindEvents     = "events"
	KindDeadLetter = "dead_letter"
)

// Published records one publish call of n messages of kind: its duration and
// whether the broker confirmed them.
func (m *Metrics) Published(kind string, n int, d time.Duration, err error) {
	if m == nil {
		return
	}
	r := result(err)
	m.publishDuration.WithLabelValues(kind, r).Observe(d.Seconds())
	m.publishConfirms.WithLabelValues(kind, r).Add(float64(n))
}

func result(err error) string {
	if err != nil {
		return ResultError
	}
	return ResultOK
}

// factory registers metrics on one registry.
type factory struct{ reg *prometheus.Registry }

func (f factory) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	f.reg.MustRegister(c)
	return c
}

func (f factory) counter(name, help string) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
	f.reg.MustRegister(c)
	return c
}

func (f factory) gaugeVec(name, help string, labels ...string) *prometheus.GaugeVec {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
	f.reg.MustRegister(g)
	return g
}

func (f factory) gauge(name, help string) prometheus.Gauge {
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
	f.reg.MustRegister(g)
	return g
}

func (f factory) histogramVec(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
	f.reg.MustRegister(h)
	return h
}

// PublisherBlocked records that the broker blocked (true) or unblocked the
// publisher's connection.
func (m *Metrics) PublisherBlocked(blocked bool) {
	if m == nil {
		return
	}
	if blocked {
		m.pubBlocked.Set(1)
		m.pubBlocks.Inc()
		return
	}
	m.pubBlocked.Set(0)
}

// CommitsFailing records whether the gateway's commits fail.
func (m *Metrics) CommitsFailing(failing bool) {
	if m == nil {
		return
	}
	if failing {
		m.commitsFailing.Set(1)
		return
	}
	m.commitsFailing.Set(0)
}
