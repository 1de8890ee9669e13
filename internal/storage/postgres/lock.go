package postgres

import (
	"context"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Leader elects one process among many by a session-level advisory lock, held
// on a connection of its own for as long as the process leads. Safe for
// concurrent use.
type Leader struct {
	pool *pgxpool.Pool
	key  int64
	mu   sync.Mutex
	conn *pgxpool.Conn // non-nil while leading
}

// Leader returns an elector for the advisory lock key (one key per role, e.g.
// the monitor's).
func (s *Store) Leader(key int64) *Leader { return &Leader{pool: s.pool, key: key} }

// Lead reports whether this process holds the lock, taking it when free. A
// broken connection loses the lock (PostgreSQL releases it with the session),
// so Lead then reports false with the error and tries again next call.
func (l *Leader) Lead(ctx context.Context) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil {
		err := l.conn.Ping(ctx)
		if err == nil {
			return true, nil
		}
		// Close rather than return the connection: the pool must not hand out
		// a session that might still hold the lock.
		if cerr := l.conn.Conn().Close(context.Background()); cerr != nil {
			err = fmt.Errorf("%w (close: %w)", err, cerr)
		}
		l.conn.Release()
		l.conn = nil
		return false, fmt.Errorf("leader connection lost: %w", err)
	}
	conn, err := l.pool.Acquire(ctx)
	if err != nil {
		return false, fmt.Errorf("leader lock: %w", err)
	}
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, l.key).Scan(&ok); err != nil {
		conn.Release()
		return false, fmt.Errorf("leader lock: %w", err)
	}
	if !ok {
		conn.Release()
		return false, nil
	}
	l.conn = conn
	return true, nil
}

// Close gives the lock up (if held), so another process can lead at once.
func (l *Leader) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn == nil {
		return nil
	}
	_, err := l.conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, l.key)
	l.conn.Release()
	l.conn = nil
	if err != nil {
		return fmt.Errorf("leader unlock: %w", err)
	}
	return nil
}
