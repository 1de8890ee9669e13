package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hookgate/hookgate/store"
)

// PurgeStore is a Store with the retention methods.
type PurgeStore interface {
	Store
	PurgeAudit(ctx context.Context, before time.Time) (int64, error)
	PurgeBodies(ctx context.Context, before time.Time) (int64, error)
	PurgeReceipts(ctx context.Context, before time.Time) (int64, error)
}

// RunPurge runs the conformance subtests of the retention methods. open works
// as for Run.
func RunPurge(t *testing.T, open func(t *testing.T) PurgeStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s PurgeStore)
	}{
		{"PurgeAudit", testPurgeAudit},
		{"PurgeBodies", testPurgeBodies},
		{"PurgeReceipts", testPurgeReceipts},
		{"PurgeEmpty", testPurgeEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			setup(t, func(*testing.T) Store { return s })
			tt.fn(t, s)
		})
	}
}

func testPurgeAudit(t *testing.T, s PurgeStore) {
	ctx := context.Background()
	// Three rejected records before the cut, two at or after it, and one
	// accepted delivery (its audit record in the ingest transaction) before it.
	cut := at(time.Hour)
	recs := []store.AuditRecord{
		rejected("a", at(0), "bad_signature"),
		rejected("a", at(30*time.Minute), "bad_signature"),
		rejected("b", cut.Add(-time.Microsecond), "unknown_source"),
		rejected("a", cut, "bad_signature"),
		rejected("b", at(2*time.Hour), "bad_signature"),
	}
	if err := s.Audit(ctx, recs); err != nil {
		t.Fatal(err)
	}
	dl := delivery("a", "kept-receipt", at(10*time.Minute))
	ingest(t, s, dl)
	n, err := s.PurgeAudit(ctx, cut)
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Fatalf("PurgeAudit removed %d, want 4", n)
	}
	left, err := s.ListAudit(ctx, store.AuditFilter{Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 2 {
		t.Fatalf("%d audit records left, want 2", len(left))
	}
	for _, r := range left {
		if r.At.Before(cut) {
			t.Errorf("record at %v survived the purge before %v", r.At, cut)
		}
	}
	// The receipt whose audit record went is untouched.
	if r := receipt(t, s, dl.Receipt.ID); string(r.Body) != string(dl.Receipt.Body) {
		t.Fatalf("receipt body changed by PurgeAudit: %q", r.Body)
	}
	if n, err := s.PurgeAudit(ctx, cut); err != nil || n != 0 {
		t.Fatalf("second PurgeAudit = %d, %v; want 0, nil", n, err)
	}
}

func testPurgeBodies(t *testing.T, s PurgeStore) {
	ctx := context.Background()
	cut := at(time.Hour)
	type tc struct {
		event   string
		recv    time.Time
		status  store.Status
		emptied bool
	}
	cases := []tc{
		{"old-completed", at(0), store.StatusCompleted, true},
		{"old-dead", at(time.Minute), store.StatusDead, true},
		{"old-unhandled", at(2 * time.Minute), store.StatusUnhandled, true},
		{"old-verified", at(3 * time.Minute), store.StatusVerified, false},
		{"old-retrying", at(4 * time.Minute), store.StatusRetrying, false},
		{"new-completed", cut, store.StatusCompleted, false},
	}
	ids := map[string]string{}
	for _, c := range cases {
		dl := delivery("a", c.event, c.recv)
		ingest(t, s, dl)
		if c.status != store.StatusVerified {
			transition(t, s, dl.Receipt.ID, c.status, c.recv.Add(time.Second), "")
		}
		ids[c.event] = dl.Receipt.ID
	}
	n, err := s.PurgeBodies(ctx, cut)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("PurgeBodies emptied %d, want 3", n)
	}
	for _, c := range cases {
		r := receipt(t, s, ids[c.event])
		if (len(r.Body) == 0) != c.emptied {
			t.Errorf("%s: body %q, emptied want %v", c.event, r.Body, c.emptied)
		}
		if r.Status != c.status || r.EventID != c.event {
			t.Errorf("%s: receipt changed beyond its body: %+v", c.event, r)
		}
	}
	// Already emptied bodies are not counted again.
	if n, err := s.PurgeBodies(ctx, cut); err != nil || n != 0 {
		t.Fatalf("second PurgeBodies = %d, %v; want 0, nil", n, err)
	}
	// The receipt still deduplicates.
	res := ingest(t, s, delivery("a", "old-completed", at(5*time.Hour)))
	if !res[0].Duplicate {
		t.Fatal("a receipt with a purged body no longer deduplicates")
	}
}

func testPurgeEmpty(t *testing.T, s PurgeStore) {
	ctx := context.Background()
	if n, err := s.PurgeAudit(ctx, at(0)); err != nil || n != 0 {
		t.Fatalf("PurgeAudit on an empty store = %d, %v", n, err)
	}
	if n, err := s.PurgeBodies(ctx, at(0)); err != nil || n != 0 {
		t.Fatalf("PurgeBodies on an empty store = %d, %v", n, err)
	}
	if n, err := s.PurgeReceipts(ctx, at(0)); err != nil || n != 0 {
		t.Fatalf("PurgeReceipts on an empty store = %d, %v", n, err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.PurgeAudit(cancelled, at(0)); err == nil {
		t.Fatal("PurgeAudit with a cancelled context returned no error")
	}
	if _, err := s.PurgeReceipts(cancelled, at(0)); err == nil {
		t.Fatal("PurgeReceipts with a cancelled context returned no error")
	}
}

func testPurgeReceipts(t *testing.T, s PurgeStore) {
	ctx := context.Background()
	cut := at(time.Hour)
	type tc struct {
		event   string
		recv    time.Time
		status  store.Status
		deleted bool
	}
	cases := []tc{
		{"old-completed", at(0), store.StatusCompleted, true},
		{"old-dead", at(time.Minute), store.StatusDead, true},
		{"old-unhandled", at(2 * time.Minute), store.StatusUnhandled, true},
		{"old-verified", at(3 * time.Minute), store.StatusVerified, false},
		{"old-retrying", at(4 * time.Minute), store.StatusRetrying, false},
		{"new-completed", cut, store.StatusCompleted, false},
	}
	ds := map[string]store.Delivery{}
	for i, c := range cases {
		dl := delivery("a", c.event, c.recv)
		ingest(t, s, dl)
		id := dl.Receipt.ID
		if c.status != store.StatusVerified {
			transition(t, s, id, c.status, c.recv.Add(time.Second), "")
		}
		// Every receipt gets an attempt, an event and a replay, so that what
		// goes with a purged receipt and what stays with a kept one both show.
		if err := s.RecordAttempt(ctx, store.Attempt{ReceiptID: id, Step: store.StepHandle, Attempt: 1,
			StartedAt: c.recv, FinishedAt: c.recv.Add(time.Millisecond)}); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveEvents(ctx, []store.Event{{ID: fmt.Sprintf("msg-%d", i), ReceiptID: id, Type: "invoice.paid",
			Time: c.recv, Envelope: []byte(`{}`)}}); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordReplay(ctx, store.Replay{ReceiptID: id, At: c.recv.Add(time.Second), Actor: "ops", Reason: "test"}); err != nil {
			t.Fatal(err)
		}
		ds[c.event] = dl
	}
	n, err := s.PurgeReceipts(ctx, cut)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("PurgeReceipts removed %d, want 3", n)
	}
	auditRecs := auditByID(t, s, "a")
	for _, c := range cases {
		id := ds[c.event].Receipt.ID
		_, err := s.Receipt(ctx, id)
		if c.deleted != errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: Receipt error %v, deleted want %v", c.event, err, c.deleted)
		}
		as, err := s.Attempts(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := s.Replays(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		es, err := s.Events(ctx, store.EventFilter{ReceiptID: id})
		if err != nil {
			t.Fatal(err)
		}
		want := 1
		if c.deleted {
			want = 0
		}
		if len(as) != want || len(rs) != want || len(es) != want {
			t.Errorf("%s: %d attempts, %d replays, %d events; want %d of each", c.event, len(as), len(rs), len(es), want)
		}
		// The request still happened: its audit record stays.
		rec, ok := auditRecs[ds[c.event].Audit.ID]
		if !ok {
			t.Errorf("%s: audit record deleted with the receipt", c.event)
			continue
		}
		if (rec.ReceiptID == "") != c.deleted {
			t.Errorf("%s: audit record's receipt %q, deleted want %v", c.event, rec.ReceiptID, c.deleted)
		}
	}
	if n, err := s.PurgeReceipts(ctx, cut); err != nil || n != 0 {
		t.Fatalf("second PurgeReceipts = %d, %v; want 0, nil", n, err)
	}
	// A purged receipt no longer deduplicates (documented); a kept one does.
	again := delivery("a", "old-completed", at(5*time.Hour))
	if res := ingest(t, s, again); res[0].Duplicate || res[0].ReceiptID != again.Receipt.ID {
		t.Fatalf("redelivery of a purged event = %+v, want a new receipt", res[0])
	}
	if res := ingest(t, s, delivery("a", "old-retrying", at(5*time.Hour))); !res[0].Duplicate {
		t.Fatal("a kept receipt no longer deduplicates")
	}
}
