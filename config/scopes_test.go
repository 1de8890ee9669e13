package config

import (
	"strings"
	"testing"
)

func TestAdminTokenScopes(t *testing.T) {
	base := `
sources:
  - {name: gh, provider: github, secrets: [s3cr3t]}
admin_tokens:
  - name: ops
    token: ops-token-0123456789abcdef
`
	cfg, err := Parse([]byte(base+"    scopes: [read, read:bodies, replay]\n"), func(string) string { return "" })
	if err != nil || len(cfg.AdminTokens[0].Scopes) != 3 {
		t.Fatalf("valid scopes: %v, %+v", err, cfg)
	}
	_, err = Parse([]byte(base+"    scopes: [read, write]\n"), func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "admin_tokens[0].scopes[1]") || !strings.Contains(err.Error(), "read:bodies") {
		t.Errorf("unknown scope: %v, want an error naming the field and the valid scopes", err)
	}
}
