package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/hookgate/hookgate/bench/load"
	"github.com/hookgate/hookgate/store"
)

type fakeCommitter struct {
	mu   sync.Mutex
	seen map[string]string
	got  []store.Delivery
	err  error
}

func (f *fakeCommitter) Commit(_ context.Context, d store.Delivery) (store.IngestResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return store.IngestResult{}, f.err
	}
	if id, ok := f.seen[d.Receipt.EventID]; ok {
		return store.IngestResult{ReceiptID: id, Duplicate: true}, nil
	}
	f.seen[d.Receipt.EventID] = d.Receipt.ID
	f.got = append(f.got, d)
	return store.IngestResult{ReceiptID: d.Receipt.ID}, nil
}

func TestServer(t *testing.T) {
	secret := []byte("bench-secret")
	body := load.Body("d-1", 500)
	good := load.Sign(secret, body)
	tests := []struct {
		name       string
		path, sig  string
		delivery   string
		commitErr  error
		wantStatus int
		wantBody   string
		wantStored int
	}{
		{name: "accepted", path: "/webhooks/github", sig: good, delivery: "d1", wantStatus: 200, wantBody: `"accepted"`, wantStored: 1},
		{name: "forged", path: "/webhooks/github", sig: "sha256=" + strings.Repeat("0", 64), delivery: "d1", wantStatus: 401},
		{name: "not hex", path: "/webhooks/github", sig: "sha256=zz", delivery: "d1", wantStatus: 401},
		{name: "no prefix", path: "/webhooks/github", sig: strings.TrimPrefix(good, "sha256="), delivery: "d1", wantStatus: 401},
		{name: "no delivery", path: "/webhooks/github", sig: good, wantStatus: 400},
		{name: "other source", path: "/webhooks/stripe", sig: good, delivery: "d1", wantStatus: 404},
		{name: "store down", path: "/webhooks/github", sig: good, delivery: "d1", commitErr: errors.New("down"), wantStatus: 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := &fakeCommitter{seen: map[string]string{}, err: tt.commitErr}
			s := &Server{Source: "github", Secret: secret, Commit: fc, Log: slog.New(slog.DiscardHandler)}
			req := httptest.NewRequest(http.MethodPost, tt.path, strings.NewReader(string(body)))
			req.Header.Set("X-Hub-Signature-256", tt.sig)
			req.Header.Set("X-GitHub-Event", "push")
			if tt.delivery != "" {
				req.Header.Set("X-GitHub-Delivery", tt.delivery)
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d (%s)", rec.Code, tt.wantStatus, rec.Body)
			}
			if !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Fatalf("body %q, want it to contain %q", rec.Body, tt.wantBody)
			}
			if len(fc.got) != tt.wantStored {
				t.Fatalf("stored %d deliveries, want %d", len(fc.got), tt.wantStored)
			}
			if tt.wantStored == 1 {
				d := fc.got[0]
				if d.Receipt.EventID != "d1" || d.Receipt.EventType != "push" || string(d.Receipt.Body) != string(body) ||
					d.Audit.EventID != "d1" || d.Audit.Status != 200 || d.Receipt.ID == "" || d.Audit.ID == "" {
					t.Fatalf("stored %+v", d)
				}
			}
		})
	}
}

// TestServerUnderLoad runs the load generator against the handler: duplicates
// are acked as duplicates, forgeries refused, nothing unexpected.
func TestServerUnderLoad(t *testing.T) {
	secret := []byte("bench-secret")
	fc := &fakeCommitter{seen: map[string]string{}}
	srv := httptest.NewServer(&Server{Source: "github", Secret: secret, Commit: fc, Log: slog.New(slog.DiscardHandler)})
	defer srv.Close()
	res, err := load.Run(context.Background(), load.Options{
		URL: srv.URL + "/webhooks/github", Secret: secret, Concurrency: 4, Prepared: 300,
		DuplicateShare: 0.2, ForgedShare: 0.2, Seed: 3,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Unexpected != 0 || int64(len(fc.got)) != res.Sent["fresh"] || res.Status[401] != res.Sent["forged"] {
		t.Fatalf("result %s; stored %d", res.Summary(), len(fc.got))
	}
}
