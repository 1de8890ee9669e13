package shopify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/hookgate/hookgate/providers"
)

// Official vector (docs/providers.md, from Shopify's documentation).
const (
	vectorSecret = "test_secret_key"
	vectorBody   = `{"foo": "bar"}`
	vectorSig    = "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g="
)

func specOf(secrets []string, options string) providers.Spec {
	return providers.Spec{
		Source:  "shopify-test",
		Secrets: secrets,
		Options: func(v any) error { return decodeOptions(options, v) },
	}
}

// hdr builds a header the way net/http does, with canonical keys.
func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func TestOfficialVector(t *testing.T) {
	if got := SignPayload([]byte(vectorBody), vectorSecret); got != vectorSig {
		t.Fatalf("SignPayload = %q, want %q", got, vectorSig)
	}
	if err := VerifySignature([]byte(vectorBody), vectorSig, []string{vectorSecret}); err != nil {
		t.Fatalf("VerifySignature(official vector) = %v", err)
	}
}

func TestVerifySignature(t *testing.T) {
	body := []byte(vectorBody)
	nonUTF8 := []byte{0xc3, 0x28, 0xff}
	tests := []struct {
		name    string
		body    []byte
		header  string
		secrets []string
		want    error
	}{
		{"valid", body, vectorSig, []string{vectorSecret}, nil},
		{"rotation: second secret verifies", body, vectorSig, []string{"new_secret", vectorSecret}, nil},
		{"tampered body", []byte(`{"foo":"bar"}`), vectorSig, []string{vectorSecret}, providers.ErrNoValidSignature},
		{"wrong secret", body, vectorSig, []string{"other"}, providers.ErrNoValidSignature},
		{"empty header", body, "", []string{vectorSecret}, providers.ErrNotSigned},
		{"hex instead of base64", body, strings.Repeat("ab", 32), []string{vectorSecret}, providers.ErrInvalidHeader},
		{"unpadded base64", body, strings.TrimSuffix(vectorSig, "="), []string{vectorSecret}, providers.ErrInvalidHeader},
		{"url-safe alphabet", body, strings.NewReplacer("+", "-", "/", "_").Replace("B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g+"), []string{vectorSecret}, providers.ErrInvalidHeader},
		{"short digest", body, "AAAA", []string{vectorSecret}, providers.ErrInvalidHeader},
		{"long value", body, strings.Repeat("A", 4096), []string{vectorSecret}, providers.ErrInvalidHeader},
		{"empty body, signature of another body", nil, vectorSig, []string{vectorSecret}, providers.ErrNoValidSignature},
		{"empty body signed", nil, SignPayload(nil, vectorSecret), []string{vectorSecret}, nil},
		{"non-UTF-8 body signed", nonUTF8, SignPayload(nonUTF8, vectorSecret), []string{vectorSecret}, nil},
		{"non-UTF-8 body tampered", []byte{0xc3, 0x29, 0xff}, SignPayload(nonUTF8, vectorSecret), []string{vectorSecret}, providers.ErrNoValidSignature},
		{"no secrets", body, vectorSig, nil, providers.ErrNoSecret},
		{"only empty secrets", body, vectorSig, []string{""}, providers.ErrNoSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifySignature(tt.body, tt.header, tt.secrets)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("VerifySignature = %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("VerifySignature = %v, want %v", err, tt.want)
			}
			for _, leak := range append(tt.secrets, vectorSecret, vectorSig) {
				if leak != "" && strings.Contains(err.Error(), leak) {
					t.Fatalf("error %q leaks a secret or signature", err)
				}
			}
		})
	}
}

func TestNew(t *testing.T) {
	if _, err := New(specOf([]string{vectorSecret}, "")); err != nil {
		t.Fatalf("New = %v", err)
	}
	_, err := New(specOf(nil, ""))
	if !errors.Is(err, providers.ErrNoSecret) || !strings.Contains(err.Error(), "secrets") {
		t.Fatalf("New(no secrets) = %v, want ErrNoSecret naming secrets", err)
	}
	if _, err := New(specOf([]string{"a", ""}, "")); err == nil || !strings.Contains(err.Error(), "secrets[1]") {
		t.Fatalf("New(empty secret) = %v, want an error naming secrets[1]", err)
	}
	if _, err := New(specOf([]string{"a"}, "[x]")); err == nil || !strings.Contains(err.Error(), "options") {
		t.Fatalf("New(bad options) = %v, want an error naming options", err)
	}
	if _, err := NewSigner(specOf(nil, "")); !errors.Is(err, providers.ErrNoSecret) {
		t.Fatalf("NewSigner(no secrets) = %v, want ErrNoSecret", err)
	}
}

func TestProviderVerify(t *testing.T) {
	p, err := New(specOf([]string{"new_secret", vectorSecret}, ""))
	if err != nil {
		t.Fatal(err)
	}
	const legacy, current = "X-Shopify-Hmac-Sha256", "Shopify-Hmac-Sha256"
	other := SignPayload([]byte(vectorBody), "new_secret")
	tests := []struct {
		name   string
		header http.Header
		want   error
	}{
		{"prefixed", hdr(legacy, vectorSig), nil},
		{"unprefixed", hdr(current, vectorSig), nil},
		{"both spellings, same value", hdr(legacy, vectorSig, current, vectorSig), nil},
		{"lower-case wire name", hdr("x-shopify-hmac-sha256", vectorSig), nil},
		{"both spellings, different values", hdr(legacy, vectorSig, current, other), providers.ErrInvalidHeader},
		{"duplicated", hdr(legacy, vectorSig, legacy, vectorSig), providers.ErrInvalidHeader},
		{"duplicated unprefixed", hdr(current, vectorSig, current, vectorSig), providers.ErrInvalidHeader},
		{"missing", hdr(), providers.ErrNotSigned},
		{"nil header map", nil, providers.ErrNotSigned},
		{"malformed", hdr(legacy, "!!!"), providers.ErrInvalidHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.Verify(context.Background(), &providers.Request{Header: tt.header, Body: []byte(vectorBody)})
			if tt.want == nil && err != nil {
				t.Fatalf("Verify = %v", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
	if err := p.Verify(context.Background(), nil); !errors.Is(err, providers.ErrNotSigned) {
		t.Fatalf("Verify(nil) = %v", err)
	}
}

func TestZeroProviderFailsClosed(t *testing.T) {
	r := &providers.Request{Header: hdr("X-Shopify-Hmac-Sha256", SignPayload([]byte("{}"), "")), Body: []byte("{}")}
	for _, p := range []*provider{{}, {secrets: []string{}}} {
		if err := p.Verify(context.Background(), r); !errors.Is(err, providers.ErrNoSecret) {
			t.Fatalf("Verify = %v, want ErrNoSecret", err)
		}
	}
}

func TestIdentify(t *testing.T) {
	p, err := New(specOf([]string{vectorSecret}, ""))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		header http.Header
		want   providers.Event
		err    bool
	}{
		{"event id preferred", hdr("X-Shopify-Event-Id", "ev-1", "X-Shopify-Webhook-Id", "wh-1", "X-Shopify-Topic", "orders/create"), providers.Event{ID: "ev-1", Type: "orders/create"}, false},
		{"webhook id fallback", hdr("X-Shopify-Webhook-Id", "wh-1", "X-Shopify-Topic", "orders/create"), providers.Event{ID: "wh-1", Type: "orders/create"}, false},
		{"empty event id falls back", hdr("X-Shopify-Event-Id", "", "X-Shopify-Webhook-Id", "wh-1", "X-Shopify-Topic", "orders/create"), providers.Event{ID: "wh-1", Type: "orders/create"}, false},
		{"unprefixed", hdr("Shopify-Event-Id", "ev-2", "Shopify-Topic", "products/update"), providers.Event{ID: "ev-2", Type: "products/update"}, false},
		{"mixed spellings", hdr("Shopify-Event-Id", "ev-3", "X-Shopify-Topic", "app/uninstalled"), providers.Event{ID: "ev-3", Type: "app/uninstalled"}, false},
		{"no ids", hdr("X-Shopify-Topic", "orders/create"), providers.Event{}, true},
		{"no topic", hdr("X-Shopify-Event-Id", "ev-1"), providers.Event{}, true},
		{"conflicting event ids", hdr("X-Shopify-Event-Id", "ev-1", "Shopify-Event-Id", "ev-2", "X-Shopify-Topic", "t"), providers.Event{}, true},
		{"repeated topic", hdr("X-Shopify-Event-Id", "ev-1", "X-Shopify-Topic", "a", "X-Shopify-Topic", "b"), providers.Event{}, true},
		{"control character", hdr("X-Shopify-Event-Id", "ev\x01", "X-Shopify-Topic", "t"), providers.Event{}, true},
		{"non-UTF-8", hdr("X-Shopify-Event-Id", "ev\xff", "X-Shopify-Topic", "t"), providers.Event{}, true},
		{"oversized", hdr("X-Shopify-Event-Id", strings.Repeat("e", maxFieldLen+1), "X-Shopify-Topic", "t"), providers.Event{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := p.Identify(&providers.Request{Header: tt.header, Body: []byte(vectorBody)})
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

func TestSignerRoundTrip(t *testing.T) {
	spec := specOf([]string{"signing", "older"}, "")
	s, err := NewSigner(spec)
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	// A stale unprefixed signature must not survive signing and conflict.
	r := &providers.Request{Header: hdr("Shopify-Hmac-Sha256", "stale"), Body: []byte(vectorBody)}
	if err := s.Sign(r); err != nil {
		t.Fatal(err)
	}
	if got, want := r.Header.Get("X-Shopify-Hmac-Sha256"), SignPayload(r.Body, "signing"); got != want {
		t.Fatalf("signed %q, want %q (first secret)", got, want)
	}
	if err := p.Verify(context.Background(), r); err != nil {
		t.Fatalf("Verify(signed) = %v", err)
	}
}

func BenchmarkVerify(b *testing.B) {
	p, err := New(specOf([]string{vectorSecret}, ""))
	if err != nil {
		b.Fatal(err)
	}
	r := &providers.Request{Header: hdr("X-Shopify-Hmac-Sha256", vectorSig), Body: []byte(vectorBody)}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Verify(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
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
