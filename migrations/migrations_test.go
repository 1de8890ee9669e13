package migrations_test

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/hookgate/hookgate/internal/testing/testenv"
	"github.com/hookgate/hookgate/migrations"
)

func openDB(t *testing.T, d migrations.Dialect) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	switch d {
	case migrations.Postgres:
		db, err = sql.Open("pgx", testenv.PostgresURL(t))
	case migrations.SQLite:
		db, err = sql.Open("sqlite", filepath.Join(t.TempDir(), "m.db"))
	}
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestUpAndStatus(t *testing.T) {
	tables := []string{"receipts", "audit", "attempts", "events", "replays"}
	for _, d := range []migrations.Dialect{migrations.Postgres, migrations.SQLite} {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := openDB(t, d)

			before, err := migrations.Status(ctx, db, d)
			if err != nil {
				t.Fatalf("Status before Up: %v", err)
			}
			if len(before) == 0 {
				t.Fatal("Status lists no migrations")
			}
			for _, m := range before {
				if m.Applied || !m.AppliedAt.IsZero() {
					t.Errorf("before Up, %s reported applied", m.Name)
				}
			}

			// Twice: the second run must find nothing to do and not fail.
			for i := range 2 {
				if err := migrations.Up(ctx, db, d); err != nil {
					t.Fatalf("Up #%d: %v", i+1, err)
				}
			}

			after, err := migrations.Status(ctx, db, d)
			if err != nil {
				t.Fatalf("Status after Up: %v", err)
			}
			if len(after) != len(before) {
				t.Fatalf("Status lists %d migrations after Up, %d before", len(after), len(before))
			}
			for i, m := range after {
				if !m.Applied || m.AppliedAt.IsZero() {
					t.Errorf("after Up, %s not reported applied: %+v", m.Name, m)
				}
				if m.Version != before[i].Version || m.Name != before[i].Name {
					t.Errorf("migration %d: %v/%s after, %v/%s before", i, m.Version, m.Name, before[i].Version, before[i].Name)
				}
			}
			if after[0].Version != 1 || after[0].Name != "00001_initial.sql" {
				t.Errorf("first migration = %d %q, want 1 00001_initial.sql", after[0].Version, after[0].Name)
			}

			for _, table := range tables {
				var n int
				if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
					t.Errorf("table %s: %v", table, err)
				}
			}
		})
	}
}

func TestUnknownDialect(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, d := range []migrations.Dialect{"", "mysql", "sqlite3"} {
		if err := migrations.Up(context.Background(), db, d); !errors.Is(err, migrations.ErrUnknownDialect) {
			t.Errorf("Up(%q) = %v, want ErrUnknownDialect", d, err)
		}
		if _, err := migrations.Status(context.Background(), db, d); !errors.Is(err, migrations.ErrUnknownDialect) {
			t.Errorf("Status(%q) = %v, want ErrUnknownDialect", d, err)
		}
	}
}

func TestSameFilesForEveryDialect(t *testing.T) {
	// A migration added to one dialect only would leave the stores diverging.
	names := map[migrations.Dialect][]string{}
	for _, d := range []migrations.Dialect{migrations.Postgres, migrations.SQLite} {
		fsys, err := migrations.FS(d)
		if err != nil {
			t.Fatal(err)
		}
		m, err := fsGlob(fsys)
		if err != nil {
			t.Fatal(err)
		}
		names[d] = m
	}
	pg, lite := names[migrations.Postgres], names[migrations.SQLite]
	if len(pg) == 0 || len(pg) != len(lite) {
		t.Fatalf("postgres migrations %v, sqlite migrations %v", pg, lite)
	}
	for i := range pg {
		if pg[i] != lite[i] {
			t.Errorf("migration %d: postgres %q, sqlite %q", i, pg[i], lite[i])
		}
	}
}

func fsGlob(fsys fs.FS) ([]string, error) { return fs.Glob(fsys, "*.sql") }
