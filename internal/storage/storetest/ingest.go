package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/hookgate/hookgate/store"
)

func testPing(t *testing.T, s Store) {
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

// checkNew checks a freshly ingested receipt against the delivery that made it.
func checkNew(t *testing.T, got store.Receipt, d store.Delivery, duplicates int) {
	t.Helper()
	want := d.Receipt
	if got.ID != want.ID || got.Source != want.Source || got.Provider != want.Provider ||
		got.EventID != want.EventID || got.EventType != want.EventType || got.ContentType != want.ContentType {
		t.Errorf("receipt identity = %q %q %q %q %q %q, want %q %q %q %q %q %q",
			got.ID, got.Source, got.Provider, got.EventID, got.EventType, got.ContentType,
			want.ID, want.Source, want.Provider, want.EventID, want.EventType, want.ContentType)
	}
	if got.Status != store.StatusVerified {
		t.Errorf("status = %q, want %q", got.Status, store.StatusVerified)
	}
	if !bytes.Equal(got.Body, want.Body) {
		t.Errorf("body = %q, want %q", got.Body, want.Body)
	}
	if !reflect.DeepEqual(got.Header, want.Header) {
		t.Errorf("header = %v, want %v", got.Header, want.Header)
	}
	checkTime(t, "received_at", got.ReceivedAt, want.ReceivedAt)
	checkTime(t, "queued_at", got.QueuedAt, time.Time{})
	checkTime(t, "started_at", got.StartedAt, time.Time{})
	checkTime(t, "completed_at", got.CompletedAt, time.Time{})
	if got.WorkflowID != "" || got.Attempts != 0 || got.LastError != "" {
		t.Errorf("workflow_id, attempts, last_error = %q, %d, %q; want empty", got.WorkflowID, got.Attempts, got.LastError)
	}
	if got.Duplicates != duplicates {
		t.Errorf("duplicates = %d, want %d", got.Duplicates, duplicates)
	}
}

// auditByID lists a source's audit records, keyed by ID.
func auditByID(t *testing.T, s Store, source string) map[string]store.AuditRecord {
	t.Helper()
	recs, err := s.ListAudit(context.Background(), store.AuditFilter{Source: source, Limit: store.MaxLimit})
	if err != nil {
		t.Fatalf("ListAudit: %v", err)
	}
	m := make(map[string]store.AuditRecord, len(recs))
	for _, r := range recs {
		m[r.ID] = r
	}
	return m
}

// checkAudit checks that the delivery's audit row exists with outcome and receipt.
func checkAudit(t *testing.T, recs map[string]store.AuditRecord, d store.Delivery, outcome store.Outcome, receiptID string) {
	t.Helper()
	a, ok := recs[d.Audit.ID]
	if !ok {
		t.Errorf("no audit row %s for delivery %s", d.Audit.ID, d.Receipt.ID)
		return
	}
	if a.Outcome != outcome || a.ReceiptID != receiptID || a.EventID != d.Receipt.EventID {
		t.Errorf("audit %s: outcome %q receipt %q event %q; want %q %q %q",
			a.ID, a.Outcome, a.ReceiptID, a.EventID, outcome, receiptID, d.Receipt.EventID)
	}
}

func testIngestNew(t *testing.T, s Store) {
	ds := []store.Delivery{
		delivery("stripe-main", "evt_1", at(0)),
		delivery("stripe-main", "evt_2", at(time.Second)),
		delivery("github", "evt_1", at(2*time.Second)), // same event ID, other source: distinct
	}
	ds[2].Receipt.Provider, ds[2].Receipt.EventType = "github", "push"
	// The store decides these, whatever the caller left in them.
	ds[1].Receipt.Status = store.StatusCompleted
	ds[1].Receipt.Attempts = 3
	ds[1].Audit.Outcome = store.OutcomeRejected

	res := ingest(t, s, ds...)
	for i, r := range res {
		if r.Duplicate || r.ReceiptID != ds[i].Receipt.ID {
			t.Errorf("result %d = %+v, want new receipt %s", i, r, ds[i].Receipt.ID)
		}
	}
	for _, d := range ds {
		checkNew(t, receipt(t, s, d.Receipt.ID), d, 0)
		byEvent, err := s.ReceiptByEvent(context.Background(), d.Receipt.Source, d.Receipt.EventID)
		if err != nil {
			t.Fatalf("ReceiptByEvent: %v", err)
		}
		checkNew(t, byEvent, d, 0)
	}
	recs := auditByID(t, s, "stripe-main")
	if len(recs) != 2 {
		t.Errorf("stripe-main has %d audit rows, want 2", len(recs))
	}
	checkAudit(t, recs, ds[0], store.OutcomeAccepted, ds[0].Receipt.ID)
	checkAudit(t, recs, ds[1], store.OutcomeAccepted, ds[1].Receipt.ID)
	checkAudit(t, auditByID(t, s, "github"), ds[2], store.OutcomeAccepted, ds[2].Receipt.ID)
}

func testIngestEmpty(t *testing.T, s Store) {
	for _, ds := range [][]store.Delivery{nil, {}} {
		res, err := s.Ingest(context.Background(), ds)
		if err != nil || len(res) != 0 {
			t.Errorf("Ingest(%v) = %v, %v; want no results, no error", ds, res, err)
		}
	}
}

func testIngestDuplicateLaterBatch(t *testing.T, s Store) {
	first := delivery("src", "evt", at(0))
	ingest(t, s, first)

	var dups []store.Delivery
	for i := range 2 {
		d := delivery("src", "evt", at(time.Duration(i+1)*time.Minute))
		d.Receipt.Body = []byte("a different body: the first delivery's is kept")
		dups = append(dups, d)
		res := ingest(t, s, d)
		if !res[0].Duplicate || res[0].ReceiptID != first.Receipt.ID {
			t.Fatalf("redelivery %d: result %+v, want duplicate of %s", i, res[0], first.Receipt.ID)
		}
	}

	checkNew(t, receipt(t, s, first.Receipt.ID), first, 2)
	for _, d := range dups {
		if _, err := s.Receipt(context.Background(), d.Receipt.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("duplicate's own ID %s: err = %v, want ErrNotFound", d.Receipt.ID, err)
		}
	}
	recs := auditByID(t, s, "src")
	if len(recs) != 3 {
		t.Errorf("%d audit rows, want 3", len(recs))
	}
	checkAudit(t, recs, first, store.OutcomeAccepted, first.Receipt.ID)
	for _, d := range dups {
		checkAudit(t, recs, d, store.OutcomeDuplicate, first.Receipt.ID)
	}
}

func testIngestDuplicateSameBatch(t *testing.T, s Store) {
	old := delivery("src", "old", at(0))
	ingest(t, s, old)

	a := delivery("src", "a", at(time.Second))
	a2 := delivery("src", "a", at(time.Second))
	b := delivery("src", "b", at(time.Second))
	a3 := delivery("src", "a", at(time.Second))
	old2 := delivery("src", "old", at(time.Second))
	old3 := delivery("src", "old", at(time.Second))
	batch := []store.Delivery{a, a2, b, a3, old2, old3}
	res := ingest(t, s, batch...)

	want := []store.IngestResult{
		{ReceiptID: a.Receipt.ID},
		{ReceiptID: a.Receipt.ID, Duplicate: true},
		{ReceiptID: b.Receipt.ID},
		{ReceiptID: a.Receipt.ID, Duplicate: true},
		{ReceiptID: old.Receipt.ID, Duplicate: true},
		{ReceiptID: old.Receipt.ID, Duplicate: true},
	}
	if !reflect.DeepEqual(res, want) {
		t.Errorf("results = %+v\nwant %+v", res, want)
	}
	checkNew(t, receipt(t, s, a.Receipt.ID), a, 2)
	checkNew(t, receipt(t, s, b.Receipt.ID), b, 0)
	checkNew(t, receipt(t, s, old.Receipt.ID), old, 2)

	recs := auditByID(t, s, "src")
	if len(recs) != 7 {
		t.Errorf("%d audit rows, want 7", len(recs))
	}
	for i, d := range batch {
		outcome := store.OutcomeAccepted
		if want[i].Duplicate {
			outcome = store.OutcomeDuplicate
		}
		checkAudit(t, recs, d, outcome, want[i].ReceiptID)
	}
}

// testIngestConcurrent races 8 writers over the same keys, each batch naming
// them in a different order: exactly one receipt per key, every other delivery
// counted as its duplicate, and no deadlock.
func testIngestConcurrent(t *testing.T, s Store) {
	const writers = 8
	// Enough shared keys that the writers' statements overlap in time: with
	// a handful, each batch is done before the next one starts.
	keys := make([]string, 100) // 8×101 audit rows: within one ListAudit page
	for i := range keys {
		keys[i] = fmt.Sprintf("k%03d", i)
	}
	batches := make([][]store.Delivery, writers)
	for w := range batches {
		for i := range keys {
			k := keys[(i+w*len(keys)/writers)%len(keys)]
			batches[w] = append(batches[w], delivery("race", k, at(time.Duration(w)*time.Millisecond)))
		}
		// One key of its own, so every batch also inserts.
		batches[w] = append(batches[w], delivery("race", fmt.Sprintf("own-%d", w), at(0)))
	}

	results := make([][]store.IngestResult, writers)
	errs := make([]error, writers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w := range batches {
		wg.Go(func() {
			<-start
			results[w], errs[w] = s.Ingest(context.Background(), batches[w])
		})
	}
	close(start)
	wg.Wait()
	for w, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: Ingest: %v", w, err)
		}
	}

	winners := map[string]string{} // event ID → receipt ID
	for w, res := range results {
		for i, r := range res {
			ev := batches[w][i].Receipt.EventID
			if r.Duplicate {
				continue
			}
			if r.ReceiptID != batches[w][i].Receipt.ID {
				t.Errorf("writer %d, %s: new result names receipt %s, not its own %s", w, ev, r.ReceiptID, batches[w][i].Receipt.ID)
			}
			if prev, ok := winners[ev]; ok {
				t.Errorf("%s inserted twice: %s and %s", ev, prev, r.ReceiptID)
			}
			winners[ev] = r.ReceiptID
		}
	}
	if len(winners) != len(keys)+writers {
		t.Fatalf("%d keys inserted, want %d", len(winners), len(keys)+writers)
	}
	recs := auditByID(t, s, "race")
	if len(recs) != writers*(len(keys)+1) {
		t.Errorf("%d audit rows, want %d", len(recs), writers*(len(keys)+1))
	}
	for w, res := range results {
		for i, r := range res {
			d := batches[w][i]
			if r.ReceiptID != winners[d.Receipt.EventID] {
				t.Errorf("writer %d, %s: result names %s, winner is %s", w, d.Receipt.EventID, r.ReceiptID, winners[d.Receipt.EventID])
			}
			outcome := store.OutcomeAccepted
			if r.Duplicate {
				outcome = store.OutcomeDuplicate
			}
			checkAudit(t, recs, d, outcome, winners[d.Receipt.EventID])
		}
	}
	for _, k := range keys {
		if got := receipt(t, s, winners[k]); got.Duplicates != writers-1 {
			t.Errorf("%s: duplicates = %d, want %d", k, got.Duplicates, writers-1)
		}
	}
}

// testIngestAtomic checks that a failing batch commits nothing: not its new
// receipts, not its duplicate counts, not its audit rows.
func testIngestAtomic(t *testing.T, s Store) {
	ctx := context.Background()
	first := delivery("src", "first", at(0))
	ingest(t, s, first)

	tests := []struct {
		name  string
		batch func() []store.Delivery
	}{
		{"audit ID already stored", func() []store.Delivery {
			bad := delivery("src", "bad", at(time.Second))
			bad.Audit.ID = first.Audit.ID
			return []store.Delivery{delivery("src", "new", at(time.Second)), delivery("src", "first", at(time.Second)), bad}
		}},
		{"audit ID twice in the batch", func() []store.Delivery {
			x, y := delivery("src", "new", at(time.Second)), delivery("src", "first", at(time.Second))
			y.Audit.ID = x.Audit.ID
			return []store.Delivery{x, y}
		}},
		{"receipt ID already stored", func() []store.Delivery {
			bad := delivery("src", "other", at(time.Second))
			bad.Receipt.ID = first.Receipt.ID
			return []store.Delivery{delivery("src", "new", at(time.Second)), delivery("src", "first", at(time.Second)), bad}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			batch := tt.batch()
			if res, err := s.Ingest(ctx, batch); err == nil {
				t.Fatalf("Ingest succeeded: %+v", res)
			}
			for _, d := range batch {
				if d.Receipt.ID == first.Receipt.ID {
					continue
				}
				if _, err := s.Receipt(ctx, d.Receipt.ID); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("receipt %s of the failed batch: err = %v, want ErrNotFound", d.Receipt.EventID, err)
				}
			}
			if _, err := s.ReceiptByEvent(ctx, "src", "new"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("event of the failed batch: err = %v, want ErrNotFound", err)
			}
			if got := receipt(t, s, first.Receipt.ID); got.Duplicates != 0 {
				t.Errorf("duplicates of the stored receipt = %d after a failed batch, want 0", got.Duplicates)
			}
			if recs := auditByID(t, s, "src"); len(recs) != 1 {
				t.Errorf("%d audit rows after a failed batch, want 1", len(recs))
			}
		})
	}

	// The store is still usable, and the failed deliveries can be retried.
	res := ingest(t, s, delivery("src", "new", at(time.Second)), delivery("src", "first", at(time.Second)))
	if res[0].Duplicate || !res[1].Duplicate {
		t.Errorf("retry after failures: %+v, want new then duplicate", res)
	}
}

func testBodies(t *testing.T, s Store) {
	random := make([]byte, 1<<20)
	if _, err := rand.Read(random); err != nil {
		t.Fatal(err)
	}
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	tests := map[string][]byte{
		"nil":          nil,
		"empty":        {},
		"nul":          {0},
		"nuls inside":  []byte("a\x00b\x00\x00c"),
		"invalid utf8": []byte("\xff\xfe\xc3\x28 \xed\xa0\x80"),
		"every byte":   all,
		"trailing ws":  []byte("{}\r\n \t"),
		"1 MiB random": random,
	}
	var ds []store.Delivery
	var names []string
	for name, body := range tests {
		d := delivery("bodies", name, at(0))
		d.Receipt.Body = body
		ds = append(ds, d)
		names = append(names, name)
	}
	ingest(t, s, ds...)
	for i, d := range ds {
		got := receipt(t, s, d.Receipt.ID)
		if !bytes.Equal(got.Body, d.Receipt.Body) {
			t.Errorf("%s: body of %d bytes read back as %d bytes, differing", names[i], len(d.Receipt.Body), len(got.Body))
		}
	}
}

func testHeaders(t *testing.T, s Store) {
	tests := map[string]http.Header{
		"nil":           nil,
		"multi-valued":  {"X-Forwarded-For": {"10.0.0.1", "10.0.0.2"}, "Content-Type": {"application/json"}},
		"non-canonical": {"x-github-event": {"push"}, "X-GitHub-Delivery": {"72d3162e"}},
		"unicode":       {"X-Name": {"héllo ✓", ""}},
		"escapes":       {"X-Quote": {`"<&>\` + "\t"}},
	}
	var ds []store.Delivery
	var names []string
	for name, h := range tests {
		d := delivery("headers", name, at(0))
		d.Receipt.Header = h
		d.Audit.Header = h
		ds = append(ds, d)
		names = append(names, name)
	}
	ingest(t, s, ds...)
	recs := auditByID(t, s, "headers")
	for i, d := range ds {
		got := receipt(t, s, d.Receipt.ID).Header
		aud := recs[d.Audit.ID].Header
		if len(d.Receipt.Header) == 0 {
			if len(got) != 0 || len(aud) != 0 {
				t.Errorf("%s: header read back as %v (receipt), %v (audit)", names[i], got, aud)
			}
			continue
		}
		if !reflect.DeepEqual(got, d.Receipt.Header) {
			t.Errorf("%s: receipt header = %v, want %v", names[i], got, d.Receipt.Header)
		}
		if !reflect.DeepEqual(aud, d.Receipt.Header) {
			t.Errorf("%s: audit header = %v, want %v", names[i], aud, d.Receipt.Header)
		}
	}
}

// testTimePrecision checks that times come back in UTC at microsecond
// precision, whatever location and precision they were given in.
func testTimePrecision(t *testing.T, s Store) {
	loc := time.FixedZone("UTC+5:30", 5*3600+1800)
	given := time.Date(2026, 1, 2, 8, 34, 5, 123456789, loc)
	want := time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)

	d := delivery("times", "evt", given)
	ingest(t, s, d)
	checkTime(t, "received_at", receipt(t, s, d.Receipt.ID).ReceivedAt, want)

	transition(t, s, d.Receipt.ID, store.StatusProcessing, given.Add(time.Second), "")
	transition(t, s, d.Receipt.ID, store.StatusCompleted, given.Add(2*time.Second), "")
	got := receipt(t, s, d.Receipt.ID)
	checkTime(t, "started_at", got.StartedAt, want.Add(time.Second))
	checkTime(t, "completed_at", got.CompletedAt, want.Add(2*time.Second))

	recs := auditByID(t, s, "times")
	checkTime(t, "audit at", recs[d.Audit.ID].At, want)
}
