// Package sqlite is hookgate's embedded store: one SQLite file through the
// pure-Go modernc.org/sqlite driver, for `hookgate dev` and small
// installations. *Store implements every store method and passes the
// conformance suite in store/storetest.
//
// SQLite allows one writer at a time, so the store keeps a single writer
// connection (writes queue in the process instead of failing with
// SQLITE_BUSY) and a pool of read-only connections, which WAL mode lets run
// beside the writer. Times are INTEGER microseconds since the Unix epoch, UTC.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/hookgate/hookgate/migrations"
)

// Store is a SQLite store. It is safe for concurrent use within one process.
type Store struct {
	w      *sql.DB // the one writer connection
	r      *sql.DB // read-only connections
	logger *slog.Logger
}

// Option configures Open.
type Option func(*config)

type config struct {
	logger  *slog.Logger
	readers int
}

// WithLogger sets the logger Migrate reports applied migrations to. Without it
// the store logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// WithReaders sets the number of read-only connections. n ≤ 0 keeps the
// default: the larger of 4 and the number of CPUs.
func WithReaders(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.readers = n
		}
	}
}

// ErrMemory is returned by Open for an in-memory database: the writer and
// the readers would each get a database of their own.
var ErrMemory = errors.New("sqlite store: in-memory databases are not supported, give a file")

// busyTimeout is how long a connection waits for another process's lock
// before failing with SQLITE_BUSY (within the process, writes queue on the
// single writer connection instead).
const busyTimeout = 10 * time.Second

// Open opens (creating it and its parent folders if needed) the SQLite
// database at dsn: a file path, or a "file:" URL whose query parameters are
// passed to the driver. It connects at once, so a bad path fails here.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	c := config{logger: slog.New(slog.DiscardHandler), readers: max(4, runtime.NumCPU())}
	for _, opt := range opts {
		opt(&c)
	}
	path, query, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("sqlite store: create folder: %w", err)
	}

	timeout := fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds())
	wq := cloneQuery(query)
	wq["_pragma"] = append(wq["_pragma"], timeout, "journal_mode(WAL)", "foreign_keys(1)",
		// The commit is the gateway's acknowledgement to the provider: it must
		// survive a power cut, which WAL's default (NORMAL) does not promise.
		"synchronous(FULL)")
	// Take the write lock at BEGIN: a transaction that starts reading and later
	// writes could otherwise fail with SQLITE_BUSY when another process wrote.
	wq.Set("_txlock", "immediate")
	w, err := sql.Open("sqlite", fileURL(path, wq))
	if err != nil {
		return nil, fmt.Errorf("sqlite store: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	// Connect now: this creates the file and switches it to WAL before any
	// reader opens it.
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite store: open %s: %w", path, err)
	}

	rq := cloneQuery(query)
	rq["_pragma"] = append(rq["_pragma"], timeout, "foreign_keys(1)", "query_only(1)")
	r, err := sql.Open("sqlite", fileURL(path, rq))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite store: %w", err)
	}
	r.SetMaxOpenConns(c.readers)
	r.SetMaxIdleConns(c.readers)
	return &Store{w: w, r: r, logger: c.logger}, nil
}

// parseDSN returns the file path and driver parameters of dsn.
func parseDSN(dsn string) (string, url.Values, error) {
	if dsn == "" {
		return "", nil, errors.New("sqlite store: empty database path")
	}
	if !strings.HasPrefix(dsn, "file:") {
		if dsn == ":memory:" {
			return "", nil, ErrMemory
		}
		return dsn, url.Values{}, nil
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "", nil, fmt.Errorf("sqlite store: bad file URL: %w", err)
	}
	if u.Host != "" && u.Host != "localhost" {
		return "", nil, fmt.Errorf("sqlite store: file URL names host %q: only local files", u.Host)
	}
	path := u.Path
	if u.Opaque != "" { // "file:relative/path.db"
		if path, err = url.PathUnescape(u.Opaque); err != nil {
			return "", nil, fmt.Errorf("sqlite store: bad file URL: %w", err)
		}
	}
	q := u.Query()
	if path == "" || path == ":memory:" || q.Get("mode") == "memory" {
		if path == "" {
			return "", nil, errors.New("sqlite store: file URL has no path")
		}
		return "", nil, ErrMemory
	}
	return path, q, nil
}

func cloneQuery(q url.Values) url.Values {
	c := make(url.Values, len(q)+2)
	for k, v := range q {
		c[k] = append([]string(nil), v...)
	}
	return c
}

// fileURL returns the driver's name for path with parameters q. An absolute
// path keeps characters such as '?' and '#' in file names from being read as
// URL syntax.
func fileURL(path string, q url.Values) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: q.Encode()}
	return u.String()
}

// Ping checks that both the writer and a reader answer.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return fmt.Errorf("ping sqlite writer: %w", err)
	}
	if err := s.r.PingContext(ctx); err != nil {
		return fmt.Errorf("ping sqlite reader: %w", err)
	}
	return nil
}

// Close closes every connection. Calling it more than once is harmless.
func (s *Store) Close() error {
	return errors.Join(s.r.Close(), s.w.Close())
}

// Migrate applies pending schema migrations (see package migrations). It is
// idempotent.
func (s *Store) Migrate(ctx context.Context) error {
	if err := migrations.Up(ctx, s.w, migrations.SQLite, migrations.WithLogger(s.logger)); err != nil {
		return fmt.Errorf("sqlite store: %w", err)
	}
	return nil
}

func isForeignKeyViolation(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// us returns t as stored: microseconds since the Unix epoch.
func us(t time.Time) int64 { return t.UnixMicro() }

// nullUS returns us(t), or nil (SQL NULL) for the zero time.
func nullUS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// fromUS returns a stored time in UTC.
func fromUS(v int64) time.Time { return time.UnixMicro(v).UTC() }

// fromNullUS returns a stored nullable time in UTC, zero for NULL.
func fromNullUS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromUS(v.Int64)
}

// nonNil returns b, or an empty slice for nil: the driver binds nil as NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// placeholders returns "(?,…),(?,…)": rows groups of cols parameters.
func placeholders(rows, cols int) string {
	group := "(" + strings.Repeat("?,", cols-1) + "?)"
	var b strings.Builder
	b.Grow(rows * (len(group) + 1))
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(group)
	}
	return b.String()
}

// inTx runs fn in a write transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		// A cancelled context has already rolled the transaction back.
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("rollback: %w", rerr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
