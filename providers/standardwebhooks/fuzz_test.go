package standardwebhooks

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hookgate/hookgate/providers"
)

// FuzzParseSignatureList feeds arbitrary header triples to VerifyHeaders with
// both an HMAC secret and an Ed25519 public key configured. Properties: no
// panic; errors are verification sentinels; success only when the list holds
// the genuine v1 or v1a signature of (id, timestamp, body).
func FuzzParseSignatureList(f *testing.F) {
	f.Add(vectorID, vectorTS, vectorSig, []byte(vectorBody))
	f.Add(vectorID, vectorTS, "v1a,"+strings.Repeat("A", 86)+"== "+vectorSig, []byte(vectorBody))
	f.Add("", "", "", []byte{})
	f.Add("a.b", "1", "v1,", []byte("x"))
	f.Add("id", "-1", ",,, v1", []byte("x"))
	f.Add("id", "0001", "v1,AAAA v1a,BBBB", []byte("x"))
	keys := mustKeys(f, []string{vectorSecret}, []string{EncodePublicKey(testKey.Public().(ed25519.PublicKey))})
	hmacKey, _ := ParseSecret(vectorSecret)
	f.Fuzz(func(t *testing.T, id, ts, list string, body []byte) {
		h := Headers{ID: id, Timestamp: ts, Signature: list}
		err := VerifyHeaders(body, h, keys, vectorTime, 0)
		if err != nil {
			if providers.ReasonOf(err) == providers.ReasonOther {
				t.Fatalf("VerifyHeaders = %v, not a sentinel", err)
			}
			return
		}
		sec, perr := parseTimestamp(ts)
		if perr != nil {
			t.Fatalf("accepted unparseable timestamp %q", ts)
		}
		at := time.Unix(sec, 0)
		genuineHMAC := Sign(body, id, at, hmacKey)
		genuineEd := SignEd25519(body, id, at, testKey) // Ed25519 signatures are deterministic
		found := false
		for entry := range strings.SplitSeq(list, " ") {
			if entry == genuineHMAC || entry == genuineEd {
				found = true
			}
		}
		if !found {
			t.Fatalf("accepted %+v without a genuine signature", h)
		}
	})
}

// FuzzEventType: no panic; errors wrap ErrMalformedPayload; types are non-empty.
func FuzzEventType(f *testing.F) {
	f.Add([]byte(`{"type":"a.b"}`))
	f.Add([]byte(`{"type":null}`))
	f.Add([]byte("{\"type\":\"\xff\"}"))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		typ, err := EventType(body)
		if err != nil {
			if !errors.Is(err, providers.ErrMalformedPayload) {
				t.Fatalf("EventType error %v does not wrap ErrMalformedPayload", err)
			}
			return
		}
		if typ == "" || len(typ) > maxFieldLen {
			t.Fatalf("EventType = %q", typ)
		}
	})
}
