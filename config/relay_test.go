package config_test

import (
	"strings"
	"testing"

	"github.com/hookgate/hookgate/config"
)

func TestRelayProcess(t *testing.T) {
	const sources = "sources:\n  - {name: gh, provider: github, secrets: [s]}\n"
	pg := func(k string) string {
		if k == config.EnvDatabaseURL {
			return "postgres://localhost/hookgate"
		}
		return ""
	}
	none := func(string) string { return "" }
	tests := []struct {
		name, yaml string
		getenv     func(string) string
		want       config.RelayProcess
		err        string
	}{
		{"default", sources, none, config.RelayInGateway, ""},
		{"gateway", "relay: {process: gateway}\n" + sources, none, config.RelayInGateway, ""},
		{"worker with postgres", "relay: {process: worker}\n" + sources, pg, config.RelayInWorker, ""},
		{"worker with sqlite", "relay: {process: worker}\n" + sources, none, "", "relay.process: worker needs PostgreSQL"},
		{"unknown", "relay: {process: sidecar}\n" + sources, pg, "", `relay.process: "sidecar" is not a process`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse([]byte(tt.yaml), tt.getenv)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Parse error = %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Relay.Process != tt.want {
				t.Errorf("relay.process = %q, want %q", cfg.Relay.Process, tt.want)
			}
		})
	}
}
