package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookgate/hookgate/activities"
	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/internal/operations/metrics"
	"github.com/hookgate/hookgate/internal/storage/sqlite"
	"github.com/hookgate/hookgate/publisher"
	"github.com/hookgate/hookgate/store"
)

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(w.Body)
	return string(b)
}

func TestActivityStoreMetered(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	m := metrics.New(nil)
	s := activityStore(st, m)
	// Bulk replay finds its methods by type assertion: the wrapper must keep them.
	if _, ok := s.(activities.ReplayStore); !ok {
		t.Fatal("the metered store hides the ReplayStore methods")
	}
	now := time.Now().UTC()
	d := store.Delivery{
		Receipt: store.Receipt{ID: "r1", Source: "s", Provider: "github", EventID: "e1", Body: []byte("{}"), ReceivedAt: now},
		Audit:   store.AuditRecord{ID: "a1", At: now, Source: "s", Status: 200, Outcome: store.OutcomeAccepted},
	}
	if _, err := st.Ingest(ctx, []store.Delivery{d}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordAttempt(ctx, store.Attempt{ReceiptID: "r1", Step: store.StepHandle, Attempt: 1, StartedAt: now, FinishedAt: now.Add(time.Second), Error: "boom"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Transition(ctx, store.Transition{ReceiptID: "r1", To: store.StatusRetrying, At: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.Transition(ctx, store.Transition{ReceiptID: "r1", To: store.StatusDead, At: now}); err != nil {
		t.Fatal(err)
	}
	out := scrape(t, m)
	for _, w := range []string{
		`hookgate_activity_attempts_total{result="error",step="handle"} 1`,
		`hookgate_workflow_outcomes_total{outcome="dead"} 1`,
		"hookgate_dead_letters_total 1",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("missing %s", w)
		}
	}
	if strings.Contains(out, `outcome="retrying"`) {
		t.Error("a non-terminal transition counted as an outcome")
	}
}

type fakePublisher struct{ err error }

func (p fakePublisher) Publish(context.Context, ...publisher.Message) error        { return p.err }
func (p fakePublisher) PublishDeadLetter(context.Context, publisher.Message) error { return p.err }

func TestPublisherMetered(t *testing.T) {
	m := metrics.New(nil)
	if publisherOf(nil, m) != nil {
		t.Error("a nil publisher must stay nil (store bus)")
	}
	ok := publisherOf(fakePublisher{}, m)
	bad := publisherOf(fakePublisher{err: errors.New("nack")}, m)
	_ = ok.Publish(context.Background(), publisher.Message{}, publisher.Message{})
	_ = bad.PublishDeadLetter(context.Background(), publisher.Message{})
	out := scrape(t, m)
	for _, w := range []string{
		`hookgate_publish_confirms_total{kind="events",result="ok"} 2`,
		`hookgate_publish_confirms_total{kind="dead_letter",result="error"} 1`,
	} {
		if !strings.Contains(out, w) {
			t.Errorf("missing %s", w)
		}
	}
}

func TestServeWorkerMetrics(t *testing.T) {
	m := metrics.New(nil)
	m.RelaySweep(0, 3)
	cfg := &config.Config{}
	stop, err := serveWorkerMetrics(cfg, m, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	stop() // no address: nothing to serve, stop is a no-op

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.WorkerMetricsListen = ln.Addr().String()
	ln.Close()
	pub := &fakeBlockable{}
	m.PublisherBlocked(true)
	stop, err = serveWorkerMetrics(cfg, m, pub, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	// Readiness: 503 while the broker blocks the publisher, 200 otherwise.
	for _, blocked := range []bool{false, true} {
		pub.blocked.Store(blocked)
		res, err := http.Get("http://" + cfg.WorkerMetricsListen + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if want := map[bool]int{false: 200, true: 503}[blocked]; res.StatusCode != want || (blocked && !strings.Contains(string(b), "low on memory")) {
			t.Errorf("worker /readyz with blocked=%v: %d %s", blocked, res.StatusCode, b)
		}
	}
	res, err := http.Get("http://" + cfg.WorkerMetricsListen + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(b), "hookgate_relay_backlog 3") || !strings.Contains(string(b), "hookgate_publisher_blocked 1") {
		t.Errorf("worker /metrics: %d %.200s", res.StatusCode, b)
	}
	if _, err := serveWorkerMetrics(cfg, m, nil, slog.New(slog.DiscardHandler)); err == nil {
		t.Error("a taken address must fail the start")
	}
}

type fakeBlockable struct{ blocked atomic.Bool }

func (f *fakeBlockable) Blocked() (bool, string, time.Time) {
	return f.blocked.Load(), "low on memory", time.Unix(1765000000, 0)
}
