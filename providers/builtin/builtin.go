// Package builtin registers every provider hookgate ships: their verifiers,
// signers (for `hookgate send` and tests), normalization handlers and fixtures:
// the providers with their own package (Stripe, GitHub and Shopify verified by
// the HMAC template family, PayPal and Twilio by their own schemes) and the
// generic schemes, then every catalogue entry
// (package providers/catalogue).
package builtin

import (
	"io/fs"
	"slices"

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
	info     Info
	factory  providers.Factory
	signer   providers.SignerFactory
	handlers func(*handlers.Registry)
	fixtures func() fs.FS
}

func entries() []entry {
	none := func(*handlers.Registry) {}
	out := []entry{
		{stripe.Name, Info{"Stripe", "hmac (package stripe: its syntax, the body's ID)", "https://docs.stripe.com/webhooks/signature", "webhook signing secret (whsec_…)"},
			stripe.New, stripe.NewSigner, stripe.RegisterHandlers, stripe.FixtureFS},
		{github.Name, Info{"GitHub", "hmac (package github: form bodies, SHA-1 refused)", "https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries", "webhook secret"},
			github.New, github.NewSigner, github.RegisterHandlers, github.FixtureFS},
		{paypal.Name, Info{"PayPal", "paypal (bespoke: certificates)", "https://developer.paypal.com/api/rest/webhooks/rest/", "webhook ID"},
			paypal.New, paypal.NewSigner, paypal.RegisterHandlers, paypal.FixtureFS},
		{twilio.Name, Info{"Twilio", "twilio (bespoke: URL signing)", "https://www.twilio.com/docs/usage/webhooks/webhooks-security", "auth token"},
			twilio.New, twilio.NewSigner, twilio.RegisterHandlers, twilio.FixtureFS},
		{shopify.Name, Info{"Shopify", "hmac (package shopify: both header spellings)", "https://shopify.dev/docs/apps/build/webhooks/subscribe/https", "app client secret"},
			shopify.New, shopify.NewSigner, shopify.RegisterHandlers, shopify.FixtureFS},
		{standardwebhooks.Name, Info{"Standard Webhooks (Svix)", "standardwebhooks", "https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md", "signing secret (whsec_…)"},
			standardwebhooks.New, standardwebhooks.NewSigner, standardwebhooks.RegisterHandlers, standardwebhooks.FixtureFS},
		{providers.HMAC, Info{"Generic HMAC", "hmac (configured by options)", "docs/providers.md", "shared secret"},
			hmacp.New, hmacp.NewSigner, none, nil},
		{providers.Token, Info{"Generic token", "token (configured by options)", "docs/providers.md", "shared token"},
			token.New, token.NewSigner, none, nil},
		{providers.Basic, Info{"Generic HTTP Basic", "basic", "docs/providers.md", "user:password"},
			basic.New, basic.NewSigner, none, nil},
	}
	for _, c := range catalogue.Entries() {
		name := c.Name
		out = append(out, entry{name, Info{c.Display, string(c.Family), c.Docs, c.Secret}, c.Factory(), c.Signer(), none,
			func() fs.FS { return catalogue.FixtureFS(name) }})
	}
	return out
}

// Info describes a provider for people (`hookgate providers`).
type Info struct {
	Display string
	// Family is the scheme family, or what makes a provider bespoke.
	Family string
	// Docs is the official page of its signing scheme.
	Docs string
	// Secret says what the provider calls the secret.
	Secret string
}

// Describe returns the Info of every provider, by name, sorted.
func Describe() ([]providers.Name, map[providers.Name]Info) {
	infos := map[providers.Name]Info{}
	var names []providers.Name
	for _, e := range entries() {
		infos[e.name] = e.info
		names = append(names, e.name)
	}
	slices.Sort(names)
	return names, infos
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
	catalogue.RegisterHandlers(r)
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
