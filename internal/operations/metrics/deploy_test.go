package metrics_test

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/hookgate/hookgate/internal/operations/metrics"
)

// metricRef finds hookgate metric names in PromQL (recording rules use
// "hookgate:" and are not matched).
var metricRef = regexp.MustCompile(`\bhookgate_[a-z0-9_]+`)

// checkRefs fails when expr names no hookgate metric or one that is not
// registered (histogram series suffixes allowed).
func checkRefs(t *testing.T, where, expr string) {
	t.Helper()
	refs := metricRef.FindAllString(expr, -1)
	if len(refs) == 0 && !strings.Contains(expr, "hookgate:") {
		t.Errorf("%s: expression names no hookgate metric: %s", where, expr)
	}
	for _, r := range refs {
		base := r
		for _, suf := range []string{"_bucket", "_sum", "_count"} {
			if b, ok := strings.CutSuffix(r, suf); ok && slices.Contains(metrics.Names(), b) {
				base = b
			}
		}
		if !slices.Contains(metrics.Names(), base) {
			t.Errorf("%s: %s is not a hookgate metric", where, r)
		}
	}
}

func TestGrafanaDashboard(t *testing.T) {
	b, err := os.ReadFile("../../../deploy/grafana/hookgate.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		UID    string `json:"uid"`
		Title  string `json:"title"`
		Panels []struct {
			ID      int    `json:"id"`
			Title   string `json:"title"`
			Type    string `json:"type"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("dashboard is not valid JSON: %v", err)
	}
	if d.UID == "" || d.Title == "" || len(d.Panels) == 0 {
		t.Fatalf("dashboard lacks uid, title or panels")
	}
	ids := map[int]bool{}
	used := map[string]bool{}
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("panel id %d used twice", p.ID)
		}
		ids[p.ID] = true
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no queries", p.Title)
		}
		for _, tg := range p.Targets {
			checkRefs(t, "panel "+p.Title, tg.Expr)
			for _, r := range metricRef.FindAllString(tg.Expr, -1) {
				used[strings.TrimSuffix(r, "_bucket")] = true
			}
		}
	}
	// Every hookgate metric is on the dashboard somewhere.
	for _, n := range metrics.Names() {
		if !used[n] {
			t.Errorf("metric %s is on no panel", n)
		}
	}
}

func TestAlertRulesReferenceMetrics(t *testing.T) {
	b, err := os.ReadFile("../../../deploy/prometheus/rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Groups []struct {
			Rules []struct {
				Alert  string `yaml:"alert"`
				Record string `yaml:"record"`
				Expr   string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	alerts := map[string]bool{}
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			checkRefs(t, "rule "+r.Alert+r.Record, r.Expr)
			alerts[r.Alert] = true
		}
	}
	for _, want := range []string{"HookgateErrorRateWarning", "HookgateErrorRateCritical", "HookgateSlowProcessing",
		"HookgateRelayLag", "HookgateDeadLetters", "HookgateMissingWebhooks", "HookgateCommitsFailing", "HookgatePublisherBlocked"} {
		if !alerts[want] {
			t.Errorf("alert %s missing", want)
		}
	}
}
