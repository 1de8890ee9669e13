package e2e

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// recordHistory makes TestGitHubPushIsPublishedAsOneCloudEvent save its
// workflow's history as workflows/testdata/history_v1.json, which the replay
// test in workflows checks ProcessWebhook's determinism against. Re-record it
// only when a workflow change is meant to be incompatible.
var recordHistory = flag.Bool("record-history", false, "write workflows/testdata/history_v1.json from a real run")

// saveHistory writes the history of workflowID to the workflows test data.
func (s *stack) saveHistory(t *testing.T, workflowID string) {
	t.Helper()
	it := s.temporal.GetWorkflowHistory(context.Background(), workflowID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var h historypb.History
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatalf("history of %s: %v", workflowID, err)
		}
		h.Events = append(h.Events, ev)
	}
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(&h)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "workflows", "testdata", "history_v1.json")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d events of %s in %s", len(h.Events), workflowID, path)
}
