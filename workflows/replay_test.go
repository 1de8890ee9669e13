package workflows

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TestReplayRecordedHistories replays every workflow history recorded from a
// real end-to-end run (go test ./e2e -record-history), one per branch of the
// workflows for the current version: success, retry then success, dead
// letter, team activity, unhandled, a run cancelled in Temporal, a replay's
// run, and a bulk replay's run that continued as new; and every history of
// earlier versions, kept as recorded: history_v1.json (the first release's
// success) and history_<branch>_v2.json (before steps recorded their outcome
// themselves, version one-commit-steps). A change to a workflow that would
// break runs already in flight (a non-deterministic change) fails here.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/history_*.json")
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, f := range files {
		have[filepath.Base(f)] = true
	}
	for _, name := range []string{"success", "retry", "dead", "team", "unhandled", "cancelled", "replay_run", "bulk_replay"} {
		for _, f := range []string{"history_" + name + ".json", "history_" + name + "_v2.json"} {
			if !have[f] {
				t.Errorf("no recorded history %s", f)
			}
		}
	}
	if !have["history_v1.json"] {
		t.Error("no recorded history history_v1.json")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(ProcessWebhook, workflow.RegisterOptions{Name: Name})
			r.RegisterWorkflowWithOptions(BulkReplay, workflow.RegisterOptions{Name: BulkReplayName})
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatalf("replay: %v", err)
			}
		})
	}
}
