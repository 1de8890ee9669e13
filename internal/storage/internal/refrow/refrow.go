// Package refrow reads a store.Ref from a receipt row, the same way in both
// store dialects (Unstarted, Claim, Unfinished).
package refrow

import "github.com/hookgate/hookgate/store"

// Columns are the receipt columns a Ref is read from, in Dest's order. They
// are unqualified: a statement joining another table names that table's
// columns apart.
const Columns = `id, source, event_id, COALESCE(traceparent, ''), requeued_at IS NOT NULL, generation, replay_mode, event_type`

// Dest returns the scan destinations of Columns for r.
func Dest(r *store.Ref) []any {
	return []any{&r.ID, &r.Source, &r.EventID, &r.TraceParent, &r.Replay, &r.Generation, &r.Mode, &r.EventType}
}
