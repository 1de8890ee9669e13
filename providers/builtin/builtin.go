// Package builtin registers every provider hookgate ships: their verifiers,
// signers (for `hookgate send` and tests), normalization handlers and fixtures:
// the bespoke providers and generic schemes, then every catalogue entry
// (package providers/catalogue).
package builtin

import (
	"io/fs"

	"github.com/hookgate/hookgate/handlers"
	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/basic"
	"github.com/hookgate/hookgate/providers/catalogue"
	"github.com/hookgate/hookgate/providers/github"
	hmacp "github.com/hookgate/hookgate/providers/hmac"
	"github.com/hookgate/hookgate/providers/paypal"
	"github.com/hookgate/hookgate/providers/shopify"
	"github.com/hookgate/hookgate/providers/standardwebhooks"
	"github.com/hookgate/hookgate/providers/stripe"
	"github.com/hookgate/hookgate/providers/token"
	"github.com/hookgate/hookgate/providers/twilio"
)

type entry struct {
	name     providers.Name
	factory  providers.Factory
	signer   providers.SignerFactory
	handlers func(*handlers.Registry)
	fixtures func() fs.FS
}

func entries() []entry {
	none := func(*handlers.Registry) {}
	out := []entry{
		{stripe.Name, stripe.New, stripe.NewSigner, stripe.RegisterHandlers, stripe.FixtureFS},
		{github.Name, github.New, github.NewSigner, github.RegisterHandlers, github.FixtureFS},
		{paypal.Name, paypal.New, paypal.NewSigner, paypal.RegisterHandlers, paypal.FixtureFS},
		{twilio.Name, twilio.New, twilio.NewSigner, twilio.RegisterHandlers, twilio.FixtureFS},
		{shopify.Name, shopify.New, shopify.NewSigner, shopify.RegisterHandlers, shopify.FixtureFS},
		{standardwebhooks.Name, standardwebhooks.New, standardwebhooks.NewSigner, standardwebhooks.RegisterHandlers, standardwebhooks.FixtureFS},
		{providers.HMAC, hmacp.New, hmacp.NewSigner, none, nil},
		{providers.Token, token.New, token.NewSigner, none, nil},
		{providers.Basic, basic.New, basic.NewSigner, none, nil},
	}
	for _, c := range catalogue.Entries() {
		name := c.Name
		out = append(out, entry{name, c.Factory(), c.Signer(), none, func() fs.FS { return catalogue.FixtureFS(name) }})
	}
	return out
}

// Providers returns a registry of every built-in provider.
func Providers() *providers.Registry {
	r := providers.NewRegistry()
	for _, e := range entries() {
		r.Register(e.name, e.factory)
	}
	return r
}

// Handlers returns a registry of every built-in normalization handler.
func Handlers() *handlers.Registry {
	r := handlers.NewRegistry()
	for _, e := range entries() {
		e.handlers(r)
	}
	return r
}

// Signer returns the signer factory of a provider.
func Signer(name providers.Name) (providers.SignerFactory, bool) {
	for _, e := range entries() {
		if e.name == name {
			return e.signer, true
		}
	}
	return nil, false
}

// Fixtures returns a provider's fixture folder, or nil when it ships none.
func Fixtures(name providers.Name) fs.FS {
	for _, e := range entries() {
		if e.name == name && e.fixtures != nil {
			return e.fixtures()
		}
	}
	return nil
}
