package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/hookgate/hookgate/store"
)

// PurgeStore is a Store with the retention methods.
type PurgeStore interface {
	Store
	PurgeAudit(ctx context.Context, before time.Time) (int64, error)
	PurgeBodies(ctx context.Context, before time.Time) (int64, error)
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
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.PurgeAudit(cancelled, at(0)); err == nil {
		t.Fatal("PurgeAudit with a cancelled context returned no error")
	}
}
