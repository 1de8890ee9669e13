// Package postgres is hookgate's production store: PostgreSQL through a pgx
// connection pool. *Store implements every store method and passes the
// conformance suite in store/storetest.
//
// Times are stored as timestamptz, at the microsecond precision PostgreSQL
// keeps, and read back in UTC. Errors from the database are wrapped and
// returned as they are: the gateway maps them to 503, so the provider retries.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/hookgate/hookgate/migrations"
)

// Store is a PostgreSQL store. It is safe for concurrent use.
type Store struct {
	pool   *pgxpool.Pool
	logger *slog.Logger
	// notify: Ingest announces new receipts on ReceiptsChannel (WithNotify).
	notify bool
}

// Option configures Open.
type Option func(*config)

type config struct {
	logger   *slog.Logger
	maxConns int32
	notify   bool
}

// WithNotify makes Ingest announce each batch holding new receipts with a
// NOTIFY on ReceiptsChannel, delivered when the batch commits, so that a relay
// in another process (ListenReceipts) starts their workflows at once.
func WithNotify() Option {
	return func(c *config) { c.notify = true }
}

// WithLogger sets the logger Migrate reports applied migrations to. Without it
// the store logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// WithMaxConns caps the connection pool. n ≤ 0 keeps the default: pgxpool's,
// the larger of 4 and the number of CPUs, unless the URL sets pool_max_conns.
func WithMaxConns(n int32) Option {
	return func(c *config) { c.maxConns = n }
}

// Open returns a store for the database at url, a PostgreSQL connection string
// such as "postgres://user:pass@host:5432/hookgate?sslmode=disable" (pgxpool's
// pool_* parameters are honoured). It does not connect: the pool connects on
// first use, so a gateway can start before its database; call Ping to check.
// pgx redacts the password from its parse errors.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	c := config{logger: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(&c)
	}
	pc, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres store: %w", err)
	}
	if c.maxConns > 0 {
		pc.MaxConns = c.maxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("postgres store: %w", err)
	}
	return &Store{pool: pool, logger: c.logger, notify: c.notify}, nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping postgres: %w", err)
	}
	return nil
}

// Close closes every connection, waiting for those in use to be released.
// Calling it more than once is harmless.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Migrate applies pending schema migrations (see package migrations). It is
// idempotent, and safe to run from several processes at once: they take turns
// on an advisory lock.
func (s *Store) Migrate(ctx context.Context) error {
	// goose speaks database/sql; borrow the pool's connections for it.
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	if err := migrations.Up(ctx, db, migrations.Postgres, migrations.WithLogger(s.logger)); err != nil {
		return fmt.Errorf("postgres store: %w", err)
	}
	return nil
}

// foreignKeyViolation is PostgreSQL's SQLSTATE for a reference to a missing row.
const foreignKeyViolation = "23503"

func isForeignKeyViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == foreignKeyViolation
}

// ts returns t as stored: UTC, truncated to the microsecond PostgreSQL keeps,
// so what is written is exactly what is read back.
func ts(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// nullTS returns ts(t), or nil (SQL NULL) for the zero time.
func nullTS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ts(t)
}

// fromNull returns a scanned nullable time in UTC, zero for NULL.
func fromNull(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// nonNil returns b, or an empty slice for nil: pgx sends a nil slice as NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
