package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hookgate/hookgate/internal/processing/relay"
	"github.com/hookgate/hookgate/internal/processing/runs"
	"github.com/hookgate/hookgate/store"
)

// ReplayStore is what bulk replay needs from the store, beyond Store.
type ReplayStore interface {
	ListReceipts(ctx context.Context, f store.Filter) (store.Page, error)
	Requeue(ctx context.Context, receiptID string, at time.Time, mode store.ReplayMode) (int, error)
	RecordReplay(ctx context.Context, r store.Replay) error
	MarkQueued(ctx context.Context, qs []store.Queued) error
}

// Starter starts the workflow of a requeued receipt (runs.Starter).
type Starter interface {
	Start(ctx context.Context, ref store.Ref) (string, error)
}

// ReplayFilter selects the receipts of a bulk replay (runs.ReplayFilter).
type ReplayFilter = runs.ReplayFilter

// ReplayBatchInput is one page of a bulk replay.
type ReplayBatchInput struct {
	Filter ReplayFilter
	Cursor string
	Limit  int
	DryRun bool
	Actor  string
	Reason string
	// Mode is the replays' mode (store.ModeResume when empty).
	Mode store.ReplayMode `json:",omitempty"`
}

// ReplayBatchResult says what one page did.
type ReplayBatchResult struct {
	Matched  int
	Replayed int
	Failed   int
	Next     string // empty after the last page
}

// ReplayBatch replays one page of receipts through relay.Replay, the path a
// single replay takes: each is requeued as its next generation, the replay
// recorded on it (who, when, why), and its new run started. A receipt that did
// not get a new run counts as Failed. In a dry run it only counts.
//
// Requeueing a receipt changes its status, so a filter on status would skip
// receipts on the next page: pages are read by cursor from a listing that is
// ordered by received_at, which requeueing does not change.
func (a *Activities) ReplayBatch(ctx context.Context, in ReplayBatchInput) (ReplayBatchResult, error) {
	rs, ok := a.Store.(ReplayStore)
	if !ok {
		return ReplayBatchResult{}, invalid(fmt.Errorf("store does not support replay"))
	}
	page, err := rs.ListReceipts(ctx, store.Filter{
		Source: in.Filter.Source, Status: in.Filter.Status, EventType: in.Filter.EventType,
		Since: in.Filter.Since, Until: in.Filter.Until, Cursor: in.Cursor, Limit: in.Limit,
	})
	if err != nil {
		return ReplayBatchResult{}, fmt.Errorf("list receipts: %w", err)
	}
	out := ReplayBatchResult{Matched: len(page.Receipts), Next: page.Next}
	if in.DryRun {
		return out, nil
	}
	var starter relay.Starter
	if a.Starter != nil {
		starter = a.Starter
	}
	for _, r := range page.Receipts {
		_, err := relay.Replay(ctx, rs, starter, r, store.Replay{At: a.now(), Actor: in.Actor, Reason: in.Reason}, in.Mode)
		switch {
		case err == nil:
			out.Replayed++
		case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrNotFound):
			// Its run has not ended (or it was purged): nothing changed.
			out.Failed++
			a.log().Warn("bulk replay: receipt not replayed", "receipt_id", r.ID, "err", err)
		case errors.Is(err, relay.ErrNotStarted):
			// Requeued and recorded: the relay's sweep starts its run later.
			out.Failed++
			a.log().Warn("bulk replay: run not started; the relay will retry", "receipt_id", r.ID, "err", err)
		default:
			return out, err
		}
	}
	return out, nil
}
