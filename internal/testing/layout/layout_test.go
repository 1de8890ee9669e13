// Package layout checks the shape of the tree: what is public stays usable
// from outside the module.
package layout

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/hookgate/hookgate"

// The examples are what a team copies: they must build against the public
// surface only (an internal/ import compiles inside the module but not in a
// team's own). Every import of theirs, direct or not through another example,
// is checked.
func TestExamplesImportThePublicSurfaceOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, module+"/examples/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) == 0 || lines[0] == "" {
		t.Fatal("go list found no example package")
	}
	for _, line := range lines {
		f := strings.Fields(line)
		for _, imp := range f[1:] {
			if strings.HasPrefix(imp, module+"/") && strings.Contains(imp, "/internal/") {
				t.Errorf("%s imports %s: examples must use the public surface only", f[0], imp)
			}
		}
	}
}

// deps lists every package pkg links, standard library excluded.
func deps(t *testing.T, pkg string) map[string]bool {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", `{{if not .Standard}}{{.ImportPath}}{{end}}`, pkg).CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
	}
	set := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		set[p] = true
	}
	if !set[pkg] {
		t.Fatalf("go list -deps %s did not list the package itself: %q", pkg, out)
	}
	return set
}

// Each binary links what it runs: the gateway neither the workflows, their
// activities nor the publisher (nor RabbitMQ's client); the worker not the Gin
// gateway, its group commit, limits or admin API. Neither links the Temporal
// server, which only `hookgate dev` and the tests embed.
func TestBinariesLinkWhatTheyRun(t *testing.T) {
	for _, c := range []struct {
		binary string
		never  []string
	}{
		{module + "/cmd/gateway", []string{
			module + "/workflows", module + "/activities", module + "/publisher", module + "/app",
			module + "/internal/processing/reconcile",
			"github.com/rabbitmq/amqp091-go", "go.temporal.io/sdk/worker", "go.temporal.io/server/temporal",
		}},
		{module + "/cmd/worker", []string{
			module + "/internal/ingest/gateway", module + "/internal/ingest/server", module + "/internal/ingest/groupcommit",
			module + "/internal/ingest/ratelimit", module + "/internal/operations/admin",
			"github.com/gin-gonic/gin", "go.temporal.io/server/temporal",
		}},
	} {
		linked := deps(t, c.binary)
		for _, p := range c.never {
			if linked[p] {
				t.Errorf("%s links %s", c.binary, p)
			}
		}
	}
	// The check can fail: the dev binary runs both, so it links both sides.
	dev := deps(t, module+"/cmd/hookgate")
	for _, p := range []string{module + "/activities", "github.com/gin-gonic/gin"} {
		if !dev[p] {
			t.Errorf("cmd/hookgate does not link %s: the dependency listing is not what this test assumes", p)
		}
	}
}
