package hmacsig

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hookgate/hookgate/providers"
)

// FuzzLookupJSON: no panic on any body and path; errors wrap
// ErrMalformedPayload; a found value is non-empty UTF-8.
func FuzzLookupJSON(f *testing.F) {
	f.Add([]byte(`{"data":{"id":"x"}}`), "data.id")
	f.Add([]byte(`{"a":[{"b":1}]}`), "a.0.b")
	f.Add([]byte(`[1,2,3]`), "2")
	f.Add([]byte(`{"a":"\ud800"}`), "a")
	f.Add([]byte(`{"a":1e999}`), "a")
	f.Add([]byte(" \n{\"a\" : null }"), "a.b")
	f.Add([]byte("{\"a\":\"\xff\"}"), "a")
	f.Fuzz(func(t *testing.T, body []byte, path string) {
		rule, err := ParseRule("json:" + path)
		if err != nil {
			return
		}
		v, found, err := LookupJSON(body, rule.path)
		if err != nil {
			if !errors.Is(err, providers.ErrMalformedPayload) {
				t.Fatalf("LookupJSON error %v does not wrap ErrMalformedPayload", err)
			}
			return
		}
		if found && (v == "" || !utf8.ValidString(v)) {
			t.Fatalf("LookupJSON = %q, found", v)
		}
		ev, err := (Identifier{ID: rule, Type: rule}).Identify(&providers.Request{Body: body})
		if err != nil {
			if !errors.Is(err, providers.ErrMalformedPayload) {
				t.Fatalf("Identify error %v does not wrap ErrMalformedPayload", err)
			}
			return
		}
		if ev.ID == "" || ev.Type == "" {
			t.Fatalf("Identify = %+v", ev)
		}
		if !found && !strings.HasPrefix(ev.ID, ContentHashPrefix) {
			t.Fatalf("no value but ID %q is not a content hash", ev.ID)
		}
	})
}

// FuzzSchemeVerify: arbitrary header values never verify unless they are the
// genuine signature; errors are sentinels.
func FuzzSchemeVerify(f *testing.F) {
	f.Add("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", []byte(ghBody), "1", false)
	f.Add("", []byte{}, "", true)
	f.Add("sha256==", []byte("x"), "0", true)
	f.Fuzz(func(t *testing.T, header string, body []byte, ts string, b64 bool) {
		s := Scheme{Algorithm: SHA256, Encoding: Hex, Prefix: "sha256=", SignedPayload: "{timestamp}.{body}"}
		if b64 {
			s.Encoding = Base64
		}
		err := s.Verify(body, ts, header, []string{ghSecret})
		if err == nil {
			genuine := s.Sign(body, ts, ghSecret)
			if s.Encoding == Hex {
				header = strings.ToLower(header)
			}
			if header != genuine {
				t.Fatalf("accepted %q, genuine is %q", header, genuine)
			}
			return
		}
		if providers.ReasonOf(err) == providers.ReasonOther {
			t.Fatalf("Verify = %v, not a sentinel", err)
		}
	})
}
