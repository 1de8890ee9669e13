package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hookgate/hookgate/store"
)

// testRecordStep: a step's events, published marks, attempt and status
// changes commit together; a status change the receipt has moved past is
// skipped and returned while the rest commits; a failure records nothing.
func testRecordStep(t *testing.T, s Store) {
	ctx := context.Background()
	d := delivery("src", "evt", at(0))
	ingest(t, s, d)
	id := d.Receipt.ID
	transition(t, s, id, store.StatusQueued, at(time.Second), "")
	ev := func(seq int) store.Event {
		return store.Event{ID: id + "." + string(rune('0'+seq)), ReceiptID: id, Seq: seq, Type: "invoice.paid", Time: at(time.Second), Envelope: []byte(`{}`)}
	}
	handle := store.StepRecord{
		Events:      []store.Event{ev(0), ev(1)},
		Attempt:     store.Attempt{ReceiptID: id, Step: store.StepHandle, Attempt: 1, StartedAt: at(2 * time.Second), FinishedAt: at(3 * time.Second)},
		Transitions: []store.Transition{{ReceiptID: id, To: store.StatusProcessing, At: at(2 * time.Second)}},
	}
	if skipped, err := s.RecordStep(ctx, handle); err != nil || len(skipped) != 0 {
		t.Fatalf("RecordStep(handle) = %v, %v", skipped, err)
	}
	r := receipt(t, s, id)
	if r.Status != store.StatusProcessing || r.Attempts != 1 {
		t.Fatalf("after handle: status %s, attempts %d; want processing, 1", r.Status, r.Attempts)
	}
	checkTime(t, "started_at", r.StartedAt, at(2*time.Second))
	if es := receiptEvents(t, s, id); len(es) != 2 || !es[0].PublishedAt.IsZero() {
		t.Fatalf("after handle: events %+v, want two unpublished", es)
	}

	publish := store.StepRecord{
		Published: []string{ev(0).ID, ev(1).ID}, PublishedAt: at(4 * time.Second),
		Attempt:     store.Attempt{ReceiptID: id, Step: store.StepPublish, Attempt: 1, StartedAt: at(3 * time.Second), FinishedAt: at(4 * time.Second)},
		Transitions: []store.Transition{{ReceiptID: id, To: store.StatusCompleted, At: at(4 * time.Second)}},
	}
	if skipped, err := s.RecordStep(ctx, publish); err != nil || len(skipped) != 0 {
		t.Fatalf("RecordStep(publish) = %v, %v", skipped, err)
	}
	r = receipt(t, s, id)
	if r.Status != store.StatusCompleted || r.Attempts != 2 {
		t.Fatalf("after publish: status %s, attempts %d; want completed, 2", r.Status, r.Attempts)
	}
	checkTime(t, "completed_at", r.CompletedAt, at(4*time.Second))
	for _, e := range receiptEvents(t, s, id) {
		checkTime(t, "published_at of "+e.ID, e.PublishedAt, at(4*time.Second))
	}

	// The handle step run again (a workflow task Temporal lost): the receipt
	// has moved past processing, so that change is skipped and returned; the
	// events stay as saved and the attempt is the same row.
	skipped, err := s.RecordStep(ctx, handle)
	if err != nil || len(skipped) != 1 || skipped[0].To != store.StatusProcessing {
		t.Fatalf("RecordStep(handle again) = %v, %v; want processing skipped", skipped, err)
	}
	r = receipt(t, s, id)
	if r.Status != store.StatusCompleted || r.Attempts != 2 {
		t.Fatalf("after handle again: status %s, attempts %d; want completed, 2", r.Status, r.Attempts)
	}
	if es := receiptEvents(t, s, id); len(es) != 2 {
		t.Fatalf("after handle again: %d events, want 2", len(es))
	}

	// Two changes in one step apply in order: processing then the outcome
	// (an unhandled receipt), or processing then retrying with the error.
	for _, last := range []store.Transition{{To: store.StatusUnhandled}, {To: store.StatusRetrying, Error: "handler: timeout"}} {
		d := delivery("src", "two-"+string(last.To), at(0))
		ingest(t, s, d)
		last.ReceiptID, last.At = d.Receipt.ID, at(5*time.Second)
		rec := store.StepRecord{
			Attempt:     store.Attempt{ReceiptID: d.Receipt.ID, Step: store.StepHandle, Attempt: 1, StartedAt: at(4 * time.Second), FinishedAt: at(5 * time.Second), Error: last.Error},
			Transitions: []store.Transition{{ReceiptID: d.Receipt.ID, To: store.StatusProcessing, At: at(4 * time.Second)}, last},
		}
		if skipped, err := s.RecordStep(ctx, rec); err != nil || len(skipped) != 0 {
			t.Fatalf("RecordStep(processing, %s) = %v, %v", last.To, skipped, err)
		}
		r := receipt(t, s, d.Receipt.ID)
		if r.Status != last.To || r.Attempts != 1 || r.LastError != last.Error {
			t.Fatalf("after processing then %s: status %s, attempts %d, last error %q", last.To, r.Status, r.Attempts, r.LastError)
		}
		checkTime(t, "started_at after processing then "+string(last.To), r.StartedAt, at(4*time.Second))
		wantDone := time.Time{}
		if last.To.Terminal() {
			wantDone = at(5 * time.Second)
		}
		checkTime(t, "completed_at after processing then "+string(last.To), r.CompletedAt, wantDone)
	}

	// All or nothing: an invalid status change rolls back the events and
	// the attempt written before it.
	other := delivery("src", "evt2", at(0))
	ingest(t, s, other)
	bad := store.StepRecord{
		Events:      []store.Event{{ID: other.Receipt.ID + ".0", ReceiptID: other.Receipt.ID, Type: "x", Time: at(0), Envelope: []byte(`{}`)}},
		Attempt:     store.Attempt{ReceiptID: other.Receipt.ID, Step: store.StepHandle, Attempt: 1, StartedAt: at(0), FinishedAt: at(0)},
		Transitions: []store.Transition{{ReceiptID: other.Receipt.ID, To: "bogus", At: at(0)}},
	}
	if _, err := s.RecordStep(ctx, bad); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("RecordStep(bogus status) = %v, want ErrInvalid", err)
	}
	if r := receipt(t, s, other.Receipt.ID); r.Attempts != 0 || len(receiptEvents(t, s, other.Receipt.ID)) != 0 {
		t.Fatalf("a failed RecordStep left attempts %d and events", r.Attempts)
	}
	// An unknown receipt: ErrNotFound.
	if _, err := s.RecordStep(ctx, store.StepRecord{Attempt: store.Attempt{ReceiptID: newID(), Step: store.StepHandle, Attempt: 1, StartedAt: at(0)}}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("RecordStep(unknown receipt) = %v, want ErrNotFound", err)
	}
}

func receiptEvents(t *testing.T, s Store, id string) []store.Event {
	t.Helper()
	es, err := s.ReceiptEvents(context.Background(), id)
	if err != nil {
		t.Fatalf("ReceiptEvents: %v", err)
	}
	return es
}
