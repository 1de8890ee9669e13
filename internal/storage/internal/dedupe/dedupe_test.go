package dedupe

import (
	"reflect"
	"testing"

	"github.com/hookgate/hookgate/store"
)

func delivery(id, source, eventID string) store.Delivery {
	return store.Delivery{
		Receipt: store.Receipt{ID: id, Source: source, EventID: eventID},
		Audit:   store.AuditRecord{ID: "a-" + id, Outcome: store.OutcomeRejected},
	}
}

func TestBatch(t *testing.T) {
	tests := []struct {
		name       string
		in         []store.Delivery
		stored     map[Key]string
		wantFirst  []int
		wantLater  []int
		wantResult []store.IngestResult
	}{
		{
			name:       "all new",
			in:         []store.Delivery{delivery("1", "s", "b"), delivery("2", "s", "a")},
			stored:     map[Key]string{{"s", "a"}: "2", {"s", "b"}: "1"},
			wantFirst:  []int{1, 0}, // ordered by key, not input
			wantLater:  []int{0, 0},
			wantResult: []store.IngestResult{{ReceiptID: "1"}, {ReceiptID: "2"}},
		},
		{
			name: "duplicates in batch and in store",
			in: []store.Delivery{
				delivery("1", "s", "e1"),
				delivery("2", "s", "e1"),
				delivery("3", "t", "e1"), // another source: another key
				delivery("4", "s", "e2"),
				delivery("5", "s", "e1"),
			},
			// e2 was stored earlier under receipt "old".
			stored:    map[Key]string{{"s", "e1"}: "1", {"t", "e1"}: "3", {"s", "e2"}: "old"},
			wantFirst: []int{0, 3, 2},
			wantLater: []int{2, 0, 0},
			wantResult: []store.IngestResult{
				{ReceiptID: "1"},
				{ReceiptID: "1", Duplicate: true},
				{ReceiptID: "3"},
				{ReceiptID: "old", Duplicate: true},
				{ReceiptID: "1", Duplicate: true},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := New(tt.in)
			if !reflect.DeepEqual(b.First, tt.wantFirst) || !reflect.DeepEqual(b.Later, tt.wantLater) {
				t.Fatalf("First, Later = %v, %v; want %v, %v", b.First, b.Later, tt.wantFirst, tt.wantLater)
			}
			res, audit, err := b.Resolve(tt.stored)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(res, tt.wantResult) {
				t.Errorf("results = %+v, want %+v", res, tt.wantResult)
			}
			for i, a := range audit {
				want := store.OutcomeAccepted
				if tt.wantResult[i].Duplicate {
					want = store.OutcomeDuplicate
				}
				if a.ID != tt.in[i].Audit.ID || a.Outcome != want || a.ReceiptID != tt.wantResult[i].ReceiptID ||
					a.EventID != tt.in[i].Receipt.EventID || a.Source != tt.in[i].Receipt.Source {
					t.Errorf("audit[%d] = %+v", i, a)
				}
			}
		})
	}
}

func TestResolveMissingKey(t *testing.T) {
	b := New([]store.Delivery{delivery("1", "s", "e")})
	if _, _, err := b.Resolve(map[Key]string{}); err == nil {
		t.Fatal("Resolve without the key's ID succeeded")
	}
}
