package workflows

import (
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TestReplayRecordedHistory replays a ProcessWebhook history recorded from a
// real end-to-end run (go test ./e2e -run TestGitHubPushIsPublishedAsOneCloudEvent
// -record-history). A change to the workflow that would break workflows already
// running in production (a non-deterministic change) fails here.
func TestReplayRecordedHistory(t *testing.T) {
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(ProcessWebhook, workflow.RegisterOptions{Name: Name})
	if err := r.ReplayWorkflowHistoryFromJSONFile(nil, "testdata/history_v1.json"); err != nil {
		t.Fatalf("replay: %v", err)
	}
}
