package jwtsig_test

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/jwtsig"
)

var scheme = jwtsig.Scheme{
	Header: "MessageBird-Signature-JWT", Issuer: "MessageBird",
	BodyHashClaim: "payload_hash", BodyHashEncoding: jwtsig.Hex, BodyHashOptional: true,
	URLHashClaim: "url_hash", RequireExpiry: true, Leeway: 5 * time.Second,
}

// FuzzVerify: any header and body either verify or are refused with one of
// the providers sentinels, never a panic; a token signed for the request
// verifies, and for another body does not.
func FuzzVerify(f *testing.F) {
	f.Add("eyJhbGciOiJIUzI1NiJ9.e30.sig", []byte(`{"a":1}`), false)
	f.Add("", []byte(nil), true)
	f.Add("a.b.c", []byte("x"), true)
	f.Add("eyJhbGciOiJub25lIn0.eyJpc3MiOiJNZXNzYWdlQmlyZCJ9.", []byte(""), false)
	u, _ := url.Parse("https://hooks.example.com/webhooks/bird?x=1")
	now := time.Unix(1700000000, 0)
	sentinels := []error{providers.ErrNotSigned, providers.ErrInvalidHeader, providers.ErrNoValidSignature, providers.ErrTooOld, providers.ErrTooNew}
	f.Fuzz(func(t *testing.T, token string, body []byte, sign bool) {
		r := &providers.Request{Method: http.MethodPost, URL: u, Header: http.Header{}, Body: body, Now: now}
		if sign {
			if err := scheme.Sign(r, "secret"); err != nil {
				t.Fatal(err)
			}
			if err := scheme.Verify(r, []string{"secret"}, now); err != nil {
				t.Fatalf("signed request refused: %v", err)
			}
			r.Body = append(append([]byte(nil), body...), 'x')
		} else {
			r.Header.Set("MessageBird-Signature-JWT", token)
		}
		err := scheme.Verify(r, []string{"secret"}, now)
		if sign && err == nil {
			t.Fatal("a token for another body verified")
		}
		if err == nil {
			return
		}
		for _, s := range sentinels {
			if errors.Is(err, s) {
				return
			}
		}
		t.Fatalf("error wraps no sentinel: %v", err)
	})
}
