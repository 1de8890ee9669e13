package storetest

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/hookgate/hookgate/store"
)

// testRedactHeaders writes rows as a gateway before credential redaction did
// (a token header in clear, in receipts and audit records, with several
// spellings of its name), more than one batch of them, then scrubs one source:
// every credential value of that source becomes store.Redacted, other headers
// and other sources are kept, and a second run changes nothing.
func testRedactHeaders(t *testing.T, s Store) {
	ctx := context.Background()
	const secret = "acme-secret-in-clear"
	clear := func(i int) http.Header {
		name := []string{"X-Acme-Token", "x-acme-token"}[i%2]
		return http.Header{name: {secret}, "Content-Type": {"application/json"}, "X-Request-Id": {fmt.Sprint(i)}}
	}
	const n = 1203 // more than two of the scrub's batches
	var ds []store.Delivery
	var rejected []store.AuditRecord
	for i := range n {
		d := delivery("acme", fmt.Sprintf("evt-%d", i), at(0))
		d.Receipt.Header, d.Audit.Header = clear(i), clear(i)
		ds = append(ds, d)
		if i%100 == 0 {
			a := d.Audit
			a.ID, a.Outcome, a.Status, a.Reason = newID(), store.OutcomeRejected, http.StatusUnauthorized, "bad_signature"
			rejected = append(rejected, a)
		}
	}
	other := delivery("other", "evt-0", at(0))
	other.Receipt.Header, other.Audit.Header = clear(0), clear(0)
	ds = append(ds, other)
	for i := 0; i < len(ds); i += 500 {
		ingest(t, s, ds[i:min(i+500, len(ds))]...)
	}
	if err := s.Audit(ctx, rejected); err != nil {
		t.Fatal(err)
	}

	got, err := s.RedactHeaders(ctx, "acme", []string{"X-ACME-TOKEN", "Authorization"})
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(2*n + len(rejected)); got != want {
		t.Errorf("RedactHeaders changed %d rows, want %d (receipts, accepted and rejected audit rows)", got, want)
	}
	check := func(what string, h http.Header, wantSecret bool) {
		t.Helper()
		for k, vs := range h {
			for _, v := range vs {
				if (v == secret) != wantSecret && (k == "X-Acme-Token" || k == "x-acme-token") {
					t.Fatalf("%s: %s = %q (secret kept: want %v)", what, k, v, wantSecret)
				}
			}
		}
		if h.Get("Content-Type") != "application/json" || len(h["X-Request-Id"]) != 1 {
			t.Fatalf("%s: other headers changed: %v", what, h)
		}
	}
	for _, d := range ds[:n] {
		check("receipt "+d.Receipt.EventID, receipt(t, s, d.Receipt.ID).Header, false)
	}
	for id, a := range auditByID(t, s, "acme") {
		check("audit "+id, a.Header, false)
	}
	check("the other source's receipt", receipt(t, s, other.Receipt.ID).Header, true)
	for id, a := range auditByID(t, s, "other") {
		check("the other source's audit "+id, a.Header, true)
	}

	again, err := s.RedactHeaders(ctx, "acme", []string{"x-acme-token"})
	if err != nil || again != 0 {
		t.Errorf("second RedactHeaders = %d, %v; want 0 rows changed", again, err)
	}
}
