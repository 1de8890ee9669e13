package hmacsig

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/hookgate/hookgate/providers"
)

func specOf(secrets []string, options string) providers.Spec {
	return providers.Spec{
		Source:  "hmac-test",
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

const (
	ghSecret = "It's a Secret to Everybody"
	ghBody   = "Hello, World!"
)

// Known digests: the official GitHub, Shopify and Stripe vectors expressed as
// generic schemes, plus SHA-1 and SHA-512 digests computed independently
// (Python's hmac module) for the same key and message.
func TestVectors(t *testing.T) {
	tests := []struct {
		name            string
		scheme          Scheme
		secret, body    string
		timestamp, want string
	}{
		{"GitHub official (sha256 hex, prefix)", Scheme{Algorithm: SHA256, Encoding: Hex, Prefix: "sha256="}, ghSecret, ghBody, "", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"},
		{"Shopify official (sha256 base64)", Scheme{Algorithm: SHA256, Encoding: Base64}, "test_secret_key", `{"foo": "bar"}`, "", "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g="},
		{"Stripe official (timestamp template)", Scheme{Algorithm: SHA256, Encoding: Hex, SignedPayload: "{timestamp}.{body}"}, "whsec_test_secret", `{"id":"evt_test_webhook","object":"event"}`, "1700000000", "d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990"},
		{"sha1 hex", Scheme{Algorithm: SHA1, Encoding: Hex, Prefix: "sha1="}, ghSecret, ghBody, "", "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59"},
		{"sha512 hex", Scheme{Algorithm: SHA512, Encoding: Hex}, ghSecret, ghBody, "", "11ed355a617e98134e842012a7944ccf59c10256cb182357bd7e3a42013ff07c376f8c14cf5cc1923da20b51d64256b2fb8ebbf100aa67a61326f61fea8111bc"},
		{"sha512 base64", Scheme{Algorithm: SHA512, Encoding: Base64}, ghSecret, ghBody, "", "Ee01WmF+mBNOhCASp5RMz1nBAlbLGCNXvX46QgE/8Hw3b4wUz1zBkj2iC1HWQlay+4678QCqZ6YTJvYf6oERvA=="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.scheme.Sign([]byte(tt.body), tt.timestamp, tt.secret); got != tt.want {
				t.Fatalf("Sign = %q, want %q", got, tt.want)
			}
			if err := tt.scheme.Verify([]byte(tt.body), tt.timestamp, tt.want, []string{"other", tt.secret}); err != nil {
				t.Fatalf("Verify = %v", err)
			}
		})
	}
}

func TestSchemeVerify(t *testing.T) {
	hexScheme := Scheme{Algorithm: SHA256, Encoding: Hex, Prefix: "sha256="}
	b64Scheme := Scheme{Algorithm: SHA256, Encoding: Base64}
	tsScheme := Scheme{Algorithm: SHA256, Encoding: Hex, SignedPayload: "v0:{timestamp}:{body}"}
	body := []byte(ghBody)
	good := hexScheme.Sign(body, "", ghSecret)
	nonUTF8 := []byte{0xff, 0xfe, 0xfd}
	tests := []struct {
		name    string
		scheme  Scheme
		body    []byte
		ts      string
		header  string
		secrets []string
		want    error
	}{
		{"valid", hexScheme, body, "", good, []string{ghSecret}, nil},
		{"uppercase hex", hexScheme, body, "", "sha256=" + strings.ToUpper(strings.TrimPrefix(good, "sha256=")), []string{ghSecret}, nil},
		{"rotation", hexScheme, body, "", good, []string{"new", ghSecret}, nil},
		{"tampered body", hexScheme, []byte("Hello, World?"), "", good, []string{ghSecret}, providers.ErrNoValidSignature},
		{"wrong secret", hexScheme, body, "", good, []string{"nope"}, providers.ErrNoValidSignature},
		{"missing prefix", hexScheme, body, "", strings.TrimPrefix(good, "sha256="), []string{ghSecret}, providers.ErrInvalidHeader},
		{"digest too short", hexScheme, body, "", good[:len(good)-2], []string{ghSecret}, providers.ErrInvalidHeader},
		{"sha1-sized digest for sha256", hexScheme, body, "", "sha256=01dc10d0c83e72ed246219cdd91669667fe2ca59", []string{ghSecret}, providers.ErrInvalidHeader},
		{"not hex", hexScheme, body, "", "sha256=" + strings.Repeat("x", 64), []string{ghSecret}, providers.ErrInvalidHeader},
		{"base64 valid", b64Scheme, body, "", b64Scheme.Sign(body, "", ghSecret), []string{ghSecret}, nil},
		{"base64 with newline", b64Scheme, body, "", b64Scheme.Sign(body, "", ghSecret)[:20] + "\n" + b64Scheme.Sign(body, "", ghSecret)[20:], []string{ghSecret}, providers.ErrInvalidHeader},
		{"base64 unpadded", b64Scheme, body, "", strings.TrimRight(b64Scheme.Sign(body, "", ghSecret), "="), []string{ghSecret}, providers.ErrInvalidHeader},
		{"hex given to base64 scheme", b64Scheme, body, "", strings.TrimPrefix(good, "sha256="), []string{ghSecret}, providers.ErrInvalidHeader},
		{"timestamp template", tsScheme, body, "1700000000", tsScheme.Sign(body, "1700000000", ghSecret), []string{ghSecret}, nil},
		{"timestamp swapped", tsScheme, body, "1700000001", tsScheme.Sign(body, "1700000000", ghSecret), []string{ghSecret}, providers.ErrNoValidSignature},
		{"empty header", hexScheme, body, "", "", []string{ghSecret}, providers.ErrNotSigned},
		{"empty body signed", hexScheme, nil, "", hexScheme.Sign(nil, "", ghSecret), []string{ghSecret}, nil},
		{"empty body, other signature", hexScheme, nil, "", good, []string{ghSecret}, providers.ErrNoValidSignature},
		{"non-UTF-8 body signed", hexScheme, nonUTF8, "", hexScheme.Sign(nonUTF8, "", ghSecret), []string{ghSecret}, nil},
		{"non-UTF-8 body tampered", hexScheme, []byte{0xff, 0xfe, 0xfc}, "", hexScheme.Sign(nonUTF8, "", ghSecret), []string{ghSecret}, providers.ErrNoValidSignature},
		{"no secrets", hexScheme, body, "", good, nil, providers.ErrNoSecret},
		{"only empty secrets", hexScheme, body, "", good, []string{""}, providers.ErrNoSecret},
		{"zero scheme", Scheme{}, body, "", good, []string{ghSecret}, providers.ErrNoSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.scheme.Verify(tt.body, tt.ts, tt.header, tt.secrets)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Verify = %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
			for _, leak := range append(tt.secrets, strings.TrimPrefix(good, "sha256=")) {
				if leak != "" && strings.Contains(err.Error(), leak) {
					t.Fatalf("error %q leaks a secret or signature", err)
				}
			}
		})
	}
}

func TestCheckTimestamp(t *testing.T) {
	now := time.Unix(1700000000, 0)
	tests := []struct {
		ts   string
		want error
	}{
		{"1700000000", nil},
		{"1699999700", nil},
		{"1699999699", providers.ErrTooOld},
		{"1700000300", nil},
		{"1700000301", providers.ErrTooNew},
		{"1700000000000", providers.ErrTooNew}, // milliseconds are far in the future
		{"99999999999999999999", providers.ErrInvalidHeader},
		{"-1", providers.ErrInvalidHeader},
		{"+1700000000", providers.ErrInvalidHeader},
		{"1700000000.5", providers.ErrInvalidHeader},
		{"", providers.ErrNotSigned},
	}
	for _, tt := range tests {
		t.Run(tt.ts, func(t *testing.T) {
			err := CheckTimestamp(tt.ts, now, 0)
			if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("CheckTimestamp(%q) = %v, want %v", tt.ts, err, tt.want)
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
		{"minimal", []string{"s"}, "header: X-Signature", nil, ""},
		{"full", []string{"s"}, "algorithm: sha512\nencoding: base64\nheader: X-Sig\nprefix: 'v1='\ntimestamp_header: X-Ts\nsigned_payload: '{timestamp}:{body}'\ntolerance: 1m\nevent_id: json:data.id\nevent_type: header:X-Event", nil, ""},
		{"no secrets", nil, "header: X-Signature", providers.ErrNoSecret, "secrets"},
		{"empty secret", []string{""}, "header: X-Signature", providers.ErrNoSecret, "secrets[0]"},
		{"no header", []string{"s"}, "", nil, "options.header: required"},
		{"bad header name", []string{"s"}, "header: 'X Sig'", nil, "options.header"},
		{"bad algorithm", []string{"s"}, "header: X-S\nalgorithm: md5", nil, "options.algorithm: must be sha1, sha256 or sha512"},
		{"bad encoding", []string{"s"}, "header: X-S\nencoding: base32", nil, "options.encoding: must be hex or base64"},
		{"template without body", []string{"s"}, "header: X-S\nsigned_payload: '{timestamp}'\ntimestamp_header: X-T", nil, "options.signed_payload: must contain {body}"},
		{"template with typo", []string{"s"}, "header: X-S\nsigned_payload: '{timestmp}.{body}'", nil, "unknown placeholder {timestmp}"},
		{"timestamp placeholder without header", []string{"s"}, "header: X-S\nsigned_payload: '{timestamp}.{body}'", nil, "options.timestamp_header is not set"},
		{"timestamp header not signed", []string{"s"}, "header: X-S\ntimestamp_header: X-T\nsigned_payload: '{body}'", nil, "must contain {timestamp}"},
		{"tolerance without timestamp", []string{"s"}, "header: X-S\ntolerance: 5m", nil, "options.tolerance: only used with options.timestamp_header"},
		{"negative tolerance", []string{"s"}, "header: X-S\ntimestamp_header: X-T\ntolerance: -1s", nil, "options.tolerance: must be > 0"},
		{"same headers", []string{"s"}, "header: X-S\ntimestamp_header: x-s", nil, "must differ"},
		{"bad event_id", []string{"s"}, "header: X-S\nevent_id: data.id", nil, "options.event_id"},
		{"bad event_type", []string{"s"}, "header: X-S\nevent_type: 'json:a..b'", nil, "options.event_type"},
		{"options not a mapping", []string{"s"}, "- x", nil, "options"},
		{"unknown option", []string{"s"}, "header: X-S\nalgoritm: sha1", nil, "field algoritm not found"},
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
	const opts = "header: X-Signature\nprefix: 'v0='\ntimestamp_header: X-Timestamp\nsigned_payload: 'v0:{timestamp}:{body}'\ntolerance: 2m"
	p, err := New(specOf([]string{"new", "old"}, opts))
	if err != nil {
		t.Fatal(err)
	}
	scheme := Scheme{Algorithm: SHA256, Encoding: Hex, Prefix: "v0=", SignedPayload: "v0:{timestamp}:{body}"}
	body := []byte(`{"a":1}`)
	now := time.Unix(1700000000, 0)
	sig := scheme.Sign(body, "1700000000", "old")
	tests := []struct {
		name   string
		header http.Header
		now    time.Time
		want   error
	}{
		{"valid, rotated secret", hdr("X-Signature", sig, "X-Timestamp", "1700000000"), now, nil},
		{"stale", hdr("X-Signature", sig, "X-Timestamp", "1700000000"), now.Add(121 * time.Second), providers.ErrTooOld},
		{"future", hdr("X-Signature", sig, "X-Timestamp", "1700000000"), now.Add(-121 * time.Second), providers.ErrTooNew},
		{"timestamp replaced", hdr("X-Signature", sig, "X-Timestamp", "1700000060"), now, providers.ErrNoValidSignature},
		{"missing timestamp", hdr("X-Signature", sig), now, providers.ErrNotSigned},
		{"missing signature", hdr("X-Timestamp", "1700000000"), now, providers.ErrNotSigned},
		{"duplicated signature", hdr("X-Signature", sig, "X-Signature", sig, "X-Timestamp", "1700000000"), now, providers.ErrInvalidHeader},
		{"duplicated timestamp", hdr("X-Signature", sig, "X-Timestamp", "1700000000", "X-Timestamp", "1700000000"), now, providers.ErrInvalidHeader},
		{"malformed timestamp", hdr("X-Signature", scheme.Sign(body, "17e8", "old"), "X-Timestamp", "17e8"), now, providers.ErrInvalidHeader},
		{"malformed signature", hdr("X-Signature", "v1=abc", "X-Timestamp", "1700000000"), now, providers.ErrInvalidHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.Verify(context.Background(), &providers.Request{Header: tt.header, Body: body, Now: tt.now})
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
	r := &providers.Request{Header: hdr("X-Signature", Scheme{Algorithm: SHA256}.Sign(nil, "", "")), Body: nil}
	for _, p := range []*provider{{}, {header: "X-Signature", scheme: Scheme{Algorithm: SHA256, Encoding: Hex}}} {
		if err := p.Verify(context.Background(), r); !errors.Is(err, providers.ErrNoSecret) {
			t.Fatalf("Verify = %v, want ErrNoSecret", err)
		}
	}
}

func TestSignerRoundTrip(t *testing.T) {
	for _, opts := range []string{
		"header: X-Signature",
		"header: X-Signature\nalgorithm: sha1\nencoding: base64\nprefix: 'sha1='",
		"header: X-Signature\nalgorithm: sha512\ntimestamp_header: X-Timestamp",
	} {
		t.Run(opts, func(t *testing.T) {
			spec := specOf([]string{"first", "second"}, opts)
			s, err := NewSigner(spec)
			if err != nil {
				t.Fatal(err)
			}
			p, err := New(spec)
			if err != nil {
				t.Fatal(err)
			}
			r := &providers.Request{Body: []byte(`{"x":1}`), Now: time.Unix(1700000000, 0)}
			if err := s.Sign(r); err != nil {
				t.Fatal(err)
			}
			if err := p.Verify(context.Background(), r); err != nil {
				t.Fatalf("Verify(signed) = %v (headers %v)", err, r.Header)
			}
			// Signed with the first secret: a provider with only the second rejects it.
			only2, err := New(specOf([]string{"second"}, opts))
			if err != nil {
				t.Fatal(err)
			}
			if err := only2.Verify(context.Background(), r); !errors.Is(err, providers.ErrNoValidSignature) {
				t.Fatalf("Verify(second secret only) = %v, want ErrNoValidSignature", err)
			}
		})
	}
	if _, err := NewSigner(specOf(nil, "header: X-S")); !errors.Is(err, providers.ErrNoSecret) {
		t.Fatalf("NewSigner(no secrets) = %v", err)
	}
}

func BenchmarkVerify(b *testing.B) {
	p, err := New(specOf([]string{ghSecret}, "header: X-Hub-Signature-256\nprefix: 'sha256='"))
	if err != nil {
		b.Fatal(err)
	}
	r := &providers.Request{
		Header: hdr("X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"),
		Body:   []byte(ghBody),
	}
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
