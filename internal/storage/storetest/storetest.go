// Package storetest is the conformance suite every store implementation runs:
// the same behaviour, checked the same way, against PostgreSQL and SQLite.
//
// An implementation's test calls Run with a function that opens its store on a
// fresh, empty database:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) storetest.Store {
//			s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "hookgate.db"))
//			if err != nil {
//				t.Fatal(err)
//			}
//			return s
//		})
//	}
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hookgate/hookgate/store"
)

// Store is every method a hookgate store implements. Consumers declare the few
// they need; the suite needs them all.
type Store interface {
	Ping(ctx context.Context) error
	Close() error
	Migrate(ctx context.Context) error
	Ingest(ctx context.Context, ds []store.Delivery) ([]store.IngestResult, error)
	Audit(ctx context.Context, rs []store.AuditRecord) error
	Unstarted(ctx context.Context, before time.Time, limit int) ([]store.Ref, error)
	Unfinished(ctx context.Context, before time.Time, limit int) ([]store.Ref, error)
	Claim(ctx context.Context, before time.Time, limit int, lease time.Duration) ([]store.Ref, error)
	MarkQueued(ctx context.Context, qs []store.Queued) error
	Receipt(ctx context.Context, id string) (store.Receipt, error)
	ReceiptByEvent(ctx context.Context, source, eventID string) (store.Receipt, error)
	Transition(ctx context.Context, tr store.Transition) error
	RecordAttempt(ctx context.Context, a store.Attempt) error
	RecordStep(ctx context.Context, r store.StepRecord) ([]store.Transition, error)
	Attempts(ctx context.Context, receiptID string) ([]store.Attempt, error)
	SaveEvents(ctx context.Context, es []store.Event) error
	MarkPublished(ctx context.Context, ids []string, at time.Time) error
	Events(ctx context.Context, f store.EventFilter) ([]store.Event, error)
	ReceiptEvents(ctx context.Context, receiptID string) ([]store.Event, error)
	ListReceipts(ctx context.Context, f store.Filter) (store.Page, error)
	ListAudit(ctx context.Context, f store.AuditFilter) ([]store.AuditRecord, error)
	RecordReplay(ctx context.Context, r store.Replay) error
	Replays(ctx context.Context, receiptID string) ([]store.Replay, error)
	Requeue(ctx context.Context, receiptID string, at time.Time, mode store.ReplayMode) (int, error)
	RedactHeaders(ctx context.Context, source string, names []string) (int64, error)
	RecordSourceSecret(ctx context.Context, source, secret string, at time.Time) (string, error)
	SourceSecret(ctx context.Context, source string) (string, error)
	ForgetSourceSecret(ctx context.Context, source string) (bool, error)
	ProbeWrite(ctx context.Context) error
}

// Run runs the conformance suite. open must return a store on a fresh, empty
// database each time it is called (each subtest calls it once, and subtests run
// in parallel); the suite migrates the store and closes it when the subtest ends.
func Run(t *testing.T, open func(t *testing.T) Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"Ping", testPing},
		{"SourceSecrets", testSourceSecrets},
		{"ProbeWrite", testProbeWrite},
		{"IngestNew", testIngestNew},
		{"IngestEmpty", testIngestEmpty},
		{"IngestDuplicateLaterBatch", testIngestDuplicateLaterBatch},
		{"IngestDuplicateSameBatch", testIngestDuplicateSameBatch},
		{"IngestConcurrent", testIngestConcurrent},
		{"IngestAtomic", testIngestAtomic},
		{"Bodies", testBodies},
		{"Headers", testHeaders},
		{"TimePrecision", testTimePrecision},
		{"UnstartedAndMarkQueued", testUnstartedAndMarkQueued},
		{"Transitions", testTransitions},
		{"Attempts", testAttempts},
		{"RecordStep", testRecordStep},
		{"Events", testEvents},
		{"ReceiptEvents", testReceiptEvents},
		{"Unfinished", testUnfinished},
		{"Claim", testClaim},
		{"ContentDedupe", testContentDedupe},
		{"ListReceipts", testListReceipts},
		{"ListReceiptsLimits", testListReceiptsLimits},
		{"ListReceiptsInvalid", testListReceiptsInvalid},
		{"Audit", testAudit},
		{"AuditAtomic", testAuditAtomic},
		{"ReplaysAndRequeue", testReplaysAndRequeue},
		{"NotFound", testNotFound},
		{"TraceParent", testTraceParent},
		{"RedactHeaders", testRedactHeaders},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, setup(t, open))
		})
	}
}

// setup opens a store, closes it at the end of the test, and migrates it twice:
// Migrate must be idempotent, because every process runs it at start.
func setup(t *testing.T, open func(t *testing.T) Store) Store {
	t.Helper()
	s := open(t)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	for i := range 2 {
		if err := s.Migrate(context.Background()); err != nil {
			t.Fatalf("Migrate #%d: %v", i+1, err)
		}
	}
	return s
}

// base is the suite's reference time: microsecond-aligned, UTC.
var base = time.Date(2026, 3, 14, 15, 9, 26, 535897000, time.UTC)

// at returns base plus d.
func at(d time.Duration) time.Time { return base.Add(d) }

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// delivery returns a verified delivery of (source, eventID) received at t.
func delivery(source, eventID string, t time.Time) store.Delivery {
	id := newID()
	return store.Delivery{
		Receipt: store.Receipt{
			ID:          id,
			Source:      source,
			Provider:    "stripe",
			EventID:     eventID,
			EventType:   "invoice.paid",
			ContentType: "application/json",
			Header: map[string][]string{
				"Content-Type":     {"application/json"},
				"Stripe-Signature": {"[redacted]"},
			},
			Body:       []byte(`{"id":"` + eventID + `"}`),
			ReceivedAt: t,
		},
		Audit: store.AuditRecord{
			ID:       newID(),
			At:       t,
			Source:   source,
			RemoteIP: "203.0.113.7",
			Method:   "POST",
			Path:     "/webhooks/" + source,
			Header:   map[string][]string{"Content-Type": {"application/json"}},
			BodySize: int64(len(eventID) + 9),
			Status:   200,
			EventID:  eventID,
		},
	}
}

// ingest ingests ds and fails the test on error.
func ingest(t *testing.T, s Store, ds ...store.Delivery) []store.IngestResult {
	t.Helper()
	res, err := s.Ingest(context.Background(), ds)
	if err != nil {
		t.Fatalf("Ingest: %v", err)
	}
	if len(res) != len(ds) {
		t.Fatalf("Ingest returned %d results for %d deliveries", len(res), len(ds))
	}
	return res
}

// receipt loads a receipt and fails the test on error.
func receipt(t *testing.T, s Store, id string) store.Receipt {
	t.Helper()
	r, err := s.Receipt(context.Background(), id)
	if err != nil {
		t.Fatalf("Receipt(%s): %v", id, err)
	}
	return r
}

// transition applies a transition and fails the test on error.
func transition(t *testing.T, s Store, id string, to store.Status, when time.Time, errText string) {
	t.Helper()
	tr := store.Transition{ReceiptID: id, To: to, At: when, Error: errText}
	if err := s.Transition(context.Background(), tr); err != nil {
		t.Fatalf("Transition(%s → %s): %v", id, to, err)
	}
}

// sameTime reports whether got is want, in UTC (zero stays zero).
func sameTime(got, want time.Time) bool {
	if want.IsZero() {
		return got.IsZero()
	}
	return got.Equal(want) && got.Location() == time.UTC
}

// checkTime fails the test when got is not want in UTC.
func checkTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !sameTime(got, want) {
		t.Errorf("%s = %v, want %v (UTC)", what, got, want)
	}
}
