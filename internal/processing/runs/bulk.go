package runs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/hookgate/hookgate/store"
)

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

// BulkReplaySummary is one bulk replay as the list of past ones shows it.
type BulkReplaySummary struct {
	ID        string
	Status    string // "Running", "Completed", "Canceled", …
	StartedAt time.Time
	ClosedAt  time.Time // zero while it runs
}

// List returns the newest bulk replays, at most n.
func (b *BulkReplays) List(ctx context.Context, n int) ([]BulkReplaySummary, error) {
	resp, err := b.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		PageSize: int32(n),
		Query:    "WorkflowType = '" + BulkReplayName + "'",
	})
	if err != nil {
		return nil, fmt.Errorf("list bulk replays: %w", err)
	}
	out := make([]BulkReplaySummary, 0, len(resp.GetExecutions()))
	for _, e := range resp.GetExecutions() {
		s := BulkReplaySummary{ID: e.GetExecution().GetWorkflowId(), Status: statusName(e.GetStatus()), StartedAt: e.GetStartTime().AsTime()}
		if e.GetCloseTime() != nil {
			s.ClosedAt = e.GetCloseTime().AsTime()
		}
		out = append(out, s)
	}
	return out, nil
}

// ReceiptLister lists receipts (the store's ListReceipts).
type ReceiptLister interface {
	ListReceipts(ctx context.Context, f store.Filter) (store.Page, error)
}

// CountMatching counts the receipts f matches, a page of 1000 at a time:
// the dry run of a bulk replay, which changes nothing.
func CountMatching(ctx context.Context, st ReceiptLister, f ReplayFilter) (int, error) {
	n, cursor := 0, ""
	for {
		page, err := st.ListReceipts(ctx, store.Filter{Source: f.Source, Status: f.Status, EventType: f.EventType,
			Since: f.Since, Until: f.Until, Cursor: cursor, Limit: 1000})
		if err != nil {
			return 0, err
		}
		n += len(page.Receipts)
		if page.Next == "" {
			return n, nil
		}
		cursor = page.Next
	}
}

// ParseWhen reads a filter's time as operators type it: RFC 3339, or a
// duration back from now ("2h"); "" is the zero time. The error wraps
// store.ErrInvalid and names field.
func ParseWhen(v, field string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("%w: %s must be RFC 3339 or a duration like 2h", store.ErrInvalid, field)
}
