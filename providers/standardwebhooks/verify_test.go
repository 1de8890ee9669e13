package standardwebhooks

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/hookgate/hookgate/providers"
)

// Official vector (standard-webhooks libraries' tests, docs/providers.md).
const (
	vectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTS     = "1614265330"
	vectorBody   = `{"test": 2432232314}`
	vectorSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

var vectorTime = time.Unix(1614265330, 0)

// testKey is a fixed Ed25519 key (seed bytes 0x00..0x1f) for v1a tests.
var testKey = func() ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(i)
	}
	return ed25519.NewKeyFromSeed(seed)
}()

func specOf(secrets []string, options string) providers.Spec {
	return providers.Spec{
		Source:  "swh-test",
		Secrets: secrets,
		Options: func(v any) error { return decodeOptions(options, v) },
	}
}

func mustKeys(t testing.TB, secrets, public []string) Keys {
	t.Helper()
	k, err := ParseKeys(secrets, public)
	if err != nil {
		t.Fatal(err)
	}
	return k
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
	key, err := ParseSecret(vectorSecret)
	if err != nil {
		t.Fatal(err)
	}
	if got := Sign([]byte(vectorBody), vectorID, vectorTime, key); got != vectorSig {
		t.Fatalf("Sign = %q, want %q", got, vectorSig)
	}
	h := Headers{ID: vectorID, Timestamp: vectorTS, Signature: vectorSig}
	if err := VerifyHeaders([]byte(vectorBody), h, mustKeys(t, []string{vectorSecret}, nil), vectorTime, 0); err != nil {
		t.Fatalf("VerifyHeaders(official vector) = %v", err)
	}
}

func TestVerifyHeaders(t *testing.T) {
	body := []byte(vectorBody)
	pub := EncodePublicKey(testKey.Public().(ed25519.PublicKey))
	_, otherPriv, _ := ed25519.GenerateKey(nil)
	v1a := SignEd25519(body, vectorID, vectorTime, testKey)
	v1aOther := SignEd25519(body, vectorID, vectorTime, otherPriv)
	oldKey := "whsec_" + b64([]byte("old-secret-key-for-rotation"))
	oldRaw, _ := ParseSecret(oldKey)
	v1Old := Sign(body, vectorID, vectorTime, oldRaw)
	nonUTF8 := []byte{0xff, '{', 0xc0, '}'}
	vecKey, _ := ParseSecret(vectorSecret)
	hmacOnly := []string{vectorSecret}

	h := func(sig string) Headers { return Headers{ID: vectorID, Timestamp: vectorTS, Signature: sig} }
	tests := []struct {
		name    string
		body    []byte
		headers Headers
		secrets []string
		public  []string
		now     time.Time
		want    error
	}{
		{"valid v1", body, h(vectorSig), hmacOnly, nil, vectorTime, nil},
		{"secret without whsec_ prefix", body, h(vectorSig), []string{strings.TrimPrefix(vectorSecret, "whsec_")}, nil, vectorTime, nil},
		{"rotation: second secret verifies", body, h(v1Old), []string{vectorSecret, oldKey}, nil, vectorTime, nil},
		{"several entries, last matches", body, h(v1Old + " " + vectorSig), hmacOnly, nil, vectorTime, nil},
		{"unknown versions skipped", body, h("v2,abc v1,not-base64 " + vectorSig), hmacOnly, nil, vectorTime, nil},
		{"repeated spaces", body, h("  " + v1Old + "   " + vectorSig + " "), hmacOnly, nil, vectorTime, nil},
		{"valid v1a", body, h(v1a), nil, []string{pub}, vectorTime, nil},
		{"v1a beside v1 (spec example shape)", body, h(vectorSig + " " + v1a), hmacOnly, []string{pub}, vectorTime, nil},
		{"v1a only, no public keys", body, h(v1a), hmacOnly, nil, vectorTime, providers.ErrNoValidSignature},
		{"v1a by another key", body, h(v1aOther), nil, []string{pub}, vectorTime, providers.ErrNoValidSignature},
		{"v1a signature under v1 label", body, h("v1," + strings.TrimPrefix(v1a, "v1a,")), hmacOnly, []string{pub}, vectorTime, providers.ErrNoValidSignature},
		{"v1 signature under v1a label", body, h("v1a," + strings.TrimPrefix(vectorSig, "v1,")), hmacOnly, []string{pub}, vectorTime, providers.ErrNoValidSignature},
		{"tampered body", []byte(`{"test": 2432232315}`), h(vectorSig), hmacOnly, nil, vectorTime, providers.ErrNoValidSignature},
		{"tampered body v1a", []byte(`{"test": 2432232315}`), h(v1a), nil, []string{pub}, vectorTime, providers.ErrNoValidSignature},
		{"tampered id", body, Headers{ID: "msg_other", Timestamp: vectorTS, Signature: vectorSig}, hmacOnly, nil, vectorTime, providers.ErrNoValidSignature},
		{"tampered timestamp", body, Headers{ID: vectorID, Timestamp: "1614265331", Signature: vectorSig}, hmacOnly, nil, vectorTime, providers.ErrNoValidSignature},
		{"wrong secret", body, h(vectorSig), []string{oldKey}, nil, vectorTime, providers.ErrNoValidSignature},
		{"only unknown versions", body, h("v2," + strings.TrimPrefix(vectorSig, "v1,")), hmacOnly, nil, vectorTime, providers.ErrNoValidSignature},
		{"base64 with embedded newline", body, h("v1," + strings.TrimPrefix(vectorSig, "v1,")[:40] + "\n" + strings.TrimPrefix(vectorSig, "v1,")[40:]), hmacOnly, nil, vectorTime, providers.ErrNoValidSignature},
		{"at tolerance, past", body, h(vectorSig), hmacOnly, nil, vectorTime.Add(DefaultTolerance), nil},
		{"stale", body, h(vectorSig), hmacOnly, nil, vectorTime.Add(DefaultTolerance + time.Second), providers.ErrTooOld},
		{"at tolerance, future", body, h(vectorSig), hmacOnly, nil, vectorTime.Add(-DefaultTolerance), nil},
		{"future", body, h(vectorSig), hmacOnly, nil, vectorTime.Add(-DefaultTolerance - time.Second), providers.ErrTooNew},
		{"forged and stale reports bad signature", body, h(v1Old), hmacOnly, nil, vectorTime.Add(time.Hour), providers.ErrNoValidSignature},
		{"no entry with a comma", body, h("v1 " + strings.TrimPrefix(vectorSig, "v1,")), hmacOnly, nil, vectorTime, providers.ErrInvalidHeader},
		{"too many entries", body, h(strings.Repeat("v2,x ", maxSignatures) + vectorSig), hmacOnly, nil, vectorTime, providers.ErrInvalidHeader},
		{"timestamp not a number", body, Headers{ID: vectorID, Timestamp: "soon", Signature: vectorSig}, hmacOnly, nil, vectorTime, providers.ErrInvalidHeader},
		{"timestamp with sign", body, Headers{ID: vectorID, Timestamp: "+" + vectorTS, Signature: vectorSig}, hmacOnly, nil, vectorTime, providers.ErrInvalidHeader},
		{"timestamp with leading zero", body, Headers{ID: vectorID, Timestamp: "0" + vectorTS, Signature: vectorSig}, hmacOnly, nil, vectorTime, providers.ErrInvalidHeader},
		{"timestamp in milliseconds (saturating difference)", body, Headers{ID: vectorID, Timestamp: vectorTS + "000", Signature: Sign(body, vectorID, time.Unix(1614265330000, 0), vecKey)}, hmacOnly, nil, vectorTime, providers.ErrTooNew},
		{"timestamp out of range", body, Headers{ID: vectorID, Timestamp: "99999999999999999999", Signature: vectorSig}, hmacOnly, nil, vectorTime, providers.ErrInvalidHeader},
		{"id with a dot", body, Headers{ID: "msg.1", Timestamp: vectorTS, Signature: vectorSig}, hmacOnly, nil, vectorTime, providers.ErrInvalidHeader},
		{"empty signature", body, h(""), hmacOnly, nil, vectorTime, providers.ErrNotSigned},
		{"empty id", body, Headers{Timestamp: vectorTS, Signature: vectorSig}, hmacOnly, nil, vectorTime, providers.ErrNotSigned},
		{"empty body, signature of another body", nil, h(vectorSig), hmacOnly, nil, vectorTime, providers.ErrNoValidSignature},
		{"empty body signed", nil, h(Sign(nil, vectorID, vectorTime, vecKey)), hmacOnly, nil, vectorTime, nil},
		{"non-UTF-8 body signed", nonUTF8, h(Sign(nonUTF8, vectorID, vectorTime, vecKey)), hmacOnly, nil, vectorTime, nil},
		{"non-UTF-8 body tampered", []byte{0xfe, '{', 0xc0, '}'}, h(Sign(nonUTF8, vectorID, vectorTime, vecKey)), hmacOnly, nil, vectorTime, providers.ErrNoValidSignature},
		{"no keys", body, h(vectorSig), nil, nil, vectorTime, providers.ErrNoSecret},
		// Unpadded base64 of the right length decodes to more bytes than a signature
		// (a fuzzer found that this overran the decode buffer).
		{"v1a unpadded, 88 chars", body, h("v1a," + strings.Repeat("A", 88)), nil, []string{pub}, vectorTime, providers.ErrNoValidSignature},
		{"v1 unpadded, 44 chars", body, h("v1," + strings.Repeat("A", 44)), hmacOnly, nil, vectorTime, providers.ErrNoValidSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyHeaders(tt.body, tt.headers, mustKeys(t, tt.secrets, tt.public), tt.now, 0)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("VerifyHeaders = %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("VerifyHeaders = %v, want %v", err, tt.want)
			}
			for _, leak := range append(tt.secrets, strings.TrimPrefix(vectorSecret, "whsec_"), strings.TrimPrefix(vectorSig, "v1,")) {
				if leak != "" && strings.Contains(err.Error(), leak) {
					t.Fatalf("error %q leaks a secret or signature", err)
				}
			}
		})
	}
}

func TestHeadersFrom(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
		want   Headers
		err    error
	}{
		{"webhook-*", hdr("webhook-id", "a", "webhook-timestamp", "1", "webhook-signature", "v1,x"), Headers{"a", "1", "v1,x"}, nil},
		{"svix-*", hdr("svix-id", "a", "svix-timestamp", "1", "svix-signature", "v1,x"), Headers{"a", "1", "v1,x"}, nil},
		{"webhook-* preferred", hdr("webhook-id", "a", "webhook-timestamp", "1", "webhook-signature", "v1,x", "svix-id", "b", "svix-timestamp", "2", "svix-signature", "v1,y"), Headers{"a", "1", "v1,x"}, nil},
		{"families not mixed", hdr("webhook-id", "a", "svix-timestamp", "1", "svix-signature", "v1,x"), Headers{}, providers.ErrNotSigned},
		{"missing signature", hdr("webhook-id", "a", "webhook-timestamp", "1"), Headers{}, providers.ErrNotSigned},
		{"nothing", hdr(), Headers{}, providers.ErrNotSigned},
		{"nil map", nil, Headers{}, providers.ErrNotSigned},
		{"duplicated signature", hdr("webhook-id", "a", "webhook-timestamp", "1", "webhook-signature", "v1,x", "webhook-signature", "v1,y"), Headers{}, providers.ErrInvalidHeader},
		{"duplicated id", hdr("svix-id", "a", "svix-id", "b", "svix-timestamp", "1", "svix-signature", "v1,x"), Headers{}, providers.ErrInvalidHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := HeadersFrom(tt.header)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("HeadersFrom = %+v, %v; want %v", got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("HeadersFrom = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestNew(t *testing.T) {
	pub := EncodePublicKey(testKey.Public().(ed25519.PublicKey))
	tests := []struct {
		name    string
		secrets []string
		options string
		wantIs  error
		wantMsg string
	}{
		{"secret", []string{vectorSecret}, "", nil, ""},
		{"public key only", nil, "public_keys: [" + pub + "]", nil, ""},
		{"tolerance and signing key", []string{vectorSecret}, "tolerance: 1m\nsigning_key: " + EncodeSigningKey(testKey), nil, ""},
		{"nothing", nil, "", providers.ErrNoSecret, "secrets"},
		{"secret not base64", []string{"whsec_***"}, "", nil, "secrets[0]"},
		{"empty secret", []string{vectorSecret, ""}, "", nil, "secrets[1]"},
		{"public key as secret", []string{pub}, "", nil, "secrets[0]"},
		{"secret as public key", nil, "public_keys: [" + vectorSecret + "]", nil, "options.public_keys[0]"},
		{"short public key", nil, "public_keys: [whpk_AAAA]", nil, "options.public_keys[0]"},
		{"bad signing key", []string{vectorSecret}, "signing_key: whsk_AAAA", nil, "options.signing_key"},
		{"negative tolerance", []string{vectorSecret}, "tolerance: -1m", nil, "options.tolerance: must be > 0"},
		{"tolerance without unit", []string{vectorSecret}, "tolerance: 300", nil, "options"},
		{"unknown option", []string{vectorSecret}, "public_key: x", nil, "field public_key not found"},
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
			for _, s := range tt.secrets {
				if s != "" && strings.Contains(err.Error(), s) {
					t.Fatalf("error %q leaks a secret", err)
				}
			}
		})
	}
}

func TestParseSigningKey(t *testing.T) {
	seedForm := EncodeSigningKey(testKey)
	fullForm := SigningKeyPrefix + b64(testKey)
	bad := append(ed25519.PrivateKey(nil), testKey...)
	bad[63] ^= 1
	for name, s := range map[string]string{"seed": seedForm, "private key": fullForm} {
		got, err := ParseSigningKey(s)
		if err != nil || !got.Equal(testKey) {
			t.Fatalf("%s: ParseSigningKey = %v, %v", name, got, err)
		}
	}
	if _, err := ParseSigningKey(SigningKeyPrefix + b64(bad)); err == nil {
		t.Fatal("ParseSigningKey accepted a private key whose public half does not match")
	}
}

func TestProviderVerifyAndIdentify(t *testing.T) {
	p, err := New(specOf([]string{vectorSecret}, "tolerance: 10m"))
	if err != nil {
		t.Fatal(err)
	}
	valid := hdr("webhook-id", vectorID, "webhook-timestamp", vectorTS, "webhook-signature", vectorSig)
	svix := hdr("svix-id", vectorID, "svix-timestamp", vectorTS, "svix-signature", vectorSig)
	tests := []struct {
		name   string
		header http.Header
		now    time.Time
		want   error
	}{
		{"webhook-*", valid, vectorTime, nil},
		{"svix-*", svix, vectorTime, nil},
		{"custom tolerance", valid, vectorTime.Add(9 * time.Minute), nil},
		{"custom tolerance exceeded", valid, vectorTime.Add(11 * time.Minute), providers.ErrTooOld},
		{"missing headers", hdr(), vectorTime, providers.ErrNotSigned},
		{"duplicated signature header", hdr("webhook-id", vectorID, "webhook-timestamp", vectorTS, "webhook-signature", vectorSig, "webhook-signature", vectorSig), vectorTime, providers.ErrInvalidHeader},
		{"malformed timestamp", hdr("webhook-id", vectorID, "webhook-timestamp", "1614265330.5", "webhook-signature", vectorSig), vectorTime, providers.ErrInvalidHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.Verify(context.Background(), &providers.Request{Header: tt.header, Body: []byte(vectorBody), Now: tt.now})
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

	idTests := []struct {
		name   string
		header http.Header
		body   string
		want   providers.Event
		err    bool
	}{
		{"webhook-id and type", valid, `{"type":"invoice.paid","data":{}}`, providers.Event{ID: vectorID, Type: "invoice.paid"}, false},
		{"svix-id", svix, `{"type":"user.created"}`, providers.Event{ID: vectorID, Type: "user.created"}, false},
		{"no type", valid, vectorBody, providers.Event{}, true},
		{"type not a string", valid, `{"type":1}`, providers.Event{}, true},
		{"not JSON", valid, `type=x`, providers.Event{}, true},
		{"empty body", valid, ``, providers.Event{}, true},
		{"non-UTF-8", valid, "{\"type\":\"a\xff\"}", providers.Event{}, true},
		{"control char in type", valid, `{"type":"a\u0007"}`, providers.Event{}, true},
		{"no id header", hdr(), `{"type":"a"}`, providers.Event{}, true},
	}
	for _, tt := range idTests {
		t.Run("identify "+tt.name, func(t *testing.T) {
			got, err := p.Identify(&providers.Request{Header: tt.header, Body: []byte(tt.body)})
			if tt.err {
				if !errors.Is(err, providers.ErrMalformedPayload) || providers.ReasonOf(err) != providers.ReasonMalformed {
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

func TestZeroProviderFailsClosed(t *testing.T) {
	r := &providers.Request{
		Header: hdr("webhook-id", vectorID, "webhook-timestamp", vectorTS, "webhook-signature", Sign([]byte(vectorBody), vectorID, vectorTime, nil)),
		Body:   []byte(vectorBody),
		Now:    vectorTime,
	}
	for _, p := range []*provider{{}, {keys: Keys{HMAC: [][]byte{}}}} {
		if err := p.Verify(context.Background(), r); !errors.Is(err, providers.ErrNoSecret) {
			t.Fatalf("Verify = %v, want ErrNoSecret", err)
		}
	}
}

func TestSignerRoundTrip(t *testing.T) {
	now := time.Unix(1750000000, 0)
	pub := EncodePublicKey(testKey.Public().(ed25519.PublicKey))
	tests := []struct {
		name       string
		secrets    []string
		options    string
		header     http.Header
		wantPrefix string
		idHeader   string
	}{
		{"hmac", []string{vectorSecret, "whsec_b2xk"}, "", nil, "v1,", HeaderID},
		{"ed25519", nil, "public_keys: [" + pub + "]\nsigning_key: " + EncodeSigningKey(testKey), nil, "v1a,", HeaderID},
		{"keeps fixture id", []string{vectorSecret}, "", hdr("webhook-id", "msg_fixture"), "v1,", HeaderID},
		{"svix family kept", []string{vectorSecret}, "", hdr("svix-id", "msg_svix"), "v1,", SvixHeaderID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := specOf(tt.secrets, tt.options)
			s, err := NewSigner(spec)
			if err != nil {
				t.Fatal(err)
			}
			p, err := New(spec)
			if err != nil {
				t.Fatal(err)
			}
			r := &providers.Request{Header: tt.header, Body: []byte(`{"type":"a.b"}`), Now: now}
			before := ""
			if tt.header != nil {
				before = tt.header.Get(tt.idHeader)
			}
			if err := s.Sign(r); err != nil {
				t.Fatal(err)
			}
			hs, err := HeadersFrom(r.Header)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(hs.Signature, tt.wantPrefix) || hs.Timestamp != "1750000000" {
				t.Fatalf("signed headers %+v, want %s… at 1750000000", hs, tt.wantPrefix)
			}
			if r.Header.Get(tt.idHeader) == "" || (before != "" && r.Header.Get(tt.idHeader) != before) {
				t.Fatalf("%s = %q, want the fixture's %q or a fresh ID", tt.idHeader, r.Header.Get(tt.idHeader), before)
			}
			if err := p.Verify(context.Background(), r); err != nil {
				t.Fatalf("Verify(signed) = %v", err)
			}
			if _, err := p.Identify(r); err != nil {
				t.Fatalf("Identify(signed) = %v", err)
			}
		})
	}
	if _, err := NewSigner(specOf(nil, "")); !errors.Is(err, providers.ErrNoSecret) {
		t.Fatalf("NewSigner(nothing) = %v, want ErrNoSecret", err)
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func BenchmarkVerify(b *testing.B) {
	p, err := New(specOf([]string{vectorSecret}, ""))
	if err != nil {
		b.Fatal(err)
	}
	r := &providers.Request{
		Header: hdr("webhook-id", vectorID, "webhook-timestamp", vectorTS, "webhook-signature", vectorSig),
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
