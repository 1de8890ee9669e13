package config

import (
	"fmt"
	"net/url"
	"strings"
)

// Standard OpenTelemetry environment variables Load reads for tracing.
const (
	// EnvOTelTracesExporter is "otlp" (tracing on) or "none" (off, whatever
	// the file says).
	EnvOTelTracesExporter = "OTEL_TRACES_EXPORTER"
	// EnvOTelEndpoint is the OTLP endpoint the exporter uses when the file
	// names none (the exporter reads it, and OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
	// itself).
	EnvOTelEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT"
	// EnvOTelSDKDisabled, "true", turns tracing off whatever else says.
	EnvOTelSDKDisabled = "OTEL_SDK_DISABLED"
)

// Tracing configures OpenTelemetry tracing (off by default): one trace per
// webhook from ingest through the relay, the workflow's activities and the
// publish, exported over OTLP/gRPC.
type Tracing struct {
	// Enabled turns tracing on (also OTEL_TRACES_EXPORTER=otlp).
	Enabled bool `yaml:"enabled"`
	// Endpoint is the OTLP/gRPC collector URL, e.g. http://otel-collector:4317
	// (http: plaintext, https: TLS). Empty: OTEL_EXPORTER_OTLP_ENDPOINT, else
	// the exporter's default, https://localhost:4317.
	Endpoint string `yaml:"endpoint"`
	// SampleRatio is the fraction of new traces kept, 0 to 1 (default 1).
	SampleRatio *float64 `yaml:"sample_ratio"`

	// Ratio is SampleRatio resolved.
	Ratio float64 `yaml:"-"`
}

// resolveTracing applies the environment and defaults to the tracing block and
// validates it.
func (c *Config) resolveTracing(getenv func(string) string) []error {
	var errs []error
	fail := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	tr := &c.Tracing
	switch v := strings.TrimSpace(getenv(EnvOTelTracesExporter)); v {
	case "":
	case "otlp":
		tr.Enabled = true
	case "none":
		tr.Enabled = false
	default:
		fail(EnvOTelTracesExporter, "%q is not supported: use otlp or none", v)
	}
	if strings.EqualFold(strings.TrimSpace(getenv(EnvOTelSDKDisabled)), "true") {
		tr.Enabled = false
	}
	tr.Ratio = 1
	if tr.SampleRatio != nil {
		tr.Ratio = *tr.SampleRatio
		if tr.Ratio < 0 || tr.Ratio > 1 {
			fail("tracing.sample_ratio", "must be between 0 and 1, e.g. 0.1")
		}
	}
	if tr.Endpoint != "" {
		u, err := url.Parse(tr.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			fail("tracing.endpoint", "must be an http(s) URL of the OTLP/gRPC collector, e.g. http://otel-collector:4317")
		}
	}
	return errs
}
