package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/hookgate/hookgate/store"
)

func refIDs(refs []store.Ref) []string {
	ids := make([]string, len(refs))
	for i, r := range refs {
		ids[i] = r.ID
	}
	return ids
}

func unstarted(t *testing.T, s Store, before time.Time, limit int) []store.Ref {
	t.Helper()
	refs, err := s.Unstarted(context.Background(), before, limit)
	if err != nil {
		t.Fatalf("Unstarted: %v", err)
	}
	return refs
}

func markQueued(t *testing.T, s Store, qs ...store.Queued) {
	t.Helper()
	if err := s.MarkQueued(context.Background(), qs); err != nil {
		t.Fatalf("MarkQueued: %v", err)
	}
}

func testUnstartedAndMarkQueued(t *testing.T, s Store) {
	// Ingested out of order, so "oldest first" cannot come from insertion order.
	r2 := delivery("src", "e2", at(2*time.Second))
	r0 := delivery("src", "e0", at(0))
	r1 := delivery("other", "e1", at(time.Second))
	r3 := delivery("src", "e3", at(3*time.Second))
	ingest(t, s, r2, r0, r1, r3)

	refs := unstarted(t, s, at(3*time.Second), 10) // before is exclusive: r3 not yet
	want := []store.Ref{
		{ID: r0.Receipt.ID, Source: "src", EventID: "e0", EventType: "invoice.paid"},
		{ID: r1.Receipt.ID, Source: "other", EventID: "e1", EventType: "invoice.paid"},
		{ID: r2.Receipt.ID, Source: "src", EventID: "e2", EventType: "invoice.paid"},
	}
	if !reflect.DeepEqual(refs, want) {
		t.Fatalf("Unstarted = %+v\nwant %+v", refs, want)
	}
	if got := refIDs(unstarted(t, s, at(time.Hour), 2)); !reflect.DeepEqual(got, []string{r0.Receipt.ID, r1.Receipt.ID}) {
		t.Errorf("Unstarted(limit 2) = %v, want r0, r1", got)
	}

	// Queue r0; queue r1 only after its workflow already reached processing.
	q0 := store.Queued{ReceiptID: r0.Receipt.ID, WorkflowID: "src/e0", At: at(time.Minute)}
	transition(t, s, r1.Receipt.ID, store.StatusProcessing, at(time.Minute), "")
	q1 := store.Queued{ReceiptID: r1.Receipt.ID, WorkflowID: "other/e1", At: at(2 * time.Minute)}
	unknown := store.Queued{ReceiptID: newID(), WorkflowID: "x/y", At: at(time.Minute)}
	markQueued(t, s, q0, q1, unknown)

	got0 := receipt(t, s, r0.Receipt.ID)
	if got0.Status != store.StatusQueued || got0.WorkflowID != "src/e0" {
		t.Errorf("r0: status %q workflow %q, want queued src/e0", got0.Status, got0.WorkflowID)
	}
	checkTime(t, "r0 queued_at", got0.QueuedAt, q0.At)

	got1 := receipt(t, s, r1.Receipt.ID)
	if got1.Status != store.StatusProcessing {
		t.Errorf("r1: MarkQueued moved status processing → %q", got1.Status)
	}
	// The workflow did start: its ID and time are worth keeping.
	if got1.WorkflowID != "other/e1" {
		t.Errorf("r1: workflow ID = %q, want other/e1", got1.WorkflowID)
	}
	checkTime(t, "r1 queued_at", got1.QueuedAt, q1.At)

	// Idempotent: marking again (a relay retry) changes nothing.
	markQueued(t, s, store.Queued{ReceiptID: r0.Receipt.ID, WorkflowID: "src/e0-again", At: at(time.Hour)})
	if again := receipt(t, s, r0.Receipt.ID); !reflect.DeepEqual(again, got0) {
		t.Errorf("second MarkQueued changed the receipt:\n%+v\nwas %+v", again, got0)
	}
	if err := s.MarkQueued(context.Background(), nil); err != nil {
		t.Errorf("MarkQueued(nil): %v", err)
	}

	// A receipt that completed must not go back to queued either.
	transition(t, s, r2.Receipt.ID, store.StatusCompleted, at(time.Minute), "")
	markQueued(t, s, store.Queued{ReceiptID: r2.Receipt.ID, WorkflowID: "src/e2", At: at(time.Hour)})
	if got := receipt(t, s, r2.Receipt.ID).Status; got != store.StatusCompleted {
		t.Errorf("r2: MarkQueued moved status completed → %q", got)
	}

	if got := refIDs(unstarted(t, s, at(time.Hour), 10)); !reflect.DeepEqual(got, []string{r3.Receipt.ID}) {
		t.Errorf("Unstarted after queueing = %v, want only r3", got)
	}
}

func testTransitions(t *testing.T, s Store) {
	d := delivery("src", "evt", at(0))
	ingest(t, s, d)
	id := d.Receipt.ID

	steps := []struct {
		to                         store.Status
		at                         time.Duration
		err                        string
		wantStarted, wantCompleted time.Duration // -1: zero
		wantLastError              string
	}{
		{store.StatusQueued, 1, "", -1, -1, ""},
		{store.StatusProcessing, 2, "", 2, -1, ""},
		{store.StatusRetrying, 3, "publish: connection refused", 2, -1, "publish: connection refused"},
		// A retry's processing keeps the first start and the last error.
		{store.StatusProcessing, 4, "", 2, -1, "publish: connection refused"},
		{store.StatusCompleted, 6, "", 2, 6, ""},
		// A retried completion records it again.
		{store.StatusCompleted, 7, "", 2, 7, ""},
	}
	for _, st := range steps {
		transition(t, s, id, st.to, at(st.at*time.Second), st.err)
		got := receipt(t, s, id)
		if got.Status != st.to || got.LastError != st.wantLastError {
			t.Errorf("after → %s: status %q, last error %q; want %q, %q", st.to, got.Status, got.LastError, st.to, st.wantLastError)
		}
		wantTime := func(d time.Duration) time.Time {
			if d < 0 {
				return time.Time{}
			}
			return at(d * time.Second)
		}
		checkTime(t, "after → "+string(st.to)+": started_at", got.StartedAt, wantTime(st.wantStarted))
		checkTime(t, "after → "+string(st.to)+": completed_at", got.CompletedAt, wantTime(st.wantCompleted))
		if got.Attempts != 0 || got.Duplicates != 0 || got.Source != "src" {
			t.Errorf("after → %s: unrelated fields changed: %+v", st.to, got)
		}
	}

	err := s.Transition(context.Background(), store.Transition{ReceiptID: id, To: "bogus", At: at(time.Hour)})
	if !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Transition to an unknown status: err = %v, want ErrInvalid", err)
	}
	if got := receipt(t, s, id).Status; got != store.StatusCompleted {
		t.Errorf("a rejected transition changed the status to %q", got)
	}

	// Late moves out of an outcome are conflicts and change nothing: a
	// straggling attempt of a completed receipt, a dead receipt's run.
	ctx := context.Background()
	dead := delivery("src", "dead", at(0))
	ingest(t, s, dead)
	transition(t, s, dead.Receipt.ID, store.StatusProcessing, at(time.Second), "")
	transition(t, s, dead.Receipt.ID, store.StatusDead, at(2*time.Second), "handle: bad payload")
	for _, c := range []struct {
		id   string
		from store.Status
		to   []store.Status
	}{
		{id, store.StatusCompleted, []store.Status{store.StatusRetrying, store.StatusProcessing, store.StatusDead, store.StatusUnhandled, store.StatusQueued, store.StatusVerified}},
		{dead.Receipt.ID, store.StatusDead, []store.Status{store.StatusCompleted, store.StatusRetrying, store.StatusQueued}},
	} {
		for _, to := range c.to {
			err := s.Transition(ctx, store.Transition{ReceiptID: c.id, To: to, At: at(time.Hour), Error: "late"})
			if !errors.Is(err, store.ErrConflict) {
				t.Errorf("Transition %s → %s: %v, want ErrConflict", c.from, to, err)
			}
			if got := receipt(t, s, c.id); got.Status != c.from || got.LastError == "late" {
				t.Errorf("a refused transition %s → %s changed the receipt: %s %q", c.from, to, got.Status, got.LastError)
			}
		}
	}
}

func testAttempts(t *testing.T, s Store) {
	ctx := context.Background()
	d, other := delivery("src", "evt", at(0)), delivery("src", "other", at(0))
	ingest(t, s, d, other)
	id := d.Receipt.ID

	as := []store.Attempt{
		{ReceiptID: id, Step: store.StepPublish, Attempt: 1, StartedAt: at(3 * time.Second), FinishedAt: at(4 * time.Second), Error: "broker down"},
		{ReceiptID: id, Step: store.StepHandle, Attempt: 1, StartedAt: at(time.Second), FinishedAt: at(2 * time.Second)},
		{ReceiptID: id, Step: store.StepPublish, Attempt: 2, StartedAt: at(5 * time.Second)}, // still running
		{ReceiptID: id, Step: "billing.sync", Attempt: 1, StartedAt: at(6 * time.Second), FinishedAt: at(7 * time.Second)},
		{ReceiptID: other.Receipt.ID, Step: store.StepHandle, Attempt: 1, StartedAt: at(0), FinishedAt: at(time.Second)},
	}
	for _, a := range as {
		if err := s.RecordAttempt(ctx, a); err != nil {
			t.Fatalf("RecordAttempt(%+v): %v", a, err)
		}
	}
	// Recording the same attempt again (an activity retried after the write)
	// updates it and does not count it twice.
	as[2].FinishedAt, as[2].Error = at(5500*time.Millisecond), ""
	if err := s.RecordAttempt(ctx, as[2]); err != nil {
		t.Fatalf("RecordAttempt again: %v", err)
	}

	got, err := s.Attempts(ctx, id)
	if err != nil {
		t.Fatalf("Attempts: %v", err)
	}
	want := []store.Attempt{as[1], as[0], as[2], as[3]} // by started_at
	if len(got) != len(want) {
		t.Fatalf("Attempts = %d rows, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.ReceiptID != w.ReceiptID || g.Step != w.Step || g.Attempt != w.Attempt || g.Error != w.Error ||
			!sameTime(g.StartedAt, w.StartedAt) || !sameTime(g.FinishedAt, w.FinishedAt) {
			t.Errorf("attempt %d = %+v, want %+v", i, g, w)
		}
	}
	if n := receipt(t, s, id).Attempts; n != 4 {
		t.Errorf("receipt attempts = %d, want 4", n)
	}
	if n := receipt(t, s, other.Receipt.ID).Attempts; n != 1 {
		t.Errorf("other receipt attempts = %d, want 1", n)
	}
	if got, err := s.Attempts(ctx, newID()); err != nil || len(got) != 0 {
		t.Errorf("Attempts(unknown) = %v, %v; want none", got, err)
	}
}

func events(t *testing.T, s Store, f store.EventFilter) []store.Event {
	t.Helper()
	es, err := s.Events(context.Background(), f)
	if err != nil {
		t.Fatalf("Events(%+v): %v", f, err)
	}
	return es
}

func eventIDs(es []store.Event) []string {
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	return ids
}

func testEvents(t *testing.T, s Store) {
	ctx := context.Background()
	d1, d2 := delivery("src", "e1", at(0)), delivery("src", "e2", at(0))
	ingest(t, s, d1, d2)

	ev := func(id, receiptID string, seq int, typ string, when time.Duration) store.Event {
		return store.Event{
			ID: id, ReceiptID: receiptID, Seq: seq, Type: typ, Subject: "inv_" + id,
			Time:     at(when),
			Envelope: []byte(`{"specversion":"1.0","id":"` + id + `","data":"\u0000"}` + "\x00\xff"),
		}
	}
	es := []store.Event{
		ev("m1", d1.Receipt.ID, 0, "invoice.paid", time.Second),
		ev("m2", d1.Receipt.ID, 1, "customer.updated", 2*time.Second),
		ev("m3", d2.Receipt.ID, 0, "invoice.paid", 3*time.Second),
	}
	if err := s.SaveEvents(ctx, es); err != nil {
		t.Fatalf("SaveEvents: %v", err)
	}
	// Saving again (a retried Handle activity) keeps the stored rows as they are.
	changed := es[0]
	changed.Type, changed.Envelope, changed.Seq = "changed", []byte("{}"), 9
	if err := s.SaveEvents(ctx, []store.Event{changed, ev("m4", d2.Receipt.ID, 1, "invoice.paid", 4*time.Second)}); err != nil {
		t.Fatalf("SaveEvents again: %v", err)
	}
	if err := s.SaveEvents(ctx, nil); err != nil {
		t.Errorf("SaveEvents(nil): %v", err)
	}

	all := events(t, s, store.EventFilter{})
	if got := eventIDs(all); !reflect.DeepEqual(got, []string{"m4", "m3", "m2", "m1"}) {
		t.Fatalf("Events() = %v, want newest first m4 m3 m2 m1", got)
	}
	m1 := all[3]
	if m1.ReceiptID != es[0].ReceiptID || m1.Seq != 0 || m1.Type != "invoice.paid" || m1.Subject != "inv_m1" ||
		!sameTime(m1.Time, es[0].Time) || !bytes.Equal(m1.Envelope, es[0].Envelope) || !m1.PublishedAt.IsZero() {
		t.Errorf("m1 = %+v, want %+v", m1, es[0])
	}

	filters := []struct {
		f    store.EventFilter
		want []string
	}{
		{store.EventFilter{ReceiptID: d1.Receipt.ID}, []string{"m2", "m1"}},
		{store.EventFilter{Type: "invoice.paid"}, []string{"m4", "m3", "m1"}},
		{store.EventFilter{Since: at(2 * time.Second)}, []string{"m4", "m3", "m2"}},
		{store.EventFilter{Type: "invoice.paid", ReceiptID: d2.Receipt.ID, Since: at(4 * time.Second)}, []string{"m4"}},
		{store.EventFilter{Limit: 2}, []string{"m4", "m3"}},
		{store.EventFilter{Type: "nothing"}, []string{}},
	}
	for _, tt := range filters {
		if got := eventIDs(events(t, s, tt.f)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Events(%+v) = %v, want %v", tt.f, got, tt.want)
		}
	}

	// Published: the first confirmation's time is kept; unknown IDs are ignored.
	if err := s.MarkPublished(ctx, []string{"m1", "m3", "nope"}, at(time.Minute)); err != nil {
		t.Fatalf("MarkPublished: %v", err)
	}
	if err := s.MarkPublished(ctx, []string{"m1"}, at(time.Hour)); err != nil {
		t.Fatalf("MarkPublished again: %v", err)
	}
	if err := s.MarkPublished(ctx, nil, at(time.Hour)); err != nil {
		t.Errorf("MarkPublished(nil): %v", err)
	}
	for _, e := range events(t, s, store.EventFilter{}) {
		want := time.Time{}
		if e.ID == "m1" || e.ID == "m3" {
			want = at(time.Minute)
		}
		checkTime(t, e.ID+" published_at", e.PublishedAt, want)
	}
}

func testReplaysAndRequeue(t *testing.T, s Store) {
	ctx := context.Background()
	d := delivery("src", "evt", at(0))
	ingest(t, s, d)
	id := d.Receipt.ID

	markQueued(t, s, store.Queued{ReceiptID: id, WorkflowID: "src/evt", At: at(time.Second)})
	transition(t, s, id, store.StatusProcessing, at(2*time.Second), "")
	if err := s.RecordAttempt(ctx, store.Attempt{ReceiptID: id, Step: store.StepHandle, Attempt: 1, StartedAt: at(2 * time.Second), FinishedAt: at(3 * time.Second), Error: "bad"}); err != nil {
		t.Fatal(err)
	}
	transition(t, s, id, store.StatusDead, at(3*time.Second), "handle: bad payload")

	rs := []store.Replay{
		{ReceiptID: id, At: at(time.Hour + time.Second), Actor: "bob", Reason: "second look"},
		{ReceiptID: id, At: at(time.Hour), Actor: "alice@example.com", Reason: "fixed the handler"},
	}
	for _, r := range rs {
		if err := s.RecordReplay(ctx, r); err != nil {
			t.Fatalf("RecordReplay: %v", err)
		}
	}
	got, err := s.Replays(ctx, id)
	if err != nil {
		t.Fatalf("Replays: %v", err)
	}
	want := []store.Replay{rs[1], rs[0]} // by time
	if len(got) != len(want) {
		t.Fatalf("Replays = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].ReceiptID != want[i].ReceiptID || got[i].Actor != want[i].Actor || got[i].Reason != want[i].Reason ||
			!sameTime(got[i].At, want[i].At) {
			t.Errorf("replay %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if got, err := s.Replays(ctx, newID()); err != nil || len(got) != 0 {
		t.Errorf("Replays(unknown) = %v, %v; want none", got, err)
	}

	gen, err := s.Requeue(ctx, id, at(time.Hour), store.ModeResume)
	if err != nil || gen != 1 {
		t.Fatalf("Requeue = generation %d, %v; want 1", gen, err)
	}
	r := receipt(t, s, id)
	if r.Generation != 1 {
		t.Errorf("after Requeue: generation %d, want 1", r.Generation)
	}
	if r.Status != store.StatusVerified || r.LastError != "" || !r.QueuedAt.IsZero() || !r.StartedAt.IsZero() || !r.CompletedAt.IsZero() {
		t.Errorf("after Requeue: status %q, last error %q, queued %v, started %v, completed %v; want verified and cleared",
			r.Status, r.LastError, r.QueuedAt, r.StartedAt, r.CompletedAt)
	}
	if r.Attempts != 1 {
		t.Errorf("after Requeue: attempts = %d, want 1 (kept)", r.Attempts)
	}
	if !bytes.Equal(r.Body, d.Receipt.Body) || !sameTime(r.ReceivedAt, d.Receipt.ReceivedAt) {
		t.Errorf("after Requeue: body or received_at changed")
	}
	if refs := unstarted(t, s, at(2*time.Hour), 10); !reflect.DeepEqual(refIDs(refs), []string{id}) {
		t.Errorf("Unstarted after Requeue = %v, want the requeued receipt", refIDs(refs))
	} else if !refs[0].Replay || refs[0].Generation != 1 {
		t.Errorf("Unstarted after Requeue: Replay %v generation %d, want a replay of generation 1", refs[0].Replay, refs[0].Generation)
	}
	// Its new run has not ended: a second replay is refused and changes nothing.
	if _, err := s.Requeue(ctx, id, at(time.Hour), store.ModeResume); !errors.Is(err, store.ErrConflict) {
		t.Errorf("Requeue of a receipt whose run has not ended: %v, want ErrConflict", err)
	}
	// The relay can queue it again.
	markQueued(t, s, store.Queued{ReceiptID: id, WorkflowID: "src/evt", At: at(2 * time.Hour)})
	r = receipt(t, s, id)
	if r.Status != store.StatusQueued {
		t.Errorf("MarkQueued after Requeue: status %q, want queued", r.Status)
	}
	checkTime(t, "queued_at after Requeue", r.QueuedAt, at(2*time.Hour))
	for _, st := range []store.Status{store.StatusQueued, store.StatusProcessing, store.StatusRetrying} {
		transition(t, s, id, st, at(2*time.Hour), "")
		if _, err := s.Requeue(ctx, id, at(3*time.Hour), store.ModeResume); !errors.Is(err, store.ErrConflict) {
			t.Errorf("Requeue of a %s receipt: %v, want ErrConflict", st, err)
		}
	}

	// The second run's attempts are recorded beside the first run's.
	if err := s.RecordAttempt(ctx, store.Attempt{ReceiptID: id, Run: 1, Step: store.StepHandle, Attempt: 1, StartedAt: at(2 * time.Hour), FinishedAt: at(2*time.Hour + time.Second)}); err != nil {
		t.Fatal(err)
	}
	transition(t, s, id, store.StatusCompleted, at(3*time.Hour), "")
	if gen, err := s.Requeue(ctx, id, at(4*time.Hour), store.ModeResume); err != nil || gen != 2 {
		t.Errorf("Requeue of a completed receipt = generation %d, %v; want 2", gen, err)
	}
	as, err := s.Attempts(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 2 || as[0].Run != 0 || as[0].Error != "bad" || as[1].Run != 1 || as[1].Error != "" {
		t.Errorf("attempts after two runs = %+v, want run 0's failure then run 1's success", as)
	}
}

func testNotFound(t *testing.T, s Store) {
	ctx := context.Background()
	d := delivery("src", "evt", at(0))
	ingest(t, s, d)
	missing := newID()

	tests := map[string]func() error{
		"Receipt": func() error { _, err := s.Receipt(ctx, missing); return err },
		"ReceiptByEvent unknown event": func() error {
			_, err := s.ReceiptByEvent(ctx, "src", "nope")
			return err
		},
		"ReceiptByEvent other source": func() error {
			_, err := s.ReceiptByEvent(ctx, "other", "evt")
			return err
		},
		"Transition": func() error {
			return s.Transition(ctx, store.Transition{ReceiptID: missing, To: store.StatusProcessing, At: at(0)})
		},
		"RecordAttempt": func() error {
			return s.RecordAttempt(ctx, store.Attempt{ReceiptID: missing, Step: store.StepHandle, Attempt: 1, StartedAt: at(0)})
		},
		"RecordReplay": func() error {
			return s.RecordReplay(ctx, store.Replay{ReceiptID: missing, At: at(0), Actor: "a"})
		},
		"Requeue": func() error { _, err := s.Requeue(ctx, missing, at(0), store.ModeResume); return err },
	}
	for name, call := range tests {
		t.Run(name, func(t *testing.T) {
			if err := call(); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("err = %v, want ErrNotFound", err)
			}
		})
	}
	// The existing receipt is untouched by the failed calls.
	if r := receipt(t, s, d.Receipt.ID); r.Status != store.StatusVerified || r.Attempts != 0 {
		t.Errorf("receipt changed: %+v", r)
	}
}

// testReceiptEvents saves more events for one receipt than a listing page
// holds, stamped later as Seq rises for half of them and earlier for the
// other half, with IDs that do not sort as strings in Seq order, plus another receipt's: ReceiptEvents returns
// exactly the receipt's, all of them, in Seq order.
func testReceiptEvents(t *testing.T, s Store) {
	ctx := context.Background()
	d, other := delivery("src", "many", at(0)), delivery("src", "other", at(0))
	ingest(t, s, d, other)
	const n = store.MaxLimit + 5
	var es []store.Event
	for seq := range n {
		es = append(es, store.Event{
			ID: fmt.Sprintf("%s.%d", d.Receipt.ID, seq), ReceiptID: d.Receipt.ID, Seq: seq, Type: "invoice.paid",
			Time: at(time.Duration((seq%2)*2-1) * time.Duration(seq) * time.Second), Envelope: []byte(`{}`),
		})
	}
	es = append(es, store.Event{ID: other.Receipt.ID + ".0", ReceiptID: other.Receipt.ID, Type: "invoice.paid", Time: at(0), Envelope: []byte(`{}`)})
	for i := 0; i < len(es); i += 500 {
		if err := s.SaveEvents(ctx, es[i:min(i+500, len(es))]); err != nil {
			t.Fatalf("SaveEvents: %v", err)
		}
	}
	got, err := s.ReceiptEvents(ctx, d.Receipt.ID)
	if err != nil {
		t.Fatalf("ReceiptEvents: %v", err)
	}
	if len(got) != n {
		t.Fatalf("ReceiptEvents returned %d events, want %d", len(got), n)
	}
	for i, e := range got {
		if e.Seq != i || e.ID != es[i].ID {
			t.Fatalf("event %d is seq %d (%s), want seq %d (%s)", i, e.Seq, e.ID, i, es[i].ID)
		}
	}
	if none, err := s.ReceiptEvents(ctx, "no-such-receipt"); err != nil || len(none) != 0 {
		t.Errorf("ReceiptEvents of an unknown receipt = %d events, %v; want none", len(none), err)
	}
}

// testUnfinished: only receipts whose workflow started and has not ended
// (queued, processing, retrying) and that were queued before the cut-off are
// returned, oldest first, with their generation.
func testUnfinished(t *testing.T, s Store) {
	ctx := context.Background()
	var ids []string
	for i, st := range []store.Status{store.StatusQueued, store.StatusProcessing, store.StatusRetrying,
		store.StatusCompleted, store.StatusDead, store.StatusVerified, store.StatusQueued} {
		d := delivery("src", fmt.Sprint("evt-", i), at(0))
		ingest(t, s, d)
		ids = append(ids, d.Receipt.ID)
		if st == store.StatusVerified {
			continue
		}
		queuedAt := at(time.Duration(10-i) * time.Minute)
		if i == 6 {
			queuedAt = at(time.Hour) // queued after the cut-off
		}
		markQueued(t, s, store.Queued{ReceiptID: d.Receipt.ID, WorkflowID: "src/evt", At: queuedAt})
		if st != store.StatusQueued {
			transition(t, s, d.Receipt.ID, st, queuedAt, "")
		}
	}
	refs, err := s.Unfinished(ctx, at(30*time.Minute), 100)
	if err != nil {
		t.Fatalf("Unfinished: %v", err)
	}
	if want := []string{ids[2], ids[1], ids[0]}; !reflect.DeepEqual(refIDs(refs), want) {
		t.Errorf("Unfinished = %v, want %v (retrying, processing, queued: oldest queued first)", refIDs(refs), want)
	}
	for _, r := range refs {
		if r.Generation != 0 || r.Replay || r.Source != "src" {
			t.Errorf("Unfinished ref %+v, want a first run of src", r)
		}
	}
}

// testClaim: concurrent claims take disjoint receipts, oldest first; a claim
// expires after its lease; a requeued receipt is claimed for its replay's own
// start.
func testClaim(t *testing.T, s Store) {
	ctx := context.Background()
	var ds []store.Delivery
	for i := range 40 {
		ds = append(ds, delivery("src", fmt.Sprint("evt-", i), at(time.Duration(i)*time.Second)))
	}
	ingest(t, s, ds...)
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			refs, err := s.Claim(ctx, at(time.Hour), 15, time.Hour)
			if err != nil {
				t.Errorf("Claim: %v", err)
				return
			}
			for i := 1; i < len(refs); i++ {
				if refs[i].ID < refs[i-1].ID { // UUIDv7 IDs of deliveries made in time order
					t.Errorf("Claim returned %s before %s: want oldest first", refs[i-1].ID, refs[i].ID)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for _, r := range refs {
				seen[r.ID]++
			}
		}()
	}
	wg.Wait()
	if len(seen) != 40 {
		t.Errorf("4 concurrent claims of 15 took %d receipts, want all 40", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("receipt %s claimed %d times", id, n)
		}
	}
	if again, err := s.Claim(ctx, at(time.Hour), 100, time.Hour); err != nil || len(again) != 0 {
		t.Errorf("Claim while all are held = %d receipts, %v; want none", len(again), err)
	}

	// A short lease expires: the receipt is claimed again.
	d := delivery("lease", "evt", at(0))
	ingest(t, s, d)
	if got, err := s.Claim(ctx, at(time.Hour), 100, time.Millisecond); err != nil || len(got) != 1 || got[0].ID != d.Receipt.ID {
		t.Fatalf("Claim = %v, %v; want the new receipt", refIDs(got), err)
	}
	time.Sleep(50 * time.Millisecond)
	if got, err := s.Claim(ctx, at(time.Hour), 100, time.Hour); err != nil || len(got) != 1 || got[0].ID != d.Receipt.ID {
		t.Errorf("Claim after the lease = %v, %v; want the receipt again", refIDs(got), err)
	}

	// A requeued receipt is held for its replay's own start.
	r := delivery("replay", "evt", at(0))
	ingest(t, s, r)
	markQueued(t, s, store.Queued{ReceiptID: r.Receipt.ID, WorkflowID: "replay/evt", At: at(time.Second)})
	transition(t, s, r.Receipt.ID, store.StatusCompleted, at(2*time.Second), "")
	if _, err := s.Requeue(ctx, r.Receipt.ID, at(time.Hour), store.ModeResume); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Claim(ctx, at(2*time.Hour), 100, time.Hour); err != nil || len(got) != 0 {
		t.Errorf("Claim just after a Requeue = %v, %v; want nothing (the replay holds it)", refIDs(got), err)
	}
}
