package shopify

import (
	"embed"
	"io/fs"
)

// fixtureFiles holds realistic, anonymised Shopify webhook deliveries (format:
// package fixtures).
//
//go:embed testdata/fixtures
var fixtureFiles embed.FS

// FixtureFS returns the Shopify fixtures as a file system rooted at their
// directory, for fixtures.List and fixtures.Load. Names are topics with "/"
// replaced by "_" (orders_create, orders_paid, customers_create, and
// products_update, which has no handler). X-Shopify-Event-Id and
// X-Shopify-Webhook-Id are ${EVENT_ID} (a UUID); the HMAC header is absent.
func FixtureFS() fs.FS {
	sub, err := fs.Sub(fixtureFiles, "testdata/fixtures")
	if err != nil {
		// The directory is embedded at build time; it cannot be missing.
		panic("shopify: embedded fixtures: " + err.Error())
	}
	return sub
}
