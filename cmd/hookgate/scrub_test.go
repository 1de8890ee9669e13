package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hookgate/hookgate/app"
	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/internal/testing/testenv"
	"github.com/hookgate/hookgate/store"
)

const (
	scrubToken = "scrub-test-token-9c2e41"
	scrubBasic = "aG9va3M6c2NydWItdGVzdC1wYXNzd29yZA==" // hooks:scrub-test-password
)

const scrubConfig = `
sources:
  - name: acme
    provider: token
    secrets: [` + scrubToken + `]
    options: {header: X-Acme-Token}
  - name: postmark
    provider: basic
    secrets: ["hooks:scrub-test-password"]
`

// TestScrubCredentials writes rows as a gateway before credential redaction
// did (a token source's header and Basic credentials in clear), checks that
// the store holds them, runs scrub-credentials twice, and searches the raw
// rows again: the credentials are gone, other headers are kept, and the second
// run changes nothing.
func TestScrubCredentials(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		testScrub(t, map[string]string{config.EnvDataDir: dir}, func() string {
			return string(testenv.DumpFiles(t, filepath.Join(dir, "hookgate.db")))
		})
	})
	t.Run("postgres", func(t *testing.T) {
		url := testenv.PostgresURL(t)
		testScrub(t, map[string]string{config.EnvDatabaseURL: url}, func() string {
			return testenv.DumpPostgres(t, url)
		})
	})
}

func testScrub(t *testing.T, vars map[string]string, dump func() string) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hookgate.yaml")
	if err := os.WriteFile(path, []byte(scrubConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string { return vars[k] }
	cfg, err := config.Load(path, getenv)
	if err != nil {
		t.Fatal(err)
	}
	st, err := app.OpenStore(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// As stored before the fix: the shared names (Authorization) were
	// redacted, a token source's own header was not.
	now := time.Now()
	var ds []store.Delivery
	for i, h := range []http.Header{
		{"X-Acme-Token": {scrubToken}, "X-Request-Id": {"keep-me"}},
		{"X-Acme-Token": {scrubToken}, "X-Request-Id": {"keep-me"}},
		{"X-Acme-Token": {scrubToken}, "X-Request-Id": {"keep-me"}},
	} {
		ds = append(ds, scrubDelivery("acme", fmt.Sprint("evt-", i), h, now))
	}
	// A Basic source's Authorization, in clear as a store written by hand or
	// an older release might hold it.
	ds = append(ds, scrubDelivery("postmark", "evt-0", http.Header{"Authorization": {"Basic " + scrubBasic}}, now))
	if _, err := st.Ingest(ctx, ds); err != nil {
		t.Fatal(err)
	}
	rejected := ds[0].Audit
	rejected.ID, rejected.Outcome, rejected.Status = uuid.NewString(), store.OutcomeRejected, http.StatusUnauthorized
	rejected.Header = http.Header{"X-Acme-Token": {"a-wrong-guess-in-clear"}}
	if err := st.Audit(ctx, []store.AuditRecord{rejected}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	secrets := []string{scrubToken, scrubBasic, "a-wrong-guess-in-clear"}
	before := dump()
	for _, s := range secrets {
		if !strings.Contains(before, s) {
			t.Fatalf("the rows written as before the fix do not hold %q: the test would prove nothing", s)
		}
	}

	for i, want := range []string{"9 rows scrubbed", "0 rows scrubbed"} {
		var out, errOut bytes.Buffer
		if err := run(ctx, []string{"scrub-credentials", "--config", path}, getenv, &out, &errOut); err != nil {
			t.Fatalf("scrub-credentials #%d: %v\n%s", i+1, err, errOut.String())
		}
		if !strings.Contains(out.String(), want) {
			t.Errorf("scrub-credentials #%d said:\n%s\nwant %q", i+1, out.String(), want)
		}
	}
	after := dump()
	for _, s := range secrets {
		if strings.Contains(after, s) {
			t.Errorf("the store still holds %q after the scrub", s)
		}
	}
	if !strings.Contains(after, "keep-me") || !strings.Contains(after, store.Redacted) {
		t.Errorf("the scrub lost a header it should have kept, or redacted nothing")
	}
}

func scrubDelivery(source, eventID string, h http.Header, at time.Time) store.Delivery {
	id := uuid.NewString()
	return store.Delivery{
		Receipt: store.Receipt{ID: id, Source: source, Provider: "token", EventID: eventID,
			EventType: "webhook", Header: h, Body: []byte(`{}`), ReceivedAt: at},
		Audit: store.AuditRecord{ID: uuid.NewString(), At: at, Source: source, Method: http.MethodPost,
			Path: "/webhooks/" + source, Header: h, Status: http.StatusOK, Outcome: store.OutcomeAccepted,
			ReceiptID: id, EventID: eventID},
	}
}
