package postgres

import (
	"context"
	"fmt"
	"time"
)

// ProbeWrite writes the heartbeat row: it fails when the store cannot take
// commits, which a ping does not tell.
func (s *Store) ProbeWrite(ctx context.Context) error {
	if _, err := s.pool.Exec(ctx, `INSERT INTO heartbeat (id, at) VALUES (1, $1)
		ON CONFLICT (id) DO UPDATE SET at = excluded.at`, ts(time.Now())); err != nil {
		return fmt.Errorf("probe write: %w", err)
	}
	return nil
}
