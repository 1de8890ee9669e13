// Package deploycheck validates the repository's docker-compose.yml and
// Dockerfile without a Docker engine (CI has none): strict structure, references
// between services, build targets and the environment the binaries read.
package deploycheck

import (
	"bufio"
	"bytes"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

const root = "../.."

// The compose subset hookgate uses. Decoding is strict: a key that is not here
// (a typo such as depend_on, or a new feature) fails the test until it is added.
type composeFile struct {
	Name     string             `yaml:"name"`
	Services map[string]service `yaml:"services"`
	Volumes  map[string]*volume `yaml:"volumes"`
	Secrets  map[string]secret  `yaml:"secrets"`
	// Extension fields (x-...) hold YAML anchors.
	Extensions map[string]any `yaml:",inline"`
}

type volume struct {
	Driver string `yaml:"driver"`
}

type service struct {
	Image       string                `yaml:"image"`
	Build       *build                `yaml:"build"`
	Restart     string                `yaml:"restart"`
	Hostname    string                `yaml:"hostname"`
	Command     any                   `yaml:"command"`
	Entrypoint  []string              `yaml:"entrypoint"`
	EnvFile     []envFile             `yaml:"env_file"`
	Secrets     []string              `yaml:"secrets"`
	Environment map[string]any        `yaml:"environment"`
	Volumes     []string              `yaml:"volumes"`
	Ports       []string              `yaml:"ports"`
	DependsOn   map[string]dependency `yaml:"depends_on"`
	Healthcheck *healthcheck          `yaml:"healthcheck"`
}

type envFile struct {
	Path     string `yaml:"path"`
	Required *bool  `yaml:"required"`
}

type secret struct {
	File string `yaml:"file"`
}

type build struct {
	Context    string `yaml:"context"`
	Dockerfile string `yaml:"dockerfile"`
	Target     string `yaml:"target"`
}

type dependency struct {
	Condition string `yaml:"condition"`
}

type healthcheck struct {
	Test        []string `yaml:"test"`
	Interval    string   `yaml:"interval"`
	Timeout     string   `yaml:"timeout"`
	Retries     int      `yaml:"retries"`
	StartPeriod string   `yaml:"start_period"`
}

var interpolation = regexp.MustCompile(`\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// interpolate applies compose's variable substitution as if no variable were set:
// every ${VAR:-default} takes its default, so the file must work out of the box.
func interpolate(text string) (string, error) {
	var missing []string
	out := interpolation.ReplaceAllStringFunc(text, func(m string) string {
		if m == "$$" {
			return "$"
		}
		sub := interpolation.FindStringSubmatch(m)
		if sub[2] != "" {
			return sub[3]
		}
		missing = append(missing, m)
		return ""
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("variables without a default: %v (the stack must start with no .env)", missing)
	}
	return out, nil
}

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	text, err := interpolate(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	dec := yaml.NewDecoder(strings.NewReader(text))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	return c
}

func TestComposeServices(t *testing.T) {
	c := loadCompose(t)
	for k := range c.Extensions {
		if !strings.HasPrefix(k, "x-") {
			t.Errorf("unknown top-level key %q", k)
		}
	}
	images := map[string]string{
		"postgres":    "postgres:16",
		"redis":       "redis:7",
		"rabbitmq":    "rabbitmq:3-management",
		"temporal":    "temporalio/",
		"temporal-ui": "temporalio/ui:",
	}
	for name, prefix := range images {
		s, ok := c.Services[name]
		if !ok {
			t.Errorf("service %s missing", name)
			continue
		}
		if !strings.HasPrefix(s.Image, prefix) {
			t.Errorf("%s: image %q, want %s…", name, s.Image, prefix)
		}
	}
	for _, name := range []string{"gateway", "worker"} {
		s, ok := c.Services[name]
		if !ok {
			t.Errorf("service %s missing", name)
			continue
		}
		if s.Build == nil || s.Build.Target != name {
			t.Errorf("%s: want a build with target %s, got %+v", name, name, s.Build)
		}
	}
	for name, s := range c.Services {
		if s.Image == "" && s.Build == nil {
			t.Errorf("%s: neither image nor build", name)
		}
		if s.Restart != "" && !slices.Contains([]string{"no", "always", "on-failure", "unless-stopped"}, s.Restart) {
			t.Errorf("%s: restart %q", name, s.Restart)
		}
		for k, v := range s.Environment {
			switch v.(type) {
			case string, int, bool, float64, nil:
			default:
				t.Errorf("%s: environment %s is a %T, want a scalar", name, k, v)
			}
		}
	}
}

func TestComposeBuildsExist(t *testing.T) {
	c := loadCompose(t)
	for name, s := range c.Services {
		if s.Build == nil {
			continue
		}
		ctx := filepath.Join(root, s.Build.Context)
		if fi, err := os.Stat(ctx); err != nil || !fi.IsDir() {
			t.Errorf("%s: build context %s is not a directory", name, s.Build.Context)
			continue
		}
		df := s.Build.Dockerfile
		if df == "" {
			df = "Dockerfile"
		}
		stages := dockerfileStages(t, filepath.Join(ctx, df))
		if !slices.Contains(stages, s.Build.Target) {
			t.Errorf("%s: target %q is not a stage of %s (stages %v)", name, s.Build.Target, df, stages)
		}
	}
}

func TestComposeDependsOn(t *testing.T) {
	c := loadCompose(t)
	conditions := []string{"service_started", "service_healthy", "service_completed_successfully"}
	for name, s := range c.Services {
		for dep, d := range s.DependsOn {
			target, ok := c.Services[dep]
			if !ok {
				t.Errorf("%s depends on %s, which is not a service", name, dep)
				continue
			}
			if !slices.Contains(conditions, d.Condition) {
				t.Errorf("%s → %s: condition %q, want one of %v", name, dep, d.Condition, conditions)
			}
			if d.Condition == "service_healthy" && target.Healthcheck == nil {
				t.Errorf("%s waits for %s to be healthy, but %s has no healthcheck", name, dep, dep)
			}
		}
	}
	// No cycles: compose would refuse to start.
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(string, []string)
	visit = func(n string, path []string) {
		switch state[n] {
		case 1:
			t.Errorf("depends_on cycle: %v", append(path, n))
			return
		case 2:
			return
		}
		state[n] = 1
		for dep := range c.Services[n].DependsOn {
			visit(dep, append(path, n))
		}
		state[n] = 2
	}
	for n := range c.Services {
		visit(n, nil)
	}
	for _, name := range []string{"gateway", "worker"} {
		for _, dep := range []string{"postgres", "rabbitmq", "temporal"} {
			if c.Services[name].DependsOn[dep].Condition != "service_healthy" {
				t.Errorf("%s should wait for %s to be healthy", name, dep)
			}
		}
	}
}

func TestComposeHealthchecks(t *testing.T) {
	c := loadCompose(t)
	for name, s := range c.Services {
		h := s.Healthcheck
		if h == nil {
			continue
		}
		if len(h.Test) < 2 || !slices.Contains([]string{"CMD", "CMD-SHELL"}, h.Test[0]) {
			t.Errorf("%s: healthcheck test %q: want [CMD, ...] or [CMD-SHELL, command]", name, h.Test)
		}
		if h.Test[0] == "CMD-SHELL" && len(h.Test) != 2 {
			t.Errorf("%s: CMD-SHELL takes one command string, got %q", name, h.Test[1:])
		}
		for what, d := range map[string]string{"interval": h.Interval, "timeout": h.Timeout, "start_period": h.StartPeriod} {
			if d == "" {
				continue
			}
			if _, err := time.ParseDuration(d); err != nil {
				t.Errorf("%s: healthcheck %s %q: %v", name, what, d, err)
			}
		}
		if h.Retries < 1 {
			t.Errorf("%s: healthcheck retries %d", name, h.Retries)
		}
	}
	for _, name := range []string{"postgres", "redis", "rabbitmq", "temporal", "gateway"} {
		if c.Services[name].Healthcheck == nil {
			t.Errorf("%s has no healthcheck", name)
		}
	}
}

// port parses "[ip:]host:container[/proto]".
func port(spec string) (ip string, host, container int, err error) {
	spec, _, _ = strings.Cut(spec, "/")
	parts := strings.Split(spec, ":")
	switch len(parts) {
	case 2:
	case 3:
		ip, parts = parts[0], parts[1:]
	default:
		return "", 0, 0, fmt.Errorf("want [ip:]host:container")
	}
	if host, err = strconv.Atoi(parts[0]); err != nil || host < 1 || host > 65535 {
		return "", 0, 0, fmt.Errorf("host port %q", parts[0])
	}
	if container, err = strconv.Atoi(parts[1]); err != nil || container < 1 || container > 65535 {
		return "", 0, 0, fmt.Errorf("container port %q", parts[1])
	}
	return ip, host, container, nil
}

func TestComposePortsAndVolumes(t *testing.T) {
	c := loadCompose(t)
	used := map[int]string{}
	for name, s := range c.Services {
		for _, p := range s.Ports {
			ip, host, _, err := port(p)
			if err != nil {
				t.Errorf("%s: port %q: %v", name, p, err)
				continue
			}
			if other, dup := used[host]; dup {
				t.Errorf("host port %d published by %s and %s", host, other, name)
			}
			used[host] = name
			// Only the webhook port is for the outside world.
			if ip != "127.0.0.1" && !(name == "gateway" && host == 8005) {
				t.Errorf("%s: port %q is published on all interfaces; bind it to 127.0.0.1", name, p)
			}
		}
		for _, v := range s.Volumes {
			src, _, ok := strings.Cut(v, ":")
			if !ok {
				t.Errorf("%s: volume %q: want source:target", name, v)
				continue
			}
			if strings.HasPrefix(src, ".") || strings.HasPrefix(src, "/") {
				continue // a bind mount
			}
			if _, declared := c.Volumes[src]; !declared {
				t.Errorf("%s: named volume %q is not declared under volumes:", name, src)
			}
		}
	}
	if used[8005] != "gateway" {
		t.Error("the gateway's webhook port 8005 is not published")
	}
}

// TestComposeHookgateEnvironment checks what config.Load reads, and that every
// URL names a service of the stack on the port that service listens on.
func TestComposeHookgateEnvironment(t *testing.T) {
	c := loadCompose(t)
	wantHost := map[string]string{
		"DATABASE_URL":     "postgres:5432",
		"REDIS_URL":        "redis:6379",
		"AMQP_URL":         "rabbitmq:5672",
		"TEMPORAL_ADDRESS": "temporal:7233",
	}
	for _, name := range []string{"gateway", "worker"} {
		s := c.Services[name]
		for key, host := range wantHost {
			v, _ := s.Environment[key].(string)
			got := v
			if key != "TEMPORAL_ADDRESS" {
				u, err := url.Parse(v)
				if err != nil {
					t.Errorf("%s: %s: %v", name, key, err)
					continue
				}
				got = u.Host
			}
			if got != host {
				t.Errorf("%s: %s points at %q, want %s", name, key, got, host)
			}
			svc, _, _ := strings.Cut(host, ":")
			if _, ok := c.Services[svc]; !ok {
				t.Errorf("%s: %s names %s, not a service", name, key, svc)
			}
		}
		cfg, _ := s.Environment["HOOKGATE_CONFIG"].(string)
		if cfg == "" {
			t.Errorf("%s: HOOKGATE_CONFIG not set", name)
		}
		mounted := false
		for _, v := range s.Volumes {
			parts := strings.Split(v, ":")
			if len(parts) >= 2 && parts[0] == "./deploy/hookgate.yaml" && parts[1] == cfg {
				mounted = true
			}
		}
		if !mounted {
			t.Errorf("%s: ./deploy/hookgate.yaml is not mounted at HOOKGATE_CONFIG (%s)", name, cfg)
		}
	}
	// The credentials in the URLs are the ones the servers are started with.
	db, _ := url.Parse(c.Services["gateway"].Environment["DATABASE_URL"].(string))
	pg := c.Services["postgres"].Environment
	if pw, _ := db.User.Password(); db.User.Username() != pg["POSTGRES_USER"] || pw != pg["POSTGRES_PASSWORD"] || db.Path != "/"+pg["POSTGRES_DB"].(string) {
		t.Errorf("DATABASE_URL does not match the postgres service's user, password and database")
	}
	mq, _ := url.Parse(c.Services["gateway"].Environment["AMQP_URL"].(string))
	rmq := c.Services["rabbitmq"].Environment
	if pw, _ := mq.User.Password(); mq.User.Username() != rmq["RABBITMQ_DEFAULT_USER"] || pw != rmq["RABBITMQ_DEFAULT_PASS"] {
		t.Errorf("AMQP_URL does not match the rabbitmq service's user and password")
	}
}

// dockerfileStages parses a Dockerfile enough to check it: instructions with line
// continuations joined, stage names, COPY --from references to earlier stages.
func dockerfileStages(t *testing.T, path string) []string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	var stages []string
	for _, in := range instructions(raw) {
		fields := strings.Fields(in)
		switch strings.ToUpper(fields[0]) {
		case "FROM":
			if len(fields) == 4 && strings.EqualFold(fields[2], "AS") {
				stages = append(stages, fields[3])
			} else if len(fields) != 2 {
				t.Errorf("%s: malformed %q", path, in)
			}
		case "COPY":
			for _, f := range fields[1:] {
				if from, ok := strings.CutPrefix(f, "--from="); ok && !slices.Contains(stages, from) {
					t.Errorf("%s: %q copies from %s, not an earlier stage", path, in, from)
				}
			}
		}
	}
	return stages
}

func instructions(raw []byte) []string {
	var out []string
	var cur strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if l, cont := strings.CutSuffix(line, "\\"); cont {
			cur.WriteString(l + " ")
			continue
		}
		cur.WriteString(line)
		out = append(out, cur.String())
		cur.Reset()
	}
	return out
}

func TestDockerfile(t *testing.T) {
	path := filepath.Join(root, "Dockerfile")
	stages := dockerfileStages(t, path)
	for _, want := range []string{"build", "gateway", "worker"} {
		if !slices.Contains(stages, want) {
			t.Errorf("stage %s missing (have %v)", want, stages)
		}
	}
	raw, _ := os.ReadFile(path)
	ins := instructions(raw)
	var builds, stage string
	entrypoints := map[string]bool{}
	for _, in := range ins {
		f := strings.Fields(in)
		switch strings.ToUpper(f[0]) {
		case "FROM":
			stage = f[len(f)-1]
		case "RUN":
			if strings.Contains(in, "go build") {
				builds += in
			}
		case "ENTRYPOINT":
			entrypoints[stage] = true
		}
	}
	for _, pkg := range []string{"./cmd/gateway", "./cmd/worker"} {
		if !strings.Contains(builds, pkg) {
			t.Errorf("no go build of %s", pkg)
		}
	}
	if !strings.Contains(builds, "CGO_ENABLED=0") {
		t.Error("binaries must be static (CGO_ENABLED=0) for the Alpine runtime")
	}
	for _, s := range []string{"gateway", "worker"} {
		if !entrypoints[s] {
			t.Errorf("stage %s has no ENTRYPOINT", s)
		}
	}
}

func TestInterpolate(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{in: "a ${X:-d} b", want: "a d b"},
		{in: "${X-d}", want: "d"},
		{in: "$$HOME", want: "$HOME"},
		{in: "${X}", wantErr: "without a default"},
		{in: "$X", wantErr: "without a default"},
	}
	for _, tt := range tests {
		got, err := interpolate(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("interpolate(%q) error %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("interpolate(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
