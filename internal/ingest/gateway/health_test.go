package gateway_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/internal/ingest/gateway"
	"github.com/hookgate/hookgate/providers/builtin"
	"github.com/hookgate/hookgate/store"
)

// switchCommitter fails every commit while down, as a full disk does.
type switchCommitter struct{ down atomic.Bool }

func (s *switchCommitter) Commit(_ context.Context, d store.Delivery) (store.IngestResult, error) {
	if s.down.Load() {
		return store.IngestResult{}, errors.New("sqlite: database or disk is full (13)")
	}
	return store.IngestResult{ReceiptID: "r-" + d.Receipt.EventID}, nil
}

// Readiness follows the ability to commit: while commits fail, webhooks get
// 503 with Retry-After, /readyz fails (a ping would still pass) and /healthz
// stays 200; once the store takes writes again, the probe makes the gateway
// ready within seconds, without a request.
func TestReadinessFollowsCommits(t *testing.T) {
	cfg, err := config.Parse([]byte(testConfig), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := gateway.BuildSources(cfg, builtin.Providers())
	if err != nil {
		t.Fatal(err)
	}
	commit := &switchCommitter{}
	var probes atomic.Int64
	gw, err := gateway.New(gateway.Options{
		Sources: srcs, Committer: commit, Audit: discardAudit{},
		Checks: []gateway.Check{{Name: "store", Fn: func(context.Context) error { return nil }}}, // the ping passes
		Probe: func(context.Context) error {
			probes.Add(1)
			if commit.down.Load() {
				return errors.New("probe write: database or disk is full")
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(gw.Close)
	h := gw.Handler()
	readyz := func() (int, map[string]string) {
		w := serve(h, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		var body map[string]string
		_ = json.Unmarshal(w.Body.Bytes(), &body)
		return w.Code, body
	}
	if code, body := readyz(); code != http.StatusOK || body["commits"] != "ok" {
		t.Fatalf("readyz before: %d %v", code, body)
	}
	commit.down.Store(true)
	w := serve(h, ghRequest("d-1", []byte(`{"zen":"Keep it logically awesome."}`), true))
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Fatalf("webhook while commits fail: %d %v", w.Code, w.Header())
	}
	if code, body := readyz(); code != http.StatusServiceUnavailable || !strings.HasPrefix(body["commits"], "failing since ") || body["store"] != "ok" {
		t.Fatalf("readyz while commits fail: %d %v", code, body)
	}
	if strings.Contains(w.Body.String(), "disk is full") {
		t.Fatalf("the cause leaked to the client: %s", w.Body)
	}
	if w := serve(h, httptest.NewRequest(http.MethodGet, "/healthz", nil)); w.Code != http.StatusOK {
		t.Fatalf("healthz while commits fail: %d", w.Code)
	}
	time.Sleep(1500 * time.Millisecond)
	if code, _ := readyz(); code != http.StatusServiceUnavailable || probes.Load() == 0 {
		t.Fatalf("readyz while the probe fails: %d after %d probes", code, probes.Load())
	}
	commit.down.Store(false)
	deadline := time.Now().Add(5 * time.Second)
	for {
		code, body := readyz()
		if code == http.StatusOK && body["commits"] == "ok" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready 5 s after the store recovered: %d %v", code, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if w := serve(h, ghRequest("d-2", []byte(`{"zen":"Design for failure."}`), true)); w.Code != http.StatusOK {
		t.Fatalf("webhook after recovery: %d %s", w.Code, w.Body)
	}
}
