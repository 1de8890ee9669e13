package catalogue_test

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/catalogue"
)

// FuzzPlivo: the V3 parser never panics and fails only with the provider
// sentinels; whatever URL and body it accepts, a signature made by Sign
// verifies and the same signature under another token does not.
func FuzzPlivo(f *testing.F) {
	f.Add("https://hooks.example.com/webhooks/plivo?b=2&a=1", "To=1&From=2", "application/x-www-form-urlencoded", "c2ln,c2ln", "123")
	f.Add("https://h/p", "", "", "", "")
	f.Add("https://h/p%20q?x=%zz", "A=%zz", "application/x-www-form-urlencoded; charset=utf-8", "====", "n")
	f.Add("http://h:1/", "{}", "application/json", "AAAA", "1")
	f.Fuzz(func(t *testing.T, rawURL, body, contentType, sigs, nonce string) {
		u, err := url.Parse(rawURL)
		if err != nil {
			return
		}
		r := &providers.Request{Method: http.MethodPost, URL: u, Body: []byte(body), Now: time.Now(),
			Header: http.Header{"Content-Type": {contentType}, "X-Plivo-Signature-V3": {sigs}, "X-Plivo-Signature-V3-Nonce": {nonce}}}
		err = catalogue.Plivo{}.Verify(r, []string{"token"})
		for _, s := range []error{providers.ErrNotSigned, providers.ErrInvalidHeader, providers.ErrNoValidSignature, providers.ErrMalformedPayload} {
			if errors.Is(err, s) {
				err = nil
			}
		}
		if err != nil {
			t.Fatalf("Verify: %v is not a sentinel", err)
		}
		signed := &providers.Request{Method: http.MethodPost, URL: u, Body: []byte(body), Now: r.Now, Header: http.Header{"Content-Type": {contentType}}}
		if err := (catalogue.Plivo{}).Sign(signed, "token"); err != nil {
			if !errors.Is(err, providers.ErrMalformedPayload) {
				t.Fatalf("Sign: %v", err)
			}
			return
		}
		if err := (catalogue.Plivo{}).Verify(signed, []string{"token"}); err != nil {
			t.Fatalf("a signed request does not verify: %v", err)
		}
		if err := (catalogue.Plivo{}).Verify(signed, []string{"other"}); !errors.Is(err, providers.ErrNoValidSignature) {
			t.Fatalf("another token: %v", err)
		}
	})
}
