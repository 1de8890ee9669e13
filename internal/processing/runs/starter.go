package runs

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/hookgate/hookgate/internal/processing/relay"
	"github.com/hookgate/hookgate/retry"
	"github.com/hookgate/hookgate/store"
)

// SourceInfo is what the starter needs to know about a source.
type SourceInfo struct {
	Provider string
	Retry    retry.Policy
}

// Starter starts ProcessWebhook runs; it implements relay.Starter.
type Starter struct {
	Client    client.Client
	TaskQueue string
	// Eager asks the server to hand the first workflow task straight back to this
	// process's worker (set only when a worker for TaskQueue runs on Client).
	Eager bool
	// Sources resolves a source's provider and retry policy.
	Sources func(source string) (SourceInfo, bool)
}

// Errors of Start when the workflow ID already has a run that is not the one
// asked for.
var (
	// ErrRunOpen: a replay was asked for while an earlier run is still open
	// (the start is retried later, by the relay's sweep).
	ErrRunOpen = errors.New("an earlier run of the workflow is still open")
	// ErrOtherRun: the workflow's latest run is of another generation than
	// the one asked for (a stale ref).
	ErrOtherRun = errors.New("the workflow's latest run is of another generation")
)

// Start starts the run of ref's generation of its workflow, or finds it, and
// never takes another run for it. A first run (ref.Replay false) is started
// with reuse policy REJECT_DUPLICATE and conflict policy USE_EXISTING: a start
// retried after a timeout, or a sweep that read the receipt just before its
// run completed, finds that run and cannot run the event twice. A replay is
// started with ALLOW_DUPLICATE and conflict policy FAIL, so it gets a new run
// or an error, never an earlier run. Every run records its generation in its
// memo, and when the server answers that the workflow already has a run
// (WorkflowExecutionErrorWhenAlreadyStarted), the run is described and
// accepted only if it is of ref's generation: otherwise the error wraps
// ErrRunOpen or ErrOtherRun.
func (s *Starter) Start(ctx context.Context, ref store.Ref) (string, error) {
	info, ok := s.Sources(ref.Source)
	if !ok {
		return "", fmt.Errorf("start %s: source %q is not configured: %w", ref.ID, ref.Source, relay.ErrPermanent)
	}
	id := ID(ref.Source, ref.EventID)
	reuse := enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE
	conflict := enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING
	if ref.Replay {
		reuse = enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE
		conflict = enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL
	}
	run, err := s.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                                       id,
		TaskQueue:                                s.TaskQueue,
		WorkflowIDReusePolicy:                    reuse,
		WorkflowIDConflictPolicy:                 conflict,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		EnableEagerStart:                         s.Eager,
		Memo:                                     map[string]any{MemoGeneration: ref.Generation},
		TypedSearchAttributes:                    temporal.NewSearchAttributes(attrs(ref, info)...),
	}, Name, Input{Receipt: ref, Retry: info.Retry, StepsFinish: true})
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &already) {
		return id, s.existing(ctx, id, ref.Generation)
	}
	if err != nil {
		if Permanent(err) {
			return "", fmt.Errorf("start workflow %s: %w: %w", id, relay.ErrPermanent, err)
		}
		return "", fmt.Errorf("start workflow %s: %w", id, err)
	}
	return run.GetID(), nil
}

// attrs are the run's search attributes at start: its source, provider and,
// when the ref carries it, event type (the workflow then need not upsert it).
func attrs(ref store.Ref, info SourceInfo) []temporal.SearchAttributeUpdate {
	as := []temporal.SearchAttributeUpdate{AttrSource.ValueSet(ref.Source), AttrProvider.ValueSet(info.Provider)}
	if ref.EventType != "" {
		as = append(as, AttrEventType.ValueSet(ref.EventType))
	}
	return as
}

// Permanent reports whether Temporal refused a start in a way that retrying
// cannot change: an invalid request, or a namespace that does not exist.
func Permanent(err error) bool {
	var invalid *serviceerror.InvalidArgument
	var noNamespace *serviceerror.NamespaceNotFound
	return errors.As(err, &invalid) || errors.As(err, &noNamespace)
}

// existing checks the latest run of workflow id, which the server said
// exists: nil when it is of generation gen (a start retried after it
// succeeded, or a first run that has already run).
func (s *Starter) existing(ctx context.Context, id string, gen int) error {
	d, err := s.Client.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		return fmt.Errorf("start workflow %s: it has a run, and describing it failed: %w", id, err)
	}
	info := d.GetWorkflowExecutionInfo()
	got, err := RunGeneration(info)
	if err != nil {
		return fmt.Errorf("start workflow %s: %w", id, err)
	}
	switch {
	case got == gen:
		return nil
	case info.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		return fmt.Errorf("start workflow %s (generation %d): run %s of generation %d: %w",
			id, gen, info.GetExecution().GetRunId(), got, ErrRunOpen)
	default:
		return fmt.Errorf("start workflow %s (generation %d): run %s is of generation %d: %w",
			id, gen, info.GetExecution().GetRunId(), got, ErrOtherRun)
	}
}
