package standardwebhooks

import (
	"embed"
	"io/fs"
)

// fixtureFiles holds a Standard Webhooks (Svix-style) delivery (format: package
// fixtures).
//
//go:embed testdata/fixtures
var fixtureFiles embed.FS

// FixtureFS returns the Standard Webhooks fixtures as a file system rooted at
// their directory, for fixtures.List and fixtures.Load. The one fixture,
// "example", is a user.created message; its webhook-id is ${EVENT_ID} (a msg_
// ID), which the Signer keeps, adding webhook-timestamp and webhook-signature.
func FixtureFS() fs.FS {
	sub, err := fs.Sub(fixtureFiles, "testdata/fixtures")
	if err != nil {
		// The directory is embedded at build time; it cannot be missing.
		panic("standardwebhooks: embedded fixtures: " + err.Error())
	}
	return sub
}
