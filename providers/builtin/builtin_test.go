package builtin

import (
	"testing"

	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/catalogue"
)

func TestEveryProviderIsRegisteredWithASigner(t *testing.T) {
	all := []providers.Name{providers.Stripe, providers.GitHub, providers.PayPal, providers.Twilio,
		providers.Shopify, providers.StandardWebhooks, providers.HMAC, providers.Token, providers.Basic}
	for _, e := range catalogue.Entries() {
		all = append(all, e.Name)
		if Fixtures(e.Name) == nil {
			t.Errorf("catalogue entry %s ships no fixture", e.Name)
		}
	}
	if got := Providers().Names(); len(got) != len(all) {
		t.Fatalf("registered %v, want %v", got, all)
	}
	for _, n := range all {
		if _, ok := Signer(n); !ok {
			t.Errorf("%s has no signer", n)
		}
	}
	for _, n := range []providers.Name{providers.Stripe, providers.GitHub, providers.PayPal, providers.Twilio, providers.Shopify} {
		if Fixtures(n) == nil {
			t.Errorf("%s ships no fixtures", n)
		}
		if len(Handlers().Types(n)) == 0 {
			t.Errorf("%s has no handlers", n)
		}
	}
}
