package gateway_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/internal/ingest/gateway"
	"github.com/hookgate/hookgate/internal/ingest/groupcommit"
	"github.com/hookgate/hookgate/internal/ingest/ratelimit"
	"github.com/hookgate/hookgate/internal/storage/sqlite"
	"github.com/hookgate/hookgate/providers/builtin"
	"github.com/hookgate/hookgate/store"
)

// newLimited builds a gateway over SQLite from a config, with the given limit
// options (the config's allowed_ips reach the sources through BuildSources).
func newLimited(t *testing.T, cfgYAML string, o gateway.Options) *harness {
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
	gc := groupcommit.New(st, groupcommit.Options{})
	t.Cleanup(gc.Close)
	cfg, err := config.Parse([]byte(cfgYAML), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := gateway.BuildSources(cfg, builtin.Providers())
	if err != nil {
		t.Fatal(err)
	}
	o.Sources, o.Committer, o.Audit = srcs, gc, st
	if o.Secrets == nil {
		o.Secrets = st
	}
	gw, err := gateway.New(o)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{gw: gw, h: gw.Handler(), st: st, notify: &countingNotifier{}}
	t.Cleanup(h.close)
	return h
}

// from sets the request's peer address.
func from(r *http.Request, ip string) *http.Request {
	r.RemoteAddr = ip + ":40000"
	return r
}

func reasons(recs []store.AuditRecord) map[string]int {
	out := map[string]int{}
	for _, r := range recs {
		out[r.Reason]++
	}
	return out
}

func TestAllowedIPs(t *testing.T) {
	h := newLimited(t, testConfig+"    allowed_ips: [10.0.0.0/8, 2001:db8::/32]\n", gateway.Options{})
	tests := []struct {
		name   string
		req    *http.Request
		status int
	}{
		{"inside the allowlist", from(ghRequest("a1", []byte(pushBody), true), "10.1.2.3"), http.StatusOK},
		{"IPv6 inside", from(ghRequest("a2", []byte(pushBody), true), "[2001:db8::7]"), http.StatusOK},
		{"outside", from(ghRequest("a3", []byte(pushBody), true), "192.0.2.1"), http.StatusForbidden},
		{"spoofed X-Forwarded-For from an untrusted peer", func() *http.Request {
			r := from(ghRequest("a4", []byte(pushBody), true), "192.0.2.1")
			r.Header.Set("X-Forwarded-For", "10.9.9.9")
			return r
		}(), http.StatusForbidden},
	}
	for _, tt := range tests {
		w := serve(h.h, tt.req)
		if w.Code != tt.status {
			t.Errorf("%s: status %d, want %d (%s)", tt.name, w.Code, tt.status, w.Body)
		}
		if tt.status == http.StatusForbidden && decode(t, w).Reason != "ip_not_allowed" {
			t.Errorf("%s: reason %q", tt.name, decode(t, w).Reason)
		}
	}
	if got := reasons(h.audits(t))["ip_not_allowed"]; got != 2 {
		t.Fatalf("audited ip_not_allowed %d times, want 2", got)
	}
}

func TestTrustedProxyGivesClientIP(t *testing.T) {
	h := newLimited(t, testConfig+"    allowed_ips: [10.0.0.0/8]\n", gateway.Options{TrustedProxies: []string{"172.16.0.0/12"}})
	r := from(ghRequest("p1", []byte(pushBody), true), "172.16.0.5")
	r.Header.Set("X-Forwarded-For", "10.9.9.9")
	if w := serve(h.h, r); w.Code != http.StatusOK {
		t.Fatalf("client IP from a trusted proxy: status %d, want 200 (%s)", w.Code, w.Body)
	}
	recs := h.audits(t)
	if len(recs) != 1 || recs[0].RemoteIP != "10.9.9.9" {
		t.Fatalf("audit = %+v, want one record from 10.9.9.9", recs)
	}
}

func TestRequireHTTPS(t *testing.T) {
	h := newLimited(t, testConfig, gateway.Options{
		TrustedProxies: []string{"127.0.0.1/32"},
		Limits:         gateway.LimitOptions{RequireHTTPS: true},
	})
	tests := []struct {
		name   string
		peer   string
		proto  string
		tls    bool
		status int
	}{
		{"plain HTTP", "127.0.0.1", "", false, http.StatusForbidden},
		{"proxy says http", "127.0.0.1", "http", false, http.StatusForbidden},
		{"proxy says https", "127.0.0.1", "https", false, http.StatusOK},
		{"untrusted peer claims https", "192.0.2.1", "https", false, http.StatusForbidden},
		{"served over TLS", "192.0.2.1", "", true, http.StatusOK},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := from(ghRequest("h"+string(rune('a'+i)), []byte(pushBody), true), tt.peer)
			if tt.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			w := serve(h.h, r)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d (%s)", w.Code, tt.status, w.Body)
			}
			if w.Code == http.StatusForbidden && decode(t, w).Reason != "https_required" {
				t.Fatalf("reason %q, want https_required", decode(t, w).Reason)
			}
			if hsts := w.Header().Get("Strict-Transport-Security"); (hsts != "") != tt.tls {
				t.Fatalf("Strict-Transport-Security = %q with TLS %v", hsts, tt.tls)
			}
		})
	}
}

func guard(t *testing.T, p ratelimit.Policy) *ratelimit.Guard {
	t.Helper()
	g, err := ratelimit.New(ratelimit.Options{Policy: p})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestRateLimitedWithRetryAfter(t *testing.T) {
	h := newLimited(t, testConfig, gateway.Options{Limits: gateway.LimitOptions{
		Limiter: guard(t, ratelimit.Policy{PerIP: ratelimit.Limit{Rate: 1, Per: time.Minute, Burst: 2}}),
	}})
	for i := range 2 {
		if w := serve(h.h, from(ghRequest("r"+string(rune('a'+i)), []byte(pushBody), true), "198.51.100.1")); w.Code != http.StatusOK {
			t.Fatalf("request %d: %d", i, w.Code)
		}
	}
	w := serve(h.h, from(ghRequest("rc", []byte(pushBody), true), "198.51.100.1"))
	if w.Code != http.StatusTooManyRequests || decode(t, w).Reason != "rate_limited" {
		t.Fatalf("third request: %d %s, want 429 rate_limited", w.Code, w.Body)
	}
	if ra := w.Header().Get("Retry-After"); ra != "60" {
		t.Fatalf("Retry-After = %q, want 60", ra)
	}
	// Another client IP has its own budget.
	if w := serve(h.h, from(ghRequest("rd", []byte(pushBody), true), "198.51.100.2")); w.Code != http.StatusOK {
		t.Fatalf("other IP: %d", w.Code)
	}
}

// The scenario: thousands of forgeries from one IP spend its failure
// budget for the source and block it (its forgeries then get 429 with
// Retry-After, never 403), yet a correctly signed delivery from that same IP
// is accepted: verification comes first, and only what fails is refused.
func TestAuthenticWebhookIsNeverRefusedForOthersFailures(t *testing.T) {
	h := newLimited(t, testConfig, gateway.Options{Limits: gateway.LimitOptions{
		Limiter: guard(t, ratelimit.Policy{
			PerIP:      ratelimit.Limit{Rate: 10000, Per: time.Second, Burst: 10000},
			Failures:   ratelimit.Limit{Rate: 1, Per: time.Hour, Burst: 3},
			BlockAfter: 2, BlockFor: time.Hour,
		}),
	}})
	const shared = "192.30.252.1" // a provider's shared egress, or a misconfigured proxy
	send := func(id, ip string, sign bool) *httptest.ResponseRecorder {
		return serve(h.h, from(ghRequest(id, pushOf(id), sign), ip))
	}
	var codes []int
	for i := range 2000 {
		codes = append(codes, send(fmt.Sprint("f-", i), shared, false).Code)
	}
	if codes[0] != http.StatusUnauthorized || codes[1] != http.StatusUnauthorized {
		t.Fatalf("first forgeries: %v, want 401", codes[:2])
	}
	for i, c := range codes[2:] {
		if c != http.StatusTooManyRequests {
			t.Fatalf("forgery %d after the budget: %d, want 429", i+2, c)
		}
	}
	w := send("f-more", shared, false)
	// The hour's block counts down from its start: a second may have passed.
	if ra := w.Header().Get("Retry-After"); w.Code != http.StatusTooManyRequests || decode(t, w).Reason != "ip_blocked" || (ra != "3600" && ra != "3599") {
		t.Fatalf("blocked forgery: %d %s Retry-After %q, want 429 ip_blocked 3600", w.Code, w.Body, ra)
	}
	// The authentic delivery from the same IP.
	if w := send("real-1", shared, true); w.Code != http.StatusOK || decode(t, w).Status != "accepted" {
		t.Fatalf("a valid delivery from the blocked IP: %d %s, want 200 accepted", w.Code, w.Body)
	}
	got := reasons(h.audits(t))
	if got["too_many_failures"] == 0 || got["ip_blocked"] == 0 || got["bad_signature"] != 2 {
		t.Fatalf("audit reasons %v", got)
	}
}

// A forgery flood spread over many IPs spends no per-IP budget that binds,
// and must not spend the source's traffic budget either: only verified
// requests are charged to it, so the provider's own deliveries still fit.
func TestForgeriesDoNotSpendTheSourceBudget(t *testing.T) {
	h := newLimited(t, testConfig, gateway.Options{Limits: gateway.LimitOptions{
		Limiter: guard(t, ratelimit.Policy{
			PerIP:     ratelimit.Limit{Rate: 1, Per: time.Hour, Burst: 10},
			PerSource: ratelimit.Limit{Rate: 1, Per: time.Hour, Burst: 3},
			Failures:  ratelimit.Limit{Rate: 1, Per: time.Hour, Burst: 5},
		}),
	}})
	for i := range 500 {
		ip := fmt.Sprintf("203.0.%d.%d", i/250, i%250+1)
		if w := serve(h.h, from(ghRequest(fmt.Sprint("f-", i), pushOf(fmt.Sprint("f-", i)), false), ip)); w.Code != http.StatusUnauthorized {
			t.Fatalf("forgery %d from %s: %d, want 401", i, ip, w.Code)
		}
	}
	for i := range 3 {
		id := fmt.Sprint("real-", i)
		if w := serve(h.h, from(ghRequest(id, pushOf(id), true), "192.30.252.1")); w.Code != http.StatusOK {
			t.Fatalf("valid delivery %d after 500 forgeries: %d %s, want 200", i, w.Code, w.Body)
		}
	}
	// The source's budget binds on verified traffic.
	w := serve(h.h, from(ghRequest("real-3", pushOf("real-3"), true), "192.30.252.2"))
	if w.Code != http.StatusTooManyRequests || decode(t, w).Reason != "rate_limited" || w.Header().Get("Retry-After") == "" {
		t.Fatalf("fourth verified delivery: %d %s, want 429 rate_limited with Retry-After", w.Code, w.Body)
	}
}

// Requests to unknown sources count against one failure budget per IP, and
// their audit is bounded whatever names they use: the requested name is not
// stored, and all unknown names share one sampling window.
func TestUnknownSourcesAreBoundedAndCharged(t *testing.T) {
	h := newLimited(t, testConfig, gateway.Options{Limits: gateway.LimitOptions{
		AuditPerSecond: 10, AuditKeepOneIn: 100,
		Limiter: guard(t, ratelimit.Policy{
			PerIP:    ratelimit.Limit{Rate: 10000, Per: time.Second, Burst: 10000},
			Failures: ratelimit.Limit{Rate: 1, Per: time.Hour, Burst: 500},
		}),
	}})
	var notFound, limited int
	for i := range 1000 {
		r := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/webhooks/probe-%d", i), strings.NewReader("{}"))
		switch serve(h.h, from(r, "203.0.113.9")).Code {
		case http.StatusNotFound:
			notFound++
		case http.StatusTooManyRequests:
			limited++
		}
	}
	if notFound == 0 || limited == 0 || notFound+limited != 1000 {
		t.Errorf("1000 unknown names: %d 404, %d 429; want 404s, then 429 once the budget is spent", notFound, limited)
	}
	recs := h.audits(t)
	if len(recs) > 30 {
		t.Errorf("%d audit rows for 1000 unknown names, want them sampled in one window", len(recs))
	}
	for _, rec := range recs {
		if strings.Contains(rec.Source+rec.Path, "probe-") {
			t.Errorf("an unknown source's name was stored: %+v", rec)
		}
	}
}

func TestJSONDepthRefusedBeforeIdentify(t *testing.T) {
	h := newLimited(t, testConfig, gateway.Options{Limits: gateway.LimitOptions{JSONMaxDepth: 16}})
	deep := []byte(`{"a":` + strings.Repeat("[", 17) + strings.Repeat("]", 17) + `}`)
	w := serve(h.h, ghRequest("deep", deep, true))
	if w.Code != http.StatusBadRequest || decode(t, w).Reason != "json_too_deep" {
		t.Fatalf("deep body: %d %s, want 400 json_too_deep", w.Code, w.Body)
	}
	// A forgery is refused for its signature before its body is parsed.
	if w := serve(h.h, ghRequest("deep-forged", deep, false)); w.Code != http.StatusUnauthorized {
		t.Fatalf("forged deep body: %d %s, want 401 (verified before any parsing)", w.Code, w.Body)
	}
	ok := []byte(`{"a":` + strings.Repeat("[", 15) + strings.Repeat("]", 15) + `}`)
	if w := serve(h.h, ghRequest("shallow", ok, true)); w.Code != http.StatusOK {
		t.Fatalf("body within the depth: %d %s", w.Code, w.Body)
	}
	if got := reasons(h.audits(t))["json_too_deep"]; got != 1 {
		t.Fatalf("json_too_deep audited %d times, want 1", got)
	}
}

func TestAuditSampledUnderFlood(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := newLimited(t, testConfig, gateway.Options{
		Now:    func() time.Time { return at }, // every request in the same second
		Limits: gateway.LimitOptions{AuditPerSecond: 5, AuditKeepOneIn: 10},
	})
	for range 105 {
		if w := serve(h.h, ghRequest("x", []byte(pushBody), false)); w.Code != http.StatusUnauthorized {
			t.Fatalf("forgery answered %d", w.Code)
		}
	}
	// 5 in full, then one in 10 of the remaining 100.
	if got := len(h.audits(t)); got != 15 {
		t.Fatalf("audit rows = %d, want 15", got)
	}
}

func TestRejectedRequestHeadersNeverHoldCredentials(t *testing.T) {
	h := newHarness(t, nil)
	secrets := map[string]string{
		"Authorization":                   "Bearer tok-aaaaaaaaaaaaaaaaaaaa",
		"Proxy-Authorization":             "Basic cHJveHk6c2VjcmV0LWJiYmI=",
		"Cookie":                          "session=cookie-cccccccccccc",
		"X-Gitlab-Token":                  "gitlab-dddddddddddd",
		"X-Api-Key":                       "apikey-eeeeeeeeeeee",
		"X-Telegram-Bot-Api-Secret-Token": "tg-ffffffffffff",
	}
	for _, path := range []string{"/webhooks/gh", "/webhooks/nope"} {
		r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(pushBody))
		for k, v := range secrets {
			r.Header.Set(k, v)
		}
		if w := serve(h.h, r); w.Code < 400 {
			t.Fatalf("%s: %d, want a rejection", path, w.Code)
		}
	}
	recs := h.audits(t)
	if len(recs) != 2 {
		t.Fatalf("%d audit records, want 2", len(recs))
	}
	for _, rec := range recs {
		all, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range secrets {
			if bytes.Contains(all, []byte(v)) {
				t.Errorf("%s value stored in the audit record of %s", k, rec.Path)
			}
			if got := rec.Header.Get(k); got != "[redacted]" {
				t.Errorf("%s stored as %q, want [redacted]", k, got)
			}
		}
	}
}

func TestHostileSourceNames(t *testing.T) {
	h := newHarness(t, nil)
	paths := []string{
		"/webhooks/..",
		"/webhooks/%2e%2e",
		"/webhooks/%2E%2E%2Fetc%2Fpasswd",
		"/webhooks/gh%00",
		"/webhooks/gh%0d%0aX-Injected:%201",
		"/webhooks/gh';DROP%20TABLE%20receipts;--",
		"/webhooks/" + strings.Repeat("a", 70),
		"/webhooks/" + strings.Repeat("%ff", 300),
	}
	for _, p := range paths {
		w := serve(h.h, httptest.NewRequest(http.MethodPost, p, strings.NewReader(pushBody)))
		if w.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, w.Code)
		}
	}
	recs := h.audits(t)
	if len(recs) != len(paths) {
		t.Errorf("%d audit records for %d hostile paths", len(recs), len(paths))
	}
	for _, rec := range recs {
		if rec.Source != "_unknown" || rec.Path != "/webhooks/_unknown" {
			t.Errorf("hostile source stored: %q %q, want the _unknown label", rec.Source, rec.Path)
		}
		if len(rec.Path) > 256 || strings.ContainsAny(rec.Path, "\x00\r\n") {
			t.Errorf("path stored unescaped or unbounded: %q", rec.Path)
		}
	}
}
