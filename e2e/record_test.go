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

// recordHistory makes the e2e tests that exercise a branch of a workflow save
// its history under workflows/testdata/ (history_v1.json: success; and one
// file per other branch: retry then success, dead letter, team activity,
// unhandled, cancelled, bulk replay), which the replay test in workflows checks
// the workflows' determinism against. Re-record only when a workflow change
// is meant to be incompatible: `go test ./e2e -record-history`.
var recordHistory = flag.Bool("record-history", false, "write workflows/testdata/history_*.json from real runs")

// record saves the history of workflowID (its latest run) as
// workflows/testdata/<name>.json when -record-history is set.
func (s *stack) record(t *testing.T, workflowID, name string) {
	t.Helper()
	s.recordRun(t, workflowID, "", name)
}

// recordRun is record for one run of workflowID ("" for the latest).
func (s *stack) recordRun(t *testing.T, workflowID, runID, name string) {
	t.Helper()
	if *recordHistory {
		s.saveHistory(t, workflowID, runID, name)
	}
}

// saveHistory writes the history of a run of workflowID to the workflows test data.
func (s *stack) saveHistory(t *testing.T, workflowID, runID, name string) {
	t.Helper()
	it := s.temporal.GetWorkflowHistory(context.Background(), workflowID, runID, false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
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
	path := filepath.Join("..", "workflows", "testdata", name+".json")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d events of %s in %s", len(h.Events), workflowID, path)
}
