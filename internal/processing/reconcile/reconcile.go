// Package reconcile repairs receipts whose workflow run was lost: a receipt
// that is queued, processing or retrying has an open run of its generation,
// unless something went wrong outside hookgate's books (a run terminated or
// cancelled in the Temporal UI, a start that was answered with another run, a
// Temporal namespace restored from an old backup). The reconciler finds such
// receipts and repairs each: it starts the missing run, or records the outcome
// the closed run reached. The worker runs it.
package reconcile

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/hookgate/hookgate/internal/processing/runs"
	"github.com/hookgate/hookgate/store"
)

// Store is what the reconciler needs from the store.
type Store interface {
	Unfinished(ctx context.Context, before time.Time, limit int) ([]store.Ref, error)
	Receipt(ctx context.Context, id string) (store.Receipt, error)
	Transition(ctx context.Context, tr store.Transition) error
}

// Temporal is what the reconciler asks Temporal (client.Client has it).
type Temporal interface {
	DescribeWorkflowExecution(ctx context.Context, workflowID, runID string) (*workflowservice.DescribeWorkflowExecutionResponse, error)
	GetWorkflow(ctx context.Context, workflowID, runID string) client.WorkflowRun
}

// Starter starts a receipt's run (runs.Starter).
type Starter interface {
	Start(ctx context.Context, ref store.Ref) (string, error)
}

// DeadLetterer marks a receipt dead with cause and sends its dead letter
// (activities.Activities.DeadLetterReceipt, called outside a workflow).
type DeadLetterer interface {
	DeadLetter(ctx context.Context, ref store.Ref, cause string) error
}

// Action is what the reconciler did to one receipt.
type Action string

// Actions, the values of the repairs metric's label.
const (
	// ActionStarted: the receipt's run was missing (or only an earlier
	// generation's existed) and was started.
	ActionStarted Action = "started"
	// ActionCompleted: the run had completed; its outcome was recorded.
	ActionCompleted Action = "completed"
	// ActionDead: the run had failed, been terminated or cancelled, or timed
	// out without recording it; the receipt was dead-lettered with the cause.
	ActionDead Action = "dead"
)

// Actions lists every Action (to pre-initialise the metric's series).
func Actions() []Action { return []Action{ActionStarted, ActionCompleted, ActionDead} }

// Options tune the reconciler.
type Options struct {
	// After: a receipt is checked once it has been queued this long (default
	// 10 minutes), so runs that are merely slow to record are left alone.
	After time.Duration
	// Interval between passes (default 1 minute).
	Interval time.Duration
	// Limit caps the receipts one pass checks (default 1000).
	Limit  int
	Logger *slog.Logger
	Now    func() time.Time
	// OnRepair, if set, observes each repair (metrics).
	OnRepair func(Action)
}

// Reconciler finds and repairs receipts whose run was lost.
type Reconciler struct {
	store    Store
	temporal Temporal
	starter  Starter
	dead     DeadLetterer
	o        Options
}

// New returns a reconciler.
func New(st Store, tc Temporal, starter Starter, dead DeadLetterer, o Options) *Reconciler {
	if o.After <= 0 {
		o.After = 10 * time.Minute
	}
	if o.Interval <= 0 {
		o.Interval = time.Minute
	}
	if o.Limit <= 0 {
		o.Limit = 1000
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Reconciler{store: st, temporal: tc, starter: starter, dead: dead, o: o}
}

// Run passes every Interval until ctx ends. A failed pass is logged and the
// next one tries again.
func (r *Reconciler) Run(ctx context.Context) error {
	t := time.NewTicker(r.o.Interval)
	defer t.Stop()
	for {
		if _, err := r.Pass(ctx); err != nil && ctx.Err() == nil {
			r.o.Logger.Warn("reconciler pass failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Pass checks the receipts queued longer than After and repairs those whose
// run is missing or closed. It returns how many it repaired, by action. One
// receipt's failure is logged and does not stop the pass; a store failure to
// list does.
func (r *Reconciler) Pass(ctx context.Context) (map[Action]int, error) {
	refs, err := r.store.Unfinished(ctx, r.o.Now().Add(-r.o.After), r.o.Limit)
	if err != nil {
		return nil, err
	}
	done := map[Action]int{}
	for _, ref := range refs {
		a, err := r.repair(ctx, ref)
		if err != nil {
			if ctx.Err() != nil {
				return done, ctx.Err()
			}
			r.o.Logger.Warn("reconciler: receipt not repaired", "receipt_id", ref.ID, "err", err)
			continue
		}
		if a == "" {
			continue
		}
		done[a]++
		if r.o.OnRepair != nil {
			r.o.OnRepair(a)
		}
	}
	return done, nil
}

// repair checks one receipt's run and repairs what it finds; "" means the
// run is open (nothing to do) or the receipt moved on meanwhile.
func (r *Reconciler) repair(ctx context.Context, ref store.Ref) (Action, error) {
	id := runs.ID(ref.Source, ref.EventID)
	d, err := r.temporal.DescribeWorkflowExecution(ctx, id, "")
	var missing *serviceerror.NotFound
	switch {
	case errors.As(err, &missing):
		return r.start(ctx, ref, "no run")
	case err != nil:
		return "", fmt.Errorf("describe %s: %w", id, err)
	}
	info := d.GetWorkflowExecutionInfo()
	gen, err := runs.RunGeneration(info)
	if err != nil {
		return "", err
	}
	status := info.GetStatus()
	switch {
	case gen < ref.Generation && status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		return r.start(ctx, ref, fmt.Sprintf("only run %d of generation %d exists", gen, ref.Generation))
	case gen != ref.Generation || status == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		// Its run is open, or an earlier run is open and blocks the new one
		// (the relay retries that start), or a newer run exists (a stale row).
		return "", nil
	}
	// The receipt's own run is closed: the receipt should have been recorded
	// terminal. Read it again: the run may have recorded it meanwhile.
	if moved, err := r.movedOn(ctx, ref); moved || err != nil {
		return "", err
	}
	run := info.GetExecution().GetRunId()
	if status == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		var res runs.Result
		if err := r.temporal.GetWorkflow(ctx, id, run).Get(ctx, &res); err != nil {
			return "", fmt.Errorf("result of %s run %s: %w", id, run, err)
		}
		to := store.StatusCompleted
		if res.Status == store.StatusUnhandled {
			to = store.StatusUnhandled
		}
		if err := r.store.Transition(ctx, store.Transition{ReceiptID: ref.ID, To: to, At: r.o.Now()}); err != nil {
			return "", err
		}
		r.o.Logger.Warn("receipt repaired", "receipt_id", ref.ID, "workflow_id", id, "run_id", run, "action", ActionCompleted)
		return ActionCompleted, nil
	}
	cause := fmt.Sprintf("workflow run %s %s in Temporal before recording an outcome", run, closedWord(status))
	if err := r.dead.DeadLetter(ctx, ref, cause); err != nil {
		return "", err
	}
	r.o.Logger.Warn("receipt repaired", "receipt_id", ref.ID, "workflow_id", id, "run_id", run, "action", ActionDead, "cause", cause)
	return ActionDead, nil
}

func (r *Reconciler) start(ctx context.Context, ref store.Ref, why string) (Action, error) {
	if moved, err := r.movedOn(ctx, ref); moved || err != nil {
		return "", err
	}
	wid, err := r.starter.Start(ctx, ref)
	if err != nil {
		return "", err
	}
	r.o.Logger.Warn("receipt repaired", "receipt_id", ref.ID, "workflow_id", wid, "generation", ref.Generation, "action", ActionStarted, "why", why)
	return ActionStarted, nil
}

// movedOn reports whether the receipt is no longer unfinished in ref's
// generation (completed, dead, or requeued for a replay since it was listed).
func (r *Reconciler) movedOn(ctx context.Context, ref store.Ref) (bool, error) {
	rc, err := r.store.Receipt(ctx, ref.ID)
	if err != nil {
		return false, err
	}
	unfinished := rc.Status == store.StatusQueued || rc.Status == store.StatusProcessing || rc.Status == store.StatusRetrying
	return !unfinished || rc.Generation != ref.Generation, nil
}

func closedWord(s enumspb.WorkflowExecutionStatus) string {
	switch s {
	case enumspb.WORKFLOW_EXECUTION_STATUS_FAILED:
		return "failed"
	case enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED:
		return "was terminated"
	case enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:
		return "was cancelled"
	case enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
		return "timed out"
	case enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW:
		return "continued as new"
	}
	return "ended (" + s.String() + ")"
}
