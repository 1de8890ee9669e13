// Package migrations holds hookgate's store schema as numbered plain SQL files,
// one set per database dialect, embedded in the binary and applied with goose.
//
// A migration file is named NNNNN_what.sql under the dialect's folder and has
// "-- +goose Up" and "-- +goose Down" sections. Applied versions are recorded in
// the goose_db_version table. Both dialects must describe the same tables: the
// store conformance suite (internal/storage/storetest) runs against each.//
// Public: a design card folder; operators apply it with `hookgate migrate`, and
// both store implementations embed it.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// Dialect names a database dialect that has a migration set.
type Dialect string

// Supported dialects.
const (
	// Postgres is PostgreSQL, opened through github.com/jackc/pgx/v5/stdlib.
	Postgres Dialect = "postgres"
	// SQLite is SQLite, opened through modernc.org/sqlite (driver "sqlite").
	SQLite Dialect = "sqlite"
)

// ErrUnknownDialect is returned (wrapped) for a Dialect other than the constants.
var ErrUnknownDialect = errors.New("unknown migration dialect")

// Valid reports whether d is a supported dialect.
func (d Dialect) Valid() bool { return d == Postgres || d == SQLite }

// goose names the dialect for goose.
func (d Dialect) goose() goose.Dialect {
	if d == SQLite {
		return goose.DialectSQLite3
	}
	return goose.DialectPostgres
}

// Option configures Up.
type Option func(*options)

type options struct {
	logger *slog.Logger
}

// WithLogger makes Up log each migration it applies. Without it Up is silent.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.logger = l }
}

// FS returns the migration files of d, for inspection and tests.
func FS(d Dialect) (fs.FS, error) {
	if !d.Valid() {
		return nil, fmt.Errorf("%q: %w", d, ErrUnknownDialect)
	}
	sub, err := fs.Sub(files, string(d))
	if err != nil {
		return nil, fmt.Errorf("migrations for %s: %w", d, err)
	}
	return sub, nil
}

func newProvider(db *sql.DB, d Dialect, o options) (*goose.Provider, error) {
	fsys, err := FS(d)
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{
		// Go migrations registered by any other package must never leak into ours.
		goose.WithDisableGlobalRegistry(true),
	}
	if o.logger != nil {
		opts = append(opts, goose.WithSlog(o.logger))
	} else {
		// goose's default logger writes to stdout; keep the library quiet.
		opts = append(opts, goose.WithSlog(slog.New(slog.DiscardHandler)))
	}
	if d == Postgres {
		// Several gateway replicas may start at once: an advisory lock makes them
		// migrate one after the other instead of racing on the same DDL.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, fmt.Errorf("migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(d.goose(), db, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("migration provider: %w", err)
	}
	return p, nil
}

// Up applies every pending migration of dialect d to db, in version order, each
// in its own transaction. It is idempotent: with nothing pending it only reads
// the version table. db must be a database of dialect d.
func Up(ctx context.Context, db *sql.DB, d Dialect, opts ...Option) error {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	p, err := newProvider(db, d, o)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate %s: %w", d, err)
	}
	return nil
}

// MigrationStatus is the state of one known migration in a database.
type MigrationStatus struct {
	Version   int64
	Name      string // file name, e.g. "00001_initial.sql"
	Applied   bool
	AppliedAt time.Time // zero when not applied
}

// Status reports every migration of dialect d, in version order, and whether db
// has it applied. It changes nothing (beyond creating goose's version table
// when missing).
func Status(ctx context.Context, db *sql.DB, d Dialect) ([]MigrationStatus, error) {
	p, err := newProvider(db, d, options{})
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status %s: %w", d, err)
	}
	out := make([]MigrationStatus, 0, len(st))
	for _, s := range st {
		m := MigrationStatus{
			Version: s.Source.Version,
			Name:    path.Base(s.Source.Path),
			Applied: s.State == goose.StateApplied,
		}
		if m.Applied {
			m.AppliedAt = s.AppliedAt.UTC()
		}
		out = append(out, m)
	}
	return out, nil
}
