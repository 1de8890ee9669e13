package catalogue_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/hookgate/hookgate/providers/catalogue"
)

var update = flag.Bool("update", false, "rewrite the generated parts of README.md and docs/providers.md")

// The README's catalogue table and docs/providers.md's per-provider sections
// are generated from the catalogue; this fails when they drift (run `make
// docs` to rewrite them).
func TestDocsMatchTheCatalogue(t *testing.T) {
	for _, c := range []struct {
		path, want string
	}{
		{"../../README.md", catalogue.Table()},
		{"../../docs/providers.md", catalogue.Sections()},
	} {
		b, err := os.ReadFile(c.path)
		if err != nil {
			t.Fatal(err)
		}
		doc := string(b)
		i, j := strings.Index(doc, catalogue.DocsBegin), strings.Index(doc, catalogue.DocsEnd)
		if i < 0 || j < i {
			t.Fatalf("%s has no %q … %q block", c.path, catalogue.DocsBegin, catalogue.DocsEnd)
		}
		got := doc[i+len(catalogue.DocsBegin)+1 : j]
		if got == c.want {
			continue
		}
		if !*update {
			t.Errorf("%s is out of date with the catalogue: run `make docs`", c.path)
			continue
		}
		doc = doc[:i+len(catalogue.DocsBegin)] + "\n" + c.want + doc[j:]
		if err := os.WriteFile(c.path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
