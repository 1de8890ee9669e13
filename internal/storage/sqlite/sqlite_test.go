package sqlite_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hookgate/hookgate/internal/storage/sqlite"
	"github.com/hookgate/hookgate/internal/storage/storetest"
	"github.com/hookgate/hookgate/store"
)

func open(t testing.TB) storetest.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "hookgate.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return open(t) })
}

func BenchmarkIngest(b *testing.B) {
	storetest.BenchIngest(b, func(b *testing.B) storetest.Store { return open(b) })
}

func TestOpenPaths(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, dsn, file string
	}{
		{"plain path, parents created", filepath.Join(dir, "a", "b", "x.db"), filepath.Join(dir, "a", "b", "x.db")},
		{"file URL", "file:" + filepath.Join(dir, "c", "y.db"), filepath.Join(dir, "c", "y.db")},
		{"file URL with params", "file://" + filepath.Join(dir, "d", "z.db") + "?cache=private", filepath.Join(dir, "d", "z.db")},
		{"escaped file URL", "file:" + filepath.Join(dir, "e", "w%20v.db"), filepath.Join(dir, "e", "w v.db")},
		{"odd characters", filepath.Join(dir, "f", "q?#%.db"), filepath.Join(dir, "f", "q?#%.db")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, err := sqlite.Open(ctx, tt.dsn)
			if err != nil {
				t.Fatalf("Open(%q): %v", tt.dsn, err)
			}
			defer s.Close()
			if err := s.Migrate(ctx); err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			if err := s.Ping(ctx); err != nil {
				t.Fatalf("Ping: %v", err)
			}
			if _, err := os.Stat(tt.file); err != nil {
				t.Errorf("database file: %v", err)
			}
		})
	}
}

func TestOpenRejects(t *testing.T) {
	for _, dsn := range []string{"", ":memory:", "file::memory:", "file:x.db?mode=memory", "file://example.com/x.db"} {
		s, err := sqlite.Open(context.Background(), dsn)
		if err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", dsn)
		}
	}
	if _, err := sqlite.Open(context.Background(), ":memory:"); !errors.Is(err, sqlite.ErrMemory) {
		t.Errorf("Open(:memory:) = %v, want ErrMemory", err)
	}
}

// TestReopen checks that what was committed is there for the next process.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hookgate.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	d := store.Delivery{
		Receipt: store.Receipt{ID: "r1", Source: "src", Provider: "p", EventID: "e1", Body: []byte("x"), ReceivedAt: time.Now()},
		Audit:   store.AuditRecord{ID: "a1", At: time.Now(), Source: "src", Status: 200},
	}
	if _, err := s.Ingest(ctx, []store.Delivery{d}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = sqlite.Open(ctx, "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := s.Receipt(ctx, "r1")
	if err != nil || string(r.Body) != "x" {
		t.Fatalf("after reopen: %+v, %v", r, err)
	}
	for i := range 2 {
		if err := s.Close(); err != nil {
			t.Errorf("Close #%d: %v", i+1, err)
		}
	}
}
