package sqlite

import (
	"context"
	"fmt"
	"time"
)

// ProbeWrite writes the heartbeat row: it fails when the store cannot take
// commits (a full disk, a read-only file), which a ping does not tell.
func (s *Store) ProbeWrite(ctx context.Context) error {
	if _, err := s.w.ExecContext(ctx, `INSERT INTO heartbeat (id, at) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET at = excluded.at`, us(time.Now())); err != nil {
		return fmt.Errorf("probe write: %w", err)
	}
	return nil
}
