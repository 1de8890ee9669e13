package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hookgate/hookgate/config"
)

const monitorBase = `
sources:
  - name: gh
    provider: github
    secrets: [s3cret-gh]
`

func TestMonitorConfig(t *testing.T) {
	env := map[string]string{"SLACK_URL": "https://hooks.slack.test/services/T/B/x"}
	getenv := func(k string) string { return env[k] }
	tests := []struct {
		name    string
		yml     string
		wantErr string
	}{
		{"defaults", "", ""},
		{"full", `monitor:
  enabled: true
  interval: 30s
  slack_webhook_url: {env: SLACK_URL}
  webhook_url: http://127.0.0.1:9093/hook
  sources:
    gh: {expected_interval: 30m, active_hours: "22:00-06:00", timezone: Europe/Paris}
`, ""},
		{"unknown source", "monitor:\n  sources:\n    nope: {expected_interval: 1m}\n", "monitor.sources.nope: no such source"},
		{"interval required", "monitor:\n  sources:\n    gh: {active_hours: \"09:00-18:00\"}\n", "monitor.sources.gh.expected_interval: required"},
		{"bad hours", "monitor:\n  sources:\n    gh: {expected_interval: 1m, active_hours: \"9 to 5\"}\n", "monitor.sources.gh.active_hours"},
		{"bad zone", "monitor:\n  sources:\n    gh: {expected_interval: 1m, timezone: Mars/Olympus}\n", "monitor.sources.gh.timezone"},
		{"bad url", "monitor:\n  webhook_url: not-a-url\n", "monitor.webhook_url: must be an absolute"},
		{"empty env", "monitor:\n  slack_webhook_url: {env: NOPE}\n", "monitor.slack_webhook_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse([]byte(monitorBase+tt.yml), getenv)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Monitor.Interval <= 0 {
				t.Errorf("interval not defaulted: %v", cfg.Monitor.Interval)
			}
			if tt.name == "full" {
				gh := cfg.Monitor.Sources["gh"]
				if gh.From != 22*time.Hour || gh.To != 6*time.Hour || gh.Location.String() != "Europe/Paris" {
					t.Errorf("gh rule = %+v", gh)
				}
				if cfg.Monitor.SlackWebhookURL.Reveal() != env["SLACK_URL"] {
					t.Error("slack URL not resolved from the environment")
				}
			}
		})
	}
}
