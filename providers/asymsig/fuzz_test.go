package asymsig

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/hookgate/hookgate/providers"
)

// FuzzVerify: whatever the headers and body, Verify does not panic and its
// errors wrap a providers sentinel; what Sign produces verifies, and stops
// verifying once the body changes.
func FuzzVerify(f *testing.F) {
	f.Add("00", "1700000000", []byte(`{"type":1}`))
	f.Add("", "", []byte(""))
	f.Add("zz", "-1", []byte("x"))
	s := &Scheme{SignatureHeader: "X-Signature-Ed25519", TimestampHeader: "X-Signature-Timestamp",
		SignedPayload: "{timestamp}|{body}", Encoding: Hex, Tolerance: 5 * time.Minute}
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	pub := []crypto.PublicKey{key.Public().(ed25519.PublicKey)}
	now := time.Unix(1_700_000_000, 0)
	f.Fuzz(func(t *testing.T, sig, ts string, body []byte) {
		h := http.Header{}
		h.Set(s.SignatureHeader, sig)
		h.Set(s.TimestampHeader, ts)
		if err := s.Verify(&providers.Request{Header: h, Body: body}, pub, now); err != nil {
			if !errors.Is(err, providers.ErrNotSigned) && !errors.Is(err, providers.ErrInvalidHeader) &&
				!errors.Is(err, providers.ErrNoValidSignature) && !errors.Is(err, providers.ErrTooOld) && !errors.Is(err, providers.ErrTooNew) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
		}
		r := &providers.Request{Body: body, Now: now}
		if err := s.Sign(r, key); err != nil {
			t.Fatal(err)
		}
		if err := s.Verify(r, pub, now); err != nil {
			t.Fatalf("signed request refused: %v", err)
		}
		r.Body = append(append([]byte(nil), body...), '!')
		if s.Verify(r, pub, now) == nil {
			t.Fatal("changed body verified")
		}
	})
}
