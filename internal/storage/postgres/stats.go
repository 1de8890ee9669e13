package postgres

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hookgate/hookgate/store"
)

// Stats returns, per source and status (ordered by both), the receipts received
// in f's range: counts, and average and p95 processing time computed in SQL.
func (s *Store) Stats(ctx context.Context, f store.StatsFilter) ([]store.StatusStats, error) {
	rows, err := s.pool.Query(ctx, `
		WITH r AS (
			SELECT source, status,
				EXTRACT(EPOCH FROM completed_at - received_at) * 1000000 AS us
			FROM receipts
			WHERE ($1 = '' OR source = $1)
				AND ($2::timestamptz IS NULL OR received_at >= $2)
				AND ($3::timestamptz IS NULL OR received_at < $3)
		)
		SELECT source, status, count(*), count(us),
			COALESCE(avg(us), 0)::float8,
			COALESCE(percentile_cont(0.95) WITHIN GROUP (ORDER BY us), 0)::float8
		FROM r GROUP BY source, status ORDER BY source, status`,
		f.Source, nullTS(f.Since), nullTS(f.Until))
	if err != nil {
		return nil, fmt.Errorf("receipt stats: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.StatusStats, error) {
		var st store.StatusStats
		var avg, p95 float64
		err := row.Scan(&st.Source, &st.Status, &st.Count, &st.Processed, &avg, &p95)
		st.AvgProcessing, st.P95Processing = micros(avg), micros(p95)
		return st, err
	})
	if err != nil {
		return nil, fmt.Errorf("receipt stats: %w", err)
	}
	return out, nil
}

// OldestUnstarted returns when the oldest receipt whose workflow has not
// started was received (zero when there is none) and how many there are: the
// relay's lag and backlog.
func (s *Store) OldestUnstarted(ctx context.Context) (time.Time, int, error) {
	var oldest *time.Time
	var n int
	err := s.pool.QueryRow(ctx, `SELECT min(received_at), count(*) FROM receipts WHERE status = 'verified'`).Scan(&oldest, &n)
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("oldest unstarted receipt: %w", err)
	}
	if oldest == nil {
		return time.Time{}, 0, nil
	}
	return oldest.UTC(), n, nil
}

// micros converts a number of microseconds to a duration, rounded to the
// microsecond.
func micros(us float64) time.Duration {
	return time.Duration(math.Round(us)) * time.Microsecond
}
