package twilio

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/hookgate/hookgate/providers"
)

// twOptions decodes a YAML options block strictly, as the config loader does.
func twOptions(doc string) func(any) error {
	return func(v any) error {
		if strings.TrimSpace(doc) == "" {
			return nil
		}
		dec := yaml.NewDecoder(strings.NewReader(doc))
		dec.KnownFields(true)
		return dec.Decode(v)
	}
}

func twProvider(t testing.TB, options string, tokens ...string) *Provider {
	t.Helper()
	p, err := New(providers.Spec{Source: "sms", Secrets: tokens, Options: twOptions(options)})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p.(*Provider)
}

const twPublic = "https://hooks.example.com/webhooks/sms"

// twStatusBody is a message status callback as Twilio posts it.
const twStatusBody = "AccountSid=AC0123&ApiVersion=2010-04-01&From=%2B15017122661&MessageSid=SM0123&MessageStatus=delivered&SmsSid=SM0123&SmsStatus=delivered&To=%2B15558675310"

// twSigned returns a form request signed by Twilio's algorithm with token.
func twSigned(t testing.TB, token, publicURL, body string) *providers.Request {
	t.Helper()
	u, err := url.Parse(publicURL)
	if err != nil {
		t.Fatal(err)
	}
	params, err := url.ParseQuery(body)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	h.Set(SignatureHeader, ComputeSignature(token, publicURL, params))
	return &providers.Request{Method: http.MethodPost, URL: u, Header: h, Body: []byte(body), Now: time.Unix(1700000000, 0)}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		secrets []string
		options string
		wantErr string
		is      error
	}{
		{"one token", []string{"t"}, "", "", nil},
		{"twiml reply", []string{"t"}, "reply: twiml", "", nil},
		{"default reply", []string{"t"}, "reply: default", "", nil},
		{"no secrets", nil, "", "secrets: required", providers.ErrNoSecret},
		{"only empty secrets", []string{""}, "", "secrets: required", providers.ErrNoSecret},
		{"bad reply", []string{"t"}, "reply: xml", `options.reply: "xml" is not supported`, nil},
		{"unknown option", []string{"t"}, "public_url: x", "public_url", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(providers.Spec{Source: "sms", Secrets: tt.secrets, Options: twOptions(tt.options)})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New error = %v, want it to contain %q", err, tt.wantErr)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Fatalf("New error = %v, want it to wrap %v", err, tt.is)
			}
		})
	}
}

func TestVerifyRequest(t *testing.T) {
	p := twProvider(t, "", "primary", "secondary")
	tests := []struct {
		name    string
		req     func() *providers.Request
		wantErr error
	}{
		{"signed with primary", func() *providers.Request { return twSigned(t, "primary", twPublic, twStatusBody) }, nil},
		{"signed with secondary", func() *providers.Request { return twSigned(t, "secondary", twPublic, twStatusBody) }, nil},
		{"content type with charset", func() *providers.Request {
			r := twSigned(t, "primary", twPublic, twStatusBody)
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			return r
		}, nil},
		{"repeated keys", func() *providers.Request {
			return twSigned(t, "primary", twPublic, "MediaUrl=b&MediaUrl=a&MessageSid=SM1")
		}, nil},
		{"wrong token", func() *providers.Request { return twSigned(t, "guess", twPublic, twStatusBody) }, providers.ErrNoValidSignature},
		{"tampered param", func() *providers.Request {
			r := twSigned(t, "primary", twPublic, twStatusBody)
			r.Body = []byte(strings.Replace(twStatusBody, "delivered", "failed", 1))
			return r
		}, providers.ErrNoValidSignature},
		{"missing header", func() *providers.Request {
			r := twSigned(t, "primary", twPublic, twStatusBody)
			r.Header.Del(SignatureHeader)
			return r
		}, providers.ErrNotSigned},
		{"empty header", func() *providers.Request {
			r := twSigned(t, "primary", twPublic, twStatusBody)
			r.Header.Set(SignatureHeader, "")
			return r
		}, providers.ErrNotSigned},
		{"duplicated header", func() *providers.Request {
			r := twSigned(t, "primary", twPublic, twStatusBody)
			r.Header.Add(SignatureHeader, r.Header.Get(SignatureHeader))
			return r
		}, providers.ErrInvalidHeader},
		{"malformed base64", func() *providers.Request {
			r := twSigned(t, "primary", twPublic, twStatusBody)
			r.Header.Set(SignatureHeader, "***")
			return r
		}, providers.ErrInvalidHeader},
		{"text/plain content type", func() *providers.Request {
			r := twSigned(t, "primary", twPublic, twStatusBody)
			r.Header.Set("Content-Type", "text/plain")
			return r
		}, providers.ErrMalformedPayload},
		{"no content type", func() *providers.Request {
			r := twSigned(t, "primary", twPublic, twStatusBody)
			r.Header.Del("Content-Type")
			return r
		}, providers.ErrMalformedPayload},
		{"empty body signed over the URL alone", func() *providers.Request { return twSigned(t, "primary", twPublic, "") }, providers.ErrMalformedPayload},
		{"non-UTF-8 raw bytes", func() *providers.Request {
			r := twSigned(t, "primary", twPublic, "Body=caf\xe9&MessageSid=SM1")
			return r
		}, providers.ErrMalformedPayload},
		{"non-UTF-8 percent-encoded", func() *providers.Request { return twSigned(t, "primary", twPublic, "Body=caf%E9&MessageSid=SM1") }, providers.ErrMalformedPayload},
		{"bad percent escape", func() *providers.Request {
			r := twSigned(t, "primary", twPublic, twStatusBody)
			r.Body = append(r.Body, "&x=%zz"...)
			return r
		}, providers.ErrMalformedPayload},
		{"no public URL", func() *providers.Request {
			r := twSigned(t, "primary", twPublic, twStatusBody)
			r.URL = nil
			return r
		}, providers.ErrNoValidSignature},
		{"Host-header URL differs from the configured public URL", func() *providers.Request {
			// The sender signed for the URL it reached (its own Host); the gateway
			// verifies against the configured public URL, so this must fail.
			r := twSigned(t, "primary", "https://evil.example/webhooks/sms", twStatusBody)
			r.Header.Set("Host", "evil.example")
			r.URL, _ = url.Parse(twPublic)
			return r
		}, providers.ErrNoValidSignature},
		{"query added to the URL", func() *providers.Request {
			r := twSigned(t, "primary", twPublic, twStatusBody)
			r.URL, _ = url.Parse(twPublic + "?x=1")
			return r
		}, providers.ErrNoValidSignature},
		{"bodySHA256 with a form content type", func() *providers.Request {
			r := twSigned(t, "primary", twPublic+"?bodySHA256="+vecBodyHash, twStatusBody)
			return r
		}, providers.ErrMalformedPayload},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.Verify(context.Background(), tt.req())
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("Verify = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestVerifyJSONRequest(t *testing.T) {
	p := twProvider(t, "", vecToken)
	s, err := NewSigner(providers.Spec{Source: "sms", Secrets: []string{vecToken}, Options: twOptions("")})
	if err != nil {
		t.Fatal(err)
	}
	newReq := func() *providers.Request {
		u, _ := url.Parse(vecURL)
		h := http.Header{}
		h.Set("Content-Type", "application/json")
		r := &providers.Request{Method: http.MethodPost, URL: u, Header: h, Body: []byte(vecJSONBody)}
		if err := s.Sign(r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := newReq()
	if got, want := r.URL.String(), vecURL+"&bodySHA256="+vecBodyHash; got != want {
		t.Fatalf("signed URL = %s, want %s", got, want)
	}
	if got := r.Header.Get(SignatureHeader); got != "a9nBmqA0ju/hNViExpshrM61xv4=" {
		t.Fatalf("signature = %s, want the official a9nBmqA0ju/hNViExpshrM61xv4=", got)
	}
	if err := p.Verify(context.Background(), r); err != nil {
		t.Fatalf("Verify(signed JSON) = %v", err)
	}

	r = newReq()
	r.Body = []byte(`{"property": "other", "boolean": true}`)
	if err := p.Verify(context.Background(), r); !errors.Is(err, providers.ErrNoValidSignature) {
		t.Fatalf("Verify(tampered JSON) = %v, want ErrNoValidSignature", err)
	}
	r = newReq()
	r.Header.Set("Content-Type", "text/plain")
	if err := p.Verify(context.Background(), r); !errors.Is(err, providers.ErrMalformedPayload) {
		t.Fatalf("Verify(JSON as text/plain) = %v, want ErrMalformedPayload", err)
	}
	r = newReq()
	r.URL.RawQuery = "foo=1&bar=2"
	if err := p.Verify(context.Background(), r); !errors.Is(err, providers.ErrMalformedPayload) {
		t.Fatalf("Verify(JSON without bodySHA256) = %v, want ErrMalformedPayload", err)
	}
}

func TestSignerFormRoundTrip(t *testing.T) {
	s, err := NewSigner(providers.Spec{Source: "sms", Secrets: []string{vecToken, "old"}, Options: twOptions("")})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(vecURL)
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	r := &providers.Request{Method: http.MethodPost, URL: u, Header: h, Body: []byte(vecParams().Encode())}
	if err := s.Sign(r); err != nil {
		t.Fatal(err)
	}
	if got := r.Header.Get(SignatureHeader); got != vecSig {
		t.Fatalf("Sign = %s, want the official %s (signs with the first secret)", got, vecSig)
	}
	if err := twProvider(t, "", vecToken).Verify(context.Background(), r); err != nil {
		t.Fatalf("Verify(signed) = %v", err)
	}

	h.Set("Content-Type", "text/plain")
	if err := s.Sign(r); err == nil {
		t.Fatal("Sign accepted a text/plain body")
	}
	if _, err := NewSigner(providers.Spec{Source: "sms", Options: twOptions("")}); !errors.Is(err, providers.ErrNoSecret) {
		t.Fatalf("NewSigner without secrets = %v, want ErrNoSecret", err)
	}
}

func TestIdentify(t *testing.T) {
	p := twProvider(t, "", "tok")
	form := func(body string, hdr ...string) *providers.Request {
		h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
		for i := 0; i+1 < len(hdr); i += 2 {
			h.Set(hdr[i], hdr[i+1])
		}
		return &providers.Request{Header: h, Body: []byte(body)}
	}
	tests := []struct {
		name     string
		req      *providers.Request
		wantID   string
		wantType string
		wantErr  error
	}{
		{"message status", form(twStatusBody), "SM0123:delivered", TypeSMSStatus, nil},
		{"each status is its own event", form("MessageSid=SM0123&MessageStatus=sent"), "SM0123:sent", TypeSMSStatus, nil},
		{"call status", form("CallSid=CA9&CallStatus=completed&From=%2B1"), "CA9:completed", TypeCallStatus, nil},
		{"incoming message", form("MessageSid=SM7&Body=hello&From=%2B1"), "SM7", TypeSMSIncoming, nil},
		{"incoming message with empty body text", form("MessageSid=SM7&Body=&NumMedia=1"), "SM7", TypeSMSIncoming, nil},
		{"the unsigned token only refines the signed ID", form(twStatusBody, IdempotencyHeader, "tok-1"), "SM0123:delivered:tok-1", TypeSMSStatus, nil},
		{"token with unknown params", form("Foo=bar", IdempotencyHeader, "tok-2"), "tok-2", TypeUnknown, nil},
		{"message sid alone", form("MessageSid=SM8"), "SM8", TypeUnknown, nil},
		{"call sid alone", form("CallSid=CA8"), "CA8", TypeUnknown, nil},
		{"json body", &providers.Request{Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"CallSid":"CA1","CallStatus":"ringing","n":1}`)}, "CA1:ringing", TypeCallStatus, nil},
		{"missing everything", form("Foo=bar"), "", "", providers.ErrMalformedPayload},
		{"json not an object", &providers.Request{Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`[1]`)}, "", "", providers.ErrMalformedPayload},
		{"other content type", &providers.Request{Header: http.Header{"Content-Type": {"text/plain"}}, Body: []byte("MessageSid=SM1")}, "", "", providers.ErrMalformedPayload},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := p.Identify(tt.req)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("Identify error = %v, want %v", err, tt.wantErr)
			}
			if ev.ID != tt.wantID || ev.Type != tt.wantType {
				t.Fatalf("Identify = %+v, want ID %q type %q", ev, tt.wantID, tt.wantType)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	p := twProvider(t, "", "tok")
	tests := []struct {
		name    string
		ct      string
		body    string
		want    string
		wantErr error
	}{
		{"form", "application/x-www-form-urlencoded", "To=%2B1&Body=hi+there&From=%2B2", `{"Body":"hi there","From":"+2","To":"+1"}`, nil},
		{"repeated key", "application/x-www-form-urlencoded; charset=utf-8", "MediaUrl0=b&MediaUrl0=a&A=1", `{"A":"1","MediaUrl0":["b","a"]}`, nil},
		{"escapes in JSON", "application/x-www-form-urlencoded", "Body=%22%3C%3E%26%5C", `{"Body":"\"\u003c\u003e\u0026\\"}`, nil},
		{"empty form", "application/x-www-form-urlencoded", "", `{}`, nil},
		{"json as is", "application/json", `{"b": 1, "a": 2}`, `{"b": 1, "a": 2}`, nil},
		{"invalid json", "application/json", `{"b": `, "", providers.ErrMalformedPayload},
		{"text/plain", "text/plain", "a=b", "", providers.ErrMalformedPayload},
		{"no content type", "", "a=b", "", providers.ErrMalformedPayload},
		{"non-UTF-8 value", "application/x-www-form-urlencoded", "a=%FF", "", providers.ErrMalformedPayload},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := p.Decode(tt.ct, []byte(tt.body))
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("Decode error = %v, want %v", err, tt.wantErr)
			}
			if string(got) != tt.want {
				t.Fatalf("Decode = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestReply(t *testing.T) {
	formReq := &providers.Request{Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}}
	jsonReq := &providers.Request{Header: http.Header{"Content-Type": {"application/json"}}}
	got := twProvider(t, "", "tok").Reply(formReq, providers.Event{ID: "SM1", Type: TypeSMSIncoming})
	want := `<?xml version="1.0" encoding="UTF-8"?><Response></Response>`
	if got.Status != http.StatusOK || got.ContentType != "text/xml" || string(got.Body) != want {
		t.Fatalf("Reply(form) = %d %q %q, want 200 text/xml %q", got.Status, got.ContentType, got.Body, want)
	}
	if got := twProvider(t, "", "tok").Reply(jsonReq, providers.Event{}); got.Status != 0 || got.Body != nil {
		t.Fatalf("Reply(json) = %+v, want the zero Reply", got)
	}
	if got := twProvider(t, "reply: default", "tok").Reply(formReq, providers.Event{}); got.Status != 0 || got.Body != nil {
		t.Fatalf("Reply with reply: default = %+v, want the zero Reply", got)
	}
}

func BenchmarkVerify(b *testing.B) {
	p := twProvider(b, "", "secondary-token", "primary-token")
	r := twSigned(b, "primary-token", twPublic, twStatusBody)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Verify(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}
