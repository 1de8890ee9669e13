package e2e

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/hookgate/hookgate/app"
	"github.com/hookgate/hookgate/internal/processing/runs"
	"github.com/hookgate/hookgate/store"
)

// latestRun is the run ID of the latest run of a workflow ID (read from the
// history service, not the eventually consistent visibility).
func (s *stack) latestRun(t *testing.T, workflowID string) string {
	t.Helper()
	d, err := s.temporal.DescribeWorkflowExecution(context.Background(), workflowID, "")
	if err != nil {
		t.Fatalf("describe %s: %v", workflowID, err)
	}
	return d.GetWorkflowExecutionInfo().GetExecution().GetRunId()
}

// A start of an event whose run already completed (a retried start that had
// in fact succeeded, or a sweep that read the receipt just before its run
// closed) finds that run instead of running the event again; only a replay
// gets a new run.
func TestStartingACompletedEventAgainRunsItOnlyForAReplay(t *testing.T) {
	s := setup(t, options{})
	id := s.send(t, "github", "push", http.StatusOK)
	r := s.waitStatus(t, "github", id, store.StatusCompleted)
	wid := runs.ID("github", id)
	first := s.latestRun(t, wid)

	st := app.Starter(s.temporal, s.cfg, false)
	ref := store.Ref{ID: r.ID, Source: "github", EventID: id}
	if got, err := st.Start(context.Background(), ref); err != nil || got != wid {
		t.Fatalf("Start of the completed event = %q, %v; want %q and no error", got, err, wid)
	}
	if run := s.latestRun(t, wid); run != first {
		t.Fatalf("starting the completed event again made run %s (first %s); want no new run", run, first)
	}

	ref.Replay = true
	if _, err := st.Start(context.Background(), ref); err != nil {
		t.Fatalf("Start of a replay: %v", err)
	}
	if run := s.latestRun(t, wid); run == first {
		t.Fatal("a replay got no new run")
	}
	eventually(t, "two runs in visibility", func() (bool, string) {
		resp, err := s.temporal.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
			PageSize: 100, Query: fmt.Sprintf("WorkflowId = %q", wid)})
		if err != nil {
			return false, err.Error()
		}
		return len(resp.Executions) == 2, fmt.Sprintf("%d runs", len(resp.Executions))
	})
}
