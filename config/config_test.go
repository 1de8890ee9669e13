package config_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/builtin"
	"github.com/hookgate/hookgate/retry"
)

// noEnv is an empty environment.
func noEnv(string) string { return "" }

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

const validYAML = `
public_base_url: https://hooks.example.com
admin_tokens:
  - name: ops
    token: ops-token-0123456789abcdef
sources:
  - name: gh
    provider: github
    secrets: [gh-secret-value-1]
  - name: stripe-main
    provider: stripe
    secrets:
      - env: STRIPE_SECRET
    body_limit: 2MiB
    retry:
      schedule: [1s, 5s, 30s]
activities:
  payment.succeeded:
    - name: notify-billing
`

func TestParseValid(t *testing.T) {
	cfg, err := config.Parse([]byte(validYAML), envOf(map[string]string{"STRIPE_SECRET": "whsec_from_env"}))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if cfg.PublicBaseURL != "https://hooks.example.com" {
		t.Errorf("PublicBaseURL = %q", cfg.PublicBaseURL)
	}
	if len(cfg.Sources) != 2 {
		t.Fatalf("sources = %d, want 2", len(cfg.Sources))
	}
	gh, ok := cfg.Source("gh")
	if !ok {
		t.Fatal("source gh not found")
	}
	if got := gh.Secrets[0].Reveal(); got != "gh-secret-value-1" {
		t.Errorf("gh secret = %q", got)
	}
	st, _ := cfg.Source("stripe-main")
	if got := st.Secrets[0].Reveal(); got != "whsec_from_env" {
		t.Errorf("env secret = %q", got)
	}
	if st.BodyLimit != 2<<20 {
		t.Errorf("body limit = %d, want 2 MiB", st.BodyLimit)
	}
	if _, ok := cfg.Source("nope"); ok {
		t.Error("Source(nope) found")
	}
	if cfg.Listen != config.DefaultListen || cfg.AdminListen != config.DefaultAdminListen ||
		cfg.TaskQueue != config.DefaultTaskQueue || cfg.TemporalNamespace != config.DefaultNamespace {
		t.Errorf("env defaults not applied: %q %q %q %q", cfg.Listen, cfg.AdminListen, cfg.TaskQueue, cfg.TemporalNamespace)
	}
	if len(cfg.AdminTokens) != 1 || cfg.AdminTokens[0].Name != "ops" || cfg.AdminTokens[0].Token.Reveal() != "ops-token-0123456789abcdef" {
		t.Errorf("admin tokens = %+v", cfg.AdminTokens)
	}
	if acts := cfg.Activities["payment.succeeded"]; len(acts) != 1 || acts[0].Name != "notify-billing" {
		t.Errorf("activities = %+v", cfg.Activities)
	}
}

func TestLoadFileAndEnv(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "hookgate.yaml")
	if err := os.WriteFile(path, []byte(validYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	env := envOf(map[string]string{
		config.EnvConfig: path, "STRIPE_SECRET": "x", config.EnvListen: ":9999",
		config.EnvAdminTokens: "ci:ci-token-0123456789abcdef",
	})
	cfg, err := config.Load("", env)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Listen != ":9999" {
		t.Errorf("Listen = %q", cfg.Listen)
	}
	if n := len(cfg.AdminTokens); n != 2 || cfg.AdminTokens[1].Name != "ci" {
		t.Errorf("admin tokens from env not appended: %+v", cfg.AdminTokens)
	}
	if _, err := config.Load("", noEnv); err == nil || !strings.Contains(err.Error(), config.EnvConfig) {
		t.Errorf("Load without path: err = %v, want it to name %s", err, config.EnvConfig)
	}
	if _, err := config.Load(filepath.Join(dir, "missing.yaml"), noEnv); err == nil {
		t.Error("Load of a missing file succeeded")
	}
}

func TestValidationErrorsNameTheField(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte("from-file-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	emptyFile := filepath.Join(dir, "empty")
	if err := os.WriteFile(emptyFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		yaml string
		want []string // substrings the error must contain
	}{
		{"no sources", `sources: []`, []string{"sources:"}},
		{"missing secrets", "sources:\n  - name: a\n    provider: github\n", []string{"sources[0] (a).secrets"}},
		{"bad name", "sources:\n  - name: Bad/Name\n    provider: github\n    secrets: [x]\n", []string{"sources[0].name", "Bad/Name"}},
		{"duplicate name", "sources:\n  - name: a\n    provider: github\n    secrets: [x]\n  - name: a\n    provider: stripe\n    secrets: [y]\n", []string{"sources[1] (a).name", "duplicate"}},
		{"missing provider", "sources:\n  - name: a\n    secrets: [x]\n", []string{"sources[0] (a).provider"}},
		{"bad retry both", "sources:\n  - name: a\n    provider: github\n    secrets: [x]\n    retry:\n      schedule: [1s]\n      maximum_attempts: 3\n", []string{"sources[0] (a).retry", "not both"}},
		{"bad default retry", "retry:\n  schedule: [1s]\n  initial_interval: 1s\nsources:\n  - name: a\n    provider: github\n    secrets: [x]\n", []string{"retry:"}},
		{"env secret unset", "sources:\n  - name: a\n    provider: github\n    secrets:\n      - env: NOT_SET_ANYWHERE\n", []string{"sources[0] (a).secrets[0]", "NOT_SET_ANYWHERE"}},
		{"file secret missing", "sources:\n  - name: a\n    provider: github\n    secrets:\n      - file: " + filepath.Join(dir, "nope") + "\n", []string{"sources[0] (a).secrets[0]", "read secret file"}},
		{"file secret empty", "sources:\n  - name: a\n    provider: github\n    secrets:\n      - file: " + emptyFile + "\n", []string{"sources[0] (a).secrets[0]", "empty"}},
		{"two secret kinds", "sources:\n  - name: a\n    provider: github\n    secrets:\n      - value: x\n        env: Y\n", []string{"sources[0] (a).secrets[0]", "exactly one"}},
		{"bad public url", "public_base_url: ftp://x\nsources:\n  - name: a\n    provider: github\n    secrets: [x]\n", []string{"public_base_url"}},
		{"short admin token", "admin_tokens:\n  - name: ops\n    token: short\nsources:\n  - name: a\n    provider: github\n    secrets: [x]\n", []string{"admin_tokens[0].token", "16"}},
		{"admin token no name", "admin_tokens:\n  - token: long-enough-token-123456\nsources:\n  - name: a\n    provider: github\n    secrets: [x]\n", []string{"admin_tokens[0].name"}},
		{"activity without name", "activities:\n  x.y:\n    - retry:\n        schedule: [1s]\nsources:\n  - name: a\n    provider: github\n    secrets: [x]\n", []string{"activities[x.y][0].name"}},
		{"unknown top-level key", "sourcez: []\n", []string{"sourcez"}},
		{"bad body limit", "sources:\n  - name: a\n    provider: github\n    secrets: [x]\n    body_limit: lots\n", []string{"lots"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Parse([]byte(tc.yaml), noEnv)
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}

	// A file secret that exists is read, trailing newline trimmed.
	cfg, err := config.Parse([]byte("sources:\n  - name: a\n    provider: github\n    secrets:\n      - file: "+secretFile+"\n"), noEnv)
	if err != nil {
		t.Fatalf("file secret: %v", err)
	}
	if got := cfg.Sources[0].Secrets[0].Reveal(); got != "from-file-secret" {
		t.Errorf("file secret = %q", got)
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	const (
		inline   = "inline-secret-AAAA1111"
		fromEnv  = "env-secret-BBBB2222"
		adminTok = "admin-token-CCCC3333-long"
	)
	y := fmt.Sprintf(`
admin_tokens:
  - name: ops
    token: %s
sources:
  - name: a
    provider: github
    secrets: [%s]
  - name: b
    provider: stripe
    secrets:
      - env: B_SECRET
`, adminTok, inline)
	cfg, err := config.Parse([]byte(y), envOf(map[string]string{"B_SECRET": fromEnv}))
	if err != nil {
		t.Fatal(err)
	}
	jsonOut, err := json.Marshal(cfg)
	if err != nil {
		t.Fatalf("json: %v", err)
	}
	yamlOut, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatalf("yaml: %v", err)
	}
	outputs := map[string]string{
		"%v":   fmt.Sprintf("%v", cfg),
		"%+v":  fmt.Sprintf("%+v", cfg),
		"%#v":  fmt.Sprintf("%#v", cfg),
		"%v*":  fmt.Sprintf("%v", *cfg),
		"%+v*": fmt.Sprintf("%+v", *cfg),
		"%#v*": fmt.Sprintf("%#v", *cfg),
		"%s":   fmt.Sprintf("%s", cfg.Sources[0].Secrets[0]),
		"json": string(jsonOut),
		"yaml": string(yamlOut),
	}
	for how, out := range outputs {
		for _, secret := range []string{inline, fromEnv, adminTok} {
			if strings.Contains(out, secret) {
				t.Errorf("%s output contains a secret: %s", how, out)
			}
		}
	}
	if !strings.Contains(outputs["json"], "[redacted]") || !strings.Contains(outputs["yaml"], "[redacted]") {
		t.Errorf("marshalled config does not show the redaction marker")
	}
}

func TestRetryScheduleVsExponential(t *testing.T) {
	tests := []struct {
		name    string
		spec    string
		want    []time.Duration
		timeout time.Duration
	}{
		{"schedule", "schedule: [1s, 10s, 1m]", []time.Duration{time.Second, 10 * time.Second, time.Minute}, 0},
		{"exponential", "initial_interval: 1s\nbackoff_coefficient: 3\nmaximum_interval: 5s\nmaximum_attempts: 4",
			[]time.Duration{time.Second, 3 * time.Second, 5 * time.Second}, 0},
		{"exponential default coefficient", "initial_interval: 1s\nmaximum_attempts: 4",
			[]time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, 0},
		{"timeout only", "timeout: 42s", nil, 42 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var spec config.RetrySpec
			if err := yaml.Unmarshal([]byte(tc.spec), &spec); err != nil {
				t.Fatal(err)
			}
			base := retry.Default()
			p, err := spec.Policy(base)
			if err != nil {
				t.Fatalf("Policy: %v", err)
			}
			want := tc.want
			if want == nil {
				want = base.Delays
			}
			if fmt.Sprint(p.Delays) != fmt.Sprint(want) {
				t.Errorf("delays = %v, want %v", p.Delays, want)
			}
			if tc.timeout != 0 && p.Timeout != tc.timeout {
				t.Errorf("timeout = %v, want %v", p.Timeout, tc.timeout)
			}
		})
	}
	both := config.RetrySpec{Schedule: []time.Duration{time.Second}, MaximumAttempts: 3}
	if _, err := both.Policy(retry.Default()); err == nil {
		t.Error("schedule and exponential together accepted")
	}

	// Per-source retry overrides the default; sources without one inherit it.
	cfg, err := config.Parse([]byte(`
retry:
  schedule: [2s, 4s]
sources:
  - name: a
    provider: github
    secrets: [x]
  - name: b
    provider: github
    secrets: [x]
    retry:
      schedule: [7s]
`), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(cfg.DefaultRetry.Delays); got != "[2s 4s]" {
		t.Errorf("default delays = %s", got)
	}
	if got := fmt.Sprint(cfg.Sources[0].RetryPolicy.Delays); got != "[2s 4s]" {
		t.Errorf("inherited delays = %s", got)
	}
	if got := fmt.Sprint(cfg.Sources[1].RetryPolicy.Delays); got != "[7s]" {
		t.Errorf("override delays = %s", got)
	}
}

func TestBodyLimitDefaults(t *testing.T) {
	cfg, err := config.Parse([]byte(`
sources:
  - name: gh
    provider: github
    secrets: [x]
  - name: st
    provider: stripe
    secrets: [x]
  - name: gh-small
    provider: github
    secrets: [x]
    body_limit: 512KiB
  - name: raw
    provider: github
    secrets: [x]
    body_limit: "4096"
`), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]config.ByteSize{
		"gh": config.GitHubBodyLimit, "st": config.DefaultBodyLimit, "gh-small": 512 << 10, "raw": 4096,
	}
	for name, w := range want {
		s, _ := cfg.Source(name)
		if s.BodyLimit != w {
			t.Errorf("%s body limit = %d, want %d", name, s.BodyLimit, w)
		}
	}
	if config.GitHubBodyLimit != 25<<20 {
		t.Errorf("GitHubBodyLimit = %d, want 25 MiB", config.GitHubBodyLimit)
	}
}

func TestStrictOptionsDecoding(t *testing.T) {
	reg := builtin.Providers()
	cfg, err := config.Parse([]byte(`
sources:
  - name: gh
    provider: github
    secrets: [x]
    options:
      no_such_option: true
  - name: plain
    provider: github
    secrets: [x]
`), noEnv)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	_, err = reg.Build(cfg.Sources[0].Provider, cfg.Sources[0].Spec())
	if err == nil || !strings.Contains(err.Error(), "no_such_option") {
		t.Errorf("unknown option: err = %v, want one naming no_such_option", err)
	}
	if _, err := reg.Build(cfg.Sources[1].Provider, cfg.Sources[1].Spec()); err != nil {
		t.Errorf("no options block: %v", err)
	}
	// The Spec carries the resolved secrets for the provider, nothing else.
	spec := cfg.Sources[1].Spec()
	if spec.Source != "plain" || len(spec.Secrets) != 1 || spec.Secrets[0] != "x" {
		t.Errorf("spec = %+v", spec)
	}
	var v struct{}
	if err := spec.Options(&v); err != nil {
		t.Errorf("Options without block: %v", err)
	}
}

func TestValidSourceName(t *testing.T) {
	tests := map[string]bool{
		"github": true, "stripe-main": true, "a_b-9": true, "0": true,
		"": false, "Github": false, "-x": false, "../x": false, "a/b": false, "a b": false,
		strings.Repeat("a", 64): true, strings.Repeat("a", 65): false,
	}
	for name, want := range tests {
		if got := config.ValidSourceName(name); got != want {
			t.Errorf("ValidSourceName(%q) = %v, want %v", name, got, want)
		}
	}
}

// With a provider registry, an unknown provider and invalid provider options
// are reported with the file's other errors, each once, in one pass.
func TestProviderErrorsReportedWithTheOthers(t *testing.T) {
	reg := providers.NewRegistry()
	reg.Register("acme", func(spec providers.Spec) (providers.Provider, error) {
		var o struct {
			Mode string `yaml:"mode"`
		}
		if err := spec.Options(&o); err != nil {
			return nil, err
		}
		return nil, nil
	})
	_, err := config.Parse([]byte(`sources:
  - name: a
    provider: nope
    secrets: [x]
  - name: b
    provider: acme
    secrets: []
  - name: c
    provider: acme
    secrets: [y]
    options: {colour: red}
`), func(string) string { return "" }, config.WithProviders(reg))
	if err == nil {
		t.Fatal("accepted")
	}
	msg := err.Error()
	for _, want := range []string{`sources[0] (a): unknown provider "nope"`, "sources[1] (b).secrets: at least one secret", "sources[2] (c): options: "} {
		if strings.Count(msg, want) != 1 {
			t.Errorf("%q reported %d times in:\n%s", want, strings.Count(msg, want), msg)
		}
	}
	if strings.Count(msg, "sources[1]") != 1 {
		t.Errorf("source b reported more than once:\n%s", msg)
	}
}
