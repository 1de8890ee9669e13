package stripe

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

// Official vector from docs/providers.md (recomputed from stripe-go's algorithm).
const (
	vectorSecret = "whsec_test_secret"
	vectorBody   = `{"id":"evt_test_webhook","object":"event"}`
	vectorHeader = "t=1700000000,v1=d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990"
)

var vectorTime = time.Unix(1700000000, 0)

// specOf builds a Spec whose options decode from YAML, as the config loader does.
func specOf(secrets []string, options string) providers.Spec {
	return providers.Spec{
		Source:  "stripe-test",
		Secrets: secrets,
		Options: func(v any) error { return decodeOptions(options, v) },
	}
}

func TestOfficialVector(t *testing.T) {
	if got := SignHeader([]byte(vectorBody), vectorSecret, vectorTime); got != vectorHeader {
		t.Fatalf("SignHeader = %q, want %q", got, vectorHeader)
	}
	if err := VerifyHeader([]byte(vectorBody), vectorHeader, []string{vectorSecret}, vectorTime, 0); err != nil {
		t.Fatalf("VerifyHeader(official vector) = %v", err)
	}
}

func TestVerifyHeader(t *testing.T) {
	body := []byte(vectorBody)
	old := "whsec_old_secret"
	signedOld := SignHeader(body, old, vectorTime)
	oldSig := strings.TrimPrefix(signedOld, "t=1700000000,")
	newSig := strings.TrimPrefix(vectorHeader, "t=1700000000,")
	nonUTF8 := []byte{0xff, 0xfe, '{', 0xc3, 0x28, '}'}

	tests := []struct {
		name      string
		body      []byte
		header    string
		secrets   []string
		now       time.Time
		tolerance time.Duration
		want      error // nil means success
	}{
		{"valid", body, vectorHeader, []string{vectorSecret}, vectorTime, 0, nil},
		{"tampered body", []byte(`{"id":"evt_test_webhook","object":"evenT"}`), vectorHeader, []string{vectorSecret}, vectorTime, 0, providers.ErrNoValidSignature},
		{"wrong secret", body, vectorHeader, []string{"whsec_other"}, vectorTime, 0, providers.ErrNoValidSignature},
		{"secret without whsec_ prefix is a different key", body, vectorHeader, []string{"test_secret"}, vectorTime, 0, providers.ErrNoValidSignature},
		{"rotation: second secret verifies", body, signedOld, []string{vectorSecret, old}, vectorTime, 0, nil},
		{"rolling: several v1, one matches", body, "t=1700000000," + oldSig + "," + newSig, []string{vectorSecret}, vectorTime, 0, nil},
		{"v0 and unknown keys ignored", body, "t=1700000000,v0=abc,scheme=x," + newSig, []string{vectorSecret}, vectorTime, 0, nil},
		{"invalid hex v1 skipped", body, "t=1700000000,v1=zz," + newSig, []string{vectorSecret}, vectorTime, 0, nil},
		{"uppercase hex accepted", body, "t=1700000000,v1=" + strings.ToUpper(strings.TrimPrefix(newSig, "v1=")), []string{vectorSecret}, vectorTime, 0, nil},
		{"only v0", body, "t=1700000000,v0=" + strings.TrimPrefix(newSig, "v1="), []string{vectorSecret}, vectorTime, 0, providers.ErrNoValidSignature},
		{"only invalid v1", body, "t=1700000000,v1=nothex", []string{vectorSecret}, vectorTime, 0, providers.ErrNoValidSignature},
		{"truncated v1", body, vectorHeader[:len(vectorHeader)-2], []string{vectorSecret}, vectorTime, 0, providers.ErrNoValidSignature},
		{"signature for another timestamp", body, "t=1700000001," + newSig, []string{vectorSecret}, vectorTime, 0, providers.ErrNoValidSignature},
		{"at tolerance in the past", body, vectorHeader, []string{vectorSecret}, vectorTime.Add(DefaultTolerance), 0, nil},
		{"stale", body, vectorHeader, []string{vectorSecret}, vectorTime.Add(DefaultTolerance + time.Second), 0, providers.ErrTooOld},
		{"at tolerance in the future", body, vectorHeader, []string{vectorSecret}, vectorTime.Add(-DefaultTolerance), 0, nil},
		{"future", body, vectorHeader, []string{vectorSecret}, vectorTime.Add(-DefaultTolerance - time.Second), 0, providers.ErrTooNew},
		{"far future (saturating difference)", body, SignHeader(body, vectorSecret, time.Unix(1<<62, 0)), []string{vectorSecret}, vectorTime, 0, providers.ErrTooNew},
		{"far past", body, SignHeader(body, vectorSecret, time.Unix(0, 0)), []string{vectorSecret}, vectorTime, 0, providers.ErrTooOld},
		{"negative t", body, SignHeader(body, vectorSecret, time.Unix(-1<<62, 0)), []string{vectorSecret}, vectorTime, 0, providers.ErrInvalidHeader},
		{"custom tolerance stale", body, vectorHeader, []string{vectorSecret}, vectorTime.Add(11 * time.Second), 10 * time.Second, providers.ErrTooOld},
		{"forged and stale reports bad signature", body, vectorHeader, []string{"whsec_other"}, vectorTime.Add(time.Hour), 0, providers.ErrNoValidSignature},
		{"empty header", body, "", []string{vectorSecret}, vectorTime, 0, providers.ErrNotSigned},
		{"no t", body, newSig, []string{vectorSecret}, vectorTime, 0, providers.ErrInvalidHeader},
		{"t not a number", body, "t=abc," + newSig, []string{vectorSecret}, vectorTime, 0, providers.ErrInvalidHeader},
		{"repeated t", body, "t=1700000000,t=1700000001," + newSig, []string{vectorSecret}, vectorTime, 0, providers.ErrInvalidHeader},
		{"element without =", body, "t=1700000000,garbage," + newSig, []string{vectorSecret}, vectorTime, 0, providers.ErrInvalidHeader},
		{"empty element", body, "t=1700000000,," + newSig, []string{vectorSecret}, vectorTime, 0, providers.ErrInvalidHeader},
		{"trailing comma", body, vectorHeader + ",", []string{vectorSecret}, vectorTime, 0, providers.ErrInvalidHeader},
		{"double =", body, "t==1700000000," + newSig, []string{vectorSecret}, vectorTime, 0, providers.ErrInvalidHeader},
		// A list item's optional whitespace (RFC 9110) is trimmed, as the HMAC
		// family reads every provider's lists.
		{"optional whitespace trimmed", body, "t=1700000000, " + newSig, []string{vectorSecret}, vectorTime, 0, nil},
		{"empty body, signature of another body", nil, vectorHeader, []string{vectorSecret}, vectorTime, 0, providers.ErrNoValidSignature},
		{"empty body signed", nil, SignHeader(nil, vectorSecret, vectorTime), []string{vectorSecret}, vectorTime, 0, nil},
		{"non-UTF-8 body signed", nonUTF8, SignHeader(nonUTF8, vectorSecret, vectorTime), []string{vectorSecret}, vectorTime, 0, nil},
		{"non-UTF-8 body tampered", append([]byte{0xfe}, nonUTF8[1:]...), SignHeader(nonUTF8, vectorSecret, vectorTime), []string{vectorSecret}, vectorTime, 0, providers.ErrNoValidSignature},
		{"no secrets", body, vectorHeader, nil, vectorTime, 0, providers.ErrNoSecret},
		{"only empty secrets", body, vectorHeader, []string{""}, vectorTime, 0, providers.ErrNoSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyHeader(tt.body, tt.header, tt.secrets, tt.now, tt.tolerance)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("VerifyHeader = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("VerifyHeader = %v, want %v", err, tt.want)
			}
			assertNoLeak(t, err, tt.secrets...)
		})
	}
}

// assertNoLeak fails if an error message contains a secret or the expected
// signature of the official vector.
func assertNoLeak(t *testing.T, err error, secrets ...string) {
	t.Helper()
	msg := err.Error()
	for _, s := range append(secrets, vectorSecret, strings.TrimPrefix(vectorHeader, "t=1700000000,v1=")) {
		if s != "" && strings.Contains(msg, s) {
			t.Fatalf("error %q leaks a secret or signature", msg)
		}
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		secrets []string
		options string
		wantIs  error
		wantMsg string // substring of the error; "" means New succeeds
	}{
		{"defaults", []string{vectorSecret}, "", nil, ""},
		{"custom tolerance", []string{vectorSecret}, "tolerance: 10s", nil, ""},
		{"no secrets", nil, "", providers.ErrNoSecret, "secrets"},
		{"empty secret", []string{vectorSecret, ""}, "", providers.ErrNoSecret, "secrets[1]"},
		{"negative tolerance", []string{vectorSecret}, "tolerance: -5s", nil, "options.tolerance: must be > 0"},
		{"tolerance without unit", []string{vectorSecret}, "tolerance: 300", nil, `"300s"`},
		{"tolerance not a duration", []string{vectorSecret}, "tolerance: soon", nil, "options"},
		{"options not a mapping", []string{vectorSecret}, "[1, 2]", nil, "options"},
		{"unknown option", []string{vectorSecret}, "tolerence: 5m", nil, "field tolerence not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(specOf(tt.secrets, tt.options))
			if tt.wantMsg == "" {
				if err != nil || p == nil {
					t.Fatalf("New = %v, %v; want a provider", p, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("New succeeded, want error containing %q", tt.wantMsg)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Fatalf("New = %v, want it to wrap %v", err, tt.wantIs)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("New = %q, want it to mention %q", err, tt.wantMsg)
			}
		})
	}
}

func TestProviderVerify(t *testing.T) {
	p, err := New(specOf([]string{"whsec_new", vectorSecret}, "tolerance: 10s"))
	if err != nil {
		t.Fatal(err)
	}
	header := func(values ...string) http.Header {
		return http.Header{http.CanonicalHeaderKey(SignatureHeader): values}
	}
	tests := []struct {
		name string
		req  *providers.Request
		want error
	}{
		{"valid with rotated secret", &providers.Request{Header: header(vectorHeader), Body: []byte(vectorBody), Now: vectorTime}, nil},
		{"custom tolerance applies", &providers.Request{Header: header(vectorHeader), Body: []byte(vectorBody), Now: vectorTime.Add(11 * time.Second)}, providers.ErrTooOld},
		{"missing header", &providers.Request{Header: http.Header{}, Body: []byte(vectorBody), Now: vectorTime}, providers.ErrNotSigned},
		{"nil header map", &providers.Request{Body: []byte(vectorBody), Now: vectorTime}, providers.ErrNotSigned},
		{"duplicated header", &providers.Request{Header: header(vectorHeader, vectorHeader), Body: []byte(vectorBody), Now: vectorTime}, providers.ErrInvalidHeader},
		{"malformed header", &providers.Request{Header: header("nonsense"), Body: []byte(vectorBody), Now: vectorTime}, providers.ErrInvalidHeader},
		{"nil request", nil, providers.ErrNotSigned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.Verify(context.Background(), tt.req)
			if tt.want == nil && err != nil {
				t.Fatalf("Verify = %v, want nil", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

// A Provider with no secrets (the zero value, or one whose secrets were lost)
// must reject even a correctly signed request.
func TestZeroProviderFailsClosed(t *testing.T) {
	for _, p := range []*provider{{}, {secrets: []string{}}} {
		r := &providers.Request{
			Header: http.Header{SignatureHeader: {SignHeader([]byte(vectorBody), "", vectorTime)}},
			Body:   []byte(vectorBody),
			Now:    vectorTime,
		}
		if err := p.Verify(context.Background(), r); !errors.Is(err, providers.ErrNoSecret) {
			t.Fatalf("Verify = %v, want ErrNoSecret", err)
		}
	}
}

func TestIdentify(t *testing.T) {
	tests := []struct {
		name string
		body string
		want providers.Event
		err  bool
	}{
		{"event", `{"id":"evt_1","object":"event","type":"payment_intent.succeeded"}`, providers.Event{ID: "evt_1", Type: "payment_intent.succeeded"}, false},
		{"missing id", `{"type":"charge.succeeded"}`, providers.Event{}, true},
		{"empty id", `{"id":"","type":"charge.succeeded"}`, providers.Event{}, true},
		{"missing type", `{"id":"evt_1"}`, providers.Event{}, true},
		{"numeric id", `{"id":1,"type":"charge.succeeded"}`, providers.Event{}, true},
		{"control character", `{"id":"evt_1\n","type":"charge.succeeded"}`, providers.Event{}, true},
		{"oversized id", `{"id":"` + strings.Repeat("x", maxFieldLen+1) + `","type":"a"}`, providers.Event{}, true},
		{"not JSON", `id=evt_1`, providers.Event{}, true},
		{"array", `[{"id":"evt_1","type":"a"}]`, providers.Event{}, true},
		{"empty body", ``, providers.Event{}, true},
		{"non-UTF-8", "{\"id\":\"evt_\xff\",\"type\":\"a\"}", providers.Event{}, true},
	}
	p, err := New(specOf([]string{vectorSecret}, ""))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := p.Identify(&providers.Request{Body: []byte(tt.body)})
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
	spec := specOf([]string{"whsec_signing", "whsec_older"}, "")
	s, err := NewSigner(spec)
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1750000000, 0)
	r := &providers.Request{Method: http.MethodPost, Body: []byte(vectorBody), Now: now}
	if err := s.Sign(r); err != nil {
		t.Fatal(err)
	}
	if got, want := r.Header.Get(SignatureHeader), SignHeader(r.Body, "whsec_signing", now); got != want {
		t.Fatalf("signed header = %q, want %q (first secret, t = r.Now)", got, want)
	}
	if err := p.Verify(context.Background(), r); err != nil {
		t.Fatalf("Verify(signed) = %v", err)
	}
	// Signing again replaces the header instead of adding a second line.
	if err := s.Sign(r); err != nil {
		t.Fatal(err)
	}
	if n := len(r.Header.Values(SignatureHeader)); n != 1 {
		t.Fatalf("%d signature headers after re-signing, want 1", n)
	}
	if _, err := NewSigner(specOf(nil, "")); !errors.Is(err, providers.ErrNoSecret) {
		t.Fatalf("NewSigner(no secrets) = %v, want ErrNoSecret", err)
	}
}

func BenchmarkVerify(b *testing.B) {
	p, err := New(specOf([]string{vectorSecret}, ""))
	if err != nil {
		b.Fatal(err)
	}
	r := &providers.Request{
		Header: http.Header{SignatureHeader: {vectorHeader}},
		Body:   []byte(vectorBody),
		Now:    vectorTime,
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
