package github

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hookgate/hookgate/providers"
)

// FuzzVerifySignature: no panic; errors are sentinels; a header verifies
// only if it is the genuine signature (case-insensitively), now that the
// HMAC template family parses it.
func FuzzVerifySignature(f *testing.F) {
	for _, v := range vectors {
		f.Add(v.signature, []byte(v.payload))
	}
	f.Add("sha256=", []byte{})
	f.Add("sha256="+strings.Repeat("Z", 64), []byte("x"))
	f.Add("sha1=abc", []byte("x"))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		err := VerifySignature(body, header, []string{"mysecret"})
		if err == nil && strings.ToLower(header) != SignPayload(body, "mysecret") {
			t.Fatalf("accepted %q, not the genuine signature", header)
		}
		if err != nil && !errors.Is(err, providers.ErrNotSigned) && !errors.Is(err, providers.ErrInvalidHeader) && !errors.Is(err, providers.ErrNoValidSignature) {
			t.Fatalf("VerifySignature(%q) = %v, not a sentinel", header, err)
		}
	})
}

// FuzzDecodePayload: no panic; a decoded form payload is valid UTF-8 JSON; a
// non-form body is returned unchanged; errors wrap ErrMalformedPayload.
func FuzzDecodePayload(f *testing.F) {
	f.Add(formContentType, []byte(`payload=%7B%22a%22%3A1%7D`))
	f.Add(formContentType, []byte(`payload=1&payload=2`))
	f.Add(formContentType, []byte(`payload=%`))
	f.Add(formContentType+"; charset=utf-8", []byte(`a=b;c=d&payload=null`))
	f.Add("application/json", []byte(`{"a":1}`))
	f.Add("multipart/form-data; boundary=\"", []byte(``))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		out, err := DecodePayload(contentType, body)
		if err != nil {
			if !errors.Is(err, providers.ErrMalformedPayload) {
				t.Fatalf("DecodePayload error %v does not wrap ErrMalformedPayload", err)
			}
			return
		}
		if string(out) == string(body) {
			return
		}
		if !utf8.Valid(out) || !json.Valid(out) {
			t.Fatalf("DecodePayload(%q, %q) = %q, not UTF-8 JSON", contentType, body, out)
		}
	})
}
