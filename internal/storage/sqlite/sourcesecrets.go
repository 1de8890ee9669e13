package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hookgate/hookgate/store"
)

// RecordSourceSecret keeps secret as source's handshake secret unless one is
// already kept, and returns the one kept: the first offered wins.
func (s *Store) RecordSourceSecret(ctx context.Context, source, secret string, at time.Time) (string, error) {
	var kept string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO source_secrets (source, secret, recorded_at) VALUES (?, ?, ?)
			ON CONFLICT (source) DO NOTHING`, source, secret, us(at)); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT secret FROM source_secrets WHERE source = ?`, source).Scan(&kept)
	})
	if err != nil {
		return "", fmt.Errorf("record the secret of source %s: %w", source, err)
	}
	return kept, nil
}

// SourceSecret returns source's handshake secret (store.ErrNotFound: none).
// It reads through the writer: a secret just recorded is seen at once.
func (s *Store) SourceSecret(ctx context.Context, source string) (string, error) {
	var secret string
	err := s.w.QueryRowContext(ctx, `SELECT secret FROM source_secrets WHERE source = ?`, source).Scan(&secret)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("secret of source %s: %w", source, store.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("secret of source %s: %w", source, err)
	}
	return secret, nil
}

// ForgetSourceSecret removes source's handshake secret, so that the next
// handshake records a new one; it reports whether there was one.
func (s *Store) ForgetSourceSecret(ctx context.Context, source string) (bool, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM source_secrets WHERE source = ?`, source)
	if err != nil {
		return false, fmt.Errorf("forget the secret of source %s: %w", source, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}
