package config

import (
	"fmt"
	"net/url"
	"time"
)

// Monitor configures the alert monitor that the gateway process runs (one
// gateway at a time leads it, by a Postgres advisory lock).
type Monitor struct {
	// Enabled turns the monitor on.
	Enabled bool `yaml:"enabled"`
	// Interval between evaluations (default 1m).
	Interval time.Duration `yaml:"interval"`
	// SlackWebhookURL is a Slack incoming webhook (a secret: value, env or file).
	SlackWebhookURL *Secret `yaml:"slack_webhook_url"`
	// WebhookURL receives Alertmanager-compatible messages (a secret: it may
	// carry a token).
	WebhookURL *Secret `yaml:"webhook_url"`
	// Sources sets each source's missing-webhooks rule, by source name.
	Sources map[string]MonitorSource `yaml:"sources"`
}

// MonitorSource is one source's missing-webhooks rule.
type MonitorSource struct {
	// ExpectedInterval is the longest normal silence ("30m").
	ExpectedInterval time.Duration `yaml:"expected_interval"`
	// ActiveHours limits the rule to a daily range, "09:00-18:00" (may wrap
	// past midnight), in Timezone.
	ActiveHours string `yaml:"active_hours"`
	// Timezone of ActiveHours, an IANA name (default UTC).
	Timezone string `yaml:"timezone"`

	// From, To and Location are ActiveHours resolved (zero From and To: always).
	From, To time.Duration  `yaml:"-"`
	Location *time.Location `yaml:"-"`
}

// DefaultMonitorInterval is the monitor's evaluation interval when unset.
const DefaultMonitorInterval = time.Minute

// resolveMonitor applies the monitor's defaults and validates it.
func (c *Config) resolveMonitor(getenv func(string) string) []error {
	var errs []error
	fail := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	m := &c.Monitor
	if m.Interval < 0 {
		fail("monitor.interval", "must be a positive duration, e.g. 1m")
	}
	if m.Interval == 0 {
		m.Interval = DefaultMonitorInterval
	}
	for _, s := range []struct {
		name string
		v    *Secret
	}{{"monitor.slack_webhook_url", m.SlackWebhookURL}, {"monitor.webhook_url", m.WebhookURL}} {
		if s.v == nil {
			continue
		}
		if err := s.v.resolve(getenv); err != nil {
			fail(s.name, "%v", err)
			continue
		}
		if u, err := url.Parse(s.v.Reveal()); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			fail(s.name, "must be an absolute http(s) URL")
		}
	}
	known := map[string]bool{}
	for _, s := range c.Sources {
		known[s.Name] = true
	}
	for name, ms := range m.Sources {
		f := "monitor.sources." + name
		if !known[name] {
			fail(f, "no such source in sources")
		}
		if ms.ExpectedInterval <= 0 {
			fail(f+".expected_interval", "required, a positive duration such as 30m")
		}
		ms.Location = time.UTC
		if ms.Timezone != "" {
			loc, err := time.LoadLocation(ms.Timezone)
			if err != nil {
				fail(f+".timezone", "unknown time zone %q (use an IANA name such as Europe/Paris)", ms.Timezone)
			} else {
				ms.Location = loc
			}
		}
		if ms.ActiveHours != "" {
			from, to, err := parseHours(ms.ActiveHours)
			if err != nil {
				fail(f+".active_hours", "%v", err)
			}
			ms.From, ms.To = from, to
		}
		m.Sources[name] = ms
	}
	return errs
}

// parseHours parses "HH:MM-HH:MM".
func parseHours(s string) (from, to time.Duration, err error) {
	var h1, m1, h2, m2 int
	if n, _ := fmt.Sscanf(s, "%d:%d-%d:%d", &h1, &m1, &h2, &m2); n != 4 ||
		h1 < 0 || h1 > 24 || h2 < 0 || h2 > 24 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59 {
		return 0, 0, fmt.Errorf("%q must look like 09:00-18:00", s)
	}
	from = time.Duration(h1)*time.Hour + time.Duration(m1)*time.Minute
	to = time.Duration(h2)*time.Hour + time.Duration(m2)*time.Minute
	if from == to {
		return 0, 0, fmt.Errorf("%q is an empty range", s)
	}
	return from, to, nil
}
