package console_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hookgate/hookgate/internal/operations/console"
	"github.com/hookgate/hookgate/internal/storage/sqlite"
	"github.com/hookgate/hookgate/store"
)

const (
	opsToken  = "ops-token-0123456789abcdef"
	dashToken = "dashboard-token-0123456789"
)

// hostile is what a forger would put in a body and a header: markup,
// attribute breakers and a script.
const hostile = `<script>alert(1)</script>"'><img src=x onerror=alert(2)><svg/onload=alert(3)>`

var t0 = time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)

// newServer is the console over a SQLite store holding r1 (a GitHub push
// whose body and header are hostile, completed, with an attempt and an
// event), r2 (a dead Stripe event) and a rejected request.
func newServer(t *testing.T) *httptest.Server {
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
	mk := func(id, source, evID, typ, body string, at time.Time) store.Delivery {
		return store.Delivery{
			Receipt: store.Receipt{ID: id, Source: source, Provider: source, EventID: evID, EventType: typ,
				Status: store.StatusVerified, ContentType: "application/json",
				Header: http.Header{"Authorization": {"Bearer should-not-show"}, "X-Note": {hostile}},
				Body:   []byte(body), ReceivedAt: at},
			Audit: store.AuditRecord{ID: "a-" + id, At: at, Source: source, Status: 200, Outcome: store.OutcomeAccepted},
		}
	}
	if _, err := st.Ingest(ctx, []store.Delivery{
		mk("r1", "github", "d1", "push", `{"ref":"refs/heads/main","note":"`+strings.ReplaceAll(hostile, `"`, `\"`)+`"}`, t0),
		mk("r2", "stripe", "evt_2", "invoice.paid", `{"id":"evt_2"}`, t0.Add(time.Minute)),
	}); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.Audit(ctx, []store.AuditRecord{{ID: "rej-1", At: t0, Source: "github", RemoteIP: "203.0.113.9", Status: 401,
		Outcome: store.OutcomeRejected, Reason: "signature_mismatch"}}))
	must(st.MarkQueued(ctx, []store.Queued{{ReceiptID: "r1", WorkflowID: "github/d1", At: t0.Add(10 * time.Millisecond)}}))
	must(st.Transition(ctx, store.Transition{ReceiptID: "r1", To: store.StatusCompleted, At: t0.Add(time.Second)}))
	must(st.Transition(ctx, store.Transition{ReceiptID: "r2", To: store.StatusDead, At: t0.Add(time.Minute + time.Second), Error: "publish: broker unreachable"}))
	must(st.RecordAttempt(ctx, store.Attempt{ReceiptID: "r1", Step: store.StepHandle, Attempt: 1, StartedAt: t0, FinishedAt: t0.Add(time.Millisecond)}))
	must(st.SaveEvents(ctx, []store.Event{{ID: "r1.0", ReceiptID: "r1", Type: "git.push", Subject: "acme/webapp", Time: t0, Envelope: []byte(`{}`)}}))
	c, err := console.New(console.Options{Store: st, Tokens: []console.Token{{Name: "ops", Value: opsToken, Bodies: true, Replay: true}, {Name: "dashboard", Value: dashToken}},
		TemporalUI: "http://127.0.0.1:8233", Now: func() time.Time { return t0.Add(30 * time.Minute) },
		Sources: []console.Source{{Name: "github", Provider: "github", URL: "https://hooks.example.com/webhooks/github", BodyLimit: "25 MiB",
			Retry: "5 attempts", AllowedIPs: []string{"192.30.252.0/22"}}, {Name: "quiet", Provider: "stripe", URL: "https://hooks.example.com/webhooks/quiet"}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return srv
}

// browser is an HTTP client with cookies that does not follow redirects.
func browser(t testing.TB) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func get(t testing.TB, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signIn signs c in with token and returns the session's CSRF token.
func signIn(t testing.TB, srv *httptest.Server, c *http.Client, token string) (*http.Response, string) {
	t.Helper()
	_, page := get(t, c, srv.URL+"/sign-in")
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF field on the sign-in page: %s", page)
	}
	resp, err := c.PostForm(srv.URL+"/sign-in", url.Values{"csrf": {m[1]}, "token": {token}, "next": {"/receipts"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	_, page = get(t, c, srv.URL+"/receipts")
	csrf := ""
	if m := csrfField.FindStringSubmatch(page); m != nil {
		csrf = m[1]
	}
	return resp, csrf
}

func TestSignInSeeReceiptsSignOut(t *testing.T) {
	srv := newServer(t)
	c := browser(t)
	if resp, _ := get(t, c, srv.URL+"/receipts"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/sign-in") {
		t.Fatalf("signed out: %d %q, want a redirect to sign in", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := signIn(t, srv, browser(t), "not-a-token"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a wrong token: %d, want 401", resp.StatusCode)
	}
	resp, csrf := signIn(t, srv, c, opsToken)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/receipts" {
		t.Fatalf("sign in: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "hookgate_session" {
			cookie = ck
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Expires.IsZero() {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict, an expiry", cookie)
	}
	resp, page := get(t, c, srv.URL+"/receipts?status=dead")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "invoice.paid") || strings.Contains(page, ">push<") {
		t.Fatalf("dead receipts: %d\n%s", resp.StatusCode, page)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") ||
		resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("security headers %v", resp.Header)
	}
	_, live := get(t, c, srv.URL+"/receipts?source=github&live=1")
	if !strings.Contains(live, `<meta http-equiv="refresh" content="5">`) || !strings.Contains(live, "Stop refreshing") {
		t.Fatalf("live receipts page:\n%s", live)
	}
	_, page = get(t, c, srv.URL+"/receipts/r1")
	for _, want := range []string{"refs/heads/main", "git.push", "r1.0", "handle", "http://127.0.0.1:8233/namespaces/default/workflows/github%2Fd1"} {
		if !strings.Contains(page, want) {
			t.Errorf("receipt page lacks %q", want)
		}
	}
	_, page = get(t, c, srv.URL+"/rejected")
	if !strings.Contains(page, "signature_mismatch") || !strings.Contains(page, "203.0.113.9") {
		t.Fatalf("rejected requests page:\n%s", page)
	}
	// A sign-out without the CSRF token is refused; with it, the session ends.
	if resp, err := c.PostForm(srv.URL+"/sign-out", url.Values{}); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("sign out without CSRF: %v %v", resp, err)
	}
	if resp, err := c.PostForm(srv.URL+"/sign-out", url.Values{"csrf": {csrf}}); err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %v %v", resp, err)
	}
	if resp, _ := get(t, c, srv.URL+"/receipts"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after sign out: %d, want a redirect to sign in", resp.StatusCode)
	}
}

// A body and a header full of markup are shown as text: nothing of them is
// markup in the page, and the credential header is not shown at all.
func TestHostileContentIsEscaped(t *testing.T) {
	srv := newServer(t)
	c := browser(t)
	signIn(t, srv, c, opsToken)
	_, page := get(t, c, srv.URL+"/receipts/r1")
	// Escaped, the text may still read "onerror=alert"; what must not appear
	// is a tag or a quote that ends an attribute.
	for _, bad := range []string{"<script>", "<img", "<svg", `"'>`} {
		if strings.Contains(page, bad) {
			t.Errorf("the page carries %q unescaped", bad)
		}
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the hostile text is not shown escaped")
	}
	if strings.Contains(page, "should-not-show") || !strings.Contains(page, "(redacted)") {
		t.Error("the Authorization header's value is shown")
	}
}

// A sign-in form posted from elsewhere (no matching CSRF cookie) is refused,
// and a sign-in never redirects off the console.
func TestSignInNeedsItsOwnForm(t *testing.T) {
	srv := newServer(t)
	c := browser(t)
	resp, err := c.PostForm(srv.URL+"/sign-in", url.Values{"csrf": {"forged"}, "token": {opsToken}})
	if err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a forged sign-in: %v %v, want 403", resp, err)
	}
	_, page := get(t, c, srv.URL+"/sign-in?next=//evil.example/x")
	m := csrfField.FindStringSubmatch(page)
	resp, err = c.PostForm(srv.URL+"/sign-in", url.Values{"csrf": {m[1]}, "token": {opsToken}, "next": {"//evil.example/x"}})
	if err != nil || resp.Header.Get("Location") != "/receipts" {
		t.Fatalf("redirect after sign in: %v %q, want /receipts", err, resp.Header.Get("Location"))
	}
}

// A token without read:bodies sees a receipt without its headers and body.
func TestBodiesNeedTheirScope(t *testing.T) {
	srv := newServer(t)
	c := browser(t)
	signIn(t, srv, c, dashToken)
	resp, page := get(t, c, srv.URL+"/receipts/r1")
	if resp.StatusCode != http.StatusOK || strings.Contains(page, "refs/heads/main") || !strings.Contains(page, "read:bodies") {
		t.Fatalf("receipt without the bodies scope: %d\n%s", resp.StatusCode, page)
	}
}

// The Overview shows each source's last hour: what it received, its dead
// letters (with an alert) and its rejected requests by reason; a configured
// source that received nothing is listed too. Sources shows the URL to paste
// and no secret.
func TestOverviewAndSources(t *testing.T) {
	srv := newServer(t)
	c := browser(t)
	signIn(t, srv, c, opsToken)
	resp, page := get(t, c, srv.URL+"/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("overview: %d", resp.StatusCode)
	}
	for _, want := range []string{`href="/receipts?source=stripe"`, "dead letters in the last hour", "signature_mismatch: 1", `href="/receipts?source=quiet"`, "2026-12-08 09:01:00.000 UTC"} {
		if !strings.Contains(page, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
	_, page = get(t, c, srv.URL+"/sources")
	if !strings.Contains(page, "https://hooks.example.com/webhooks/github") || !strings.Contains(page, "192.30.252.0/22") {
		t.Fatalf("sources page:\n%s", page)
	}
}

// Dead letters are grouped by source and error; a replay needs the replay
// scope, the CSRF token and a reason, and is recorded with the token's name
// (here requeued: no Temporal, the relay's sweep would start it).
func TestDeadLettersReplay(t *testing.T) {
	srv := newServer(t)
	c := browser(t)
	_, csrf := signIn(t, srv, c, opsToken)
	_, page := get(t, c, srv.URL+"/dead")
	if !strings.Contains(page, "publish: broker unreachable") || !strings.Contains(page, `name="id" value="r2"`) || strings.Contains(page, `value="r1"`) {
		t.Fatalf("dead letters:\n%s", page)
	}
	post := func(c *http.Client, form url.Values) (int, string) {
		resp, err := c.PostForm(srv.URL+"/replay", form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := post(c, url.Values{"csrf": {csrf}, "id": {"r2"}}); code != http.StatusBadRequest {
		t.Fatalf("a replay without a reason: %d, want 400", code)
	}
	if code, _ := post(c, url.Values{"id": {"r2"}, "reason": {"broker back"}}); code != http.StatusForbidden {
		t.Fatalf("a replay without the CSRF token: %d, want 403", code)
	}
	code, page := post(c, url.Values{"csrf": {csrf}, "id": {"r2", "r2"}, "reason": {"broker back"}})
	if code != http.StatusOK || !strings.Contains(page, "requeued") || strings.Count(page, `href="/receipts/r2"`) != 1 {
		t.Fatalf("replay: %d\n%s", code, page)
	}
	_, page = get(t, c, srv.URL+"/receipts/r2")
	if !strings.Contains(page, "broker back") || !strings.Contains(page, "<td>ops</td>") {
		t.Fatalf("the replay is not recorded on the receipt:\n%s", page)
	}
	dash := browser(t)
	_, dcsrf := signIn(t, srv, dash, dashToken)
	if code, _ := post(dash, url.Values{"csrf": {dcsrf}, "id": {"r1"}, "reason": {"x"}}); code != http.StatusForbidden {
		t.Fatalf("a replay by a token without the replay scope: %d, want 403", code)
	}
}
