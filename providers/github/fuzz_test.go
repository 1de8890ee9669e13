package github

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hookgate/hookgate/providers"
)

// FuzzParseSignature: no panic; errors are header sentinels; a header verifies
// only if it is the genuine signature (case-insensitively).
func FuzzParseSignature(f *testing.F) {
	for _, v := range vectors {
		f.Add(v.signature, []byte(v.payload))
	}
	f.Add("sha256=", []byte{})
	f.Add("sha256="+strings.Repeat("Z", 64), []byte("x"))
	f.Add("sha1=abc", []byte("x"))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		_, perr := parseSignature(header)
		if perr != nil && !errors.Is(perr, providers.ErrNotSigned) && !errors.Is(perr, providers.ErrInvalidHeader) {
			t.Fatalf("parseSignature(%q) = %v", header, perr)
		}
		err := VerifySignature(body, header, []string{"mysecret"})
		if err == nil && strings.ToLower(header) != SignPayload(body, "mysecret") {
			t.Fatalf("accepted %q, not the genuine signature", header)
		}
		if (perr != nil) != (err != nil && !errors.Is(err, providers.ErrNoValidSignature)) {
			t.Fatalf("parse error %v but verify error %v", perr, err)
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
