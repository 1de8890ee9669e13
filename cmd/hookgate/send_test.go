package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/internal/ingest/gateway"
	"github.com/hookgate/hookgate/internal/ingest/groupcommit"
	"github.com/hookgate/hookgate/internal/storage/sqlite"
	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/builtin"
	"github.com/hookgate/hookgate/store"
)

// `hookgate send` posts the body its signer produced: providers whose
// signature lives in the body (Adyen's item signatures, Braintree's form,
// Microsoft Graph's clientState) or whose signer stamps it (Linear's
// webhookTimestamp) are verified by the gateway as sent.
func TestSendPostsTheSignedBody(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "hookgate.yaml")
	const cfgText = `sources:
  - name: adyen
    provider: adyen
    secrets: [44782def547aaa06c910c43932b1eb0c71fc68d9d0c057550c48ec2acf6ba056]
  - name: braintree
    provider: braintree
    secrets: [private-key-1]
  - name: graph
    provider: msgraph
    secrets: [secretClientValue]
  - name: linear
    provider: linear
    secrets: [lin_wh_signing_secret]
`
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		name := filepath.Base(r.URL.Path)
		var src *config.Source
		for i := range cfg.Sources {
			if cfg.Sources[i].Name == name {
				src = &cfg.Sources[i]
			}
		}
		p, err := builtin.Providers().Build(src.Provider, src.Spec())
		if err == nil {
			u, _ := url.Parse("http://example.invalid" + r.URL.Path)
			err = p.Verify(context.Background(), &providers.Request{Method: r.Method, URL: u, Header: r.Header, Body: body, Now: time.Now()})
		}
		got <- err
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		w.Write([]byte(`{"status":"accepted"}`))
	}))
	defer srv.Close()
	for source, fixture := range map[string]string{"adyen": "capture", "braintree": "subscription_charged_successfully", "graph": "message_created", "linear": "issue_create"} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), []string{"send", source, fixture, "--config", cfgPath, "--url", srv.URL}, func(string) string { return "" }, &out, &errOut)
		if err != nil {
			t.Fatalf("send %s: %v\n%s%s", source, err, out.String(), errOut.String())
		}
		if err := <-got; err != nil {
			t.Fatalf("%s: the posted body does not verify: %v", source, err)
		}
	}
}

// `hookgate send` to an Asana source makes Asana's handshake first, so that
// the gateway keeps the secret the event is signed with; the token in the
// target URL is not printed.
func TestSendHandshakesFirst(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "hookgate.yaml")
	if err := os.WriteFile(cfgPath, []byte("sources:\n  - name: asana\n    provider: asana\n    secrets: [tok-2f0c51]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "hookgate.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	gc := groupcommit.New(st, groupcommit.Options{})
	defer gc.Close()
	srcs, err := gateway.BuildSources(cfg, builtin.Providers())
	if err != nil {
		t.Fatal(err)
	}
	gw, err := gateway.New(gateway.Options{Sources: srcs, Committer: gc, Audit: st, Secrets: st})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw.Handler())
	defer srv.Close()
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"send", "asana", "task_changed", "--config", cfgPath, "--url", srv.URL}, func(string) string { return "" }, &out, &errOut); err != nil {
		t.Fatalf("send: %v\n%s%s", err, out.String(), errOut.String())
	}
	if strings.Contains(out.String(), "tok-2f0c51") || !strings.Contains(out.String(), "(handshake) -> 200") {
		t.Fatalf("output:\n%s", out.String())
	}
	if kept, err := st.SourceSecret(ctx, "asana"); err != nil || kept != "tok-2f0c51" {
		t.Fatalf("kept %q %v", kept, err)
	}
	page, err := st.ListReceipts(ctx, store.Filter{Limit: 5})
	if err != nil || len(page.Receipts) != 1 {
		t.Fatalf("receipts %v %v, want the event", page.Receipts, err)
	}
}
