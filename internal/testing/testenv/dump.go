package testenv

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DumpPostgres returns every row of every table in the public schema of the
// database at url, one row a line in PostgreSQL's text form (bytea as hex), so
// a test can search everything a store kept for a string that must not be there.
func DumpPostgres(t testing.TB, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("dump: connect: %v", err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)
	if err != nil {
		t.Fatalf("dump: list tables: %v", err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("dump: list tables: %v", err)
	}
	var b strings.Builder
	for _, table := range tables {
		rows, err := conn.Query(ctx, `SELECT t::text FROM `+pgx.Identifier{table}.Sanitize()+` t`)
		if err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		for _, l := range lines {
			b.WriteString(table + ": " + l + "\n")
		}
	}
	return b.String()
}

// DumpFiles returns the raw bytes of every file named path or path plus a
// suffix (a SQLite database with its -wal and -shm files), concatenated, so a
// test can search what reached the disk, including pages no query reads.
func DumpFiles(t testing.TB, path string) []byte {
	t.Helper()
	matches, err := filepath.Glob(path + "*")
	if err != nil {
		t.Fatal(err)
	}
	if len(matches) == 0 {
		t.Fatalf("dump: no file at %s", path)
	}
	var out []byte
	for _, m := range matches {
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatalf("dump: %v", err)
		}
		out = append(out, b...)
	}
	return out
}
