// Package dedupe holds the dialect-independent half of store ingestion: grouping
// a batch of deliveries by deduplication key before the insert, and turning the
// receipt IDs the database returns into per-delivery results and audit rows.
package dedupe

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/hookgate/hookgate/store"
)

// Key is a receipt's deduplication key.
type Key struct {
	Source  string
	EventID string
}

// KeyOf returns r's deduplication key.
func KeyOf(r store.Receipt) Key { return Key{Source: r.Source, EventID: r.EventID} }

// Batch is a batch of deliveries grouped by key.
type Batch struct {
	deliveries []store.Delivery
	// firstOf holds, for each delivery, the index of the first delivery of its key.
	firstOf []int
	// First holds the index of the first delivery of each distinct key, ordered
	// by key: concurrent transactions then lock conflicting rows in the same
	// order, so two overlapping batches wait for each other instead of
	// deadlocking.
	First []int
	// Later counts, for each entry of First, the deliveries of the same key
	// that follow it in the batch: duplicates that never reach the database.
	Later []int
}

// New groups ds by key. The first delivery of a key wins; later ones in the
// batch are its duplicates.
func New(ds []store.Delivery) *Batch {
	b := &Batch{deliveries: ds, firstOf: make([]int, len(ds))}
	seen := make(map[Key]int, len(ds))
	later := make(map[int]int)
	for i, d := range ds {
		k := KeyOf(d.Receipt)
		if f, ok := seen[k]; ok {
			b.firstOf[i] = f
			later[f]++
			continue
		}
		seen[k] = i
		b.firstOf[i] = i
		b.First = append(b.First, i)
	}
	slices.SortFunc(b.First, func(x, y int) int {
		kx, ky := KeyOf(ds[x].Receipt), KeyOf(ds[y].Receipt)
		return cmp.Or(cmp.Compare(kx.Source, ky.Source), cmp.Compare(kx.EventID, ky.EventID))
	})
	b.Later = make([]int, len(b.First))
	for j, f := range b.First {
		b.Later[j] = later[f]
	}
	return b
}

// Resolve returns the result of every delivery, in input order, and the audit
// records to insert, given the receipt ID the database holds for each key after
// the insert. A delivery is new when it is the first of its key in the batch
// and the stored ID is its own; any other is a duplicate.
func (b *Batch) Resolve(stored map[Key]string) ([]store.IngestResult, []store.AuditRecord, error) {
	results := make([]store.IngestResult, len(b.deliveries))
	audit := make([]store.AuditRecord, len(b.deliveries))
	for i, d := range b.deliveries {
		id, ok := stored[KeyOf(d.Receipt)]
		if !ok {
			// Every key was inserted or updated by the upsert, so the database
			// returned it; a miss means the statement did not do what it should.
			return nil, nil, fmt.Errorf("ingest: no receipt returned for delivery %d", i)
		}
		first := b.deliveries[b.firstOf[i]].Receipt.ID
		dup := b.firstOf[i] != i || id != first
		results[i] = store.IngestResult{ReceiptID: id, Duplicate: dup}

		a := d.Audit
		a.ReceiptID = id
		a.Outcome = store.OutcomeAccepted
		if dup {
			a.Outcome = store.OutcomeDuplicate
		}
		if a.EventID == "" {
			a.EventID = d.Receipt.EventID
		}
		if a.Source == "" {
			a.Source = d.Receipt.Source
		}
		audit[i] = a
	}
	return results, audit, nil
}
