package monitor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookgate/hookgate/internal/operations/monitor"
	"github.com/hookgate/hookgate/internal/storage/sqlite"
	"github.com/hookgate/hookgate/store"
)

var t0 = time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)

// sink is a local Alertmanager-compatible receiver.
type sink struct {
	mu   sync.Mutex
	msgs []monitor.AMMessage
	srv  *httptest.Server
}

func newSink(t *testing.T) *sink {
	s := &sink{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m monitor.AMMessage
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			t.Errorf("sink: %v", err)
		}
		s.mu.Lock()
		s.msgs = append(s.msgs, m)
		s.mu.Unlock()
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// take returns and forgets the alerts received so far, as "status alertname source".
func (s *sink) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, m := range s.msgs {
		for _, a := range m.Alerts {
			out = append(out, a.Status+" "+a.Labels["alertname"]+" "+a.Labels["source"])
		}
	}
	s.msgs = nil
	return out
}

type env struct {
	st  *sqlite.Store
	now time.Time
	n   int
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &env{st: st, now: t0}
}

// receive stores a webhook of source at the current time, ending in status to
// one second later (StatusVerified: left un-started).
func (e *env) receive(t *testing.T, source string, to store.Status) {
	t.Helper()
	e.n++
	id := fmt.Sprintf("r%03d", e.n)
	d := store.Delivery{
		Receipt: store.Receipt{ID: id, Source: source, Provider: "github", EventID: id, Body: []byte("{}"), ReceivedAt: e.now},
		Audit:   store.AuditRecord{ID: "a" + id, At: e.now, Source: source, Status: 200, Outcome: store.OutcomeAccepted},
	}
	if _, err := e.st.Ingest(context.Background(), []store.Delivery{d}); err != nil {
		t.Fatal(err)
	}
	if to != store.StatusVerified {
		if err := e.st.Transition(context.Background(), store.Transition{ReceiptID: id, To: to, At: e.now.Add(time.Second)}); err != nil {
			t.Fatal(err)
		}
	}
}

func (e *env) monitor(t *testing.T, s *sink, rules ...monitor.SourceRule) *monitor.Monitor {
	t.Helper()
	m, err := monitor.New(monitor.Options{
		Store: e.st, Rules: rules, Now: func() time.Time { return e.now },
		Sinks: []monitor.Sink{monitor.WebhookSink{URL: s.srv.URL}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func evaluate(t *testing.T, m *monitor.Monitor) {
	t.Helper()
	if err := m.Evaluate(context.Background()); err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
}

func same(got []string, want ...string) bool {
	return strings.Join(got, "|") == strings.Join(want, "|")
}

// TestMissingWebhooks stops a source's traffic past its expected interval, then
// resumes it: one firing alert, then one resolution, nothing in between.
func TestMissingWebhooks(t *testing.T) {
	e := newEnv(t)
	s := newSink(t)
	m := e.monitor(t, s, monitor.SourceRule{Source: "gh", ExpectedInterval: 10 * time.Minute},
		monitor.SourceRule{Source: "quiet"}) // no interval: never alerts
	steps := []struct {
		name    string
		advance time.Duration
		receive bool
		want    []string
	}{
		{"traffic flows", 0, true, nil},
		{"silent, within the interval", 9 * time.Minute, false, nil},
		{"silent past the interval", 2 * time.Minute, false, []string{"firing HookgateMissingWebhooks gh"}},
		{"still silent: not sent again", 5 * time.Minute, false, nil},
		{"traffic resumes", time.Minute, true, []string{"resolved HookgateMissingWebhooks gh"}},
		{"flowing: nothing", time.Minute, true, nil},
	}
	for _, st := range steps {
		e.now = e.now.Add(st.advance)
		if st.receive {
			e.receive(t, "gh", store.StatusCompleted)
		}
		evaluate(t, m)
		if got := s.take(); !same(got, st.want...) {
			t.Errorf("%s: sink got %q, want %q", st.name, got, st.want)
		}
	}
}

func TestActiveHours(t *testing.T) {
	e := newEnv(t)
	s := newSink(t)
	// Expected only 09:00-17:00 UTC; t0 is 10:00.
	hours := &monitor.Hours{From: 9 * time.Hour, To: 17 * time.Hour}
	m := e.monitor(t, s, monitor.SourceRule{Source: "gh", ExpectedInterval: time.Hour, Hours: hours})
	e.receive(t, "gh", store.StatusCompleted)
	e.now = t0.Add(12 * time.Hour) // 22:00: silent 12 h, but outside the hours
	evaluate(t, m)
	if got := s.take(); len(got) != 0 {
		t.Errorf("outside active hours: %q, want nothing", got)
	}
	e.now = t0.Add(24 * time.Hour) // 10:00 next day
	evaluate(t, m)
	if got := s.take(); !same(got, "firing HookgateMissingWebhooks gh") {
		t.Errorf("within active hours: %q", got)
	}
}

func TestHoursWrapMidnight(t *testing.T) {
	h := monitor.Hours{From: 22 * time.Hour, To: 6 * time.Hour}
	tests := []struct {
		hour int
		want bool
	}{{21, false}, {22, true}, {23, true}, {0, true}, {5, true}, {6, false}, {12, false}}
	for _, tt := range tests {
		if got := h.Contains(time.Date(2026, 1, 1, tt.hour, 30, 0, 0, time.UTC)); got != tt.want {
			t.Errorf("%02d:30 in 22-06: %v, want %v", tt.hour, got, tt.want)
		}
	}
}

// TestFailureWave raises the error-rate alert (warning, then critical), the
// dead-letter alert, and resolves them when the window has passed.
func TestFailureWave(t *testing.T) {
	e := newEnv(t)
	s := newSink(t)
	m := e.monitor(t, s)
	for range 8 {
		e.receive(t, "stripe", store.StatusCompleted)
	}
	for range 2 {
		e.receive(t, "stripe", store.StatusDead)
	}
	e.now = e.now.Add(time.Minute)
	evaluate(t, m)
	if got := s.take(); !same(got, "firing HookgateDeadLetters ", "firing HookgateErrorRate stripe") {
		t.Errorf("20%% dead: %q", got)
	}
	for range 5 {
		e.receive(t, "stripe", store.StatusDead)
	}
	evaluate(t, m)
	// 7 of 15 dead: the warning resolves, the critical fires.
	got := s.take()
	if !same(got, "firing HookgateErrorRate stripe", "resolved HookgateErrorRate stripe") {
		t.Errorf("47%% dead: %q", got)
	}
	if c := m.Firing(); len(c) != 2 || c[1].Severity != monitor.Critical {
		t.Errorf("firing = %+v, want dead letters and a critical error rate", c)
	}
	e.now = e.now.Add(20 * time.Minute) // the wave leaves the 15-minute window
	evaluate(t, m)
	if got := s.take(); !same(got, "resolved HookgateDeadLetters ", "resolved HookgateErrorRate stripe") {
		t.Errorf("after the window: %q", got)
	}
}

func TestSlowAndRelayLag(t *testing.T) {
	e := newEnv(t)
	s := newSink(t)
	m, err := monitor.New(monitor.Options{Store: e.st, Now: func() time.Time { return e.now },
		SlowP95: 500 * time.Millisecond, // receive completes after 1 s
		Sinks:   []monitor.Sink{monitor.WebhookSink{URL: s.srv.URL}}})
	if err != nil {
		t.Fatal(err)
	}
	e.receive(t, "gh", store.StatusCompleted)
	e.receive(t, "gh", store.StatusVerified) // never started
	e.now = e.now.Add(3 * time.Minute)
	evaluate(t, m)
	if got := s.take(); !same(got, "firing HookgateRelayLag ", "firing HookgateSlowProcessing gh") {
		t.Errorf("got %q", got)
	}
}

func TestSinkRefusalIsReported(t *testing.T) {
	e := newEnv(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }))
	defer srv.Close()
	m, err := monitor.New(monitor.Options{Store: e.st, Now: func() time.Time { return e.now },
		Rules: []monitor.SourceRule{{Source: "gh", ExpectedInterval: time.Minute}},
		Sinks: []monitor.Sink{monitor.WebhookSink{URL: srv.URL + "/hook?token=s3cret"}}})
	if err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(time.Hour)
	err = m.Evaluate(context.Background())
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("Evaluate with a refusing sink: %v (must fail without revealing the URL)", err)
	}
}
