package twilio

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"testing"

	twclient "github.com/twilio/twilio-go/client"

	"github.com/hookgate/hookgate/providers"
)

// The official SDK is a test-only dependency: it checks that hookgate signs what
// Twilio's own validator accepts, and that both accept and reject the same
// requests. The SDK has no exported signing function, so the second direction is
// checked as agreement on a set of valid, re-ported and tampered signatures.

// sdkCase is one random request: single-valued params (the SDK's ValidateBody
// keeps only the first value of a repeated key) and a URL with or without a port,
// default or not.
type sdkCase struct {
	url    string
	params url.Values
}

func sdkCases(n int) []sdkCase {
	rng := rand.New(rand.NewPCG(1, 2))
	hosts := []string{"https://hooks.example.com", "https://hooks.example.com:443", "http://hooks.example.com", "http://hooks.example.com:80",
		"https://hooks.example.com:8443", "http://hooks.example.com:18005"}
	alphabet := []rune("abcXYZ019 +&=%é☃_-")
	word := func() string {
		r := make([]rune, 1+rng.IntN(8))
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(r)
	}
	out := make([]sdkCase, 0, n)
	for range n {
		params := url.Values{}
		for range 1 + rng.IntN(6) {
			params.Set(word(), word())
		}
		q := url.Values{"q": {word()}}.Encode()
		out = append(out, sdkCase{url: hosts[rng.IntN(len(hosts))] + "/webhooks/sms?" + q, params: params})
	}
	return out
}

func firstValues(v url.Values) map[string]string {
	m := make(map[string]string, len(v))
	for k := range v {
		m[k] = v.Get(k)
	}
	return m
}

func TestSDKValidatesHookgateSignatures(t *testing.T) {
	const token = "sdk-token"
	validator := twclient.NewRequestValidator(token)
	s, err := NewSigner(providers.Spec{Source: "sms", Secrets: []string{token}, Options: twOptions("")})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range sdkCases(200) {
		u, _ := url.Parse(c.url)
		body := c.params.Encode()
		r := &providers.Request{Method: http.MethodPost, URL: u, Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, Body: []byte(body)}
		if err := s.Sign(r); err != nil {
			t.Fatal(err)
		}
		sig := r.Header.Get(SignatureHeader)
		if !validator.Validate(c.url, firstValues(c.params), sig) {
			t.Fatalf("case %d: SDK Validate rejected hookgate's signature for %s", i, c.url)
		}
		if !validator.ValidateBody(c.url, []byte(body), sig) {
			t.Fatalf("case %d: SDK ValidateBody rejected hookgate's signature for %s", i, c.url)
		}
	}

	// JSON: hookgate's signer adds bodySHA256 to the URL, the SDK checks both.
	body := []byte(`{"EventType":"onMessageAdded","n":1}`)
	u, _ := url.Parse("https://hooks.example.com/webhooks/conv?x=1")
	r := &providers.Request{Method: http.MethodPost, URL: u, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}
	if err := s.Sign(r); err != nil {
		t.Fatal(err)
	}
	if !validator.ValidateBody(r.URL.String(), body, r.Header.Get(SignatureHeader)) {
		t.Fatalf("SDK ValidateBody rejected hookgate's JSON signature for %s", r.URL)
	}
	if validator.ValidateBody(r.URL.String(), append(body, ' '), r.Header.Get(SignatureHeader)) {
		t.Fatal("SDK accepted a tampered JSON body: the cross-check is not checking anything")
	}
}

func TestHookgateAgreesWithSDK(t *testing.T) {
	const token = "sdk-token"
	validator := twclient.NewRequestValidator(token)
	p := twProvider(t, "", token)
	accepted := 0
	for i, c := range sdkCases(200) {
		body := c.params.Encode()
		tampered := url.Values{}
		for k, v := range c.params {
			tampered[k] = v
		}
		tampered.Set("Injected", "1")
		alt := urlVariants(c.url)
		candidates := map[string]string{
			"signed as received":      ComputeSignature(token, c.url, c.params),
			"signed with port toggle": ComputeSignature(token, alt[len(alt)-1], c.params),
			"signed with other token": ComputeSignature("other", c.url, c.params),
			"signed over other param": ComputeSignature(token, c.url, tampered),
			"signed over other path":  ComputeSignature(token, c.url+"x", c.params),
		}
		for name, sig := range candidates {
			u, _ := url.Parse(c.url)
			r := &providers.Request{Method: http.MethodPost, URL: u, Header: http.Header{
				"Content-Type":  {"application/x-www-form-urlencoded"},
				SignatureHeader: {sig},
			}, Body: []byte(body)}
			ours := p.Verify(context.Background(), r) == nil
			theirs := validator.ValidateBody(c.url, []byte(body), sig)
			if ours != theirs {
				t.Fatalf("case %d (%s, %s): hookgate accepts=%v, SDK accepts=%v", i, name, c.url, ours, theirs)
			}
			if ours {
				accepted++
			}
		}
	}
	if accepted != 2*200 {
		t.Fatalf("accepted %d requests, want exactly the %d correctly signed ones", accepted, 2*200)
	}

	// JSON bodies: the official vector and a tampered body.
	sum := sha256.Sum256([]byte(vecJSONBody))
	withHash := fmt.Sprintf("%s&bodySHA256=%s", vecURL, hex.EncodeToString(sum[:]))
	pv := twProvider(t, "", vecToken)
	sdk := twclient.NewRequestValidator(vecToken)
	for _, body := range []string{vecJSONBody, vecJSONBody + " "} {
		u, _ := url.Parse(withHash)
		sig := "a9nBmqA0ju/hNViExpshrM61xv4="
		r := &providers.Request{Method: http.MethodPost, URL: u, Header: http.Header{
			"Content-Type": {"application/json"}, SignatureHeader: {sig},
		}, Body: []byte(body)}
		ours := pv.Verify(context.Background(), r) == nil
		if theirs := sdk.ValidateBody(withHash, []byte(body), sig); ours != theirs {
			t.Fatalf("JSON body %q: hookgate accepts=%v, SDK accepts=%v", body, ours, theirs)
		}
	}
}
