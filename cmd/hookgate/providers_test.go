package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hookgate/hookgate/providers/catalogue"
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
