package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hookgate/hookgate/activities"
	"github.com/hookgate/hookgate/internal/processing/runs"
)

// The bulk replay's contract (package runs), named here for the worker.
const (
	BulkReplayName = runs.BulkReplayName
	ProgressQuery  = runs.ProgressQuery
)

type (
	// BulkReplayInput selects receipts to replay and how fast.
	BulkReplayInput = runs.BulkReplayInput
	// BulkReplayProgress is what a bulk replay has done so far.
	BulkReplayProgress = runs.BulkReplayProgress
)

// pagesPerRun bounds a run's history; the replay continues as a new run after it.
const pagesPerRun = 200

// BulkReplay replays every receipt matching the filter, page by page, at most
// PerSecond receipts a second. It answers ProgressQuery at any time and stops
// cleanly when cancelled (what was replayed stays replayed, and recorded).
func BulkReplay(ctx workflow.Context, in BulkReplayInput) (BulkReplayProgress, error) {
	var a *activities.Activities
	if in.PerSecond <= 0 {
		in.PerSecond = 20
	}
	if in.BatchSize <= 0 {
		in.BatchSize = 50
	}
	progress := in.Progress
	progress.DryRun = in.DryRun
	if err := workflow.SetQueryHandler(ctx, ProgressQuery, func() (BulkReplayProgress, error) { return progress, nil }); err != nil {
		return progress, err
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute, MaximumAttempts: 20},
	})
	perRun := in.PagesPerRun
	if perRun <= 0 {
		perRun = pagesPerRun
	}
	cursor := in.Cursor
	for page := 0; ; page++ {
		if page == perRun {
			next := in
			next.Cursor, next.Progress = cursor, progress
			return progress, workflow.NewContinueAsNewError(ctx, BulkReplayName, next)
		}
		var r activities.ReplayBatchResult
		err := workflow.ExecuteActivity(ctx, a.ReplayBatch, activities.ReplayBatchInput{
			Filter: in.Filter, Cursor: cursor, Limit: in.BatchSize, DryRun: in.DryRun, Actor: in.Actor, Reason: in.Reason, Mode: in.Mode,
		}).Get(ctx, &r)
		if err != nil {
			return progress, err
		}
		progress.Matched += r.Matched
		progress.Replayed += r.Replayed
		progress.Failed += r.Failed
		if r.Next == "" {
			break
		}
		cursor = r.Next
		if !in.DryRun && r.Matched > 0 {
			pause := time.Duration(float64(r.Matched) / float64(in.PerSecond) * float64(time.Second))
			if err := workflow.Sleep(ctx, pause); err != nil {
				return progress, err
			}
		}
	}
	progress.Done = true
	return progress, nil
}
