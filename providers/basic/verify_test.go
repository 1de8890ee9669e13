package basic

import (
	"context"
	"encoding/base64"
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
		Source:  "basic-test",
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

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestParseAuthorization(t *testing.T) {
	tests := []struct {
		name, header   string
		user, password string
		want           error
	}{
		// RFC 7617 section 2 example.
		{"RFC 7617 example", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "Aladdin", "open sesame", nil},
		{"scheme case-insensitive", "bAsIc " + b64("u:p"), "u", "p", nil},
		{"several spaces", "Basic   " + b64("u:p"), "u", "p", nil},
		{"colon in password", "Basic " + b64("u:p:q"), "u", "p:q", nil},
		{"empty password", "Basic " + b64("u:"), "u", "", nil},
		{"non-UTF-8 bytes", "Basic " + b64("u\xff:p"), "u\xff", "p", nil},
		{"empty", "", "", "", providers.ErrNotSigned},
		{"bearer", "Bearer abc", "", "", providers.ErrInvalidHeader},
		{"scheme only", "Basic", "", "", providers.ErrInvalidHeader},
		{"scheme and spaces", "Basic   ", "", "", providers.ErrInvalidHeader},
		{"no colon", "Basic " + b64("user"), "", "", providers.ErrInvalidHeader},
		{"not base64", "Basic ***", "", "", providers.ErrInvalidHeader},
		{"unpadded", "Basic " + strings.TrimRight(b64("u:pp"), "="), "", "", providers.ErrInvalidHeader},
		{"trailing token", "Basic " + b64("u:p") + " extra", "", "", providers.ErrInvalidHeader},
		{"embedded newline", "Basic " + b64("u:p")[:2] + "\n" + b64("u:p")[2:], "", "", providers.ErrInvalidHeader},
		{"tab separator", "Basic\t" + b64("u:p"), "", "", providers.ErrInvalidHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			user, password, err := ParseAuthorization(tt.header)
			if tt.want != nil {
				if !errors.Is(err, tt.want) {
					t.Fatalf("ParseAuthorization = %q, %q, %v; want %v", user, password, err, tt.want)
				}
				return
			}
			if err != nil || user != tt.user || password != tt.password {
				t.Fatalf("ParseAuthorization = %q, %q, %v; want %q, %q", user, password, err, tt.user, tt.password)
			}
		})
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		secrets []string
		options string
		wantMsg string
	}{
		{"ok", []string{"hook:pw"}, "", ""},
		{"with rules", []string{"hook:pw"}, "event_id: json:MessageID\nevent_type: json:RecordType", ""},
		{"no secrets", nil, "", "secrets"},
		{"no colon", []string{"hookpw"}, "", "secrets[0]: want user:password"},
		{"empty user", []string{"hook:pw", ":pw"}, "", "secrets[1]"},
		{"empty password", []string{"hook:"}, "", "secrets[0]"},
		{"bad rule", []string{"hook:pw"}, "event_id: 'json:'", "options.event_id"},
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
			if strings.HasPrefix(tt.wantMsg, "secrets") && !errors.Is(err, providers.ErrNoSecret) {
				t.Fatalf("New = %v, want ErrNoSecret", err)
			}
			for _, s := range tt.secrets {
				if len(s) > 3 && strings.Contains(err.Error(), s) {
					t.Fatalf("error %q leaks a credential", err)
				}
			}
		})
	}
}

func TestProviderVerify(t *testing.T) {
	p, err := New(specOf([]string{"hook:new-pw", "hook:old-pw"}, ""))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		header http.Header
		body   []byte
		want   error
	}{
		{"valid", hdr("Authorization", Authorization("hook:new-pw")), []byte(`{}`), nil},
		{"rotation: second credential", hdr("Authorization", Authorization("hook:old-pw")), []byte(`{}`), nil},
		{"empty body", hdr("Authorization", Authorization("hook:new-pw")), nil, nil},
		{"non-UTF-8 body", hdr("Authorization", Authorization("hook:new-pw")), []byte{0xff}, nil},
		{"wrong password", hdr("Authorization", Authorization("hook:nope")), nil, providers.ErrNoValidSignature},
		{"wrong user", hdr("Authorization", Authorization("other:new-pw")), nil, providers.ErrNoValidSignature},
		{"password differs by one character", hdr("Authorization", Authorization("hook:new:pw")), nil, providers.ErrNoValidSignature},
		{"missing", hdr(), nil, providers.ErrNotSigned},
		{"duplicated", hdr("Authorization", Authorization("hook:new-pw"), "Authorization", Authorization("hook:new-pw")), nil, providers.ErrInvalidHeader},
		{"malformed", hdr("Authorization", "Basic !!"), nil, providers.ErrInvalidHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.Verify(context.Background(), &providers.Request{Header: tt.header, Body: tt.body})
			if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
			if err != nil && (strings.Contains(err.Error(), "new-pw") || strings.Contains(err.Error(), "old-pw")) {
				t.Fatalf("error %q leaks a credential", err)
			}
		})
	}
	if err := p.Verify(context.Background(), nil); !errors.Is(err, providers.ErrNotSigned) {
		t.Fatalf("Verify(nil) = %v", err)
	}
}

func TestZeroProviderFailsClosed(t *testing.T) {
	r := &providers.Request{Header: hdr("Authorization", Authorization(":"))}
	if err := (&provider{}).Verify(context.Background(), r); !errors.Is(err, providers.ErrNoSecret) {
		t.Fatalf("Verify = %v, want ErrNoSecret", err)
	}
	if err := VerifyCredentials("", "", []string{""}); !errors.Is(err, providers.ErrNoSecret) {
		t.Fatalf("VerifyCredentials(empty secret) = %v, want ErrNoSecret", err)
	}
}

func TestIdentify(t *testing.T) {
	p, err := New(specOf([]string{"hook:pw"}, "event_id: json:MessageID\nevent_type: json:RecordType"))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := p.Identify(&providers.Request{Body: []byte(`{"RecordType":"Delivery","MessageID":"883953f4-6105-42a2-a16a-77a8eac79483"}`)})
	if err != nil || ev != (providers.Event{ID: "883953f4-6105-42a2-a16a-77a8eac79483", Type: "Delivery"}) {
		t.Fatalf("Identify = %+v, %v", ev, err)
	}
	if _, err := p.Identify(&providers.Request{Body: []byte{0xff}}); !errors.Is(err, providers.ErrMalformedPayload) {
		t.Fatalf("Identify(non-UTF-8) = %v, want ErrMalformedPayload", err)
	}
}

func TestSignerRoundTrip(t *testing.T) {
	spec := specOf([]string{"hook:first", "hook:second"}, "")
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
	if got := r.Header.Get("Authorization"); got != "Basic "+b64("hook:first") {
		t.Fatalf("Authorization = %q, want the first credential", got)
	}
	if err := p.Verify(context.Background(), r); err != nil {
		t.Fatalf("Verify(signed) = %v", err)
	}
	if _, err := NewSigner(specOf(nil, "")); !errors.Is(err, providers.ErrNoSecret) {
		t.Fatalf("NewSigner(no secrets) = %v", err)
	}
}

func BenchmarkVerify(b *testing.B) {
	p, err := New(specOf([]string{"hook:a-long-random-password"}, ""))
	if err != nil {
		b.Fatal(err)
	}
	r := &providers.Request{Header: hdr("Authorization", Authorization("hook:a-long-random-password"))}
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
