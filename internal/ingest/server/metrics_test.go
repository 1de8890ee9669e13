package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/internal/boot"
	"github.com/hookgate/hookgate/internal/ingest/server"
	"github.com/hookgate/hookgate/internal/processing/relay"
	"github.com/hookgate/hookgate/internal/storage/sqlite"
	"github.com/hookgate/hookgate/providers/github"
)

const metricsSecret = "metrics-test-github-secret"

// startsAll is a Temporal client whose workflow starts succeed at once; other
// calls panic (nil embedded interface), which the test would show.
type startsAll struct{ client.Client }

func (startsAll) ExecuteWorkflow(_ context.Context, o client.StartWorkflowOptions, _ any, _ ...any) (client.WorkflowRun, error) {
	return startedRun{id: o.ID}, nil
}

func (startsAll) CheckHealth(context.Context, *client.CheckHealthRequest) (*client.CheckHealthResponse, error) {
	return &client.CheckHealthResponse{}, nil
}

type startedRun struct {
	client.WorkflowRun
	id string
}

func (r startedRun) GetID() string    { return r.id }
func (r startedRun) GetRunID() string { return "run" }

// runGateway runs a gateway process with metrics and returns its ingest and
// admin base URLs.
func runGateway(t *testing.T, tokenRequired bool, extra ...string) (ingest, adm string) {
	t.Helper()
	yml := strings.Join(extra, "") + "sources:\n  - name: gh\n    provider: github\n    secrets: [" + metricsSecret + "]\n" +
		"admin_tokens:\n  - name: ops\n    token: ops-token-0123456789\n"
	if tokenRequired {
		yml += "metrics_token_required: true\n"
	}
	cfg, err := config.Parse([]byte(yml), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hookgate.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	in, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ad, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- server.Run(ctx, server.Deps{
			Config: cfg, Store: st, Temporal: startsAll{}, Logger: discard(),
			Ingest: in, Admin: ad, Metrics: boot.NewMetrics(cfg),
			Relay: relay.Options{Interval: 50 * time.Millisecond, Grace: time.Millisecond},
		})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server.Run: %v", err)
		}
		st.Close()
	})
	return "http://" + in.Addr().String(), "http://" + ad.Addr().String()
}

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

func TestMetricsServed(t *testing.T) {
	ingest, adm := runGateway(t, false)
	body := []byte(`{"zen":"metrics"}`)
	req, _ := http.NewRequest(http.MethodPost, ingest+"/webhooks/gh", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(github.DeliveryHeader, "metrics-1")
	req.Header.Set(github.EventHeader, "ping")
	req.Header.Set(github.SignatureHeader, github.SignPayload(body, metricsSecret))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("webhook: %d", res.StatusCode)
	}
	want := []string{
		`hookgate_requests_total{code="200",outcome="accepted",source="gh"} 1`,
		// At least one start: the notification and a sweep may both start it
		// (idempotently) before it is marked queued.
		`hookgate_relay_starts_total{result="ok"} `,
		"hookgate_relay_backlog 0",
		"hookgate_relay_lag_seconds 0",
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, out := get(t, adm+"/metrics", "")
		missing := ""
		for _, w := range want {
			if !strings.Contains(out, w) {
				missing = w
			}
		}
		if code == 200 && missing == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics (%d) lacks %s:\n%s", code, missing, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code, _ := get(t, adm+"/v1/receipts", ""); code != http.StatusUnauthorized {
		t.Errorf("admin API without a token: %d, want 401", code)
	}
	if code, out := get(t, adm+"/v1/stats?source=gh", "ops-token-0123456789"); code != 200 || !strings.Contains(out, `"source":"gh"`) {
		t.Errorf("/v1/stats: %d %s", code, out)
	}
}

func TestMetricsTokenRequired(t *testing.T) {
	_, adm := runGateway(t, true)
	if code, _ := get(t, adm+"/metrics", ""); code != http.StatusUnauthorized {
		t.Errorf("/metrics without a token: %d, want 401", code)
	}
	if code, out := get(t, adm+"/metrics", "ops-token-0123456789"); code != 200 || !strings.Contains(out, "hookgate_relay_backlog") {
		t.Errorf("/metrics with a token: %d", code)
	}
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
