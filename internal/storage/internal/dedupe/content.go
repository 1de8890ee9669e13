package dedupe

import (
	"cmp"
	"slices"
	"time"

	"github.com/hookgate/hookgate/store"
)

// ContentKey is a receipt's second deduplication key: its source and the hash
// of its signed content (store.Receipt.ContentKey).
type ContentKey struct {
	Source string
	Hash   string
}

// ContentHit is what the store remembers of a content key: the event ID of the
// receipt that first had it, and when that receipt was received.
type ContentHit struct {
	EventID string
	At      time.Time
}

// Contents returns the distinct content keys of ds, sorted (so that
// concurrent transactions lock them in one order).
func Contents(ds []store.Delivery) []ContentKey {
	var out []ContentKey
	for _, d := range ds {
		if d.Receipt.ContentKey != "" {
			out = append(out, ContentKey{d.Receipt.Source, d.Receipt.ContentKey})
		}
	}
	slices.SortFunc(out, func(a, b ContentKey) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Hash, b.Hash))
	})
	return slices.Compact(out)
}

// ApplyContent returns ds with the event ID of each delivery whose content
// key is already known replaced by the known one: known from found (a stored
// key, used when the delivery was received within its ContentWindow of it)
// or from an earlier delivery of the batch. ds itself is not modified; changed
// reports whether any event ID was replaced. The deliveries then deduplicate
// by event ID as usual.
func ApplyContent(ds []store.Delivery, found map[ContentKey]ContentHit) (out []store.Delivery, changed bool) {
	inBatch := map[ContentKey]string{}
	out = ds
	for i, d := range ds {
		if d.Receipt.ContentKey == "" {
			continue
		}
		k := ContentKey{d.Receipt.Source, d.Receipt.ContentKey}
		id, ok := inBatch[k]
		if hit, stored := found[k]; !ok && stored && !hit.At.Before(d.Receipt.ReceivedAt.Add(-d.ContentWindow)) {
			id, ok = hit.EventID, true
		}
		if !ok {
			inBatch[k] = d.Receipt.EventID
			continue
		}
		inBatch[k] = id
		if id != d.Receipt.EventID {
			if !changed {
				out, changed = slices.Clone(ds), true
			}
			out[i].Receipt.EventID = id
		}
	}
	return out, changed
}

// NewContents returns the content keys to remember after the insert: those
// of the deliveries whose own receipt was inserted (stored names it for their
// event ID), with that event ID and received time.
func NewContents(ds []store.Delivery, stored map[Key]string) map[ContentKey]ContentHit {
	out := map[ContentKey]ContentHit{}
	for _, d := range ds {
		if d.Receipt.ContentKey == "" || stored[KeyOf(d.Receipt)] != d.Receipt.ID {
			continue
		}
		out[ContentKey{d.Receipt.Source, d.Receipt.ContentKey}] = ContentHit{EventID: d.Receipt.EventID, At: d.Receipt.ReceivedAt}
	}
	return out
}
