package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hookgate/hookgate/store"
)

// RecordSourceSecret keeps secret as source's handshake secret unless one is
// already kept, and returns the one kept: the first offered wins, whichever
// replica took it.
func (s *Store) RecordSourceSecret(ctx context.Context, source, secret string, at time.Time) (string, error) {
	// Two statements: a concurrent insert that wins the conflict is
	// committed, and visible, once the INSERT returns nothing, but not to a
	// SELECT of the same statement's snapshot.
	var kept string
	err := s.pool.QueryRow(ctx, `INSERT INTO source_secrets (source, secret, recorded_at) VALUES ($1, $2, $3)
		ON CONFLICT (source) DO NOTHING RETURNING secret`, source, secret, ts(at)).Scan(&kept)
	if errors.Is(err, pgx.ErrNoRows) {
		return s.SourceSecret(ctx, source)
	}
	if err != nil {
		return "", fmt.Errorf("record the secret of source %s: %w", source, err)
	}
	return kept, nil
}

// SourceSecret returns source's handshake secret (store.ErrNotFound: none).
func (s *Store) SourceSecret(ctx context.Context, source string) (string, error) {
	var secret string
	err := s.pool.QueryRow(ctx, `SELECT secret FROM source_secrets WHERE source = $1`, source).Scan(&secret)
	if errors.Is(err, pgx.ErrNoRows) {
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
	tag, err := s.pool.Exec(ctx, `DELETE FROM source_secrets WHERE source = $1`, source)
	if err != nil {
		return false, fmt.Errorf("forget the secret of source %s: %w", source, err)
	}
	return tag.RowsAffected() > 0, nil
}
