package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/internal/ingest/gateway"
	"github.com/hookgate/hookgate/internal/ingest/groupcommit"
	"github.com/hookgate/hookgate/internal/storage/sqlite"
	"github.com/hookgate/hookgate/providers/builtin"
	"github.com/hookgate/hookgate/providers/github"
	"github.com/hookgate/hookgate/store"
)

const (
	ghSecret   = "gateway-test-github-secret"
	bodyCap    = 32
	smallLimit = 1024
)

const testConfig = `
sources:
  - name: gh
    provider: github
    secrets: [` + ghSecret + `]
    body_limit: "1024"
`

// countingNotifier records every notified ref.
type countingNotifier struct {
	mu   sync.Mutex
	refs []store.Ref
}

func (n *countingNotifier) Notify(ref store.Ref) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.refs = append(n.refs, ref)
}

func (n *countingNotifier) got() []store.Ref {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]store.Ref(nil), n.refs...)
}

// failingCommitter is a store that is down.
type failingCommitter struct{ calls int }

func (f *failingCommitter) Commit(context.Context, store.Delivery) (store.IngestResult, error) {
	f.calls++
	return store.IngestResult{}, errors.New("database is locked")
}

type harness struct {
	closed bool
	gw     *gateway.Gateway
	h      http.Handler
	st     *sqlite.Store
	notify *countingNotifier
}

// newHarness builds a gateway over a real SQLite store, a group committer and the
// built-in providers. commit overrides the committer when non-nil.
func newHarness(t *testing.T, commit gateway.Committer, checks ...gateway.Check) *harness {
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
	n := &countingNotifier{}
	gw, err := gateway.New(gateway.Options{
		Sources: srcs, Committer: commit, Audit: st, Notifier: n, Checks: checks,
		RejectedBodyCap: bodyCap,
	})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{gw: gw, h: gw.Handler(), st: st, notify: n}
	t.Cleanup(h.close)
	return h
}

// audits flushes the rejected-request audit queue and returns every audit record.
func (h *harness) audits(t *testing.T) []store.AuditRecord {
	t.Helper()
	h.close()
	recs, err := h.st.ListAudit(context.Background(), store.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// close flushes the audit queue once (Gateway.Close is not idempotent).
func (h *harness) close() {
	if !h.closed {
		h.closed = true
		h.gw.Close()
	}
}

// ghRequest builds a signed GitHub delivery; sign=false leaves a bad signature.
func ghRequest(delivery string, body []byte, sign bool) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/webhooks/gh", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(github.DeliveryHeader, delivery)
	r.Header.Set(github.EventHeader, "push")
	sig := github.SignPayload(body, ghSecret)
	if !sign {
		sig = github.SignPayload(body, "some-other-secret")
	}
	r.Header.Set(github.SignatureHeader, sig)
	return r
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

type ack struct {
	Status    string `json:"status"`
	ReceiptID string `json:"receipt_id"`
	EventID   string `json:"event_id"`
	Error     string `json:"error"`
	Reason    string `json:"reason"`
}

func decode(t *testing.T, w *httptest.ResponseRecorder) ack {
	t.Helper()
	var a ack
	if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil {
		t.Fatalf("response %q: %v", w.Body.String(), err)
	}
	return a
}

const pushBody = `{"ref":"refs/heads/main","repository":{"full_name":"o/r"}}`

// pushOf is a push body of its own for delivery: distinct events have
// distinct signed content (identical content is deduplicated).
func pushOf(delivery string) []byte {
	return []byte(`{"ref":"refs/heads/main","after":"` + delivery + `","repository":{"full_name":"o/r"}}`)
}

func TestRejections(t *testing.T) {
	tests := []struct {
		name       string
		req        func() *http.Request
		wantStatus int
		wantReason string
		wantSource string
	}{
		{"unknown source", func() *http.Request {
			return httptest.NewRequest(http.MethodPost, "/webhooks/nope", strings.NewReader("{}"))
		}, http.StatusNotFound, "unknown_source", "_unknown"}, // the requested name is never stored
		{"invalid source name", func() *http.Request {
			return httptest.NewRequest(http.MethodPost, "/webhooks/..%2F..", strings.NewReader("{}"))
		}, http.StatusNotFound, "unknown_source", "_unknown"},
		{"upper-case source name", func() *http.Request {
			return httptest.NewRequest(http.MethodPost, "/webhooks/GH", strings.NewReader("{}"))
		}, http.StatusNotFound, "unknown_source", "_unknown"},
		{"body over limit", func() *http.Request {
			return ghRequest("d-big", bytes.Repeat([]byte("x"), smallLimit+1), true)
		}, http.StatusRequestEntityTooLarge, "body_too_large", "gh"},
		{"body over limit without length", func() *http.Request {
			r := ghRequest("d-big2", bytes.Repeat([]byte("x"), smallLimit+10), true)
			r.ContentLength = -1
			return r
		}, http.StatusRequestEntityTooLarge, "body_too_large", "gh"},
		{"gzip", func() *http.Request {
			r := ghRequest("d-gz", []byte(pushBody), true)
			r.Header.Set("Content-Encoding", "gzip")
			return r
		}, http.StatusUnsupportedMediaType, "content_encoding", "gh"},
		{"GET on the webhook path", func() *http.Request {
			return httptest.NewRequest(http.MethodGet, "/webhooks/gh", nil)
		}, http.StatusMethodNotAllowed, "method", "gh"},
		{"PUT on the webhook path", func() *http.Request {
			return httptest.NewRequest(http.MethodPut, "/webhooks/gh", nil)
		}, http.StatusMethodNotAllowed, "method", "_unknown"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil)
			w := serve(h.h, tc.req())
			if w.Code != tc.wantStatus {
				t.Fatalf("status = %d, want %d (%s)", w.Code, tc.wantStatus, w.Body)
			}
			if a := decode(t, w); a.Reason != tc.wantReason {
				t.Errorf("reason = %q, want %q", a.Reason, tc.wantReason)
			}
			recs := h.audits(t)
			if len(recs) != 1 {
				t.Fatalf("audit records = %d, want 1", len(recs))
			}
			r := recs[0]
			if r.Outcome != store.OutcomeRejected || r.Status != tc.wantStatus || r.Reason != tc.wantReason {
				t.Errorf("audit = outcome %q status %d reason %q", r.Outcome, r.Status, r.Reason)
			}
			if r.Source != tc.wantSource {
				t.Errorf("audit source = %q, want %q", r.Source, tc.wantSource)
			}
			if got := h.notify.got(); len(got) != 0 {
				t.Errorf("notified for a rejected request: %v", got)
			}
			page, err := h.st.ListReceipts(context.Background(), store.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Receipts) != 0 {
				t.Errorf("receipts stored for a rejected request: %d", len(page.Receipts))
			}
		})
	}
}

func TestBadSignature(t *testing.T) {
	h := newHarness(t, nil)
	body := []byte(strings.Repeat("A", 100))
	r := ghRequest("d-bad", body, false)
	r.RemoteAddr = "198.51.100.7:5555"
	w := serve(h.h, r)
	if w.Code != http.StatusUnauthorized {
		t.Fatalf("status = %d, want 401", w.Code)
	}
	if strings.Contains(w.Body.String(), ghSecret) || strings.Contains(w.Body.String(), "sha256=") {
		t.Errorf("response reveals verification details: %s", w.Body)
	}
	recs := h.audits(t)
	if len(recs) != 1 {
		t.Fatalf("audit records = %d, want 1", len(recs))
	}
	rec := recs[0]
	if rec.Outcome != store.OutcomeRejected || rec.Status != http.StatusUnauthorized || rec.Source != "gh" {
		t.Errorf("audit = %+v", rec)
	}
	if len(rec.Body) != bodyCap || rec.BodySize != int64(len(body)) {
		t.Errorf("audit body = %d bytes (size %d), want capped at %d of %d", len(rec.Body), rec.BodySize, bodyCap, len(body))
	}
	if rec.RemoteIP != "198.51.100.7" {
		t.Errorf("remote ip = %q", rec.RemoteIP)
	}
}

func TestAcceptDuplicateNotify(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()

	r := ghRequest("d-1", []byte(pushBody), true)
	r.Header.Set("Authorization", "Bearer very-secret-credential")
	r.Header.Set("X-Forwarded-For", "203.0.113.9")
	r.RemoteAddr = "192.0.2.10:1234"
	w := serve(h.h, r)
	if w.Code != http.StatusOK {
		t.Fatalf("status = %d (%s)", w.Code, w.Body)
	}
	a := decode(t, w)
	if a.Status != "accepted" || a.ReceiptID == "" || a.EventID != "d-1" {
		t.Fatalf("ack = %+v", a)
	}
	for _, hdr := range []string{"X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Cache-Control", "Content-Security-Policy"} {
		if w.Header().Get(hdr) == "" {
			t.Errorf("security header %s missing", hdr)
		}
	}

	// Redelivery of the same event: acknowledged, counted, not stored again.
	w2 := serve(h.h, ghRequest("d-1", []byte(pushBody), true))
	if w2.Code != http.StatusOK {
		t.Fatalf("duplicate status = %d", w2.Code)
	}
	a2 := decode(t, w2)
	if a2.Status != "duplicate" || a2.ReceiptID != a.ReceiptID {
		t.Errorf("duplicate ack = %+v, want duplicate of %s", a2, a.ReceiptID)
	}

	// A second, different event.
	w3 := serve(h.h, ghRequest("d-2", pushOf("d-2"), true))
	if w3.Code != http.StatusOK || decode(t, w3).Status != "accepted" {
		t.Fatalf("second event: %d %s", w3.Code, w3.Body)
	}

	// The duplicate was acked from the fast path (known.go): its counter and
	// audit row are recorded in the background, which Close waits for.
	h.close()
	page, err := h.st.ListReceipts(ctx, store.Filter{EventID: "d-1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Receipts) != 1 {
		t.Fatalf("receipts for d-1 = %d, want 1", len(page.Receipts))
	}
	rc, err := h.st.Receipt(ctx, a.ReceiptID)
	if err != nil {
		t.Fatal(err)
	}
	if rc.Duplicates != 1 || rc.Status != store.StatusVerified || rc.Source != "gh" || rc.EventType != "push" {
		t.Errorf("receipt = dup %d status %q source %q type %q", rc.Duplicates, rc.Status, rc.Source, rc.EventType)
	}
	if string(rc.Body) != pushBody {
		t.Errorf("receipt body = %q", rc.Body)
	}
	if got := rc.Header.Get("Authorization"); got != "[redacted]" {
		t.Errorf("receipt Authorization = %q, want redacted", got)
	}

	// Notified exactly once per new receipt, never for the duplicate.
	refs := h.notify.got()
	if len(refs) != 2 {
		t.Fatalf("notifications = %v, want 2", refs)
	}
	if refs[0] != (store.Ref{ID: a.ReceiptID, Source: "gh", EventID: "d-1", EventType: "push"}) || refs[1].EventID != "d-2" {
		t.Errorf("notifications = %+v", refs)
	}

	recs := h.audits(t)
	var accepted []store.AuditRecord
	dups := 0
	for _, rec := range recs {
		switch rec.Outcome {
		case store.OutcomeAccepted:
			accepted = append(accepted, rec)
		case store.OutcomeDuplicate:
			dups++
		}
		for k, vs := range rec.Header {
			for _, v := range vs {
				if strings.Contains(v, "very-secret-credential") {
					t.Errorf("audit header %s keeps the credential", k)
				}
			}
		}
	}
	if len(accepted) != 2 || dups != 1 {
		t.Fatalf("audit: %d accepted, %d duplicate; want 2 and 1 (%+v)", len(accepted), dups, recs)
	}
	var first store.AuditRecord
	for _, rec := range accepted {
		if rec.EventID == "d-1" {
			first = rec
		}
	}
	if got := first.Header.Get("Authorization"); got != "[redacted]" {
		t.Errorf("audit Authorization = %q, want redacted", got)
	}
	// Without trusted proxies, X-Forwarded-For is ignored.
	if first.RemoteIP != "192.0.2.10" {
		t.Errorf("remote ip = %q, want the connection's 192.0.2.10", first.RemoteIP)
	}
	if first.ReceiptID != a.ReceiptID || first.Status != http.StatusOK {
		t.Errorf("accepted audit = %+v", first)
	}
}

func TestStoreDown(t *testing.T) {
	t.Run("failing committer", func(t *testing.T) {
		fc := &failingCommitter{}
		h := newHarness(t, fc)
		w := serve(h.h, ghRequest("d-x", []byte(pushBody), true))
		if w.Code != http.StatusServiceUnavailable {
			t.Fatalf("status = %d, want 503", w.Code)
		}
		if w.Header().Get("Retry-After") == "" {
			t.Error("no Retry-After on 503")
		}
		if strings.Contains(w.Body.String(), "database is locked") {
			t.Errorf("response leaks the store error: %s", w.Body)
		}
		if fc.calls != 1 {
			t.Errorf("commit calls = %d", fc.calls)
		}
		if got := h.notify.got(); len(got) != 0 {
			t.Errorf("notified without a commit: %v", got)
		}
	})
	t.Run("closed committer", func(t *testing.T) {
		st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "db"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		gc := groupcommit.New(st, groupcommit.Options{})
		gc.Close()
		h := newHarness(t, gc)
		for i := range 3 {
			w := serve(h.h, ghRequest("d-closed", []byte(pushBody), true))
			if w.Code/100 == 2 || w.Code != http.StatusServiceUnavailable {
				t.Fatalf("try %d: status = %d, want 503", i, w.Code)
			}
			if w.Header().Get("Retry-After") == "" {
				t.Error("no Retry-After on 503")
			}
		}
	})
	t.Run("draining", func(t *testing.T) {
		h := newHarness(t, nil)
		h.gw.Drain()
		w := serve(h.h, ghRequest("d-drain", []byte(pushBody), true))
		if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
			t.Fatalf("draining: status %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
		}
		if w := serve(h.h, httptest.NewRequest(http.MethodGet, "/readyz", nil)); w.Code != http.StatusServiceUnavailable {
			t.Errorf("readyz while draining = %d", w.Code)
		}
	})
}

func TestHealthAndReadiness(t *testing.T) {
	var fail bool
	var mu sync.Mutex
	check := gateway.Check{Name: "store", Fn: func(context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			return errors.New("down")
		}
		return nil
	}}
	h := newHarness(t, nil, check)
	get := func(path string) *httptest.ResponseRecorder {
		return serve(h.h, httptest.NewRequest(http.MethodGet, path, nil))
	}
	if w := get("/healthz"); w.Code != http.StatusOK {
		t.Errorf("healthz = %d", w.Code)
	} else if w.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Error("healthz lacks security headers")
	}
	if w := get("/readyz"); w.Code != http.StatusOK {
		t.Errorf("readyz healthy = %d", w.Code)
	}
	mu.Lock()
	fail = true
	mu.Unlock()
	w := get("/readyz")
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("readyz with failing check = %d, want 503", w.Code)
	}
	var body map[string]string
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body["store"] != "unavailable" {
		t.Errorf("readyz body = %s", w.Body)
	}
	if w := get("/nowhere"); w.Code != http.StatusNotFound {
		t.Errorf("unknown path = %d", w.Code)
	}
}

func TestPublicURL(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "http://internal:8005/webhooks/tw?a=1", nil)
	base, _ := http.NewRequest(http.MethodGet, "https://hooks.example.com/prefix/", nil)
	if got := gateway.PublicURL(base.URL, r).String(); got != "https://hooks.example.com/prefix/webhooks/tw?a=1" {
		t.Errorf("with base: %s", got)
	}
	if got := gateway.PublicURL(nil, r).String(); got != "http://internal:8005/webhooks/tw?a=1" {
		t.Errorf("without base: %s", got)
	}
}

func TestNewRequiresDependencies(t *testing.T) {
	if _, err := gateway.New(gateway.Options{}); err == nil {
		t.Error("New without committer and audit succeeded")
	}
	_ = time.Now
}
