package catalogue

import (
	"embed"
	"io/fs"

	"github.com/hookgate/hookgate/providers"
)

// fixtureFiles holds at least one realistic, anonymised request per entry
// (format: package fixtures), under testdata/<name>/.
//
//go:embed testdata
var fixtureFiles embed.FS

// FixtureFS returns the fixtures of the entry named n, or nil when it has
// none (a test requires one per entry).
func FixtureFS(n providers.Name) fs.FS {
	sub, err := fs.Sub(fixtureFiles, "testdata/"+string(n))
	if err != nil {
		return nil
	}
	if entries, err := fs.ReadDir(sub, "."); err != nil || len(entries) == 0 {
		return nil
	}
	return sub
}
