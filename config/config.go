// Package config loads hookgate's configuration: one YAML file of sources (and
// team activities), plus environment variables for the service URLs. Load applies
// defaults and validates; every error names the field and the fix.
//
// Public: app's entry points take a *Config, so a team's own worker loads one.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"go.yaml.in/yaml/v3"

	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/retry"
)

// Environment variables read by Load.
const (
	EnvConfig            = "HOOKGATE_CONFIG"
	EnvListen            = "HOOKGATE_LISTEN"
	EnvAdminListen       = "HOOKGATE_ADMIN_LISTEN"
	EnvAdminTokens       = "HOOKGATE_ADMIN_TOKENS"
	EnvDataDir           = "HOOKGATE_DATA_DIR"
	EnvDatabaseURL       = "DATABASE_URL"
	EnvTemporalAddress   = "TEMPORAL_ADDRESS"
	EnvTemporalNamespace = "TEMPORAL_NAMESPACE"
	EnvTaskQueue         = "HOOKGATE_TASK_QUEUE"
	EnvRedisURL          = "REDIS_URL"
	EnvAMQPURL           = "AMQP_URL"
	// EnvWorkerMetricsListen is where a worker process serves /metrics
	// (default off; the gateway serves them on its admin listener).
	EnvWorkerMetricsListen = "HOOKGATE_WORKER_METRICS_LISTEN"
	// EnvTemporalUIURL is the Temporal UI's base URL the console links a
	// receipt's workflow to (default none; hookgate dev sets its own UI).
	EnvTemporalUIURL = "HOOKGATE_TEMPORAL_UI_URL"
)

// Defaults.
const (
	DefaultListen      = ":8005"
	DefaultAdminListen = "127.0.0.1:8006"
	DefaultNamespace   = "default"
	DefaultTaskQueue   = "hookgate"
	DefaultBodyLimit   = 1 << 20  // 1 MiB
	GitHubBodyLimit    = 25 << 20 // GitHub's documented payload cap
	DefaultDataDir     = ".hookgate"
)

// Config is the whole configuration of a hookgate process.
type Config struct {
	// PublicBaseURL is the URL providers post to, without the /webhooks/{source}
	// path (e.g. https://hooks.example.com). Twilio signs the full URL, so the
	// gateway never trusts the Host header for it.
	PublicBaseURL string `yaml:"public_base_url"`
	// Retry is the default retry policy of every processing step.
	Retry *RetrySpec `yaml:"retry"`
	// Sources are the ingest endpoints, POST /webhooks/{name}.
	Sources []Source `yaml:"sources"`
	// Activities attaches team activities to normalized event types.
	Activities map[string][]Activity `yaml:"activities"`
	// AdminTokens authorise the admin API (also from HOOKGATE_ADMIN_TOKENS as
	// "name:token,name:token").
	AdminTokens []AdminToken `yaml:"admin_tokens"`
	// MetricsTokenRequired puts /metrics on the admin listener behind the admin
	// bearer token. Off by default: Prometheus scrapes without one, and the
	// admin listener is loopback unless configured otherwise.
	MetricsTokenRequired bool `yaml:"metrics_token_required"`
	// Monitor configures alerts (config/monitor.go).
	Monitor Monitor `yaml:"monitor"`
	// Tracing configures OpenTelemetry tracing, off by default (config/tracing.go).
	Tracing Tracing `yaml:"tracing"`
	// Relay places the relay in the gateway (default) or the worker (config/relay.go).
	Relay Relay `yaml:"relay"`
	// Reconcile tunes the worker's reconciler (config/reconcile.go).
	Reconcile Reconcile `yaml:"reconcile"`
	// Hardening: server limits, TLS, trusted proxies, rate limits, audit
	// sampling and retention (config/limits.go).
	Hardening `yaml:",inline"`

	// From the environment.
	Listen            string `yaml:"-"`
	AdminListen       string `yaml:"-"`
	DataDir           string `yaml:"-"`
	DatabaseURL       string `yaml:"-"`
	TemporalAddress   string `yaml:"-"`
	TemporalNamespace string `yaml:"-"`
	TaskQueue         string `yaml:"-"`
	RedisURL          string `yaml:"-"`
	AMQPURL           string `yaml:"-"`
	// WorkerMetricsListen is the worker's /metrics address; empty: none.
	WorkerMetricsListen string `yaml:"-"`
	// TemporalUIURL is EnvTemporalUIURL.
	TemporalUIURL string `yaml:"-"`

	// DefaultRetry is Retry resolved (retry.Default() when unset).
	DefaultRetry retry.Policy `yaml:"-"`
}

// Source is one ingest endpoint.
type Source struct {
	Name     string         `yaml:"name"`
	Provider providers.Name `yaml:"provider"`
	Secrets  []Secret       `yaml:"secrets"`
	// BodyLimit caps the request body ("1MiB"); default 1 MiB, 25 MiB for GitHub.
	BodyLimit ByteSize `yaml:"body_limit"`
	// Retry overrides the default retry policy for this source's events.
	Retry *RetrySpec `yaml:"retry"`
	// Options is the provider-specific block, decoded by the provider.
	Options yaml.Node `yaml:"options"`
	// SourceHardening: allowed_ips and per-source limits (config/limits.go).
	SourceHardening `yaml:",inline"`
	// Dedupe tunes deduplication by signed content (config/dedupe.go).
	Dedupe Dedupe `yaml:"dedupe"`

	// RetryPolicy is Retry resolved against the default.
	RetryPolicy retry.Policy `yaml:"-"`
}

// Activity is a team activity run for every normalized event of a type.
type Activity struct {
	// Name is the activity's registered name on the worker.
	Name  string     `yaml:"name"`
	Retry *RetrySpec `yaml:"retry"`

	Policy retry.Policy `yaml:"-"`
}

// AdminToken is a named bearer token for the admin API; the name is recorded as
// the actor of replays.
type AdminToken struct {
	Name  string `yaml:"name"`
	Token Secret `yaml:"token"`
	// Scopes are what the token may do: read, read:bodies (stored headers and
	// bodies; implies read), replay. Default [read, replay].
	Scopes []string `yaml:"scopes"`
}

// AdminScopes are the valid admin_tokens[].scopes (admin.Scope's values).
var AdminScopes = []string{"read", "read:bodies", "replay"}

// RetrySpec is a retry policy as written in the config: an explicit schedule, or
// Temporal-style exponential parameters.
type RetrySpec struct {
	Schedule           []time.Duration `yaml:"schedule"`
	InitialInterval    time.Duration   `yaml:"initial_interval"`
	BackoffCoefficient float64         `yaml:"backoff_coefficient"`
	MaximumInterval    time.Duration   `yaml:"maximum_interval"`
	MaximumAttempts    int             `yaml:"maximum_attempts"`
	Timeout            time.Duration   `yaml:"timeout"`
}

// ByteSize is a size written like "1MiB", "512KB" or a plain number of bytes.
type ByteSize int64

// UnmarshalYAML parses human-readable sizes.
func (b *ByteSize) UnmarshalYAML(n *yaml.Node) error {
	v, err := humanize.ParseBytes(n.Value)
	if err != nil || v > 1<<31 {
		return fmt.Errorf("line %d: %q is not a size (e.g. \"1MiB\", at most 2GiB)", n.Line, n.Value)
	}
	*b = ByteSize(v)
	return nil
}

// Policy resolves the spec against base (zero fields inherit).
func (r *RetrySpec) Policy(base retry.Policy) (retry.Policy, error) {
	if r == nil {
		return base, nil
	}
	p := base
	switch {
	case len(r.Schedule) > 0 && (r.InitialInterval != 0 || r.MaximumAttempts != 0):
		return p, errors.New("give either schedule or initial_interval/backoff_coefficient/maximum_interval/maximum_attempts, not both")
	case len(r.Schedule) > 0:
		p.Delays = append([]time.Duration(nil), r.Schedule...)
	case r.MaximumAttempts != 0 || r.InitialInterval != 0:
		coef := r.BackoffCoefficient
		if coef == 0 {
			coef = 2
		}
		e, err := retry.Exponential(r.InitialInterval, coef, r.MaximumInterval, r.MaximumAttempts)
		if err != nil {
			return p, err
		}
		p.Delays = e.Delays
	}
	if r.Timeout != 0 {
		p.Timeout = r.Timeout
	}
	return p, p.Validate()
}

var sourceName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// ValidSourceName reports whether s may name a source: lower-case letters, digits,
// '-' and '_', at most 64 bytes. Anything else never reaches SQL, logs or paths.
func ValidSourceName(s string) bool { return sourceName.MatchString(s) }

// Load reads the YAML file at path (HOOKGATE_CONFIG when path is empty), applies
// the environment and defaults, resolves secrets, and validates.
func Load(path string, getenv func(string) string, opts ...Option) (*Config, error) {
	if path == "" {
		path = getenv(EnvConfig)
	}
	if path == "" {
		return nil, fmt.Errorf("no config file: pass --config or set %s (see hookgate.example.yaml)", EnvConfig)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	cfg, err := Parse(data, getenv, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// Builder builds a source's provider from its spec (providers.Registry).
type Builder interface {
	Build(name providers.Name, spec providers.Spec) (providers.Provider, error)
}

// Option changes how Load and Parse validate.
type Option func(*options)

type options struct{ providers Builder }

// WithProviders makes Load and Parse build each source's provider with b, so
// that an unknown provider or invalid provider options are reported with
// every other error of the file, once, in one pass (not later, by each
// component that builds the sources).
func WithProviders(b Builder) Option { return func(o *options) { o.providers = b } }

// Parse is Load on bytes.
func Parse(data []byte, getenv func(string) string, opts ...Option) (*Config, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	var cfg Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	cfg.applyEnv(getenv)
	if err := cfg.resolve(getenv, o.providers); err != nil {
		return nil, err
	}
	return &cfg, nil
}

func (c *Config) applyEnv(getenv func(string) string) {
	or := func(env, def string) string {
		if v := getenv(env); v != "" {
			return v
		}
		return def
	}
	c.Listen = or(EnvListen, DefaultListen)
	c.AdminListen = or(EnvAdminListen, DefaultAdminListen)
	c.DataDir = or(EnvDataDir, DefaultDataDir)
	c.DatabaseURL = getenv(EnvDatabaseURL)
	c.TemporalAddress = getenv(EnvTemporalAddress)
	c.TemporalNamespace = or(EnvTemporalNamespace, DefaultNamespace)
	c.TaskQueue = or(EnvTaskQueue, DefaultTaskQueue)
	c.RedisURL = getenv(EnvRedisURL)
	c.AMQPURL = getenv(EnvAMQPURL)
	c.WorkerMetricsListen = getenv(EnvWorkerMetricsListen)
	c.TemporalUIURL = getenv(EnvTemporalUIURL)
	if v := getenv(EnvAdminTokens); v != "" {
		for _, pair := range strings.Split(v, ",") {
			name, tok, ok := strings.Cut(strings.TrimSpace(pair), ":")
			if !ok {
				name, tok = "admin", name
			}
			c.AdminTokens = append(c.AdminTokens, AdminToken{Name: name, Token: Secret{Value: tok}})
		}
	}
}

// resolve applies defaults, resolves secrets and validates, collecting every error.
func (c *Config) resolve(getenv func(string) string, build Builder) error {
	var errs []error
	fail := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	var err error
	if c.DefaultRetry, err = c.Retry.Policy(retry.Default()); err != nil {
		fail("retry", "%v", err)
	}
	if c.PublicBaseURL != "" {
		u, err := url.Parse(c.PublicBaseURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" {
			fail("public_base_url", "must be an absolute http(s) URL without query, e.g. https://hooks.example.com")
		}
	}
	if len(c.Sources) == 0 {
		fail("sources", "at least one source is required")
	}
	seen := map[string]bool{}
	for i := range c.Sources {
		s := &c.Sources[i]
		sourceErrs := len(errs)
		f := fmt.Sprintf("sources[%d]", i)
		if !ValidSourceName(s.Name) {
			fail(f+".name", "%q must match [a-z0-9][a-z0-9_-]{0,63}", s.Name)
		} else {
			f = fmt.Sprintf("sources[%d] (%s)", i, s.Name)
		}
		if seen[s.Name] {
			fail(f+".name", "duplicate source name")
		}
		seen[s.Name] = true
		if s.Provider == "" {
			fail(f+".provider", "required: a provider name (`hookgate providers` lists them, e.g. github, stripe, slack, hmac)")
		}
		if len(s.Secrets) == 0 {
			fail(f+".secrets", "at least one secret is required (value, env or file); sources never accept unsigned requests")
		}
		if err := s.Dedupe.resolve(f); err != nil {
			errs = append(errs, err)
		}
		for j := range s.Secrets {
			if err := s.Secrets[j].resolve(getenv); err != nil {
				fail(fmt.Sprintf("%s.secrets[%d]", f, j), "%v", err)
			}
		}
		if s.BodyLimit == 0 {
			s.BodyLimit = DefaultBodyLimit
			if s.Provider == providers.GitHub {
				s.BodyLimit = GitHubBodyLimit
			}
		}
		if s.RetryPolicy, err = s.Retry.Policy(c.DefaultRetry); err != nil {
			fail(f+".retry", "%v", err)
		}
		if build != nil && s.Provider != "" && len(s.Secrets) > 0 && len(errs) == sourceErrs {
			// Only a source otherwise valid: its provider would repeat an error
			// already reported (a missing secret).
			if _, err := build.Build(s.Provider, s.Spec()); err != nil {
				fail(f, "%v", err)
			}
		}
	}
	errs = append(errs, c.resolveHardening()...)
	errs = append(errs, c.resolveMonitor(getenv)...)
	errs = append(errs, c.resolveTracing(getenv)...)
	errs = append(errs, c.resolveRelay()...)
	errs = append(errs, c.resolveReconcile()...)
	for typ, acts := range c.Activities {
		for j := range acts {
			a := &acts[j]
			f := fmt.Sprintf("activities[%s][%d]", typ, j)
			if a.Name == "" {
				fail(f+".name", "required: the activity name registered on the worker")
			}
			if a.Policy, err = a.Retry.Policy(c.DefaultRetry); err != nil {
				fail(f+".retry", "%v", err)
			}
		}
	}
	for i := range c.AdminTokens {
		t := &c.AdminTokens[i]
		f := fmt.Sprintf("admin_tokens[%d]", i)
		if t.Name == "" {
			fail(f+".name", "required (recorded as the actor of replays)")
		}
		if err := t.Token.resolve(getenv); err != nil {
			fail(f+".token", "%v", err)
		} else if len(t.Token.Reveal()) < 16 {
			fail(f+".token", "must be at least 16 characters")
		}
		for j, sc := range t.Scopes {
			if !slices.Contains(AdminScopes, sc) {
				fail(fmt.Sprintf("%s.scopes[%d]", f, j), "%q is not a scope: use %s", sc, strings.Join(AdminScopes, ", "))
			}
		}
	}
	return errors.Join(errs...)
}

// Source returns the named source.
func (c *Config) Source(name string) (*Source, bool) {
	for i := range c.Sources {
		if c.Sources[i].Name == name {
			return &c.Sources[i], true
		}
	}
	return nil, false
}

// Spec builds the providers.Spec of a source. The Options decoder is strict:
// an unknown option is an error naming it.
func (s *Source) Spec() providers.Spec {
	secrets := make([]string, len(s.Secrets))
	for i, sec := range s.Secrets {
		secrets[i] = sec.Reveal()
	}
	node := s.Options
	return providers.Spec{
		Source:  s.Name,
		Secrets: secrets,
		Options: func(v any) error {
			if node.Kind == 0 {
				return nil
			}
			b, err := yaml.Marshal(&node)
			if err != nil {
				return fmt.Errorf("options: %w", err)
			}
			dec := yaml.NewDecoder(bytes.NewReader(b))
			dec.KnownFields(true)
			if err := dec.Decode(v); err != nil {
				return fmt.Errorf("options: %w", err)
			}
			return nil
		},
	}
}
