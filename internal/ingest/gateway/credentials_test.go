package gateway_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/internal/ingest/gateway"
	"github.com/hookgate/hookgate/internal/ingest/groupcommit"
	"github.com/hookgate/hookgate/internal/operations/admin"
	"github.com/hookgate/hookgate/internal/storage/postgres"
	"github.com/hookgate/hookgate/internal/storage/sqlite"
	"github.com/hookgate/hookgate/internal/testing/testenv"
	"github.com/hookgate/hookgate/providers/builtin"
	"github.com/hookgate/hookgate/store"
)

// The secrets of the credential test's sources, and the wrong guesses sent to
// them: none may reach the store in any form.
const (
	acmeSecret   = "acme-shared-secret-7f3c9a1e"
	bearerSecret = "bearer-shared-secret-51d0b2"
	basicUser    = "hooks"
	basicPass    = "basic-password-c4e8f6"
	wrongGuess   = "wrong-guess-0a9b8c7d"
	adminToken   = "credential-test-admin-token"
)

const credentialConfig = `
sources:
  - name: acme
    provider: token
    secrets: [` + acmeSecret + `]
    body_limit: "1024"
    options: {header: X-Acme-Token, event_id: "json:id"}
  - name: bearer
    provider: token
    secrets: [` + bearerSecret + `]
    body_limit: "1024"
    options: {header: Authorization, prefix: "Bearer ", event_id: "json:id"}
  - name: postmark
    provider: basic
    secrets: ["` + basicUser + `:` + basicPass + `"]
    body_limit: "1024"
    options: {event_id: "json:id"}
`

// credentialStore is what the test needs of either dialect.
type credentialStore interface {
	gateway.AuditWriter
	groupcommit.Ingester
	admin.Store
}

// TestCredentialHeadersNeverStored posts accepted, duplicate and rejected
// requests to every kind of source whose secret travels verbatim (a token in
// its own header, a bearer token, Basic credentials), then searches every
// stored byte and the admin API's answers for the secrets and the wrong
// guesses.
func TestCredentialHeadersNeverStored(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "hookgate.db")
		st, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		testCredentials(t, st, func() string {
			st.Close() // checkpoints the WAL; the files are then searched as they are
			return string(testenv.DumpFiles(t, path))
		})
	})
	t.Run("postgres", func(t *testing.T) {
		url := testenv.PostgresURL(t)
		st, err := postgres.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		testCredentials(t, st, func() string { return testenv.DumpPostgres(t, url) })
	})
}

// gatewayOver migrates st and builds a gateway over it, with a group
// committer, for the sources of cfgYAML. Close the gateway, then the
// committer, before reading what was stored.
func gatewayOver(t *testing.T, st credentialStore, cfgYAML string) (*gateway.Gateway, *groupcommit.Committer) {
	t.Helper()
	if err := st.(interface{ Migrate(context.Context) error }).Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse([]byte(cfgYAML), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := gateway.BuildSources(cfg, builtin.Providers())
	if err != nil {
		t.Fatal(err)
	}
	gc := groupcommit.New(st, groupcommit.Options{})
	gw, err := gateway.New(gateway.Options{Sources: srcs, Committer: gc, Audit: st})
	if err != nil {
		t.Fatal(err)
	}
	return gw, gc
}

func testCredentials(t *testing.T, st credentialStore, dump func() string) {
	ctx := context.Background()
	gw, gc := gatewayOver(t, st, credentialConfig)
	basic := func(user, pass string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	}
	big := `{"id":"big","pad":"` + strings.Repeat("a", 2000) + `"}`
	type post struct {
		source, header, value, body string
		want                        int
	}
	var posts []post
	for _, s := range []struct{ source, header, good, bad string }{
		{"acme", "X-Acme-Token", acmeSecret, wrongGuess},
		{"bearer", "Authorization", "Bearer " + bearerSecret, "Bearer " + wrongGuess},
		{"postmark", "Authorization", basic(basicUser, basicPass), basic(basicUser, wrongGuess)},
	} {
		posts = append(posts,
			post{s.source, s.header, s.good, `{"id":"evt-1"}`, http.StatusOK}, // accepted
			post{s.source, s.header, s.good, `{"id":"evt-1"}`, http.StatusOK}, // duplicate
			post{s.source, s.header, s.bad, `{"id":"evt-2"}`, http.StatusUnauthorized},
			post{s.source, s.header, s.good, big, http.StatusRequestEntityTooLarge}, // genuine, refused
		)
	}
	for i, p := range posts {
		r := httptest.NewRequest(http.MethodPost, "/webhooks/"+p.source, strings.NewReader(p.body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set(p.header, p.value)
		if w := serve(gw.Handler(), r); w.Code != p.want {
			t.Fatalf("post %d to %s: %d %s, want %d", i, p.source, w.Code, w.Body, p.want)
		}
	}
	gw.Close()
	gc.Close()

	// The admin API's answers: every receipt with its body and headers, and
	// the audit log.
	api := admin.New(admin.Options{Store: st, Tokens: []admin.Token{{Name: "ops", Value: adminToken,
		Scopes: []admin.Scope{admin.ScopeReadBodies}}}})
	get := func(path string) string {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Header.Set("Authorization", "Bearer "+adminToken)
		w := serve(api.Handler(), r)
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, w.Code, w.Body)
		}
		return w.Body.String()
	}
	answers := get("/v1/audit?limit=1000")
	page, err := st.ListReceipts(ctx, store.Filter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Receipts) != 3 {
		t.Fatalf("%d receipts, want 3 (one per source)", len(page.Receipts))
	}
	for _, rc := range page.Receipts {
		view := get("/v1/receipts/" + rc.ID + "?body=1")
		if !strings.Contains(view, "[redacted]") {
			t.Errorf("receipt of %s shows no [redacted] header: %s", rc.Source, view)
		}
		answers += view
	}
	if n := strings.Count(answers, "[redacted]"); n < 12 {
		t.Errorf("admin answers show [redacted] %d times, want at least 12 (3 receipts, 12 audit rows)", n)
	}

	stored := dump()
	for _, secret := range []string{acmeSecret, bearerSecret, basicPass, wrongGuess,
		base64.StdEncoding.EncodeToString([]byte(basicUser + ":" + basicPass)),
		base64.StdEncoding.EncodeToString([]byte(basicUser + ":" + wrongGuess))} {
		for where, text := range map[string]string{"stored rows": stored, "admin API answers": answers} {
			if strings.Contains(text, secret) || strings.Contains(text, hex.EncodeToString([]byte(secret))) {
				t.Errorf("%s contain the credential %q", where, secret)
			}
		}
	}
	if !strings.Contains(stored, "evt-1") {
		t.Fatalf("the dump holds no receipt: it searched nothing (%d bytes)", len(stored))
	}
}
