package paypal

import (
	"embed"
	"io/fs"
)

// fixtureFiles holds realistic, anonymised PayPal webhook events (format:
// package fixtures).
//
//go:embed testdata/fixtures
var fixtureFiles embed.FS

// FixtureFS returns the PayPal fixtures as a file system rooted at their
// directory, for fixtures.List and fixtures.Load. Names are event types in lower
// case with underscores (payment_capture_completed, payment_capture_denied,
// billing_subscription_created, and payment_capture_refunded, which has no
// handler). Bodies use ${EVENT_ID} (a WH- ID) and ${NOW_RFC3339}; the PAYPAL-*
// transmission headers are added by the Signer.
func FixtureFS() fs.FS {
	sub, err := fs.Sub(fixtureFiles, "testdata/fixtures")
	if err != nil {
		// The directory is embedded at build time; it cannot be missing.
		panic("paypal: embedded fixtures: " + err.Error())
	}
	return sub
}
