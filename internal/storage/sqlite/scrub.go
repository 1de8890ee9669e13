package sqlite

import (
	"context"
	"database/sql"

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

// Page reads through the writer connection: a reader could miss the rows of a
// batch the writer has just committed (it is the same connection that saves).
func (d scrubDB) Page(ctx context.Context, table, source, after string, limit int) ([]scrub.Row, error) {
	rows, err := d.s.w.QueryContext(ctx, `SELECT id, headers FROM `+table+`
		WHERE source = ? AND id > ? ORDER BY id LIMIT ?`, source, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []scrub.Row
	for rows.Next() {
		var r scrub.Row
		var h string
		if err := rows.Scan(&r.ID, &h); err != nil {
			return nil, err
		}
		r.Header = []byte(h)
		out = append(out, r)
	}
	return out, rows.Err()
}

func (d scrubDB) Save(ctx context.Context, table string, rows []scrub.Row) error {
	return d.s.inTx(ctx, func(tx *sql.Tx) error {
		for _, r := range rows {
			if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET headers = ? WHERE id = ?`, string(r.Header), r.ID); err != nil {
				return err
			}
		}
		return nil
	})
}
