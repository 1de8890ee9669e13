package stripe_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/stripe"
)

// Cross-tests against stripe-go, the reference implementation: each side must
// accept what the other signs, and reject it under another secret.

const sdkBody = `{"id":"evt_sdk","object":"event","type":"charge.succeeded","api_version":"2025-06-30.basil","data":{"object":{}}}`

func TestStripeGoSignsHookgateVerifies(t *testing.T) {
	ts := time.Unix(1760000000, 0)
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{
		Payload:   []byte(sdkBody),
		Secret:    "whsec_sdk_secret",
		Timestamp: ts,
	})
	if err := stripe.VerifyHeader(signed.Payload, signed.Header, []string{"whsec_rotated", "whsec_sdk_secret"}, ts.Add(time.Minute), 0); err != nil {
		t.Fatalf("VerifyHeader(stripe-go header %q) = %v", signed.Header, err)
	}
	if err := stripe.VerifyHeader(signed.Payload, signed.Header, []string{"whsec_rotated"}, ts, 0); !errors.Is(err, providers.ErrNoValidSignature) {
		t.Fatalf("VerifyHeader(wrong secret) = %v, want ErrNoValidSignature", err)
	}
	if got := stripe.SignHeader(signed.Payload, "whsec_sdk_secret", ts); got != signed.Header {
		t.Fatalf("SignHeader = %q, stripe-go = %q", got, signed.Header)
	}
}

func TestHookgateSignsStripeGoVerifies(t *testing.T) {
	// stripe-go checks tolerance against its own clock, so sign at the real now.
	now := time.Now()
	header := stripe.SignHeader([]byte(sdkBody), "whsec_sdk_secret", now)

	ev, err := webhook.ConstructEventWithOptions([]byte(sdkBody), header, "whsec_sdk_secret",
		webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true})
	if err != nil {
		t.Fatalf("ConstructEventWithOptions(hookgate header) = %v", err)
	}
	if ev.ID != "evt_sdk" || string(ev.Type) != "charge.succeeded" {
		t.Fatalf("stripe-go parsed %q/%q, want evt_sdk/charge.succeeded", ev.ID, ev.Type)
	}
	if err := webhook.ValidatePayload([]byte(sdkBody), header, "whsec_sdk_secret"); err != nil {
		t.Fatalf("ValidatePayload(hookgate header) = %v", err)
	}
	if err := webhook.ValidatePayload([]byte(sdkBody), header, "whsec_other"); !errors.Is(err, webhook.ErrNoValidSignature) {
		t.Fatalf("ValidatePayload(wrong secret) = %v, want webhook.ErrNoValidSignature", err)
	}

	// The Signer used by `hookgate send` produces the same header.
	s, err := stripe.NewSigner(providers.Spec{Secrets: []string{"whsec_sdk_secret"}, Options: func(any) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	r := &providers.Request{Body: []byte(sdkBody), Now: now}
	if err := s.Sign(r); err != nil {
		t.Fatal(err)
	}
	if err := webhook.ValidatePayload(r.Body, r.Header.Get(stripe.SignatureHeader), "whsec_sdk_secret"); err != nil {
		t.Fatalf("ValidatePayload(Signer header) = %v", err)
	}
}
