package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/hookgate/hookgate/store"
)

// testTraceParent checks that a receipt's traceparent is stored as given and
// returned by Receipt, ReceiptByEvent, ListReceipts and Unstarted (the relay's
// sweep continues the trace from it), and that a receipt without one (tracing
// off) reads back empty. A duplicate delivery does not replace the stored one.
func testTraceParent(t *testing.T, s Store) {
	const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	traced := delivery("src", "traced", at(0))
	traced.Receipt.TraceParent = tp
	plain := delivery("src", "plain", at(time.Second))
	ingest(t, s, traced, plain)

	again := delivery("src", "traced", at(2*time.Second))
	again.Receipt.TraceParent = "00-11111111111111111111111111111111-2222222222222222-01"
	ingest(t, s, again)

	for _, c := range []struct {
		d    store.Delivery
		want string
	}{{traced, tp}, {plain, ""}} {
		if got := receipt(t, s, c.d.Receipt.ID).TraceParent; got != c.want {
			t.Errorf("Receipt(%s).TraceParent = %q, want %q", c.d.Receipt.EventID, got, c.want)
		}
		r, err := s.ReceiptByEvent(context.Background(), "src", c.d.Receipt.EventID)
		if err != nil {
			t.Fatalf("ReceiptByEvent: %v", err)
		}
		if r.TraceParent != c.want {
			t.Errorf("ReceiptByEvent(%s).TraceParent = %q, want %q", c.d.Receipt.EventID, r.TraceParent, c.want)
		}
	}

	page, err := s.ListReceipts(context.Background(), store.Filter{Source: "src"})
	if err != nil {
		t.Fatalf("ListReceipts: %v", err)
	}
	listed := map[string]string{}
	for _, r := range page.Receipts {
		listed[r.EventID] = r.TraceParent
	}
	if listed["traced"] != tp || listed["plain"] != "" {
		t.Errorf("ListReceipts traceparents = %q, want traced=%q and plain empty", listed, tp)
	}

	want := []store.Ref{
		{ID: traced.Receipt.ID, Source: "src", EventID: "traced", EventType: "invoice.paid", TraceParent: tp},
		{ID: plain.Receipt.ID, Source: "src", EventID: "plain", EventType: "invoice.paid"},
	}
	refs := unstarted(t, s, at(time.Hour), 10)
	if len(refs) != len(want) || refs[0] != want[0] || refs[1] != want[1] {
		t.Errorf("Unstarted = %+v\nwant %+v", refs, want)
	}
}
