package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/hookgate/hookgate/store"
)

// StatsStore is a Store with the operations methods (statistics and the
// relay's lag).
type StatsStore interface {
	Store
	Stats(ctx context.Context, f store.StatsFilter) ([]store.StatusStats, error)
	OldestUnstarted(ctx context.Context) (time.Time, int, error)
}

// RunStats runs the conformance subtests of the operations methods. open works
// as for Run.
func RunStats(t *testing.T, open func(t *testing.T) StatsStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s StatsStore)
	}{
		{"Stats", testStats},
		{"StatsEmpty", testStatsEmpty},
		{"OldestUnstarted", testOldestUnstarted},
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

// finished ingests (source, eventID) received at recv and moves it to status to
// after d (zero d: left verified).
func finished(t *testing.T, s Store, source, eventID string, recv time.Time, to store.Status, d time.Duration) {
	t.Helper()
	dl := delivery(source, eventID, recv)
	ingest(t, s, dl)
	if to != store.StatusVerified {
		transition(t, s, dl.Receipt.ID, to, recv.Add(d), "")
	}
}

func testStats(t *testing.T, s StatsStore) {
	// Source a: five completed (1, 2, 3, 4 and 10 s), one dead (20 s), one
	// still verified; source b: one completed inside the range, one before it.
	for i, d := range []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 4 * time.Second, 10 * time.Second} {
		finished(t, s, "a", "c"+string(rune('0'+i)), at(time.Duration(i)*time.Minute), store.StatusCompleted, d)
	}
	finished(t, s, "a", "dead", at(10*time.Minute), store.StatusDead, 20*time.Second)
	finished(t, s, "a", "new", at(11*time.Minute), store.StatusVerified, 0)
	finished(t, s, "b", "in", at(12*time.Minute), store.StatusCompleted, 1500*time.Microsecond)
	finished(t, s, "b", "before", at(-time.Hour), store.StatusCompleted, time.Second)

	a := []store.StatusStats{
		// p95 of 1,2,3,4,10 s: rank 0.95·4 = 3.8, so 4 s + 0.8·(10 s - 4 s).
		{Source: "a", Status: store.StatusCompleted, Count: 5, Processed: 5, AvgProcessing: 4 * time.Second, P95Processing: 8800 * time.Millisecond},
		{Source: "a", Status: store.StatusDead, Count: 1, Processed: 1, AvgProcessing: 20 * time.Second, P95Processing: 20 * time.Second},
		{Source: "a", Status: store.StatusVerified, Count: 1},
	}
	b := store.StatusStats{Source: "b", Status: store.StatusCompleted, Count: 1, Processed: 1, AvgProcessing: 1500 * time.Microsecond, P95Processing: 1500 * time.Microsecond}
	tests := []struct {
		name string
		f    store.StatsFilter
		want []store.StatusStats
	}{
		{"range", store.StatsFilter{Since: at(0), Until: at(time.Hour)}, append(append([]store.StatusStats{}, a...), b)},
		{"one source", store.StatsFilter{Source: "a"}, a},
		{"until is exclusive", store.StatsFilter{Source: "b", Since: at(0), Until: at(12 * time.Minute)}, nil},
		{"since is inclusive", store.StatsFilter{Source: "b", Since: at(12 * time.Minute)}, []store.StatusStats{b}},
		{"unknown source", store.StatsFilter{Source: "zzz"}, nil},
	}
	for _, tt := range tests {
		got, err := s.Stats(context.Background(), tt.f)
		if err != nil {
			t.Fatalf("%s: Stats: %v", tt.name, err)
		}
		if len(got) == 0 && len(tt.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Stats =\n%+v\nwant\n%+v", tt.name, got, tt.want)
		}
	}
}

func testStatsEmpty(t *testing.T, s StatsStore) {
	got, err := s.Stats(context.Background(), store.StatsFilter{})
	if err != nil {
		t.Fatalf("Stats of an empty store: %v", err)
	}
	if len(got) != 0 {
		t.Errorf("Stats of an empty store = %+v, want none", got)
	}
}

func testOldestUnstarted(t *testing.T, s StatsStore) {
	ctx := context.Background()
	oldest, n, err := s.OldestUnstarted(ctx)
	if err != nil || !oldest.IsZero() || n != 0 {
		t.Fatalf("OldestUnstarted of an empty store = %v, %d, %v; want zero, 0, nil", oldest, n, err)
	}
	r1 := delivery("src", "e1", at(time.Second))
	r0 := delivery("src", "e0", at(0))
	r2 := delivery("src", "e2", at(2*time.Second))
	ingest(t, s, r1, r0, r2)
	oldest, n, err = s.OldestUnstarted(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkTime(t, "oldest unstarted", oldest, at(0))
	if n != 3 {
		t.Errorf("backlog = %d, want 3", n)
	}
	markQueued(t, s, store.Queued{ReceiptID: r0.Receipt.ID, WorkflowID: "src/e0", At: at(time.Minute)})
	oldest, n, err = s.OldestUnstarted(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkTime(t, "oldest unstarted after queueing it", oldest, at(time.Second))
	if n != 2 {
		t.Errorf("backlog = %d, want 2", n)
	}
}
