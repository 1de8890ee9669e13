package github

import (
	"embed"
	"io/fs"
)

// fixtureFiles holds realistic, anonymised GitHub webhook deliveries (format:
// package fixtures).
//
//go:embed testdata/fixtures
var fixtureFiles embed.FS

// FixtureFS returns the GitHub fixtures as a file system rooted at their
// directory, for fixtures.List and fixtures.Load: push, push_form (the
// form-encoded `payload=` variant), pull_request, issues_opened, issues_closed,
// issues_edited (an action with no event) and ping (no handler). The delivery
// header X-GitHub-Delivery is ${EVENT_ID} (a UUID); signature headers are absent.
func FixtureFS() fs.FS {
	sub, err := fs.Sub(fixtureFiles, "testdata/fixtures")
	if err != nil {
		// The directory is embedded at build time; it cannot be missing.
		panic("github: embedded fixtures: " + err.Error())
	}
	return sub
}
