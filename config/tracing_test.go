package config_test

import (
	"strings"
	"testing"

	"github.com/hookgate/hookgate/config"
)

func TestTracingConfig(t *testing.T) {
	tests := []struct {
		name        string
		yml         string
		env         map[string]string
		wantErr     string
		wantEnabled bool
		wantRatio   float64
	}{
		{name: "off by default", wantRatio: 1},
		{name: "file", yml: "tracing: {enabled: true, endpoint: \"http://collector:4317\", sample_ratio: 0.25}\n", wantEnabled: true, wantRatio: 0.25},
		{name: "env on", env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, wantEnabled: true, wantRatio: 1},
		{name: "env none wins", yml: "tracing: {enabled: true}\n", env: map[string]string{"OTEL_TRACES_EXPORTER": "none"}, wantRatio: 1},
		{name: "sdk disabled wins", yml: "tracing: {enabled: true}\n", env: map[string]string{"OTEL_SDK_DISABLED": "true"}, wantRatio: 1},
		{name: "unsupported exporter", env: map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, wantErr: "OTEL_TRACES_EXPORTER"},
		{name: "bad ratio", yml: "tracing: {sample_ratio: 2}\n", wantErr: "tracing.sample_ratio"},
		{name: "bad endpoint", yml: "tracing: {endpoint: \"collector:4317\"}\n", wantErr: "tracing.endpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse([]byte(monitorBase+tt.yml), func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Tracing.Enabled != tt.wantEnabled || cfg.Tracing.Ratio != tt.wantRatio {
				t.Errorf("tracing enabled %v ratio %v, want %v %v", cfg.Tracing.Enabled, cfg.Tracing.Ratio, tt.wantEnabled, tt.wantRatio)
			}
		})
	}
}

var _ = config.Tracing{}
