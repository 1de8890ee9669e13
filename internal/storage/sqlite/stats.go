package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"github.com/hookgate/hookgate/store"
)

// statsWhere selects the receipts of a store.StatsFilter (arguments: source
// twice, since twice, until twice).
const statsWhere = `WHERE (? = '' OR source = ?)
	AND (? IS NULL OR received_at >= ?)
	AND (? IS NULL OR received_at < ?)`

// Stats returns, per source and status (ordered by both), the receipts received
// in f's range: counts, and average and p95 processing time computed in SQL.
// SQLite has no percentile aggregate, so the p95 is read off the ranked
// durations: the two ranks around 0.95·(n-1), interpolated as PostgreSQL's
// percentile_cont does.
func (s *Store) Stats(ctx context.Context, f store.StatsFilter) ([]store.StatusStats, error) {
	since, until := nullUS(f.Since), nullUS(f.Until)
	args := []any{f.Source, f.Source, since, since, until, until}
	rows, err := s.r.QueryContext(ctx, `
		WITH r AS MATERIALIZED (
			SELECT source, status, completed_at - received_at AS us FROM receipts `+statsWhere+`
		),
		agg AS (
			SELECT source, status, COUNT(*) AS n_all, COUNT(us) AS n_done, COALESCE(AVG(us), 0) AS avg_us
			FROM r GROUP BY source, status
		),
		ranked AS (
			SELECT source, status, us,
				ROW_NUMBER() OVER (PARTITION BY source, status ORDER BY us) - 1 AS i,
				COUNT(*) OVER (PARTITION BY source, status) AS n
			FROM r WHERE us IS NOT NULL
		),
		p AS (
			SELECT source, status,
				MAX(CASE WHEN i = CAST((n - 1) * 0.95 AS INTEGER) THEN us END) AS lo,
				MAX(CASE WHEN i = MIN(n - 1, CAST((n - 1) * 0.95 AS INTEGER) + 1) THEN us END) AS hi,
				MAX((n - 1) * 0.95 - CAST((n - 1) * 0.95 AS INTEGER)) AS frac
			FROM ranked GROUP BY source, status
		)
		SELECT a.source, a.status, a.n_all, a.n_done, a.avg_us,
			COALESCE(p.lo + (p.hi - p.lo) * p.frac, 0)
		FROM agg a LEFT JOIN p ON p.source = a.source AND p.status = a.status
		ORDER BY a.source, a.status`, args...)
	if err != nil {
		return nil, fmt.Errorf("receipt stats: %w", err)
	}
	defer rows.Close()
	var out []store.StatusStats
	for rows.Next() {
		var st store.StatusStats
		var avg, p95 float64
		if err := rows.Scan(&st.Source, &st.Status, &st.Count, &st.Processed, &avg, &p95); err != nil {
			return nil, fmt.Errorf("receipt stats: %w", err)
		}
		st.AvgProcessing, st.P95Processing = micros(avg), micros(p95)
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("receipt stats: %w", err)
	}
	return out, nil
}

// OldestUnstarted returns when the oldest receipt whose workflow has not
// started was received (zero when there is none) and how many there are: the
// relay's lag and backlog.
func (s *Store) OldestUnstarted(ctx context.Context) (time.Time, int, error) {
	var oldest sql.NullInt64
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT MIN(received_at), COUNT(*) FROM receipts WHERE status = 'verified'`).Scan(&oldest, &n)
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("oldest unstarted receipt: %w", err)
	}
	return fromNullUS(oldest), n, nil
}

// micros converts a number of microseconds to a duration, rounded to the
// microsecond.
func micros(us float64) time.Duration {
	return time.Duration(math.Round(us)) * time.Microsecond
}
