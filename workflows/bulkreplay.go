package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hookgate/hookgate/activities"
	"github.com/hookgate/hookgate/store"
)

// BulkReplayName is the registered type of the bulk replay workflow.
const BulkReplayName = "BulkReplay"

// ProgressQuery is the query type answering a bulk replay's BulkReplayProgress.
const ProgressQuery = "progress"

// BulkReplayInput selects receipts to replay and how fast.
type BulkReplayInput struct {
	Filter activities.ReplayFilter
	// PerSecond caps receipts replayed per second (default 20).
	PerSecond int
	// BatchSize is the receipts per activity call (default 50).
	BatchSize int
	DryRun    bool
	Actor     string
	Reason    string
	// Mode is the replays' mode (resume when empty); omitted from JSON when
	// empty, so inputs recorded before it decode unchanged.
	Mode store.ReplayMode `json:",omitempty"`
	// PagesPerRun bounds the pages one run replays before it continues as
	// new (default 200); omitted from JSON when zero.
	PagesPerRun int `json:",omitempty"`
	// Cursor and Progress carry state across continue-as-new.
	Cursor   string
	Progress BulkReplayProgress
}

// BulkReplayProgress is what a bulk replay has done so far.
type BulkReplayProgress struct {
	Matched  int  `json:"matched"`
	Replayed int  `json:"replayed"`
	Failed   int  `json:"failed"`
	Done     bool `json:"done"`
	DryRun   bool `json:"dry_run"`
}

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

// BulkReplays starts, inspects and cancels bulk replays through Temporal.
type BulkReplays struct {
	Client    client.Client
	TaskQueue string
}

// Start begins a bulk replay and returns its workflow ID.
func (b *BulkReplays) Start(ctx context.Context, in BulkReplayInput) (string, error) {
	id := "bulk-replay/" + uuid.Must(uuid.NewV7()).String()
	_, err := b.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: id, TaskQueue: b.TaskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, BulkReplayName, in)
	if err != nil {
		return "", fmt.Errorf("start bulk replay: %w", err)
	}
	return id, nil
}

// ErrUnknownReplay is returned for an ID that is not a bulk replay.
var ErrUnknownReplay = errors.New("no such bulk replay")

// Progress returns a bulk replay's progress and its workflow status
// ("Running", "Completed", "Canceled", …).
func (b *BulkReplays) Progress(ctx context.Context, id string) (BulkReplayProgress, string, error) {
	var p BulkReplayProgress
	desc, err := b.Client.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		return p, "", fmt.Errorf("%w: %s: %w", ErrUnknownReplay, id, err)
	}
	status := desc.GetWorkflowExecutionInfo().GetStatus()
	if status == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		err = b.Client.GetWorkflow(ctx, id, "").Get(ctx, &p)
	} else {
		resp, qerr := b.Client.QueryWorkflow(ctx, id, "", ProgressQuery)
		if qerr == nil {
			qerr = resp.Get(&p)
		}
		err = qerr
	}
	if err != nil {
		return p, statusName(status), fmt.Errorf("bulk replay %s progress: %w", id, err)
	}
	return p, statusName(status), nil
}

func statusName(s enumspb.WorkflowExecutionStatus) string {
	name := s.String()
	if len(name) > len("WORKFLOW_EXECUTION_STATUS_") {
		name = name[len("WORKFLOW_EXECUTION_STATUS_"):]
	}
	return name
}

// Cancel asks a bulk replay to stop.
func (b *BulkReplays) Cancel(ctx context.Context, id string) error {
	if err := b.Client.CancelWorkflow(ctx, id, ""); err != nil {
		return fmt.Errorf("cancel bulk replay %s: %w", id, err)
	}
	return nil
}
