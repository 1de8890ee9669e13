package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/hookgate/hookgate/providers"
)

// Official vectors (GitHub's "Validating webhook deliveries" documentation).
var vectors = []struct {
	secret, payload, signature string
}{
	{"It's a Secret to Everybody", "Hello, World!", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"},
	{"mysecret", `{"foo":"bar"}`, "sha256=4864d2759938a15468b5df9ade20bf161da9b4f737ea61794142f3484236bda3"},
}

func specOf(secrets []string, options string) providers.Spec {
	return providers.Spec{
		Source:  "github-test",
		Secrets: secrets,
		Options: func(v any) error { return decodeOptions(options, v) },
	}
}

func TestOfficialVectors(t *testing.T) {
	for _, v := range vectors {
		if got := SignPayload([]byte(v.payload), v.secret); got != v.signature {
			t.Errorf("SignPayload(%q) = %q, want %q", v.payload, got, v.signature)
		}
		if err := VerifySignature([]byte(v.payload), v.signature, []string{v.secret}); err != nil {
			t.Errorf("VerifySignature(%q) = %v", v.payload, err)
		}
	}
}

func TestVerifySignature(t *testing.T) {
	v := vectors[1]
	body := []byte(v.payload)
	nonUTF8 := []byte("payload=\xff\xfe")
	tests := []struct {
		name    string
		body    []byte
		header  string
		secrets []string
		want    error
	}{
		{"valid", body, v.signature, []string{v.secret}, nil},
		{"uppercase hex", body, "sha256=" + strings.ToUpper(strings.TrimPrefix(v.signature, "sha256=")), []string{v.secret}, nil},
		{"rotation: second secret verifies", body, v.signature, []string{"newer", v.secret}, nil},
		{"tampered body", []byte(`{"foo":"baz"}`), v.signature, []string{v.secret}, providers.ErrNoValidSignature},
		{"trailing newline added", append(append([]byte(nil), body...), '\n'), v.signature, []string{v.secret}, providers.ErrNoValidSignature},
		{"wrong secret", body, v.signature, []string{"notmysecret"}, providers.ErrNoValidSignature},
		{"empty header", body, "", []string{v.secret}, providers.ErrNotSigned},
		{"sha1 prefix", body, "sha1=" + strings.TrimPrefix(v.signature, "sha256="), []string{v.secret}, providers.ErrInvalidHeader},
		{"no prefix", body, strings.TrimPrefix(v.signature, "sha256="), []string{v.secret}, providers.ErrInvalidHeader},
		{"prefix case differs", body, "SHA256=" + strings.TrimPrefix(v.signature, "sha256="), []string{v.secret}, providers.ErrInvalidHeader},
		{"truncated digest", body, v.signature[:len(v.signature)-1], []string{v.secret}, providers.ErrInvalidHeader},
		{"non-hex digest", body, "sha256=" + strings.Repeat("g", 64), []string{v.secret}, providers.ErrInvalidHeader},
		{"two signatures in one value", body, v.signature + "," + v.signature, []string{v.secret}, providers.ErrInvalidHeader},
		{"empty body, signature of another body", nil, v.signature, []string{v.secret}, providers.ErrNoValidSignature},
		{"empty body signed", nil, SignPayload(nil, v.secret), []string{v.secret}, nil},
		{"non-UTF-8 body signed", nonUTF8, SignPayload(nonUTF8, v.secret), []string{v.secret}, nil},
		{"non-UTF-8 body tampered", []byte("payload=\xff\xff"), SignPayload(nonUTF8, v.secret), []string{v.secret}, providers.ErrNoValidSignature},
		{"no secrets", body, v.signature, nil, providers.ErrNoSecret},
		{"only empty secrets", body, v.signature, []string{""}, providers.ErrNoSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifySignature(tt.body, tt.header, tt.secrets)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("VerifySignature = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("VerifySignature = %v, want %v", err, tt.want)
			}
			for _, leak := range append(tt.secrets, strings.TrimPrefix(v.signature, "sha256=")) {
				if leak != "" && strings.Contains(err.Error(), leak) {
					t.Fatalf("error %q leaks a secret or signature", err)
				}
			}
		})
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		secrets []string
		options string
		wantIs  error
		wantMsg string
	}{
		{"ok", []string{"s"}, "", nil, ""},
		{"no secrets", nil, "", providers.ErrNoSecret, "secrets"},
		{"empty secret", []string{""}, "", providers.ErrNoSecret, "secrets[0]"},
		{"options not a mapping", []string{"s"}, "- 1", nil, "options"},
		{"unknown option", []string{"s"}, "content_type: form", nil, "field content_type not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(specOf(tt.secrets, tt.options))
			if tt.wantMsg == "" {
				if err != nil || p == nil {
					t.Fatalf("New = %v, %v", p, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("New = %v, want an error mentioning %q", err, tt.wantMsg)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Fatalf("New = %v, want it to wrap %v", err, tt.wantIs)
			}
		})
	}
}

func TestProviderVerify(t *testing.T) {
	v := vectors[1]
	p, err := New(specOf([]string{"rotated-in", v.secret}, ""))
	if err != nil {
		t.Fatal(err)
	}
	sha1Sig := signPayloadSHA1([]byte(v.payload), v.secret)
	tests := []struct {
		name   string
		header http.Header
		want   error
	}{
		{"valid", http.Header{SignatureHeader: {v.signature}}, nil},
		{"valid beside legacy SHA-1", http.Header{SignatureHeader: {v.signature}, LegacySignatureHeader: {sha1Sig}}, nil},
		{"SHA-1 header alone", http.Header{LegacySignatureHeader: {sha1Sig}}, providers.ErrNotSigned},
		{"missing", http.Header{}, providers.ErrNotSigned},
		{"nil header map", nil, providers.ErrNotSigned},
		{"duplicated", http.Header{SignatureHeader: {v.signature, v.signature}}, providers.ErrInvalidHeader},
		{"malformed", http.Header{SignatureHeader: {"sha256=xyz"}}, providers.ErrInvalidHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.Verify(context.Background(), &providers.Request{Header: tt.header, Body: []byte(v.payload)})
			if tt.want == nil && err != nil {
				t.Fatalf("Verify = %v", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
	if err := p.Verify(context.Background(), nil); !errors.Is(err, providers.ErrNotSigned) {
		t.Fatalf("Verify(nil) = %v, want ErrNotSigned", err)
	}
}

func TestZeroProviderFailsClosed(t *testing.T) {
	r := &providers.Request{Header: http.Header{SignatureHeader: {SignPayload([]byte("{}"), "")}}, Body: []byte("{}")}
	for _, p := range []*provider{{}, {secrets: []string{}}} {
		if err := p.Verify(context.Background(), r); !errors.Is(err, providers.ErrNoSecret) {
			t.Fatalf("Verify = %v, want ErrNoSecret", err)
		}
	}
}

func TestIdentify(t *testing.T) {
	p, err := New(specOf([]string{"s"}, ""))
	if err != nil {
		t.Fatal(err)
	}
	const guid = "72d3162e-cc78-11e3-81ab-4c9367dc0958"
	tests := []struct {
		name   string
		header http.Header
		want   providers.Event
		err    bool
	}{
		{"push", hdr(DeliveryHeader, guid, EventHeader, "push"), providers.Event{ID: guid, Type: "push"}, false},
		{"ping", hdr(DeliveryHeader, guid, EventHeader, "ping"), providers.Event{ID: guid, Type: "ping"}, false},
		{"missing delivery", hdr(EventHeader, "push"), providers.Event{}, true},
		{"empty delivery", hdr(DeliveryHeader, "", EventHeader, "push"), providers.Event{}, true},
		{"missing event", hdr(DeliveryHeader, guid), providers.Event{}, true},
		{"repeated delivery", hdr(DeliveryHeader, guid, DeliveryHeader, "other", EventHeader, "push"), providers.Event{}, true},
		{"control character", hdr(DeliveryHeader, guid+"\x00", EventHeader, "push"), providers.Event{}, true},
		{"non-UTF-8", hdr(DeliveryHeader, "\xff"+guid, EventHeader, "push"), providers.Event{}, true},
		{"oversized", hdr(DeliveryHeader, strings.Repeat("a", maxFieldLen+1), EventHeader, "push"), providers.Event{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := p.Identify(&providers.Request{Header: tt.header, Body: []byte(`{}`)})
			if tt.err {
				if !errors.Is(err, providers.ErrMalformedPayload) {
					t.Fatalf("Identify = %+v, %v; want ErrMalformedPayload", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Identify = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	const doc = `{"zen":"Design for failure.","hook_id":1}`
	form := "payload=" + url.QueryEscape(doc)
	tests := []struct {
		name, contentType, body, want string
		err                           bool
	}{
		{"json returned as is", "application/json", doc, doc, false},
		{"json with charset", "application/json; charset=utf-8", doc, doc, false},
		{"no content type", "", doc, doc, false},
		{"form payload", "application/x-www-form-urlencoded", form, doc, false},
		{"form with params", "Application/X-WWW-Form-Urlencoded; charset=utf-8", form, doc, false},
		{"form with other fields", formContentType, "a=1&" + form, doc, false},
		{"form without payload", formContentType, "a=1", "", true},
		{"form with two payloads", formContentType, form + "&" + form, "", true},
		{"form payload not JSON", formContentType, "payload=%7Bnope", "", true},
		{"form payload not UTF-8", formContentType, "payload=%22%FF%22", "", true},
		{"form bad escape", formContentType, "payload=%zz", "", true},
		{"empty form", formContentType, "", "", true},
		{"bad content type", "application/", doc, "", true},
	}
	p := &provider{secrets: []string{"s"}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := p.Decode(tt.contentType, []byte(tt.body))
			if tt.err {
				if !errors.Is(err, providers.ErrMalformedPayload) {
					t.Fatalf("Decode = %q, %v; want ErrMalformedPayload", got, err)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("Decode = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// A form-encoded delivery is verified over the form bytes, then decoded.
func TestFormDeliveryEndToEnd(t *testing.T) {
	spec := specOf([]string{"mysecret"}, "")
	s, err := NewSigner(spec)
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	r := &providers.Request{
		Method: http.MethodPost,
		Header: hdr("Content-Type", formContentType, DeliveryHeader, "d-1", EventHeader, "ping"),
		Body:   []byte("payload=" + url.QueryEscape(`{"zen":"Keep it logically awesome."}`)),
	}
	if err := s.Sign(r); err != nil {
		t.Fatal(err)
	}
	if got := r.Header.Get(LegacySignatureHeader); !strings.HasPrefix(got, "sha1=") {
		t.Fatalf("signer set %s = %q, want a sha1= value as GitHub sends", LegacySignatureHeader, got)
	}
	if err := p.Verify(context.Background(), r); err != nil {
		t.Fatalf("Verify = %v", err)
	}
	ev, err := p.Identify(r)
	if err != nil || ev != (providers.Event{ID: "d-1", Type: "ping"}) {
		t.Fatalf("Identify = %+v, %v", ev, err)
	}
	doc, err := p.(providers.Decoder).Decode(r.Header.Get("Content-Type"), r.Body)
	if err != nil || string(doc) != `{"zen":"Keep it logically awesome."}` {
		t.Fatalf("Decode = %q, %v", doc, err)
	}
	if _, err := NewSigner(specOf(nil, "")); !errors.Is(err, providers.ErrNoSecret) {
		t.Fatalf("NewSigner(no secrets) = %v, want ErrNoSecret", err)
	}
}

func BenchmarkVerify(b *testing.B) {
	v := vectors[1]
	p, err := New(specOf([]string{v.secret}, ""))
	if err != nil {
		b.Fatal(err)
	}
	r := &providers.Request{Header: http.Header{SignatureHeader: {v.signature}}, Body: []byte(v.payload)}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Verify(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}

// hdr builds a header the way net/http does, with canonical keys
// (X-GitHub-Delivery arrives as X-Github-Delivery).
func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

// decodeOptions decodes like config.Source.Spec: strictly (an unknown option is
// an error), with errors prefixed by "options: ", and nothing to decode when
// the block is absent.
func decodeOptions(src string, v any) error {
	if src == "" {
		return nil
	}
	dec := yaml.NewDecoder(strings.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("options: %w", err)
	}
	return nil
}
