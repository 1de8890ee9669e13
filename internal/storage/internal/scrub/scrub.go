// Package scrub redacts credential headers in rows already stored, the batching
// core both store dialects share (store.Redacted, RedactHeaders).
package scrub

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/hookgate/hookgate/internal/storage/internal/headerjson"
	"github.com/hookgate/hookgate/store"
)

// Tables are the tables whose rows keep a request's headers.
var Tables = []string{"receipts", "audit"}

// Row is one stored row's key and its headers column, as stored.
type Row struct {
	ID     string
	Header []byte
}

// DB is what a dialect provides: keyset pages of one source's rows and an
// update of the rows that changed.
type DB interface {
	// Page returns at most limit rows of table for source whose id sorts
	// after after, in id order.
	Page(ctx context.Context, table, source, after string, limit int) ([]Row, error)
	// Save writes the rows' headers back to table, in one transaction.
	Save(ctx context.Context, table string, rows []Row) error
}

// batch bounds each page and each write, so that a scrub never holds the
// store's writer long enough to stall ingest.
const batch = 500

// Run redacts the headers named in names (matched case-insensitively) in every
// row of source in Tables, and returns how many rows it changed. A row whose
// named headers are all redacted already is not written, so running it again
// changes nothing.
func Run(ctx context.Context, db DB, source string, names []string) (int64, error) {
	if len(names) == 0 {
		return 0, nil
	}
	var total int64
	for _, table := range Tables {
		after := ""
		for {
			rows, err := db.Page(ctx, table, source, after, batch)
			if err != nil {
				return total, fmt.Errorf("scrub %s: %w", table, err)
			}
			if len(rows) == 0 {
				break
			}
			after = rows[len(rows)-1].ID
			var changed []Row
			for _, r := range rows {
				h, err := headerjson.Decode(r.Header)
				if err != nil {
					return total, fmt.Errorf("scrub %s %s: %w", table, r.ID, err)
				}
				if !Redact(h, names) {
					continue
				}
				b, err := headerjson.Encode(h)
				if err != nil {
					return total, fmt.Errorf("scrub %s %s: %w", table, r.ID, err)
				}
				changed = append(changed, Row{ID: r.ID, Header: b})
			}
			if len(changed) > 0 {
				if err := db.Save(ctx, table, changed); err != nil {
					return total, fmt.Errorf("scrub %s: %w", table, err)
				}
				total += int64(len(changed))
			}
			if len(rows) < batch {
				break
			}
		}
	}
	return total, nil
}

// Redact replaces, in place, every value of the headers of h named in names
// (case-insensitively) with store.Redacted, and reports whether it changed a
// value.
func Redact(h http.Header, names []string) bool {
	changed := false
	for k, vs := range h {
		for _, n := range names {
			if !strings.EqualFold(k, n) {
				continue
			}
			for i, v := range vs {
				if v != store.Redacted {
					vs[i] = store.Redacted
					changed = true
				}
			}
		}
	}
	return changed
}
