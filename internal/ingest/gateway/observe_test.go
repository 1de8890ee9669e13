package gateway_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/internal/ingest/gateway"
	"github.com/hookgate/hookgate/internal/ingest/groupcommit"
	"github.com/hookgate/hookgate/internal/storage/sqlite"
	"github.com/hookgate/hookgate/providers/builtin"
)

type observed struct {
	source, outcome string
	status          int
	reason          string
}

type recordingObserver struct {
	mu  sync.Mutex
	got []observed
}

func (o *recordingObserver) Request(source, outcome string, status int, reason string, elapsed time.Duration, at time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if elapsed < 0 || at.IsZero() {
		panic("observer got a negative elapsed time or a zero start")
	}
	o.got = append(o.got, observed{source, outcome, status, reason})
}

func (o *recordingObserver) last() observed {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.got) == 0 {
		return observed{}
	}
	return o.got[len(o.got)-1]
}

func (o *recordingObserver) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.got)
}

func newObservedGateway(t *testing.T, commit gateway.Committer) (http.Handler, *recordingObserver) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hookgate.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if commit == nil {
		gc := groupcommit.New(st, groupcommit.Options{})
		t.Cleanup(gc.Close)
		commit = gc
	}
	cfg, err := config.Parse([]byte(testConfig), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := gateway.BuildSources(cfg, builtin.Providers())
	if err != nil {
		t.Fatal(err)
	}
	obs := &recordingObserver{}
	gw, err := gateway.New(gateway.Options{Sources: srcs, Committer: commit, Audit: st, Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(gw.Close)
	return gw.Handler(), obs
}

func TestObserver(t *testing.T) {
	h, obs := newObservedGateway(t, nil)
	tests := []struct {
		name string
		req  *http.Request
		want observed
	}{
		{"accepted", ghRequest("obs-1", []byte(pushBody), true), observed{"gh", "accepted", 200, ""}},
		{"duplicate", ghRequest("obs-1", []byte(pushBody), true), observed{"gh", "duplicate", 200, ""}},
		{"bad signature", ghRequest("obs-2", []byte(pushBody), false), observed{"gh", "rejected", 401, "bad_signature"}},
		{"unknown source", httptest.NewRequest(http.MethodPost, "/webhooks/nope", nil), observed{"_unknown", "rejected", 404, "unknown_source"}},
	}
	for i, tt := range tests {
		w := serve(h, tt.req)
		if got := obs.last(); got != tt.want {
			t.Errorf("%s: observed %+v, want %+v (HTTP %d)", tt.name, got, tt.want, w.Code)
		}
		if n := obs.count(); n != i+1 {
			t.Errorf("%s: %d observations after %d requests, want one per request", tt.name, n, i+1)
		}
	}
}

func TestObserverStoreDown(t *testing.T) {
	h, obs := newObservedGateway(t, &failingCommitter{})
	w := serve(h, ghRequest("obs-3", []byte(pushBody), true))
	want := observed{"gh", "rejected", http.StatusServiceUnavailable, "store_unavailable"}
	if got := obs.last(); got != want || w.Code != http.StatusServiceUnavailable {
		t.Errorf("store down: observed %+v (HTTP %d), want %+v", got, w.Code, want)
	}
}
