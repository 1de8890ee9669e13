package workflows

import (
	"context"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

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

// Start starts the workflow of ref, or finds its run: a running one is never
// started a second time (conflict policy USE_EXISTING), and a closed one gets a
// new run only when ref is a replay (reuse policy ALLOW_DUPLICATE; otherwise
// REJECT_DUPLICATE, and the SDK returns the closed run without an error). So a
// start retried after a timeout whose first attempt did start the workflow, or
// a sweep that read the receipt just before its run completed, cannot run the
// event twice.
func (s *Starter) Start(ctx context.Context, ref store.Ref) (string, error) {
	info, ok := s.Sources(ref.Source)
	if !ok {
		return "", fmt.Errorf("start %s: source %q is not configured", ref.ID, ref.Source)
	}
	id := ID(ref.Source, ref.EventID)
	reuse := enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE
	if ref.Replay {
		reuse = enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE
	}
	run, err := s.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                s.TaskQueue,
		WorkflowIDReusePolicy:    reuse,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		EnableEagerStart:         s.Eager,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			AttrSource.ValueSet(ref.Source),
			AttrProvider.ValueSet(info.Provider),
		),
	}, Name, Input{Receipt: ref, Retry: info.Retry})
	if err != nil {
		return "", fmt.Errorf("start workflow %s: %w", id, err)
	}
	return run.GetID(), nil
}
