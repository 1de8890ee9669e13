package twilio

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/hookgate/hookgate/providers"
)

// FuzzParseForm feeds arbitrary bodies to the form parser and the JSON decoding:
// no panic; an accepted body decodes to a JSON object with exactly its keys, and
// signing it then verifying it round-trips while a changed value does not.
func FuzzParseForm(f *testing.F) {
	f.Add([]byte(twStatusBody))
	f.Add([]byte("a=1&a=2&b=%E2%98%83&c"))
	f.Add([]byte("Body=caf%E9"))
	f.Add([]byte("x=%zz;y=1"))
	f.Add([]byte("=&&=+"))
	tokens := []string{"tok"}
	f.Fuzz(func(t *testing.T, body []byte) {
		params, err := ParseForm(body)
		if err != nil {
			if !errors.Is(err, providers.ErrMalformedPayload) {
				t.Fatalf("ParseForm error %v does not wrap ErrMalformedPayload", err)
			}
			return
		}
		doc, err := FormJSON(params)
		if err != nil {
			t.Fatalf("FormJSON: %v", err)
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(doc, &obj); err != nil {
			t.Fatalf("FormJSON produced invalid JSON %q: %v", doc, err)
		}
		if len(obj) != len(params) {
			t.Fatalf("FormJSON has %d keys, the form %d", len(obj), len(params))
		}
		const u = "https://hooks.example.com/webhooks/sms?x=1"
		sig := ComputeSignature("tok", u, params)
		if err := VerifyForm(u, params, sig, tokens); err != nil {
			t.Fatalf("VerifyForm(own signature) = %v", err)
		}
		for k := range params {
			changed := url.Values{}
			for k2, v := range params {
				changed[k2] = v
			}
			changed[k] = append(append([]string{}, params[k]...), "x")
			if VerifyForm(u, changed, sig, tokens) == nil {
				t.Fatalf("VerifyForm accepted an extra value for %q", k)
			}
			break
		}
	})
}

// FuzzVerifyURL fuzzes the public URL, the body and the signature header of a
// request through Verify: no panic, only sentinel errors, and a signature
// computed for the URL as given always verifies.
func FuzzVerifyURL(f *testing.F) {
	f.Add("https://hooks.example.com/webhooks/sms", []byte(twStatusBody), "application/x-www-form-urlencoded", "")
	f.Add("https://hooks.example.com:443/webhooks/sms?bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620", []byte(vecJSONBody), "application/json", "")
	f.Add("http://[::1]:80/x?a=1&a=2", []byte("a=1"), "application/x-www-form-urlencoded; charset=utf-8", "AAAA")
	f.Add("https://h/%zz", []byte{}, "text/plain", "!!")
	p := &Provider{tokens: []string{"tok", "old"}, reply: ReplyTwiML}
	f.Fuzz(func(t *testing.T, rawURL string, body []byte, contentType, sig string) {
		u, err := url.Parse(rawURL)
		if err != nil {
			return
		}
		h := http.Header{"Content-Type": {contentType}}
		if sig != "" {
			h.Set(SignatureHeader, sig)
		}
		r := &providers.Request{Method: http.MethodPost, URL: u, Header: h, Body: body}
		err = p.Verify(context.Background(), r)
		if err != nil && providers.ReasonOf(err) == providers.ReasonOther {
			t.Fatalf("Verify error %v wraps no sentinel", err)
		}
		if v := urlVariants(rawURL); len(v) == 0 || v[0] != rawURL || len(v) > 2 {
			t.Fatalf("urlVariants(%q) = %q", rawURL, v)
		}

		// A correctly signed form request for this URL verifies.
		params, perr := ParseForm(body)
		if perr != nil || len(body) == 0 || mediaType(h) != mediaForm || u.Query().Has(BodyHashParam) {
			return
		}
		h.Set(SignatureHeader, ComputeSignature("old", u.String(), params))
		if err := p.Verify(context.Background(), r); err != nil {
			t.Fatalf("Verify(correctly signed %q) = %v", u, err)
		}
	})
}
