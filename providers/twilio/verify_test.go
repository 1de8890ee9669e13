package twilio

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/hookgate/hookgate/providers"
)

// Official vectors from twilio-go client/request_validator_test.go.
const (
	vecToken    = "12345"
	vecURL      = "https://mycompany.com/myapp.php?foo=1&bar=2"
	vecSig      = "vOEb5UThFn24KEfnOFLQY2AE5FY="
	vecHTTPSig  = "n2xBNyzSW7rfYStDtOFiFMv7qNo="
	vecWrongSrt = "95+Bu0JVPi0r/SsESZCVf0dWAjw=" // ReasonConferenceEnded sorted before Reason
	vecBodyHash = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
	vecJSONBody = `{"property": "value", "boolean": true}`
	vecFormSig  = "NBdBDr/T/lgjI+tlgpXjKZQZs/k=" // vecURL with the form body property=value&boolean=true
)

func vecParams() url.Values {
	return url.Values{
		"Digits":                {"1234"},
		"CallSid":               {"CA1234567890ABCDE"},
		"To":                    {"+18005551212"},
		"Caller":                {"+14158675309"},
		"From":                  {"+14158675309"},
		"ReasonConferenceEnded": {"test"},
		"Reason":                {"Participant"},
	}
}

func TestComputeSignatureOfficialVectors(t *testing.T) {
	tests := []struct {
		name   string
		url    string
		params url.Values
		want   string
	}{
		{"form params", vecURL, vecParams(), vecSig},
		{"http scheme", strings.Replace(vecURL, "https", "http", 1), vecParams(), vecHTTPSig},
		{"form body params", vecURL, url.Values{"property": {"value"}, "boolean": {"true"}}, vecFormSig},
		{"json body hash with other query", vecURL + "&bodySHA256=" + vecBodyHash, nil, "a9nBmqA0ju/hNViExpshrM61xv4="},
		{"json body hash alone", "https://mycompany.com/myapp.php?bodySHA256=" + vecBodyHash, nil, "y77kIzt2vzLz71DgmJGsen2scGs="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ComputeSignature(vecToken, tt.url, tt.params); got != tt.want {
				t.Fatalf("ComputeSignature = %s, want %s", got, tt.want)
			}
		})
	}
	if sum := sha256.Sum256([]byte(vecJSONBody)); hex.EncodeToString(sum[:]) != vecBodyHash {
		t.Fatalf("body hash of the official JSON body = %x, want %s", sum, vecBodyHash)
	}
}

func TestVerifyForm(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		params  url.Values
		sig     string
		tokens  []string
		wantErr error
	}{
		{"official vector", vecURL, vecParams(), vecSig, []string{vecToken}, nil},
		{"secondary token matches", vecURL, vecParams(), vecSig, []string{"primary-new", vecToken}, nil},
		{"http vector", "http://mycompany.com/myapp.php?foo=1&bar=2", vecParams(), vecHTTPSig, []string{vecToken}, nil},
		{"default https port added to the URL we see", "https://mycompany.com:443/myapp.php?foo=1&bar=2", vecParams(), vecSig, []string{vecToken}, nil},
		{"default http port added to the URL we see", "http://mycompany.com:80/myapp.php?foo=1&bar=2", vecParams(), vecHTTPSig, []string{vecToken}, nil},
		{"signed with the default port, URL without", vecURL, vecParams(),
			ComputeSignature(vecToken, "https://mycompany.com:443/myapp.php?foo=1&bar=2", vecParams()), []string{vecToken}, nil},
		// As twilio-go's validator does: the URL without its port verifies too.
		{"signed without a non-default port", "https://mycompany.com:1234/myapp.php?foo=1&bar=2", vecParams(), vecSig, []string{vecToken}, nil},
		{"the default port does not replace another", "https://mycompany.com:1234/myapp.php?foo=1&bar=2", vecParams(),
			ComputeSignature(vecToken, "https://mycompany.com:443/myapp.php?foo=1&bar=2", vecParams()), []string{vecToken}, providers.ErrNoValidSignature},
		{"wrong sort order (official negative)", vecURL, vecParams(), vecWrongSrt, []string{vecToken}, providers.ErrNoValidSignature},
		{"tampered param", vecURL, func() url.Values { p := vecParams(); p.Set("Digits", "1235"); return p }(), vecSig, []string{vecToken}, providers.ErrNoValidSignature},
		{"extra param", vecURL, func() url.Values { p := vecParams(); p.Set("Extra", ""); return p }(), vecSig, []string{vecToken}, providers.ErrNoValidSignature},
		{"other URL", "https://attacker.example/myapp.php?foo=1&bar=2", vecParams(), vecSig, []string{vecToken}, providers.ErrNoValidSignature},
		{"wrong token", vecURL, vecParams(), vecSig, []string{"54321"}, providers.ErrNoValidSignature},
		{"no token", vecURL, vecParams(), vecSig, nil, providers.ErrNoSecret},
		{"only empty tokens", vecURL, vecParams(), ComputeSignature("", vecURL, vecParams()), []string{""}, providers.ErrNoValidSignature},
		{"malformed base64", vecURL, vecParams(), "not base64!", []string{vecToken}, providers.ErrInvalidHeader},
		{"base64 of the wrong length", vecURL, vecParams(), "AAAA", []string{vecToken}, providers.ErrInvalidHeader},
		{"url-safe base64 alphabet", vecURL, vecParams(), "95-Bu0JVPi0r_SsESZCVf0dWAjw=", []string{vecToken}, providers.ErrInvalidHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyForm(tt.url, tt.params, tt.sig, tt.tokens)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("VerifyForm = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestRepeatedKeysSignEachValueSorted(t *testing.T) {
	const u = "https://example.com/hook"
	params := url.Values{"b": {"2"}, "a": {"z", "y"}}
	// The signed data spelled out: sorted keys, each value of a key in sorted order.
	want := ComputeSignature("tok", u+"ay"+"az"+"b2", nil)
	if got := ComputeSignature("tok", u, params); got != want {
		t.Fatalf("repeated keys: got %s, want %s", got, want)
	}
	if !reflect.DeepEqual(params["a"], []string{"z", "y"}) {
		t.Fatalf("ComputeSignature reordered the caller's values: %v", params["a"])
	}
	if err := VerifyForm(u, params, ComputeSignature("tok", u+"az"+"ay"+"b2", nil), []string{"tok"}); !errors.Is(err, providers.ErrNoValidSignature) {
		t.Fatalf("values in received order must not verify, got %v", err)
	}
}

func TestVerifyBodyHash(t *testing.T) {
	withHash := vecURL + "&bodySHA256=" + vecBodyHash
	tests := []struct {
		name    string
		url     string
		body    string
		sig     string
		wantErr error
	}{
		{"official vector", withHash, vecJSONBody, "a9nBmqA0ju/hNViExpshrM61xv4=", nil},
		{"official vector, hash only", "https://mycompany.com/myapp.php?bodySHA256=" + vecBodyHash, vecJSONBody, "y77kIzt2vzLz71DgmJGsen2scGs=", nil},
		{"tampered body", withHash, `{"property": "value", "boolean": false}`, "a9nBmqA0ju/hNViExpshrM61xv4=", providers.ErrNoValidSignature},
		{"signature over URL without hash (official negative)", vecURL, vecJSONBody, vecSig, providers.ErrNoValidSignature},
		{"hash not hex", vecURL + "&bodySHA256=zz", vecJSONBody, ComputeSignature(vecToken, vecURL+"&bodySHA256=zz", nil), providers.ErrNoValidSignature},
		{"hash repeated", withHash + "&bodySHA256=" + vecBodyHash, vecJSONBody, ComputeSignature(vecToken, withHash+"&bodySHA256="+vecBodyHash, nil), providers.ErrNoValidSignature},
		{"wrong signature", withHash, vecJSONBody, vecSig, providers.ErrNoValidSignature},
		{"malformed signature", withHash, vecJSONBody, "%%%", providers.ErrInvalidHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyBodyHash(tt.url, []byte(tt.body), tt.sig, []string{vecToken})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("VerifyBodyHash = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestURLVariants(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"https://h.example/p?q=1", []string{"https://h.example/p?q=1", "https://h.example:443/p?q=1"}},
		{"https://h.example:443/p", []string{"https://h.example:443/p", "https://h.example/p"}},
		{"http://h.example/p", []string{"http://h.example/p", "http://h.example:80/p"}},
		{"http://h.example:80/p", []string{"http://h.example:80/p", "http://h.example/p"}},
		{"https://h.example:8443/p", []string{"https://h.example:8443/p", "https://h.example/p"}},
		{"http://[::1]:18005/p", []string{"http://[::1]:18005/p", "http://[::1]/p"}},
		{"https://[::1]:443/p", []string{"https://[::1]:443/p", "https://[::1]/p"}},
		{"https://[::1]/p", []string{"https://[::1]/p", "https://[::1]:443/p"}},
		{"ftp://h.example/p", []string{"ftp://h.example/p"}},
		{"::not a url", []string{"::not a url"}},
	}
	for _, tt := range tests {
		if got := urlVariants(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("urlVariants(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
