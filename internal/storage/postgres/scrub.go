package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/hookgate/hookgate/internal/storage/internal/scrub"
)

// RedactHeaders replaces with store.Redacted the values of the headers named in
// names (matched case-insensitively) in every stored receipt and audit record
// of source, and returns how many rows it changed. It is idempotent and works
// in small batches, so it can run while the gateway does (see scrub.Run).
func (s *Store) RedactHeaders(ctx context.Context, source string, names []string) (int64, error) {
	return scrub.Run(ctx, scrubDB{s}, source, names)
}

type scrubDB struct{ s *Store }

func (d scrubDB) Page(ctx context.Context, table, source, after string, limit int) ([]scrub.Row, error) {
	rows, err := d.s.pool.Query(ctx, `SELECT id, headers::text FROM `+table+`
		WHERE source = $1 AND id > $2 ORDER BY id LIMIT $3`, source, after, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (scrub.Row, error) {
		var r scrub.Row
		var h string
		err := row.Scan(&r.ID, &h)
		r.Header = []byte(h)
		return r, err
	})
}

func (d scrubDB) Save(ctx context.Context, table string, rows []scrub.Row) error {
	return pgx.BeginFunc(ctx, d.s.pool, func(tx pgx.Tx) error {
		var b pgx.Batch
		for _, r := range rows {
			b.Queue(`UPDATE `+table+` SET headers = $1::json WHERE id = $2`, string(r.Header), r.ID)
		}
		return tx.SendBatch(ctx, &b).Close()
	})
}
