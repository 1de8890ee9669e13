package relay

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hookgate/hookgate/store"
)

// ReplayStore is what a replay needs from the store.
type ReplayStore interface {
	Requeue(ctx context.Context, receiptID string, at time.Time, mode store.ReplayMode) (int, error)
	RecordReplay(ctx context.Context, r store.Replay) error
	MarkQueued(ctx context.Context, qs []store.Queued) error
}

// ErrNotStarted wraps the error of a replay whose receipt was requeued and
// recorded but whose new run did not start: the relay's sweep starts it later
// (the receipt is verified again, marked as a replay of its generation).
var ErrNotStarted = errors.New("replay requeued but its run did not start")

// Replay is the one way a receipt is replayed, for the admin API's single
// replay and for bulk replays alike, in mode (store.ModeResume when empty;
// see store.ReplayMode): it requeues the receipt as its next
// generation (refused, with nothing changed, wrapping store.ErrConflict when
// the receipt's run has not ended, or store.ErrNotFound), records the replay
// (rp: who, when, why), starts the workflow's run of that generation, and
// marks the receipt queued. It returns the ref it started. When starter is nil
// or the start fails, the error wraps ErrNotStarted and the relay's sweep
// starts the run later; a caller counting replays counts that one as failed.
func Replay(ctx context.Context, st ReplayStore, starter Starter, r store.Receipt, rp store.Replay, mode store.ReplayMode) (store.Ref, error) {
	if mode == "" {
		mode = store.ModeResume
	}
	gen, err := st.Requeue(ctx, r.ID, rp.At, mode)
	if err != nil {
		return store.Ref{}, err
	}
	rp.ReceiptID = r.ID
	if err := st.RecordReplay(ctx, rp); err != nil {
		return store.Ref{}, fmt.Errorf("record replay of %s: %w", r.ID, err)
	}
	ref := store.Ref{ID: r.ID, Source: r.Source, EventID: r.EventID, EventType: r.EventType, Replay: true, Generation: gen, Mode: mode}
	if starter == nil {
		return ref, fmt.Errorf("replay of %s: no workflow starter here: %w", r.ID, ErrNotStarted)
	}
	wid, err := starter.Start(ctx, ref)
	if err != nil {
		return ref, fmt.Errorf("replay of %s: %w: %w", r.ID, ErrNotStarted, err)
	}
	if err := st.MarkQueued(ctx, []store.Queued{{ReceiptID: r.ID, WorkflowID: wid, At: rp.At}}); err != nil {
		// The run has started; it records processing itself.
		return ref, fmt.Errorf("replay of %s started, but mark queued: %w", r.ID, err)
	}
	return ref, nil
}
