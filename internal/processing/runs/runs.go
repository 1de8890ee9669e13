// Package runs is the contract between the processes that start receipts'
// workflow runs and the worker that runs them: the workflow types' names, the
// workflow ID of a receipt, the inputs and results, the memo and search
// attributes, and the clients that start runs (Starter) and bulk replays
// (BulkReplays).
//
// The gateway's relay and admin API import it without linking the workflows'
// code or their activities; package workflows implements what it names.
package runs

import (
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/hookgate/hookgate/retry"
	"github.com/hookgate/hookgate/store"
)

// Registered workflow types and the bulk replay's progress query.
const (
	Name           = "ProcessWebhook"
	BulkReplayName = "BulkReplay"
	ProgressQuery  = "progress"
)

// Search attributes set on every ProcessWebhook run, so operators can filter in the
// Temporal UI (e.g. HookgateSource = "stripe" AND HookgateEventType = "invoice.paid").
var (
	AttrSource    = temporal.NewSearchAttributeKeyKeyword("HookgateSource")
	AttrProvider  = temporal.NewSearchAttributeKeyKeyword("HookgateProvider")
	AttrEventType = temporal.NewSearchAttributeKeyKeyword("HookgateEventType")
)

// SearchAttributes lists the custom search attributes to register on the namespace.
func SearchAttributes() map[string]enumspb.IndexedValueType {
	return map[string]enumspb.IndexedValueType{
		AttrSource.GetName():    enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		AttrProvider.GetName():  enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		AttrEventType.GetName(): enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	}
}

// ID is the workflow ID of a receipt: one workflow per source and provider event.
func ID(source, eventID string) string { return source + "/" + eventID }

// Input is ProcessWebhook's input: a reference to the receipt, never its
// payload, and the retry policy of the built-in steps (resolved from the
// source's config when the run is started).
type Input struct {
	Receipt store.Ref
	Retry   retry.Policy
	// StepsFinish is set by every starter since the steps record their
	// run's outcome themselves (ProcessWebhook's doc): the workflow takes
	// that path only for inputs that carry it, so runs recorded before it
	// replay as they ran. A field of the recorded input, not a
	// workflow.GetVersion marker, because a marker also upserts the
	// TemporalChangeVersion search attribute on every run: one more history
	// event and visibility write per webhook, the cost this change removes.
	StepsFinish bool `json:",omitempty"`
}

// Result is ProcessWebhook's outcome.
type Result struct {
	Status store.Status
	Events int
}

// ReplayFilter selects the receipts of a bulk replay. Until is fixed when the bulk
// replay starts, so receipts arriving meanwhile are not swept in.
type ReplayFilter struct {
	Source    string
	Status    store.Status
	EventType string
	Since     time.Time
	Until     time.Time
}

// BulkReplayInput selects receipts to replay and how fast.
type BulkReplayInput struct {
	Filter ReplayFilter
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

// MemoGeneration is the memo key under which each run records the receipt
// generation it was started for (store.Ref.Generation).
const MemoGeneration = "hookgate_generation"

// RunGeneration reads the receipt generation a run was started for from its
// memo; a run started before generations were recorded is generation 0.
func RunGeneration(info *workflowpb.WorkflowExecutionInfo) (int, error) {
	p, ok := info.GetMemo().GetFields()[MemoGeneration]
	if !ok {
		return 0, nil
	}
	var gen int
	if err := converter.GetDefaultDataConverter().FromPayload(p, &gen); err != nil {
		return 0, fmt.Errorf("memo %s of run %s: %w", MemoGeneration, info.GetExecution().GetRunId(), err)
	}
	return gen, nil
}
