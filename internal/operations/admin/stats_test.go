package admin_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hookgate/hookgate/internal/operations/admin"
	"github.com/hookgate/hookgate/store"
)

// withStats rebuilds the fixture's API with statistics enabled.
func withStats(f *fixture) {
	f.api = admin.New(admin.Options{
		Store: f.st, Stats: f.st,
		Tokens: []admin.Token{{Name: "ops", Value: opsToken}},
		Now:    func() time.Time { return f.now },
	})
}

func TestStats(t *testing.T) {
	f := newFixture(t)
	withStats(f)
	// r3 (stripe) dies 30 s after it arrived.
	if err := f.st.Transition(t.Context(), store.Transition{ReceiptID: "r3", To: store.StatusDead, At: t0.Add(2*time.Minute + 30*time.Second), Error: "boom"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		query  string
		status int
		want   []admin.SourceStatsView
	}{
		{"default window covers the fixture", "", 200, []admin.SourceStatsView{
			{Source: "gh", Total: 2, Statuses: []admin.StatusStatsView{
				{Status: store.StatusCompleted, Count: 1, Processed: 1, AvgProcessingSeconds: 1, P95ProcessingSeconds: 1},
				// The fixture marks r2 unhandled 59 s before it arrived; stats report
				// what is stored rather than hide it.
				{Status: store.StatusUnhandled, Count: 1, Processed: 1, AvgProcessingSeconds: 1 - 60, P95ProcessingSeconds: 1 - 60},
			}},
			{Source: "stripe", Total: 1, Dead: 1, ErrorRate: 1, Statuses: []admin.StatusStatsView{
				{Status: store.StatusDead, Count: 1, Processed: 1, AvgProcessingSeconds: 30, P95ProcessingSeconds: 30},
			}},
		}},
		{"one source", "?source=stripe", 200, []admin.SourceStatsView{
			{Source: "stripe", Total: 1, Dead: 1, ErrorRate: 1, Statuses: []admin.StatusStatsView{
				{Status: store.StatusDead, Count: 1, Processed: 1, AvgProcessingSeconds: 30, P95ProcessingSeconds: 30},
			}},
		}},
		{"range excludes everything", "?since=2026-03-01T12:05:00Z", 200, []admin.SourceStatsView{}},
		{"bad since", "?since=yesterday", 400, nil},
		{"until before since", "?since=2026-03-01T12:05:00Z&until=2026-03-01T12:00:00Z", 400, nil},
		{"bad source", "?source=../x", 400, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.do(t, http.MethodGet, "/v1/stats"+tt.query, opsToken, "")
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if tt.status != 200 {
				return
			}
			var got admin.StatsView
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			gotJSON, _ := json.Marshal(got.Sources)
			wantJSON, _ := json.Marshal(tt.want)
			if string(gotJSON) != string(wantJSON) {
				t.Errorf("sources =\n%s\nwant\n%s", gotJSON, wantJSON)
			}
		})
	}
	if w := f.do(t, http.MethodGet, "/v1/stats", "", ""); w.Code != http.StatusUnauthorized {
		t.Errorf("stats without a token: %d, want 401", w.Code)
	}
}

func TestStatsUnavailable(t *testing.T) {
	f := newFixture(t) // no Stats store
	if w := f.do(t, http.MethodGet, "/v1/stats", opsToken, ""); w.Code != http.StatusNotFound {
		t.Errorf("stats without a stats store: %d, want 404", w.Code)
	}
}

func TestMetricsEndpoint(t *testing.T) {
	f := newFixture(t)
	metrics := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hookgate_up 1\n")) })
	open := admin.WithOpenMetrics(f.api.Handler(), metrics)
	guarded := admin.New(admin.Options{Store: f.st, Tokens: []admin.Token{{Name: "ops", Value: opsToken}}, Extra: admin.MountMetrics(metrics)}).Handler()
	tests := []struct {
		name   string
		h      http.Handler
		path   string
		token  string
		status int
		body   string
	}{
		{"open metrics need no token", open, "/metrics", "", 200, "hookgate_up 1"},
		{"open metrics leave the API guarded", open, "/v1/receipts", "", 401, ""},
		{"open metrics: the API still works", open, "/v1/receipts", opsToken, 200, "receipts"},
		{"guarded metrics refuse no token", guarded, "/metrics", "", 401, ""},
		{"guarded metrics with a token", guarded, "/metrics", opsToken, 200, "hookgate_up 1"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, tt.path, nil)
		if tt.token != "" {
			r.Header.Set("Authorization", "Bearer "+tt.token)
		}
		w := httptest.NewRecorder()
		tt.h.ServeHTTP(w, r)
		if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.body) {
			t.Errorf("%s: %d %q, want %d containing %q", tt.name, w.Code, w.Body, tt.status, tt.body)
		}
	}
}
