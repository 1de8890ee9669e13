package standardwebhooks_test

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	swh "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/standardwebhooks"
)

// Cross-tests against the official Standard Webhooks Go library: each side must
// accept what the other signs, and reject it under another secret. The library
// checks timestamps against its own clock, so these sign at the real now.

const (
	sdkSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	sdkOther  = "whsec_c2Vjb25kLXNlY3JldC1mb3ItdGVzdHM="
	sdkBody   = `{"type":"invoice.paid","timestamp":"2024-01-01T00:00:00Z","data":{"id":1}}`
)

func spec(secrets ...string) providers.Spec {
	return providers.Spec{Source: "sdk", Secrets: secrets, Options: func(any) error { return nil }}
}

func TestLibrarySignsHookgateVerifies(t *testing.T) {
	wh, err := swh.NewWebhook(sdkSecret)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	sig, err := wh.Sign("msg_sdk_1", now, []byte(sdkBody))
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set(swh.HeaderWebhookID, "msg_sdk_1")
	h.Set(swh.HeaderWebhookTimestamp, strconv.FormatInt(now.Unix(), 10))
	h.Set(swh.HeaderWebhookSignature, sig)
	r := &providers.Request{Header: h, Body: []byte(sdkBody), Now: now}

	p, err := standardwebhooks.New(spec(sdkOther, sdkSecret)) // rotation: second secret
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Verify(t.Context(), r); err != nil {
		t.Fatalf("Verify(library-signed) = %v", err)
	}
	ev, err := p.Identify(r)
	if err != nil || ev != (providers.Event{ID: "msg_sdk_1", Type: "invoice.paid"}) {
		t.Fatalf("Identify = %+v, %v", ev, err)
	}

	wrong, err := standardwebhooks.New(spec(sdkOther))
	if err != nil {
		t.Fatal(err)
	}
	if err := wrong.Verify(t.Context(), r); !errors.Is(err, providers.ErrNoValidSignature) {
		t.Fatalf("Verify(wrong secret) = %v, want ErrNoValidSignature", err)
	}
}

func TestHookgateSignsLibraryVerifies(t *testing.T) {
	s, err := standardwebhooks.NewSigner(spec(sdkSecret, sdkOther))
	if err != nil {
		t.Fatal(err)
	}
	r := &providers.Request{Method: http.MethodPost, Body: []byte(sdkBody), Now: time.Now()}
	if err := s.Sign(r); err != nil {
		t.Fatal(err)
	}
	wh, err := swh.NewWebhook(sdkSecret)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Verify(r.Body, r.Header); err != nil {
		t.Fatalf("library Verify(hookgate-signed) = %v", err)
	}
	other, err := swh.NewWebhook(sdkOther)
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Verify(r.Body, r.Header); !errors.Is(err, swh.ErrNoMatchingSignature) {
		t.Fatalf("library Verify(wrong secret) = %v, want ErrNoMatchingSignature", err)
	}

	// The pure function gives the library's exact entry.
	key, err := standardwebhooks.ParseSecret(sdkSecret)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Unix(1700000000, 0)
	want, err := wh.Sign("msg_x", at, r.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got := standardwebhooks.Sign(r.Body, "msg_x", at, key); got != want {
		t.Fatalf("Sign = %q, library = %q", got, want)
	}
}
