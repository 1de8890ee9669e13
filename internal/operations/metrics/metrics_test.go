package metrics_test

import (
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hookgate/hookgate/internal/operations/metrics"
)

// scrape returns the exposition text of m.
func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("GET /metrics: %d", rec.Code)
	}
	b, err := io.ReadAll(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRequests(t *testing.T) {
	at := time.Unix(1_700_000_000, 500_000_000)
	tests := []struct {
		name    string
		source  string
		outcome string
		status  int
		reason  string
		want    []string
	}{
		{"accepted", "stripe", "accepted", 200, "", []string{
			`hookgate_requests_total{code="200",outcome="accepted",source="stripe"} 1`,
			`hookgate_last_accepted_timestamp_seconds{source="stripe"} 1.7000000005e+09`,
			`hookgate_ack_duration_seconds_count{source="stripe"} 1`,
		}},
		{"duplicate", "stripe", "duplicate", 200, "", []string{
			`hookgate_duplicates_total{source="stripe"} 1`,
		}},
		{"rejected", "github", "rejected", 401, "bad_signature", []string{
			`hookgate_verification_failures_total{reason="bad_signature",source="github"} 1`,
			`hookgate_requests_total{code="401",outcome="rejected",source="github"} 1`,
		}},
		{"unknown source is bounded", "evil-123", "rejected", 404, "unknown_source", []string{
			`hookgate_requests_total{code="404",outcome="rejected",source="_other"} 1`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := metrics.New([]string{"stripe", "github"})
			m.Request(tt.source, tt.outcome, tt.status, tt.reason, 3*time.Millisecond, at)
			out := scrape(t, m)
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("missing %s in\n%s", w, grep(out, "hookgate_"))
				}
			}
			if strings.Contains(out, "evil-123") {
				t.Error("an unconfigured source name became a label value")
			}
			if tt.outcome != "rejected" && strings.Contains(out, "hookgate_verification_failures_total{") {
				t.Error("a non-rejected request counted as a verification failure")
			}
		})
	}
}

func TestPipeline(t *testing.T) {
	m := metrics.New(nil)
	m.RelaySweep(90*time.Second, 7)
	for _, o := range []string{"accepted", "duplicate", "rejected"} {
		m.Request("s", o, 200, "", time.Millisecond, time.Now())
	}
	m.RelayStarted(nil, false)
	m.RelayStarted(errors.New("temporal down"), false)
	m.RelayStarted(errors.New("source removed"), true)
	m.WorkflowOutcome("completed")
	m.InitRepairs("started", "completed", "dead")
	m.Repaired("dead")
	m.PayPalCall("cert", "limited")
	m.WorkflowOutcome("dead")
	m.WorkflowOutcome("dead")
	m.Attempt("handle", 20*time.Millisecond, false)
	m.Attempt("handle", 20*time.Millisecond, true)
	m.Published(metrics.KindEvents, 3, 5*time.Millisecond, nil)
	m.Published(metrics.KindDeadLetter, 1, 5*time.Millisecond, errors.New("nack"))
	out := scrape(t, m)
	for _, w := range []string{
		"hookgate_relay_lag_seconds 90",
		"hookgate_relay_backlog 7",
		`hookgate_relay_starts_total{result="ok"} 1`,
		`hookgate_relay_starts_total{result="error"} 1`,
		`hookgate_relay_starts_total{result="refused"} 1`,
		`hookgate_workflow_outcomes_total{outcome="dead"} 2`,
		"hookgate_dead_letters_total 2",
		`hookgate_reconciler_repairs_total{action="dead"} 1`,
		`hookgate_paypal_calls_total{call="cert",result="limited"} 1`,
		`hookgate_reconciler_repairs_total{action="started"} 0`,
		`hookgate_activity_attempts_total{result="error",step="handle"} 1`,
		`hookgate_activity_duration_seconds_count{result="ok",step="handle"} 1`,
		`hookgate_publish_confirms_total{kind="events",result="ok"} 3`,
		`hookgate_publish_confirms_total{kind="dead_letter",result="error"} 1`,
		"go_goroutines",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("missing %s in\n%s", w, grep(out, "hookgate_"))
		}
	}
	// Every exported name is registered (the dashboard test relies on Names).
	for _, n := range metrics.Names() {
		if !strings.Contains(out, "# TYPE "+n+" ") {
			t.Errorf("metric %s not exposed", n)
		}
	}
}

func TestNilIsNoop(t *testing.T) {
	var m *metrics.Metrics
	m.Request("x", "accepted", 200, "", time.Second, time.Now())
	m.RelaySweep(time.Second, 1)
	m.RelayStarted(nil, false)
	m.WorkflowOutcome("dead")
	m.Attempt("handle", time.Second, false)
	m.Published(metrics.KindEvents, 1, time.Second, nil)
}

func TestTemporalHandler(t *testing.T) {
	m := metrics.New(nil)
	h := m.Temporal()
	wh := h.WithTags(map[string]string{"namespace": "default", "task-queue": "hookgate"})
	wh.Counter("temporal_request").Inc(2)
	wh.Counter("temporal_request").Inc(1)
	wh.WithTags(map[string]string{"operation": "StartWorkflowExecution"}).Counter("temporal_request").Inc(5)
	h.Gauge("temporal_num_pollers").Update(4)
	h.Counter("temporal_local_activity_total").Inc(1)
	wh.Timer("temporal_request_latency").Record(3 * time.Millisecond)
	wh.Timer("temporal_request_latency").Record(time.Hour) // beyond every bucket: +Inf only
	// The same name as two kinds: each keeps its own series, and the page
	// still renders the rest.
	h.Counter("temporal_mixed").Inc(1)
	h.Timer("temporal_mixed").Record(time.Millisecond)

	if _, err := m.Registry().Gather(); err != nil {
		t.Fatalf("Gather: %v", err)
	}
	out := scrape(t, m)
	for _, w := range []string{
		`temporal_request_total{namespace="default",task_queue="hookgate"} 3`,
		`temporal_request_total{namespace="default",operation="StartWorkflowExecution",task_queue="hookgate"} 5`,
		"temporal_num_pollers 4",
		"temporal_local_activity_total 1",
		`temporal_request_latency_seconds_bucket{namespace="default",task_queue="hookgate",le="0.004"} 1`,
		`temporal_request_latency_seconds_bucket{namespace="default",task_queue="hookgate",le="+Inf"} 2`,
		`temporal_request_latency_seconds_count{namespace="default",task_queue="hookgate"} 2`,
	} {
		if !strings.Contains(out, w) {
			t.Errorf("missing %s in\n%s", w, grep(out, "temporal_"))
		}
	}
}

func grep(s, prefix string) string {
	var b strings.Builder
	for l := range strings.SplitSeq(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}
