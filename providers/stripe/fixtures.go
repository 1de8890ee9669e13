package stripe

import (
	"embed"
	"io/fs"
)

// fixtureFiles holds realistic, anonymised Stripe webhook requests, one per
// handled event type plus unhandled ones (format: package fixtures).
//
//go:embed testdata/fixtures
var fixtureFiles embed.FS

// FixtureFS returns the Stripe fixtures as a file system rooted at their
// directory, for fixtures.List and fixtures.Load. Fixture names are the Stripe
// event types ("payment_intent.succeeded"); bodies use ${EVENT_ID} (an evt_ ID)
// and ${NOW_UNIX}, and carry no Stripe-Signature header.
func FixtureFS() fs.FS {
	sub, err := fs.Sub(fixtureFiles, "testdata/fixtures")
	if err != nil {
		// The directory is embedded at build time; it cannot be missing.
		panic("stripe: embedded fixtures: " + err.Error())
	}
	return sub
}
