package admin_test

import (
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

	"github.com/hookgate/hookgate/internal/operations/admin"
	"github.com/hookgate/hookgate/internal/storage/sqlite"
	"github.com/hookgate/hookgate/store"
)

const (
	opsToken    = "ops-token-0123456789abcdef"
	ciToken     = "ci-token-fedcba9876543210"
	bodiesToken = "bodies-token-0123456789ab"
	readToken   = "read-token-0123456789abcd"
	replayToken = "replay-token-0123456789ab"
)

// spyRelay is the replay's workflow starter: it records the refs it started.
type spyRelay struct {
	mu   sync.Mutex
	refs []store.Ref
}

func (r *spyRelay) Start(_ context.Context, ref store.Ref) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.refs = append(r.refs, ref)
	return ref.Source + "/" + ref.EventID, nil
}

func (r *spyRelay) got() []store.Ref {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]store.Ref(nil), r.refs...)
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type fixture struct {
	api   *admin.API
	st    *sqlite.Store
	relay *spyRelay
	now   time.Time
}

// newFixture stores three receipts: r1 (gh, push, completed, with an attempt and
// an event), r2 (gh, ping, unhandled) and r3 (stripe, invoice.paid, verified).
func newFixture(t *testing.T) *fixture {
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
	mk := func(id, source, evID, typ string, at time.Time) store.Delivery {
		return store.Delivery{
			Receipt: store.Receipt{
				ID: id, Source: source, Provider: source, EventID: evID, EventType: typ,
				Status: store.StatusVerified, ContentType: "application/json",
				Header:     http.Header{"Authorization": {"[redacted]"}, "X-Test": {"1"}},
				Body:       []byte(`{"id":"` + evID + `"}`),
				ReceivedAt: at,
			},
			Audit: store.AuditRecord{ID: "a-" + id, At: at, Source: source, Status: 200, Outcome: store.OutcomeAccepted},
		}
	}
	if _, err := st.Ingest(ctx, []store.Delivery{
		mk("r1", "gh", "e1", "push", t0),
		mk("r2", "gh", "e2", "ping", t0.Add(time.Minute)),
		mk("r3", "stripe", "e3", "invoice.paid", t0.Add(2*time.Minute)),
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.Audit(ctx, []store.AuditRecord{{ID: "rej-1", At: t0, Source: "gh", Status: 401, Outcome: store.OutcomeRejected, Reason: "signature_mismatch"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Transition(ctx, store.Transition{ReceiptID: "r1", To: store.StatusCompleted, At: t0.Add(time.Second)}); err != nil {
		t.Fatal(err)
	}
	if err := st.Transition(ctx, store.Transition{ReceiptID: "r2", To: store.StatusUnhandled, At: t0.Add(time.Second)}); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordAttempt(ctx, store.Attempt{ReceiptID: "r1", Step: store.StepHandle, Attempt: 1, StartedAt: t0, FinishedAt: t0.Add(time.Millisecond)}); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveEvents(ctx, []store.Event{{ID: "ev-1", ReceiptID: "r1", Type: "code.pushed", Time: t0, Envelope: []byte(`{"specversion":"1.0"}`)}}); err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, relay: &spyRelay{}, now: t0.Add(time.Hour)}
	f.api = admin.New(admin.Options{
		Store: st, Starter: f.relay, Secrets: st,
		Tokens: []admin.Token{{Name: "ops", Value: opsToken}, {Name: "ci", Value: ciToken},
			{Name: "forensics", Value: bodiesToken, Scopes: []admin.Scope{admin.ScopeReadBodies}},
			{Name: "dashboard", Value: readToken, Scopes: []admin.Scope{admin.ScopeRead}},
			{Name: "replayer", Value: replayToken, Scopes: []admin.Scope{admin.ScopeReplay}}},
		Now: func() time.Time { return f.now },
	})
	return f
}

func (f *fixture) do(t *testing.T, method, target, token, body string) *httptest.ResponseRecorder {
	t.Helper()
	var r *http.Request
	if body != "" {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	f.api.Handler().ServeHTTP(w, r)
	for _, secret := range []string{opsToken, ciToken, bodiesToken, readToken, replayToken} {
		if strings.Contains(w.Body.String(), secret) || strings.Contains(strings.Join(w.Header().Values("WWW-Authenticate"), " "), secret) {
			t.Errorf("%s %s: response carries a token: %s", method, target, w.Body)
		}
	}
	return w
}

func TestAuth(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		header string
		want   int
	}{
		{"missing", "", http.StatusUnauthorized},
		{"not bearer", "Basic " + opsToken, http.StatusUnauthorized},
		{"empty bearer", "Bearer ", http.StatusUnauthorized},
		{"wrong", "Bearer wrong-token-0123456789", http.StatusUnauthorized},
		{"prefix of right", "Bearer " + opsToken[:10], http.StatusUnauthorized},
		{"right", "Bearer " + opsToken, http.StatusOK},
		{"second token", "Bearer " + ciToken, http.StatusOK},
		// The auth scheme is case-insensitive (RFC 9110, 11.1).
		{"lower-case scheme", "bearer " + opsToken, http.StatusOK},
		{"upper-case scheme", "BEARER " + opsToken, http.StatusOK},
		{"no space", "Bearer" + opsToken, http.StatusUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/v1/receipts", nil)
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			w := httptest.NewRecorder()
			f.api.Handler().ServeHTTP(w, r)
			if w.Code != tc.want {
				t.Errorf("status = %d, want %d", w.Code, tc.want)
			}
			if tc.want == http.StatusUnauthorized && strings.Contains(w.Body.String(), "receipts") {
				t.Errorf("unauthorised response carries data: %s", w.Body)
			}
		})
	}
	// Every route is behind auth, replay included.
	for _, p := range []string{"/v1/receipts/r1", "/v1/events", "/v1/audit"} {
		if w := f.do(t, http.MethodGet, p, "", ""); w.Code != http.StatusUnauthorized {
			t.Errorf("GET %s without token = %d", p, w.Code)
		}
	}
	if w := f.do(t, http.MethodPost, "/v1/receipts/r1/replay", "", ""); w.Code != http.StatusUnauthorized {
		t.Errorf("replay without token = %d", w.Code)
	}
	if len(f.relay.got()) != 0 {
		t.Error("unauthorised replay notified the relay")
	}
	// No tokens configured: everything is refused.
	closed := admin.New(admin.Options{Store: f.st})
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/v1/receipts", nil)
	r.Header.Set("Authorization", "Bearer "+opsToken)
	closed.Handler().ServeHTTP(w, r)
	if w.Code != http.StatusUnauthorized {
		t.Errorf("API without tokens answered %d", w.Code)
	}
}

type listResp struct {
	Receipts []admin.ReceiptView `json:"receipts"`
	Next     string              `json:"next"`
}

func ids(rs []admin.ReceiptView) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return strings.Join(out, ",")
}

func TestListFilters(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		query string
		want  string // receipt IDs, newest first
	}{
		{"", "r3,r2,r1"},
		{"source=gh", "r2,r1"},
		{"status=completed", "r1"},
		{"status=unhandled", "r2"},
		{"event_type=invoice.paid", "r3"},
		{"event_id=e2", "r2"},
		{"source=gh&status=verified", ""},
		{"since=" + t0.Add(30*time.Second).Format(time.RFC3339), "r3,r2"},
		{"until=" + t0.Add(90*time.Second).Format(time.RFC3339), "r2,r1"},
		{"limit=1", "r3"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			w := f.do(t, http.MethodGet, "/v1/receipts?"+tc.query, opsToken, "")
			if w.Code != http.StatusOK {
				t.Fatalf("status = %d (%s)", w.Code, w.Body)
			}
			var out listResp
			if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
				t.Fatal(err)
			}
			if got := ids(out.Receipts); got != tc.want {
				t.Errorf("receipts = %q, want %q", got, tc.want)
			}
			for _, r := range out.Receipts {
				if r.Body != "" || r.BodyBase64 != "" || r.Header != nil {
					t.Errorf("list shows body or headers of %s", r.ID)
				}
			}
		})
	}
	// Pagination: limit=1 pages through every receipt.
	var seen []string
	cursor := ""
	for range 5 {
		w := f.do(t, http.MethodGet, "/v1/receipts?limit=1&cursor="+cursor, opsToken, "")
		var out listResp
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatal(err)
		}
		for _, r := range out.Receipts {
			seen = append(seen, r.ID)
		}
		if out.Next == "" {
			break
		}
		cursor = out.Next
	}
	if got := strings.Join(seen, ","); got != "r3,r2,r1" {
		t.Errorf("paged = %q", got)
	}
	for _, bad := range []string{"status=bogus", "limit=0", "limit=1001", "limit=x", "since=yesterday"} {
		if w := f.do(t, http.MethodGet, "/v1/receipts?"+bad, opsToken, ""); w.Code != http.StatusBadRequest {
			t.Errorf("%s: status = %d, want 400", bad, w.Code)
		}
	}
}

type getResp struct {
	Receipt  admin.ReceiptView `json:"receipt"`
	Attempts []struct {
		Step    string `json:"step"`
		Attempt int    `json:"attempt"`
	} `json:"attempts"`
	Events  []admin.EventView `json:"events"`
	Replays []struct {
		Actor  string `json:"actor"`
		Reason string `json:"reason"`
	} `json:"replays"`
}

func TestGetReceipt(t *testing.T) {
	f := newFixture(t)
	w := f.do(t, http.MethodGet, "/v1/receipts/r1?body=1", bodiesToken, "")
	if w.Code != http.StatusOK {
		t.Fatalf("status = %d (%s)", w.Code, w.Body)
	}
	var out getResp
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if out.Receipt.ID != "r1" || out.Receipt.Status != store.StatusCompleted || out.Receipt.Attempts != 1 {
		t.Errorf("receipt = %+v", out.Receipt)
	}
	if out.Receipt.Body != `{"id":"e1"}` {
		t.Errorf("body = %q", out.Receipt.Body)
	}
	if out.Receipt.Header["Authorization"][0] != "[redacted]" {
		t.Errorf("headers = %v", out.Receipt.Header)
	}
	if len(out.Attempts) != 1 || out.Attempts[0].Step != string(store.StepHandle) || out.Attempts[0].Attempt != 1 {
		t.Errorf("attempts = %+v", out.Attempts)
	}
	if len(out.Events) != 1 || out.Events[0].ID != "ev-1" || out.Events[0].Type != "code.pushed" {
		t.Errorf("events = %+v", out.Events)
	}
	if len(out.Replays) != 0 {
		t.Errorf("replays = %+v", out.Replays)
	}
	// Without ?body=1 the body is left out.
	w = f.do(t, http.MethodGet, "/v1/receipts/r1", opsToken, "")
	out = getResp{}
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if out.Receipt.Body != "" {
		t.Errorf("body shown without ?body=1")
	}
	if w := f.do(t, http.MethodGet, "/v1/receipts/nope", opsToken, ""); w.Code != http.StatusNotFound {
		t.Errorf("unknown id = %d, want 404", w.Code)
	}
}

func TestReplay(t *testing.T) {
	f := newFixture(t)
	w := f.do(t, http.MethodPost, "/v1/receipts/r1/replay", ciToken, `{"reason":"handler fixed"}`)
	if w.Code != http.StatusAccepted {
		t.Fatalf("status = %d (%s)", w.Code, w.Body)
	}
	ctx := context.Background()
	r, err := f.st.Receipt(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != store.StatusQueued || !r.CompletedAt.IsZero() || r.Generation != 1 || r.WorkflowID != "gh/e1" {
		t.Errorf("after replay: status %q completed %v generation %d workflow %q, want queued as generation 1 of gh/e1",
			r.Status, r.CompletedAt, r.Generation, r.WorkflowID)
	}
	reps, err := f.st.Replays(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 1 || reps[0].Actor != "ci" || reps[0].Reason != "handler fixed" || !reps[0].At.Equal(f.now) {
		t.Errorf("replays = %+v, want one by ci", reps)
	}
	if got := f.relay.got(); len(got) != 1 || got[0] != (store.Ref{ID: "r1", Source: "gh", EventID: "e1", EventType: "push", Replay: true, Generation: 1, Mode: store.ModeResume}) {
		t.Errorf("started %+v, want r1's run of generation 1", got)
	}
	// Its new run has not ended: a second replay is refused, and changes nothing.
	if w := f.do(t, http.MethodPost, "/v1/receipts/r1/replay", ciToken, ""); w.Code != http.StatusConflict {
		t.Errorf("replay of a receipt whose run is open = %d (%s), want 409", w.Code, w.Body)
	}
	if reps, _ := f.st.Replays(ctx, "r1"); len(reps) != 1 {
		t.Errorf("a refused replay was recorded: %+v", reps)
	}
	// The replay shows on the receipt.
	var out getResp
	if err := json.Unmarshal(f.do(t, http.MethodGet, "/v1/receipts/r1", opsToken, "").Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Replays) != 1 || out.Replays[0].Actor != "ci" {
		t.Errorf("replays in view = %+v", out.Replays)
	}

	// Without a body the replay is still accepted, by the token's own name.
	if w := f.do(t, http.MethodPost, "/v1/receipts/r2/replay", opsToken, ""); w.Code != http.StatusAccepted {
		t.Errorf("replay without body = %d", w.Code)
	}
	if reps, _ := f.st.Replays(ctx, "r2"); len(reps) != 1 || reps[0].Actor != "ops" {
		t.Errorf("r2 replays = %+v", reps)
	}

	before := len(f.relay.got())
	if w := f.do(t, http.MethodPost, "/v1/receipts/nope/replay", opsToken, ""); w.Code != http.StatusNotFound {
		t.Errorf("replay unknown = %d, want 404", w.Code)
	}
	if w := f.do(t, http.MethodPost, "/v1/receipts/r3/replay", opsToken, `{"mode":"again"}`); w.Code != http.StatusBadRequest {
		t.Errorf("replay in an unknown mode = %d, want 400", w.Code)
	}
	if w := f.do(t, http.MethodPost, "/v1/receipts/r3/replay", opsToken, `not json`); w.Code != http.StatusBadRequest {
		t.Errorf("replay bad body = %d, want 400", w.Code)
	}
	if w := f.do(t, http.MethodPost, "/v1/receipts/r3/replay", opsToken, `{"reason":"`+strings.Repeat("x", 1001)+`"}`); w.Code != http.StatusBadRequest {
		t.Errorf("replay long reason = %d, want 400", w.Code)
	}
	if got := len(f.relay.got()); got != before {
		t.Errorf("failed replays notified the relay (%d → %d)", before, got)
	}
}

func TestEventsAndAudit(t *testing.T) {
	f := newFixture(t)
	var evs struct {
		Events []admin.EventView `json:"events"`
	}
	if err := json.Unmarshal(f.do(t, http.MethodGet, "/v1/events?receipt_id=r1", opsToken, "").Body.Bytes(), &evs); err != nil {
		t.Fatal(err)
	}
	if len(evs.Events) != 1 || evs.Events[0].ReceiptID != "r1" {
		t.Errorf("events = %+v", evs.Events)
	}
	if err := json.Unmarshal(f.do(t, http.MethodGet, "/v1/events?type=nothing", opsToken, "").Body.Bytes(), &evs); err != nil {
		t.Fatal(err)
	}
	if len(evs.Events) != 0 {
		t.Errorf("type filter ignored: %+v", evs.Events)
	}
	var au struct {
		Audit []struct {
			ID      string        `json:"id"`
			Outcome store.Outcome `json:"outcome"`
			Reason  string        `json:"reason"`
		} `json:"audit"`
	}
	if err := json.Unmarshal(f.do(t, http.MethodGet, "/v1/audit?outcome=rejected", opsToken, "").Body.Bytes(), &au); err != nil {
		t.Fatal(err)
	}
	if len(au.Audit) != 1 || au.Audit[0].ID != "rej-1" || au.Audit[0].Reason != "signature_mismatch" {
		t.Errorf("audit = %+v", au.Audit)
	}
}

// brokenStore fails every call with an error that must not reach the client.
type brokenStore struct{ admin.Store }

var errSecretish = errors.New("dial postgres://hookgate:dbpassword@db/hookgate failed")

func (brokenStore) ListReceipts(context.Context, store.Filter) (store.Page, error) {
	return store.Page{}, errSecretish
}

func TestStoreErrorIsGeneric(t *testing.T) {
	api := admin.New(admin.Options{Store: brokenStore{}, Tokens: []admin.Token{{Name: "ops", Value: opsToken}}})
	r := httptest.NewRequest(http.MethodGet, "/v1/receipts", nil)
	r.Header.Set("Authorization", "Bearer "+opsToken)
	w := httptest.NewRecorder()
	api.Handler().ServeHTTP(w, r)
	if w.Code != http.StatusInternalServerError {
		t.Errorf("status = %d, want 500", w.Code)
	}
	if strings.Contains(w.Body.String(), "dbpassword") {
		t.Errorf("store error leaked: %s", w.Body)
	}
}

// Tokens carry scopes: stored headers and bodies need read:bodies (with a
// signature header, a stored body of a scheme without a timestamp is a valid
// request), replays need replay, everything else read.
func TestScopes(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		token, method, path string
		want                int
	}{
		{readToken, http.MethodGet, "/v1/receipts", http.StatusOK},
		{readToken, http.MethodGet, "/v1/receipts/r1", http.StatusOK},
		{readToken, http.MethodGet, "/v1/receipts/r1?body=1", http.StatusForbidden},
		{opsToken, http.MethodGet, "/v1/receipts/r1?body=1", http.StatusForbidden},
		{bodiesToken, http.MethodGet, "/v1/receipts/r1?body=1", http.StatusOK},
		{readToken, http.MethodPost, "/v1/receipts/r1/replay", http.StatusForbidden},
		{readToken, http.MethodPost, "/v1/replays", http.StatusForbidden},
		{replayToken, http.MethodGet, "/v1/receipts", http.StatusForbidden},
		{replayToken, http.MethodGet, "/v1/audit", http.StatusForbidden},
		{replayToken, http.MethodPost, "/v1/receipts/r2/replay", http.StatusAccepted},
	} {
		if w := f.do(t, c.method, c.path, c.token, ""); w.Code != c.want {
			t.Errorf("%s %s with a %s token: %d (%s), want %d", c.method, c.path, c.token[:4], w.Code, w.Body, c.want)
		}
	}
	// Without read:bodies the receipt and the audit log show no stored header
	// (the fixture's audit rows have none to show either way).
	for _, path := range []string{"/v1/receipts/r1", "/v1/audit"} {
		body := f.do(t, http.MethodGet, path, readToken, "").Body.String()
		if strings.Contains(body, "Authorization") || strings.Contains(body, "X-Hub-Signature") {
			t.Errorf("%s shows stored headers to a read token: %s", path, body)
		}
		if full := f.do(t, http.MethodGet, path, bodiesToken, "").Body.String(); path != "/v1/audit" && !strings.Contains(full, "Authorization") {
			t.Errorf("%s shows no stored headers to a read:bodies token: %s", path, full)
		}
	}
}

// DELETE /v1/sources/{name}/handshake-secret forgets a kept handshake secret
// (replay scope), so that the next handshake's is kept; 404 when none is.
func TestForgetHandshakeSecret(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.st.RecordSourceSecret(ctx, "asana", "b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81", f.now); err != nil {
		t.Fatal(err)
	}
	if w := f.do(t, http.MethodDelete, "/v1/sources/asana/handshake-secret", readToken, ""); w.Code != http.StatusForbidden {
		t.Fatalf("a read token: %d", w.Code)
	}
	if w := f.do(t, http.MethodDelete, "/v1/sources/asana/handshake-secret", replayToken, ""); w.Code != http.StatusNoContent {
		t.Fatalf("forget: %d %s", w.Code, w.Body)
	}
	if _, err := f.st.SourceSecret(ctx, "asana"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("still kept: %v", err)
	}
	if w := f.do(t, http.MethodDelete, "/v1/sources/asana/handshake-secret", replayToken, ""); w.Code != http.StatusNotFound {
		t.Fatalf("nothing to forget: %d", w.Code)
	}
	if k, err := f.st.RecordSourceSecret(ctx, "asana", "new", f.now); err != nil || k != "new" {
		t.Fatalf("the next handshake's secret: %q %v", k, err)
	}
}
