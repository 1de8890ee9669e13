package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ReceiptsChannel is the NOTIFY channel on which Ingest announces new receipts
// (WithNotify).
const ReceiptsChannel = "hookgate_receipts"

// listenRetry is the pause before reconnecting a lost LISTEN connection.
const listenRetry = time.Second

// ListenReceipts calls wake after each batch of new receipts commits (in any
// process whose store has WithNotify), until ctx ends; it then returns nil. It
// holds one connection of its own, outside the pool, and reconnects when the
// connection is lost; after every (re)connect it calls wake once, since
// notifications sent while it was not listening are lost. wake must not block.
func (s *Store) ListenReceipts(ctx context.Context, wake func()) error {
	for {
		err := s.listen(ctx, wake)
		if ctx.Err() != nil {
			return nil
		}
		s.logger.Warn("listening for new receipts failed; reconnecting", "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(listenRetry):
		}
	}
}

// listen runs one LISTEN connection until it fails or ctx ends.
func (s *Store) listen(ctx context.Context, wake func()) error {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+ReceiptsChannel); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	wake()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return ctx.Err()
			}
			return fmt.Errorf("wait for notification: %w", err)
		}
		wake()
	}
}
