package gateway_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/internal/ingest/gateway"
	"github.com/hookgate/hookgate/internal/ingest/groupcommit"
	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/builtin"
	hmacsig "github.com/hookgate/hookgate/providers/hmac"
	"github.com/hookgate/hookgate/store"
)

const asanaConfig = "sources:\n  - name: asana\n    provider: asana\n    secrets: [tok-7654]\n"

// Asana's handshake through the real gateway, with Asana's example secret:
// answered with the secret echoed and no receipt; the secret kept in the
// store, so that another replica verifies events with it; a second
// handshake with another secret refused (409) while one is kept; no
// handshake without the target URL's token; the secret never stored in the
// audit log.
func TestAsanaHookSecretThroughTheGateway(t *testing.T) {
	const secret = "b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81"
	h := newLimited(t, asanaConfig, gateway.Options{})
	handshake := func(h http.Handler, target, s string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, target, nil)
		r.Header.Set("X-Hook-Secret", s)
		return serve(h, r)
	}
	if w := handshake(h.h, "/webhooks/asana", secret); w.Code != http.StatusUnauthorized || w.Header().Get("X-Hook-Secret") != "" {
		t.Fatalf("a handshake without the token: %d %v", w.Code, w.Header())
	}
	w := handshake(h.h, "/webhooks/asana?token=tok-7654", secret)
	if w.Code != http.StatusOK || w.Header().Get("X-Hook-Secret") != secret {
		t.Fatalf("handshake: %d %v %s", w.Code, w.Header(), w.Body)
	}
	if kept, err := h.st.SourceSecret(context.Background(), "asana"); err != nil || kept != secret {
		t.Fatalf("kept %q %v", kept, err)
	}
	if w := handshake(h.h, "/webhooks/asana?token=tok-7654", strings.Repeat("f", 64)); w.Code != http.StatusConflict || w.Header().Get("X-Hook-Secret") != "" {
		t.Fatalf("another secret while one is kept: %d %v, want 409", w.Code, w.Header())
	}
	if w := handshake(h.h, "/webhooks/asana?token=tok-7654", secret); w.Code != http.StatusOK {
		t.Fatalf("the same handshake again: %d", w.Code)
	}

	// Another replica over the same store, started before the handshake
	// happened elsewhere, reads the secret when an event needs it.
	cfg, err := config.Parse([]byte(asanaConfig), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := gateway.BuildSources(cfg, builtin.Providers())
	if err != nil {
		t.Fatal(err)
	}
	gc := groupcommit.New(h.st, groupcommit.Options{})
	t.Cleanup(gc.Close)
	replica, err := gateway.New(gateway.Options{Sources: srcs, Committer: gc, Audit: h.st, Secrets: h.st})
	if err != nil {
		t.Fatal(err)
	}
	event := func(s string) *http.Request {
		body := `{"events":[{"user":{"gid":"1201437581210431","resource_type":"user"},"created_at":"2026-12-07T20:30:00.000Z","action":"changed","resource":{"gid":"1206817422009876","resource_type":"task"},"parent":null}]}`
		r := &providers.Request{Method: http.MethodPost, Header: http.Header{}, Body: []byte(body), Now: time.Now()}
		if err := (&hmacsig.Template{Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex, Header: "X-Hook-Signature"}).Sign(r, s, ""); err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, "/webhooks/asana?token=tok-7654", strings.NewReader(body))
		req.Header = r.Header
		req.Header.Set("Content-Type", "application/json")
		return req
	}
	if w := serve(replica.Handler(), event(secret)); w.Code != http.StatusOK {
		t.Fatalf("an event on the other replica: %d %s", w.Code, w.Body)
	}
	if w := serve(h.h, event(strings.Repeat("0", 64))); w.Code != http.StatusUnauthorized {
		t.Fatalf("an event signed with another secret: %d", w.Code)
	}
	page, err := h.st.ListReceipts(context.Background(), store.Filter{Limit: 10})
	if err != nil || len(page.Receipts) != 1 || page.Receipts[0].EventType != "changed" {
		t.Fatalf("receipts %+v %v, want the one event", page.Receipts, err)
	}
	for _, rec := range h.audits(t) {
		for _, v := range rec.Header.Values("X-Hook-Secret") {
			if v == secret {
				t.Fatalf("the handshake secret stored in the audit log: %+v", rec)
			}
		}
	}
	if got := reasons(h.audits(t)); got["check:asana_hook_secret"] != 2 || got["secret_conflict"] != 1 {
		t.Fatalf("audit reasons %v", got)
	}
}
