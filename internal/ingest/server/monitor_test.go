package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hookgate/hookgate/internal/operations/monitor"
	"github.com/hookgate/hookgate/providers/github"
)

// alertSink is a local Alertmanager-compatible receiver.
type alertSink struct {
	mu  sync.Mutex
	got []string // "status alertname source"
}

func (s *alertSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var m monitor.AMMessage
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range m.Alerts {
		s.got = append(s.got, a.Status+" "+a.Labels["alertname"]+" "+a.Labels["source"])
	}
}

func (s *alertSink) alerts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.got...)
}

// waitFor waits until the sink has received exactly want.
func (s *alertSink) waitFor(t *testing.T, what string, want ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := s.alerts()
		if len(got) == len(want) {
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("%s: sink got %q, want %q", what, got, want)
				}
			}
			return
		}
		if len(got) > len(want) || time.Now().After(deadline) {
			t.Fatalf("%s: sink got %q, want %q", what, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func sendPing(t *testing.T, ingest, delivery string) {
	t.Helper()
	body := []byte(`{"zen":"` + delivery + `"}`)
	req, err := http.NewRequest(http.MethodPost, ingest+"/webhooks/gh", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(github.DeliveryHeader, delivery)
	req.Header.Set(github.EventHeader, "ping")
	req.Header.Set(github.SignatureHeader, github.SignPayload(body, metricsSecret))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("webhook %s: %d", delivery, res.StatusCode)
	}
}

// TestMonitorMissingWebhooks runs a gateway with the monitor on: a source that
// stays silent past its expected interval raises "missing webhooks" at the
// sink once; traffic resolves it once.
func TestMonitorMissingWebhooks(t *testing.T) {
	sink := &alertSink{}
	srv := httptest.NewServer(sink)
	defer srv.Close()
	ingest, _ := runGateway(t, false, "monitor:\n  enabled: true\n  interval: 50ms\n  webhook_url: "+srv.URL+"\n"+
		"  sources:\n    gh: {expected_interval: 600ms}\n")
	sendPing(t, ingest, "mon-1")
	time.Sleep(300 * time.Millisecond)
	if got := sink.alerts(); len(got) != 0 {
		t.Fatalf("within the interval: %q", got)
	}
	sink.waitFor(t, "silent past the interval", "firing HookgateMissingWebhooks gh")
	time.Sleep(200 * time.Millisecond) // several more evaluations: nothing re-sent
	sendPing(t, ingest, "mon-2")
	sink.waitFor(t, "traffic resumed", "firing HookgateMissingWebhooks gh", "resolved HookgateMissingWebhooks gh")
}
