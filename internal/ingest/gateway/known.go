package gateway

import (
	"context"
	"sync"
	"time"

	"github.com/hookgate/hookgate/store"
)

// DefaultKnownEvents is how many recently committed events a gateway remembers
// for the duplicate fast path (Options.KnownEvents): the last 16 s of traffic
// at 1,000 webhooks a second (a provider's quick retransmits after a timeout),
// in about 2 MB.
const DefaultKnownEvents = 16_384

// knownKey is an event's deduplication key.
type knownKey struct{ source, eventID string }

// known remembers the events this process has seen committed, by (source, event
// ID), with their receipt ID, up to a fixed number (the oldest is forgotten
// first). A redelivery of a remembered event is a duplicate whose receipt is
// already durable, so the gateway can ack it without waiting for a commit (see
// Gateway.ackKnown). Forgetting only sends a duplicate down the normal path,
// where the store detects it, so the bound never affects correctness.
type known struct {
	mu    sync.Mutex
	ids   map[knownKey]string
	ring  []knownKey // insertion order, for eviction
	next  int        // next slot of ring to fill once full
	limit int
}

// newKnown returns a set of capacity n; nil (remember nothing) when n <= 0.
func newKnown(n int) *known {
	if n <= 0 {
		return nil
	}
	// The map and ring grow with use: an idle gateway holds nothing.
	return &known{ids: map[knownKey]string{}, limit: n}
}

// get returns the receipt ID of a remembered event.
func (k *known) get(source, eventID string) (string, bool) {
	if k == nil {
		return "", false
	}
	k.mu.Lock()
	id, ok := k.ids[knownKey{source, eventID}]
	k.mu.Unlock()
	return id, ok
}

// add remembers a committed event, forgetting the oldest one when full.
func (k *known) add(source, eventID, receiptID string) {
	if k == nil {
		return
	}
	key := knownKey{source, eventID}
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.ids[key]; ok {
		return
	}
	if len(k.ring) < k.limit {
		k.ring = append(k.ring, key)
	} else {
		delete(k.ids, k.ring[k.next])
		k.ring[k.next] = key
		k.next = (k.next + 1) % len(k.ring)
	}
	k.ids[key] = receiptID
}

// forget drops an event (its receipt turned out not to exist any more).
func (k *known) forget(source, eventID string) {
	if k == nil {
		return
	}
	k.mu.Lock()
	delete(k.ids, knownKey{source, eventID})
	k.mu.Unlock()
}

// maxPendingDuplicates bounds the duplicates being recorded in the background;
// beyond it a duplicate takes the normal path (commit, then ack), so a flood of
// redeliveries cannot pile up goroutines.
const maxPendingDuplicates = 256

// recordTimeout bounds the background commit of one duplicate.
const recordTimeout = time.Minute

// ackKnown acks a redelivery of an event this process has seen committed
// without waiting for a commit: its receipt is already durable, so the answer
// is the same the store would give. The delivery (its audit record and the
// receipt's duplicates counter) is then committed in the background. It returns
// false, doing nothing, when the event is not remembered or too many duplicates
// are already being recorded; the caller then takes the normal path.
//
// If the store no longer holds the receipt (retention purged it after it was
// remembered), the background commit stores the delivery as a new receipt and
// hands it to the relay: it is processed, not lost.
func (g *Gateway) ackKnown(ctx context.Context, d store.Delivery) (store.IngestResult, bool) {
	id, ok := g.known.get(d.Receipt.Source, d.Receipt.EventID)
	if !ok {
		return store.IngestResult{}, false
	}
	select {
	case g.pendingDups <- struct{}{}:
	default:
		return store.IngestResult{}, false
	}
	g.background.Add(1)
	go func() {
		defer func() { <-g.pendingDups; g.background.Done() }()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
		defer cancel()
		res, err := g.commit.Commit(ctx, d)
		switch {
		case err != nil:
			g.log.Warn("duplicate not recorded", "source", d.Receipt.Source, "event_id", d.Receipt.EventID, "err", err)
		case !res.Duplicate:
			g.known.forget(d.Receipt.Source, d.Receipt.EventID)
			g.log.Warn("remembered event was no longer stored: stored again as a new receipt",
				"source", d.Receipt.Source, "event_id", d.Receipt.EventID, "receipt_id", res.ReceiptID)
			if g.notify != nil {
				g.notify.Notify(store.Ref{ID: res.ReceiptID, Source: d.Receipt.Source, EventID: d.Receipt.EventID,
					EventType: d.Receipt.EventType, TraceParent: d.Receipt.TraceParent})
			}
		}
	}()
	return store.IngestResult{ReceiptID: id, Duplicate: true}, true
}
