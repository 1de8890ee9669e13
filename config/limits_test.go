package config_test

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/hookgate/hookgate/config"
)

const oneSource = "sources:\n  - name: a\n    provider: github\n    secrets: [s]\n"

func TestHardeningDefaults(t *testing.T) {
	cfg, err := config.Parse([]byte(oneSource), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Server.ReadHeaderTimeout != config.DefaultReadHeaderTimeout || cfg.Server.MaxHeaderBytes != config.DefaultMaxHeaderBytes ||
		cfg.Server.IdleTimeout != config.DefaultIdleTimeout {
		t.Errorf("server defaults not applied: %+v", cfg.Server)
	}
	if cfg.Limits.PerIP != config.DefaultPerIP || cfg.Limits.Failures != config.DefaultFailures ||
		cfg.Limits.BlockAfter != config.DefaultBlockAfter || cfg.Limits.BlockFor != config.DefaultBlockFor {
		t.Errorf("limit defaults not applied: %+v", cfg.Limits)
	}
	if cfg.JSONMaxDepth != 64 || cfg.AuditSampling.PerSecond != config.DefaultAuditPerSecond ||
		cfg.Retention.Audit != 720*time.Hour || cfg.Retention.Bodies != 2160*time.Hour || cfg.Retention.Interval != time.Hour {
		t.Errorf("defaults: depth %d sampling %+v retention %+v", cfg.JSONMaxDepth, cfg.AuditSampling, cfg.Retention)
	}
	if cfg.TLS.Enabled() || cfg.RequireForwardedProtoHTTPS {
		t.Error("TLS or forwarded-proto requirement on by default")
	}
}

func TestHardeningParsed(t *testing.T) {
	yaml := `
server: {read_header_timeout: 2s, max_header_bytes: 8KiB}
trusted_proxies: [10.0.0.0/8]
require_forwarded_proto_https: true
limits:
  per_ip: {rate: 5}
  failures: {rate: 1, per: 1m, burst: 3}
  block_after: 4
  block_for: 1h
json_max_depth: 20
retention: {audit: 48h, bodies: 96h, interval: 10m}
sources:
  - name: a
    provider: github
    secrets: [s]
    allowed_ips: [192.30.252.0/22, "140.82.112.7", "::ffff:1.2.3.4"]
    limits: {per_source: {rate: 10, burst: 10}}
`
	cfg, err := config.Parse([]byte(yaml), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Server.ReadHeaderTimeout != 2*time.Second || cfg.Server.MaxHeaderBytes != 8<<10 || cfg.Server.ReadTimeout != config.DefaultReadTimeout {
		t.Errorf("server = %+v", cfg.Server)
	}
	if want := (config.Rate{Rate: 5, Per: time.Second, Burst: 10}); cfg.Limits.PerIP != want {
		t.Errorf("per_ip = %+v, want %+v (per and burst defaulted)", cfg.Limits.PerIP, want)
	}
	if cfg.Limits.BlockAfter != 4 || cfg.Limits.BlockFor != time.Hour || cfg.JSONMaxDepth != 20 || cfg.Retention.Interval != 10*time.Minute {
		t.Errorf("limits %+v depth %d retention %+v", cfg.Limits, cfg.JSONMaxDepth, cfg.Retention)
	}
	s := cfg.Sources[0]
	want := []netip.Prefix{netip.MustParsePrefix("192.30.252.0/22"), netip.MustParsePrefix("140.82.112.7/32"), netip.MustParsePrefix("1.2.3.4/32")}
	if len(s.AllowedNets) != len(want) {
		t.Fatalf("allowed nets = %v, want %v", s.AllowedNets, want)
	}
	for i := range want {
		if s.AllowedNets[i] != want[i] {
			t.Errorf("allowed_ips[%d] = %v, want %v", i, s.AllowedNets[i], want[i])
		}
	}
	if s.Limits == nil || s.Limits.PerSource != (config.Rate{Rate: 10, Per: time.Second, Burst: 10}) || !s.Limits.PerIP.IsZero() {
		t.Errorf("source limits = %+v", s.Limits)
	}
}

func TestHardeningErrorsNameTheField(t *testing.T) {
	tests := []struct {
		name, yaml, field string
	}{
		{"bad proxy", "trusted_proxies: [nope]\n", "trusted_proxies[0]"},
		{"bad allowed ip", "", "sources[0].allowed_ips[0]"},
		{"tls half", "tls: {cert_file: /nonexistent.pem}\n", "tls"},
		{"tls missing file", "tls: {cert_file: /nonexistent.pem, key_file: /nonexistent.key}\n", "tls.cert_file"},
		{"https without proxy", "require_forwarded_proto_https: true\n", "require_forwarded_proto_https"},
		{"negative rate", "limits: {failures: {rate: -1}}\n", "limits.failures"},
		{"tiny headers", "server: {max_header_bytes: 100}\n", "server.max_header_bytes"},
		{"negative timeout", "server: {read_timeout: -1s}\n", "server.read_timeout"},
		{"shallow json", "json_max_depth: 2\n", "json_max_depth"},
		{"retention too short", "retention: {audit: 1m}\n", "retention"},
		{"unknown key", "limits: {per_hour: 1}\n", "per_hour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := oneSource
			if tt.yaml == "" {
				src += "    allowed_ips: [1.2.3.4/99]\n"
			}
			_, err := config.Parse([]byte(tt.yaml+src), noEnv)
			if err == nil || !strings.Contains(err.Error(), tt.field) {
				t.Fatalf("err = %v, want one naming %s", err, tt.field)
			}
		})
	}
}
