package hmacsig

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/hookgate/hookgate/providers"
)

// fuzzTemplates cover the template family's header grammars: one signature
// with a prefix and a timestamp header, a k=v header carrying the timestamp,
// a list of signatures, and an ID header with an RFC 3339 timestamp.
var fuzzTemplates = []Template{
	{Algorithm: SHA256, Encoding: Hex, Header: "X-Sig", Prefix: "v0=", TimestampHeader: "X-Ts", SignedPayload: "v0:{timestamp}:{body}"},
	{Algorithm: SHA256, Encoding: Hex, Header: "X-Sig", PairSeparator: ";", TimestampKey: "ts", SignatureKey: "h1", SignedPayload: "{timestamp}:{body}"},
	{Algorithm: SHA256, Encoding: Hex, Header: "X-Sig", Prefix: "v1=", Separator: ","},
	{Algorithm: SHA256, Encoding: Base64, Header: "X-Sig", Prefix: "sha256=", IDHeader: "X-Id", TimestampHeader: "X-Ts", TimestampFormat: RFC3339, SignedPayload: "{id}{timestamp}{body}"},
}

// FuzzTemplateVerify: whatever the headers and body, Verify does not panic
// and its errors wrap one of the providers sentinels; a request the
// template signs verifies, and verifies no longer once its body changes.
func FuzzTemplateVerify(f *testing.F) {
	f.Add(uint8(0), "v0=abc", "1700000000", "id", []byte(`{"a":1}`))
	f.Add(uint8(1), "ts=1;h1=00,ts=2", "", "", []byte(""))
	f.Add(uint8(2), "v1=zz,,v1=", "", "", []byte("x"))
	f.Add(uint8(3), "sha256====", "2024-01-01T00:00:00Z", "\x00", []byte("{}"))
	sentinels := []error{providers.ErrNotSigned, providers.ErrInvalidHeader, providers.ErrNoValidSignature,
		providers.ErrTooOld, providers.ErrTooNew, providers.ErrNoSecret}
	now := time.Unix(1_700_000_000, 0)
	f.Fuzz(func(t *testing.T, which uint8, sig, ts, id string, body []byte) {
		tpl := fuzzTemplates[int(which)%len(fuzzTemplates)]
		h := http.Header{}
		h.Set(tpl.Header, sig)
		if tpl.TimestampHeader != "" {
			h.Set(tpl.TimestampHeader, ts)
		}
		if tpl.IDHeader != "" {
			h.Set(tpl.IDHeader, id)
		}
		err := tpl.Verify(&providers.Request{Header: h, Body: body, Now: now}, []string{"secret"}, now)
		if err != nil {
			ok := false
			for _, s := range sentinels {
				ok = ok || errors.Is(err, s)
			}
			if !ok {
				t.Fatalf("error %v wraps no sentinel", err)
			}
		}
		r := &providers.Request{Method: http.MethodPost, Body: body, Now: now}
		if err := tpl.Sign(r, "secret", "msg_1"); err != nil {
			t.Fatal(err)
		}
		if err := tpl.Verify(r, []string{"other", "secret"}, now); err != nil {
			t.Fatalf("signed request refused: %v", err)
		}
		r.Body = append(append([]byte(nil), body...), '!')
		if tpl.Verify(r, []string{"secret"}, now) == nil {
			t.Fatal("changed body verified")
		}
	})
}
