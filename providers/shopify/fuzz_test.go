package shopify

import (
	"errors"
	"net/http"
	"testing"

	"github.com/hookgate/hookgate/providers"
)

// FuzzVerifySignature feeds arbitrary HMAC header values: no panic, errors are
// sentinels, and only the genuine signature verifies.
func FuzzVerifySignature(f *testing.F) {
	f.Add(vectorSig, []byte(vectorBody))
	f.Add("", []byte{})
	f.Add("====", []byte("x"))
	f.Add("B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=\n", []byte(vectorBody))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		err := VerifySignature(body, header, []string{vectorSecret})
		if err == nil && header != SignPayload(body, vectorSecret) {
			t.Fatalf("accepted %q, not the genuine signature", header)
		}
		if err != nil && providers.ReasonOf(err) == providers.ReasonOther {
			t.Fatalf("VerifySignature(%q) = %v, not a sentinel", header, err)
		}
	})
}

// FuzzHeader checks the two-spelling header reader against arbitrary values.
func FuzzHeader(f *testing.F) {
	f.Add("a", "a", false)
	f.Add("a", "b", true)
	f.Add("", "", true)
	f.Fuzz(func(t *testing.T, legacy, current string, repeat bool) {
		h := http.Header{}
		h.Add("X-Shopify-Topic", legacy)
		h.Add("Shopify-Topic", current)
		if repeat {
			h.Add("Shopify-Topic", current)
		}
		v, found, ok := Header(h, TopicHeader)
		if !found {
			t.Fatal("not found")
		}
		if wantOK := !repeat && legacy == current; ok != wantOK {
			t.Fatalf("ok = %v, want %v", ok, wantOK)
		}
		if ok && v != legacy {
			t.Fatalf("value %q, want %q", v, legacy)
		}
		_, err := (&provider{secrets: []string{"s"}}).Identify(&providers.Request{Header: h})
		if err != nil && !errors.Is(err, providers.ErrMalformedPayload) {
			t.Fatalf("Identify error %v does not wrap ErrMalformedPayload", err)
		}
	})
}
