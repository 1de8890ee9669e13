package workflows

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TestReplayRecordedHistories replays every workflow history recorded from a
// real end-to-end run (go test ./e2e -record-history), one per branch of the
// workflows: success (history_v1.json is the one recorded by the first
// release and is kept as it was; history_success.json is the current one),
// retry then success, dead letter, team activity, unhandled, a run cancelled
// in Temporal, a replay's run, and a bulk replay's run that continued as new.
// A change to a workflow that would break runs already in flight (a
// non-deterministic change) fails here.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/history_*.json")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"v1", "success", "retry", "dead", "team", "unhandled", "cancelled", "replay_run", "bulk_replay"}
	if len(files) < len(want) {
		t.Fatalf("%d recorded histories %v, want at least one per branch %v", len(files), files, want)
	}
	for _, name := range want {
		t.Run(name, func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(ProcessWebhook, workflow.RegisterOptions{Name: Name})
			r.RegisterWorkflowWithOptions(BulkReplay, workflow.RegisterOptions{Name: BulkReplayName})
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, filepath.Join("testdata", "history_"+name+".json")); err != nil {
				t.Fatalf("replay: %v", err)
			}
		})
	}
}
