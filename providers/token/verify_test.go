package token

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

func specOf(secrets []string, options string) providers.Spec {
	return providers.Spec{
		Source:  "token-test",
		Secrets: secrets,
		Options: func(v any) error { return decodeOptions(options, v) },
	}
}

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func TestVerifyToken(t *testing.T) {
	tests := []struct {
		name    string
		token   string
		secrets []string
		want    error
	}{
		{"match", "s3cret", []string{"s3cret"}, nil},
		{"rotation: second secret", "old", []string{"new", "old"}, nil},
		{"wrong", "s3cre", []string{"s3cret"}, providers.ErrNoValidSignature},
		{"prefix of secret", "s3c", []string{"s3cret"}, providers.ErrNoValidSignature},
		{"secret as prefix", "s3cretX", []string{"s3cret"}, providers.ErrNoValidSignature},
		{"case differs", "S3CRET", []string{"s3cret"}, providers.ErrNoValidSignature},
		{"non-UTF-8 token", "s3cret\xff", []string{"s3cret"}, providers.ErrNoValidSignature},
		{"empty token", "", []string{"s3cret"}, providers.ErrNotSigned},
		{"no secrets", "s3cret", nil, providers.ErrNoSecret},
		{"empty secret never matches empty token", "", []string{""}, providers.ErrNoSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyToken(tt.token, tt.secrets)
			if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("VerifyToken = %v, want %v", err, tt.want)
			}
			if err != nil {
				for _, s := range tt.secrets {
					if s != "" && strings.Contains(err.Error(), s) {
						t.Fatalf("error %q leaks a secret", err)
					}
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
		{"defaults", []string{"t"}, "", nil, ""},
		{"custom", []string{"t"}, "header: Authorization\nprefix: 'Bearer '\nevent_id: header:X-Request-Id", nil, ""},
		{"no secrets", nil, "", providers.ErrNoSecret, "secrets"},
		{"empty secret", []string{"t", ""}, "", providers.ErrNoSecret, "secrets[1]"},
		{"bad header", []string{"t"}, "header: 'a b'", nil, "options.header"},
		{"bad rule", []string{"t"}, "event_type: x", nil, "options.event_type"},
		{"unknown option", []string{"t"}, "headr: X", nil, "field headr not found"},
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
	def, err := New(specOf([]string{"new", "old"}, ""))
	if err != nil {
		t.Fatal(err)
	}
	bearer, err := New(specOf([]string{"tok"}, "header: authorization\nprefix: 'Bearer '"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		p      providers.Provider
		header http.Header
		body   []byte
		want   error
	}{
		{"default header", def, hdr("X-Webhook-Token", "old"), []byte(`{}`), nil},
		{"empty body", def, hdr("X-Webhook-Token", "new"), nil, nil},
		{"non-UTF-8 body", def, hdr("X-Webhook-Token", "new"), []byte{0xff}, nil},
		{"wrong token", def, hdr("X-Webhook-Token", "older"), []byte(`{}`), providers.ErrNoValidSignature},
		{"missing", def, hdr(), []byte(`{}`), providers.ErrNotSigned},
		{"empty value", def, hdr("X-Webhook-Token", ""), []byte(`{}`), providers.ErrNotSigned},
		{"duplicated", def, hdr("X-Webhook-Token", "new", "X-Webhook-Token", "new"), []byte(`{}`), providers.ErrInvalidHeader},
		{"bearer", bearer, hdr("Authorization", "Bearer tok"), nil, nil},
		{"bearer prefix missing", bearer, hdr("Authorization", "tok"), nil, providers.ErrInvalidHeader},
		{"bearer wrong", bearer, hdr("Authorization", "Bearer tok2"), nil, providers.ErrNoValidSignature},
		{"bearer empty token", bearer, hdr("Authorization", "Bearer "), nil, providers.ErrNotSigned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Verify(context.Background(), &providers.Request{Header: tt.header, Body: tt.body})
			if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
	if err := def.Verify(context.Background(), nil); !errors.Is(err, providers.ErrNotSigned) {
		t.Fatalf("Verify(nil) = %v", err)
	}
}

func TestZeroProviderFailsClosed(t *testing.T) {
	r := &providers.Request{Header: hdr("X-Webhook-Token", "")}
	for _, p := range []*provider{{}, {header: "X-Webhook-Token"}} {
		if err := p.Verify(context.Background(), r); !errors.Is(err, providers.ErrNoSecret) {
			t.Fatalf("Verify = %v, want ErrNoSecret", err)
		}
	}
}

func TestIdentify(t *testing.T) {
	p, err := New(specOf([]string{"t"}, "event_id: json:update_id\nevent_type: header:X-Kind"))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := p.Identify(&providers.Request{Header: hdr("X-Kind", "message"), Body: []byte(`{"update_id":123456789}`)})
	if err != nil || ev != (providers.Event{ID: "123456789", Type: "message"}) {
		t.Fatalf("Identify = %+v, %v", ev, err)
	}
	if _, err := p.Identify(&providers.Request{Body: []byte(`not json`)}); !errors.Is(err, providers.ErrMalformedPayload) {
		t.Fatalf("Identify(non-JSON) = %v, want ErrMalformedPayload", err)
	}
}

func TestSignerRoundTrip(t *testing.T) {
	for _, opts := range []string{"", "header: Authorization\nprefix: 'Bearer '"} {
		spec := specOf([]string{"first", "second"}, opts)
		s, err := NewSigner(spec)
		if err != nil {
			t.Fatal(err)
		}
		p, err := New(spec)
		if err != nil {
			t.Fatal(err)
		}
		r := &providers.Request{Body: []byte(`{}`)}
		if err := s.Sign(r); err != nil {
			t.Fatal(err)
		}
		if err := p.Verify(context.Background(), r); err != nil {
			t.Fatalf("%q: Verify(signed) = %v", opts, err)
		}
		only2, _ := New(specOf([]string{"second"}, opts))
		if err := only2.Verify(context.Background(), r); !errors.Is(err, providers.ErrNoValidSignature) {
			t.Fatalf("%q: signed with a secret other than the first: %v", opts, err)
		}
	}
	if _, err := NewSigner(specOf(nil, "")); !errors.Is(err, providers.ErrNoSecret) {
		t.Fatalf("NewSigner(no secrets) = %v", err)
	}
}

func BenchmarkVerify(b *testing.B) {
	p, err := New(specOf([]string{"a-long-random-token-value"}, ""))
	if err != nil {
		b.Fatal(err)
	}
	r := &providers.Request{Header: hdr("X-Webhook-Token", "a-long-random-token-value"), Body: []byte(`{}`)}
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
