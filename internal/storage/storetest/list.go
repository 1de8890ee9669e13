package storetest

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/hookgate/hookgate/store"
)

// listAll follows a listing's cursors to the end, failing the test on a cursor
// that loops or a page larger than asked.
func listAll(t *testing.T, s Store, f store.Filter) []store.Receipt {
	t.Helper()
	var all []store.Receipt
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatalf("ListReceipts(%+v): cursor does not end", f)
		}
		p, err := s.ListReceipts(context.Background(), f)
		if err != nil {
			t.Fatalf("ListReceipts(%+v): %v", f, err)
		}
		if f.Limit > 0 && len(p.Receipts) > f.Limit {
			t.Fatalf("ListReceipts(%+v): %d receipts, more than the limit", f, len(p.Receipts))
		}
		all = append(all, p.Receipts...)
		if p.Next == "" {
			return all
		}
		if len(p.Receipts) == 0 {
			t.Fatalf("ListReceipts(%+v): empty page with a next cursor", f)
		}
		f.Cursor = p.Next
	}
}

func receiptIDs(rs []store.Receipt) []string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	return ids
}

// newestFirst orders receipts as listings must: received_at, then ID, descending.
func newestFirst(a, b store.Receipt) int {
	return cmp.Or(b.ReceivedAt.Compare(a.ReceivedAt), cmp.Compare(b.ID, a.ID))
}

func testListReceipts(t *testing.T, s Store) {
	sources := []string{"alpha", "beta"}
	types := []string{"invoice.paid", "invoice.created", "customer.deleted"}
	var model []store.Receipt
	var ds []store.Delivery
	for i := range 40 {
		// Pairs share a received_at, so the ID tie-break matters at page edges.
		d := delivery(sources[i%2], fmt.Sprintf("evt_%02d", i), at(time.Duration(i/2)*time.Second))
		d.Receipt.EventType = types[i%3]
		ds = append(ds, d)
	}
	ingest(t, s, ds...)
	for i, d := range ds {
		r := d.Receipt
		r.Status = store.StatusVerified
		switch {
		case i%5 == 0:
			transition(t, s, r.ID, store.StatusProcessing, at(time.Hour), "")
			r.Status = store.StatusProcessing
		case i%7 == 0:
			transition(t, s, r.ID, store.StatusDead, at(time.Hour), "boom")
			r.Status = store.StatusDead
		}
		model = append(model, r)
	}
	slices.SortFunc(model, newestFirst)

	filters := []struct {
		name string
		f    store.Filter
		keep func(store.Receipt) bool
	}{
		{"all", store.Filter{}, func(store.Receipt) bool { return true }},
		{"source", store.Filter{Source: "beta"}, func(r store.Receipt) bool { return r.Source == "beta" }},
		{"status", store.Filter{Status: store.StatusProcessing}, func(r store.Receipt) bool { return r.Status == store.StatusProcessing }},
		{"event type", store.Filter{EventType: "invoice.created"}, func(r store.Receipt) bool { return r.EventType == "invoice.created" }},
		{"event id", store.Filter{EventID: "evt_07"}, func(r store.Receipt) bool { return r.EventID == "evt_07" }},
		{"since inclusive", store.Filter{Since: at(10 * time.Second)}, func(r store.Receipt) bool { return !r.ReceivedAt.Before(at(10 * time.Second)) }},
		{"until exclusive", store.Filter{Until: at(10 * time.Second)}, func(r store.Receipt) bool { return r.ReceivedAt.Before(at(10 * time.Second)) }},
		{"window", store.Filter{Since: at(5 * time.Second), Until: at(12 * time.Second)}, func(r store.Receipt) bool {
			return !r.ReceivedAt.Before(at(5*time.Second)) && r.ReceivedAt.Before(at(12*time.Second))
		}},
		{"source and type", store.Filter{Source: "alpha", EventType: "invoice.paid"}, func(r store.Receipt) bool {
			return r.Source == "alpha" && r.EventType == "invoice.paid"
		}},
		{"no match", store.Filter{Source: "alpha", EventID: "evt_01"}, func(store.Receipt) bool { return false }},
	}
	for _, tt := range filters {
		for _, limit := range []int{3, 7, 0} {
			t.Run(fmt.Sprintf("%s/limit=%d", tt.name, limit), func(t *testing.T) {
				f := tt.f
				f.Limit = limit
				got := listAll(t, s, f)
				var want []store.Receipt
				for _, r := range model {
					if tt.keep(r) {
						want = append(want, r)
					}
				}
				if !reflect.DeepEqual(receiptIDs(got), receiptIDs(want)) {
					t.Fatalf("listed %v\nwant %v", receiptIDs(got), receiptIDs(want))
				}
				for i, r := range got {
					w := want[i]
					if r.Body != nil {
						t.Errorf("%s: listing returned a body", r.ID)
					}
					if r.Source != w.Source || r.EventID != w.EventID || r.EventType != w.EventType ||
						r.Status != w.Status || r.Provider != w.Provider || !sameTime(r.ReceivedAt, w.ReceivedAt) {
						t.Errorf("%s: listed %+v, want %+v", r.ID, r, w)
					}
				}
			})
		}
	}

	t.Run("stable under inserts", func(t *testing.T) {
		// Receipts arriving between pages (newer than all) must not shift the
		// next page: keyset pagination, not offsets.
		p1, err := s.ListReceipts(context.Background(), store.Filter{Source: "alpha", Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		ingest(t, s, delivery("alpha", "late-1", at(time.Hour)), delivery("alpha", "late-2", at(time.Hour)))
		rest := listAll(t, s, store.Filter{Source: "alpha", Limit: 5, Cursor: p1.Next})
		got := receiptIDs(append(p1.Receipts, rest...))
		var want []string
		for _, r := range model {
			if r.Source == "alpha" {
				want = append(want, r.ID)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("pages around inserts: %v\nwant %v", got, want)
		}
	})
}

func testListReceiptsLimits(t *testing.T, s Store) {
	const n = store.MaxLimit + 1
	ds := make([]store.Delivery, 0, n)
	for i := range n {
		ds = append(ds, delivery("bulk", fmt.Sprintf("evt_%04d", i), at(time.Duration(i)*time.Millisecond)))
	}
	for chunk := range slices.Chunk(ds, 256) {
		ingest(t, s, chunk...)
	}
	tests := []struct {
		limit, want int
	}{
		{0, store.DefaultLimit},
		{-5, store.DefaultLimit},
		{10, 10},
		{store.MaxLimit, store.MaxLimit},
		{store.MaxLimit * 5, store.MaxLimit},
	}
	for _, tt := range tests {
		p, err := s.ListReceipts(context.Background(), store.Filter{Limit: tt.limit})
		if err != nil {
			t.Fatalf("ListReceipts(limit %d): %v", tt.limit, err)
		}
		if len(p.Receipts) != tt.want || p.Next == "" {
			t.Errorf("ListReceipts(limit %d) = %d receipts, next %q; want %d and a next cursor", tt.limit, len(p.Receipts), p.Next, tt.want)
		}
	}
	// The exact end: a page that ends on the last row says so.
	p, err := s.ListReceipts(context.Background(), store.Filter{Limit: 1, Until: at(time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Receipts) != 1 || p.Next != "" {
		t.Errorf("last page: %d receipts, next %q; want 1 and no cursor", len(p.Receipts), p.Next)
	}
	if got := listAll(t, s, store.Filter{Limit: store.MaxLimit}); len(got) != n {
		t.Errorf("listed %d receipts in full pages, want %d", len(got), n)
	}
}

func testListReceiptsInvalid(t *testing.T, s Store) {
	ingest(t, s, delivery("src", "evt", at(0)), delivery("src", "evt2", at(time.Second)))
	p, err := s.ListReceipts(context.Background(), store.Filter{Limit: 1})
	if err != nil || p.Next == "" {
		t.Fatalf("ListReceipts: %v, next %q", err, p.Next)
	}
	tests := map[string]store.Filter{
		"garbage cursor":   {Cursor: "garbage"},
		"truncated cursor": {Cursor: p.Next[:len(p.Next)-6]},
		"unknown status":   {Status: "finished"},
	}
	for name, f := range tests {
		if _, err := s.ListReceipts(context.Background(), f); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

func rejected(source string, when time.Time, reason string) store.AuditRecord {
	return store.AuditRecord{
		ID:       newID(),
		At:       when,
		Source:   source,
		RemoteIP: "2001:db8::1",
		Method:   "POST",
		Path:     "/webhooks/" + source,
		Header:   map[string][]string{"Content-Type": {"text/plain"}, "X-Signature": {"[redacted]"}},
		Body:     []byte("not json\x00\xff"),
		BodySize: 4096,
		Status:   401,
		Outcome:  store.OutcomeRejected,
		Reason:   reason,
	}
}

func testAudit(t *testing.T, s Store) {
	ctx := context.Background()
	d := delivery("alpha", "evt", at(time.Second))
	ingest(t, s, d)
	dup := delivery("alpha", "evt", at(3*time.Second))
	ingest(t, s, dup)
	r1 := rejected("alpha", at(2*time.Second), "signature_mismatch")
	r2 := rejected("beta", at(4*time.Second), "timestamp_too_old")
	r3 := rejected("alpha", at(5*time.Second), "body_too_large")
	r3.Body, r3.Status, r3.Header = nil, 413, nil
	if err := s.Audit(ctx, []store.AuditRecord{r1, r2, r3}); err != nil {
		t.Fatalf("Audit: %v", err)
	}
	if err := s.Audit(ctx, nil); err != nil {
		t.Errorf("Audit(nil): %v", err)
	}

	list := func(f store.AuditFilter) []store.AuditRecord {
		t.Helper()
		recs, err := s.ListAudit(ctx, f)
		if err != nil {
			t.Fatalf("ListAudit(%+v): %v", f, err)
		}
		return recs
	}
	ids := func(recs []store.AuditRecord) []string {
		out := make([]string, len(recs))
		for i, r := range recs {
			out[i] = r.ID
		}
		return out
	}

	all := list(store.AuditFilter{})
	wantAll := []string{r3.ID, r2.ID, dup.Audit.ID, r1.ID, d.Audit.ID}
	if !reflect.DeepEqual(ids(all), wantAll) {
		t.Fatalf("ListAudit() = %v\nwant newest first %v", ids(all), wantAll)
	}

	// Every field round-trips.
	got := all[3]
	if got.ID != r1.ID || got.Source != r1.Source || got.RemoteIP != r1.RemoteIP || got.Method != r1.Method ||
		got.Path != r1.Path || !reflect.DeepEqual(got.Header, r1.Header) || !bytes.Equal(got.Body, r1.Body) ||
		got.BodySize != r1.BodySize || got.Status != r1.Status || got.Outcome != r1.Outcome || got.Reason != r1.Reason ||
		got.ReceiptID != "" || got.EventID != "" || !sameTime(got.At, r1.At) {
		t.Errorf("rejected record = %+v\nwant %+v", got, r1)
	}
	if got := all[0]; got.Body != nil || len(got.Header) != 0 || got.Status != 413 {
		t.Errorf("record without body or header = %+v", got)
	}
	acc := all[4]
	if acc.Outcome != store.OutcomeAccepted || acc.ReceiptID != d.Receipt.ID || acc.Body != nil || acc.Status != 200 ||
		acc.BodySize != d.Audit.BodySize || acc.RemoteIP != d.Audit.RemoteIP {
		t.Errorf("accepted record = %+v", acc)
	}

	filters := []struct {
		f    store.AuditFilter
		want []string
	}{
		{store.AuditFilter{Source: "alpha"}, []string{r3.ID, dup.Audit.ID, r1.ID, d.Audit.ID}},
		{store.AuditFilter{Outcome: store.OutcomeRejected}, []string{r3.ID, r2.ID, r1.ID}},
		{store.AuditFilter{Outcome: store.OutcomeDuplicate}, []string{dup.Audit.ID}},
		{store.AuditFilter{Source: "alpha", Outcome: store.OutcomeRejected}, []string{r3.ID, r1.ID}},
		{store.AuditFilter{Since: at(3 * time.Second)}, []string{r3.ID, r2.ID, dup.Audit.ID}},
		{store.AuditFilter{Limit: 2}, []string{r3.ID, r2.ID}},
		{store.AuditFilter{Source: "gamma"}, []string{}},
	}
	for _, tt := range filters {
		if got := ids(list(tt.f)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ListAudit(%+v) = %v, want %v", tt.f, got, tt.want)
		}
	}
}

func testAuditAtomic(t *testing.T, s Store) {
	ctx := context.Background()
	r1 := rejected("src", at(0), "signature_mismatch")
	if err := s.Audit(ctx, []store.AuditRecord{r1}); err != nil {
		t.Fatal(err)
	}
	r2 := rejected("src", at(time.Second), "signature_mismatch")
	again := r1
	again.Reason = "changed"
	if err := s.Audit(ctx, []store.AuditRecord{r2, again}); err == nil {
		t.Fatal("Audit with an ID already stored succeeded")
	}
	recs, err := s.ListAudit(ctx, store.AuditFilter{Source: "src"})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].ID != r1.ID || recs[0].Reason != r1.Reason {
		t.Errorf("after a failed Audit: %+v, want only the first record, unchanged", recs)
	}
}
