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
