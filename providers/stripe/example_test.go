package stripe_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/stripe"
)

// Verify a Stripe-Signature header over the raw body, then read the event's
// ID and type. Secrets are listed newest first; any of them may verify.
func ExampleVerifyHeader() {
	body := []byte(`{"id":"evt_test_webhook","object":"event","type":"invoice.paid"}`)
	signedAt := time.Unix(1700000000, 0)
	header := stripe.SignHeader(body, "whsec_test_secret", signedAt) // what Stripe sends

	secrets := []string{"whsec_new_secret", "whsec_test_secret"}
	err := stripe.VerifyHeader(body, header, secrets, signedAt.Add(time.Minute), stripe.DefaultTolerance)
	fmt.Println("fresh:", err)

	err = stripe.VerifyHeader(body, header, secrets, signedAt.Add(time.Hour), stripe.DefaultTolerance)
	fmt.Println("an hour later, too old:", errors.Is(err, providers.ErrTooOld))

	ev, err := stripe.IdentifyPayload(body)
	fmt.Println(ev.ID, ev.Type, err)
	// Output:
	// fresh: <nil>
	// an hour later, too old: true
	// evt_test_webhook invoice.paid <nil>
}
