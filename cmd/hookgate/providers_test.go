package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/internal/ingest/server"
	"github.com/hookgate/hookgate/providers/builtin"
	"github.com/hookgate/hookgate/providers/catalogue"
	"github.com/hookgate/hookgate/providers/paypal"
)

func TestProvidersListsTheCatalogue(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"providers"}, func(string) string { return "" }, &out, &out); err != nil {
		t.Fatal(err)
	}
	for _, e := range catalogue.Entries() {
		if !strings.Contains(out.String(), string(e.Name)+" ") || !strings.Contains(out.String(), e.Docs) {
			t.Errorf("%s or its docs URL missing from:\n%s", e.Name, out.String())
		}
	}
	for _, n := range []string{"stripe", "github", "hmac"} {
		if !strings.Contains(out.String(), "\n"+n+" ") {
			t.Errorf("built-in %s missing", n)
		}
	}
	// The VECTOR column: what a provider was checked against.
	for name, want := range map[string]string{"slack": "yes", "meta": "none published", "hmac": "generic"} {
		line := ""
		for l := range strings.SplitSeq(out.String(), "\n") {
			if strings.HasPrefix(l, name+" ") {
				line = l
			}
		}
		if !strings.Contains(line, "  "+want+"  ") {
			t.Errorf("%s's line %q does not say %q", name, line, want)
		}
	}
	out.Reset()
	if err := run(context.Background(), []string{"providers", "show", "slack"}, func(string) string { return "" }, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "provider: slack") || !strings.Contains(out.String(), "/webhooks/slack") {
		t.Errorf("show slack:\n%s", out.String())
	}
	if err := run(context.Background(), []string{"providers", "show", "nope"}, func(string) string { return "" }, &out, &out); err == nil || !strings.Contains(err.Error(), "unknown provider") {
		t.Errorf("show of an unknown provider: %v", err)
	}
}

// hookgate dev --sources adds catalogue sources with generated secrets,
// kept across restarts; an unknown name is refused with the list.
func TestDevSourcesFromTheCatalogue(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dev-secrets.yaml")
	s, err := loadDevSecrets(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.addCatalogueSources(path, []string{"slack", "openai", "discord"}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.Catalogue["openai"], "whsec_") || len(s.Catalogue["slack"]) < 32 {
		t.Fatalf("secrets %v", s.Catalogue)
	}
	again, err := loadDevSecrets(path)
	if err != nil || again.Catalogue["slack"] != s.Catalogue["slack"] {
		t.Fatalf("secrets not kept: %v %v", again, err)
	}
	if err := s.addCatalogueSources(path, []string{"nope"}); err == nil || !strings.Contains(err.Error(), "slack") {
		t.Fatalf("unknown provider: %v", err)
	}
	ca, err := paypal.EnsureDevCA(filepath.Join(dir, "paypal"))
	if err != nil {
		t.Fatal(err)
	}
	certSrv := paypal.NewDevCertServer(ca, "127.0.0.1:0")
	if err := certSrv.Start(); err != nil {
		t.Fatal(err)
	}
	defer certSrv.Close()
	cfgPath := filepath.Join(dir, "dev.yaml")
	if err := s.addCatalogueSources(path, []string{"sns"}); err != nil {
		t.Fatal(err)
	}
	sns, err := startSNSDevHost(filepath.Join(dir, "sns"))
	if err != nil {
		t.Fatal(err)
	}
	defer sns.srv.Close()
	if err := writeDevConfig(cfgPath, devFlags{dataDir: dir, listen: ":8005", sources: []string{"slack", "openai", "discord", "sns"}}, s, certSrv, sns); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"slack", "openai", "discord", "github", "sns"} {
		if _, ok := cfg.Source(n); !ok {
			t.Errorf("dev config has no %s source", n)
		}
	}
	if _, err := server.Sources(cfg); err != nil {
		t.Fatalf("the dev config's sources do not build: %v", err)
	}
	// An asymmetric source carries the private key `hookgate send` signs with.
	src, _ := cfg.Source("discord")
	newSigner, _ := builtin.Signer(src.Provider)
	if _, err := newSigner(src.Spec()); err != nil {
		t.Fatalf("no signer for the dev discord source: %v", err)
	}
	// So does SNS's, with its development certificate host.
	src, _ = cfg.Source("sns")
	newSigner, _ = builtin.Signer(src.Provider)
	if _, err := newSigner(src.Spec()); err != nil {
		t.Fatalf("no signer for the dev sns source: %v", err)
	}
}
