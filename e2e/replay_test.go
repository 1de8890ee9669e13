package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/hookgate/hookgate/fixtures"
	"github.com/hookgate/hookgate/internal/processing/runs"
	"github.com/hookgate/hookgate/providers/builtin"
	"github.com/hookgate/hookgate/store"
)

// admin calls the admin API and decodes its JSON answer into out; it fails t
// unless the status is want.
func (s *stack) admin(t testing.TB, method, path string, body any, want int, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.adminURL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.adminTok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.httpCli.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, resp.StatusCode, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

// sendWithout posts fixture name of source, signed, with the given lines
// removed from its body (a payload its handler refuses), and returns its
// event ID.
func (s *stack) sendWithout(t *testing.T, source, name string, lines ...string) string {
	t.Helper()
	src, _ := s.cfg.Source(source)
	fx, err := fixtures.Load(builtin.Fixtures(src.Provider), name)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		if !bytes.Contains(fx.Body, []byte(l)) {
			t.Fatalf("fixture %s/%s changed: no %s", source, name, l)
		}
		fx.Body = bytes.Replace(fx.Body, []byte(l), nil, 1)
	}
	id := fixtures.NewEventID(src.Provider)
	if code, err := s.post(s.requestFor(t, src, fx, id, false)); err != nil || code != http.StatusOK {
		t.Fatalf("post %s/%s: %d, %v; want 200 (the signature is valid)", source, name, code, err)
	}
	return id
}

// bulkReplay runs a bulk replay through the admin API and waits for it to end.
func (s *stack) bulkReplay(t *testing.T, req map[string]any) runs.BulkReplayProgress {
	t.Helper()
	var started struct{ ID string }
	s.admin(t, http.MethodPost, "/v1/replays", req, http.StatusAccepted, &started)
	var st struct {
		Status   string
		Progress runs.BulkReplayProgress
	}
	eventually(t, "bulk replay "+started.ID, func() (bool, string) {
		s.admin(t, http.MethodGet, "/v1/replays/"+started.ID, nil, http.StatusOK, &st)
		return !strings.EqualFold(st.Status, "running"), st.Status
	})
	if !strings.EqualFold(st.Status, "completed") {
		t.Fatalf("bulk replay %s ended %s", started.ID, st.Status)
	}
	return st.Progress
}

// checkRuns checks that a receipt's attempts cover runs 0..n-1, each with a
// handle attempt, and that the receipt is of generation n-1.
func (s *stack) checkRuns(t *testing.T, r store.Receipt, n int) {
	t.Helper()
	if r.Generation != n-1 {
		t.Errorf("receipt %s: generation %d, want %d", r.ID, r.Generation, n-1)
	}
	as, err := s.store.Attempts(t.Context(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	handled := map[int]bool{}
	for _, a := range as {
		if a.Step == store.StepHandle {
			handled[a.Run] = true
		}
	}
	for run := range n {
		if !handled[run] {
			t.Errorf("receipt %s: no handle attempt of run %d in %+v", r.ID, run, as)
		}
	}
}

// The scenario: two verified webhooks whose payloads their handlers
// refuse end dead; a bulk replay of the dead receipts re-runs both (a new run
// each, dead again, with both runs' attempts and a dead letter each time);
// then a bulk replay of completed receipts and a single replay re-run those.
func TestBulkReplayRerunsEveryMatchedReceipt(t *testing.T) {
	s := setup(t, options{})
	gh := s.sendWithout(t, "github", "push", `"before": "9d2b4f6a8c0e1d3f5a7b9c2e4f6a8b0d1c3e5f7a",`,
		`"after": "${EVENT_SHA}",`)
	pi := s.sendWithout(t, "stripe", "payment_intent.succeeded", `"amount": 2599,`, `"amount_received": 2599,`)
	dead := []store.Receipt{s.waitStatus(t, "github", gh, store.StatusDead), s.waitStatus(t, "stripe", pi, store.StatusDead)}
	firstRuns := map[string]string{}
	for _, r := range dead {
		firstRuns[r.ID] = s.latestRun(t, r.WorkflowID)
	}

	p := s.bulkReplay(t, map[string]any{"status": "dead", "since": "1h", "reason": "handler fixed"})
	if p.Matched != 2 || p.Replayed != 2 || p.Failed != 0 {
		t.Fatalf("bulk replay of the dead receipts: %+v, want 2 matched, 2 replayed, 0 failed", p)
	}
	for i, id := range []string{gh, pi} {
		source := []string{"github", "stripe"}[i]
		eventually(t, "receipt "+id+" dead again in its second run", func() (bool, string) {
			r, err := s.receipt(source, id)
			return err == nil && r.Status == store.StatusDead && r.Generation == 1, fmt.Sprintf("%s generation %d", r.Status, r.Generation)
		})
		r, _ := s.receipt(source, id)
		s.checkRuns(t, r, 2)
		if run := s.latestRun(t, r.WorkflowID); run == firstRuns[r.ID] {
			t.Errorf("receipt %s: no new run (%s)", r.ID, run)
		}
		eventually(t, "two dead letters of "+r.ID, func() (bool, string) {
			_, dl := s.messages()
			return len(byCorrelation(dl, r.ID)) == 2, fmt.Sprintf("%d", len(byCorrelation(dl, r.ID)))
		})
	}

	// Completed receipts re-run the same way, and a single replay after that.
	ok := s.send(t, "github", "push", http.StatusOK)
	done := s.waitStatus(t, "github", ok, store.StatusCompleted)
	p = s.bulkReplay(t, map[string]any{"status": "completed", "source": "github", "since": "1h", "reason": "re-publish"})
	if p.Matched != 1 || p.Replayed != 1 || p.Failed != 0 {
		t.Fatalf("bulk replay of the completed receipt: %+v, want 1 matched and replayed", p)
	}
	eventually(t, "the completed receipt's second run", func() (bool, string) {
		r, err := s.receipt("github", ok)
		return err == nil && r.Status == store.StatusCompleted && r.Generation == 1, fmt.Sprintf("%s generation %d", r.Status, r.Generation)
	})
	var single struct {
		Status     string
		Generation int
	}
	s.admin(t, http.MethodPost, "/v1/receipts/"+done.ID+"/replay", map[string]string{"reason": "once more"}, http.StatusAccepted, &single)
	if single.Status != "started" || single.Generation != 2 {
		t.Errorf("single replay answered %+v, want started as generation 2", single)
	}
	eventually(t, "the completed receipt's third run", func() (bool, string) {
		r, err := s.receipt("github", ok)
		return err == nil && r.Status == store.StatusCompleted && r.Generation == 2, fmt.Sprintf("%s generation %d", r.Status, r.Generation)
	})
	r, _ := s.receipt("github", ok)
	s.checkRuns(t, r, 3)
	s.record(t, r.WorkflowID, "history_replay_run") // a replay's run, generation 2
	// A receipt's messages keep their IDs on every run: consumers see one
	// event, delivered again.
	msgs, _ := s.messages()
	ids := map[string]bool{}
	for _, m := range byCorrelation(msgs, r.ID) {
		ids[m.MessageId] = true
	}
	if len(ids) != 1 {
		t.Errorf("the replayed receipt's messages have %d IDs, want 1: %v", len(ids), ids)
	}
}

// A bulk replay longer than PagesPerRun continues as new, carrying its cursor
// and progress: two dead receipts, one per page and one page per run.
func TestBulkReplayContinuesAsNew(t *testing.T) {
	s := setup(t, options{})
	for range 2 {
		id := s.sendWithout(t, "stripe", "payment_intent.succeeded", `"amount": 2599,`, `"amount_received": 2599,`)
		s.waitStatus(t, "stripe", id, store.StatusDead)
	}
	ctx := context.Background()
	br := &runs.BulkReplays{Client: s.temporal, TaskQueue: s.cfg.TaskQueue}
	id, err := br.Start(ctx, runs.BulkReplayInput{
		Filter:    runs.ReplayFilter{Source: "stripe", Status: store.StatusDead, Until: time.Now()},
		BatchSize: 1, PagesPerRun: 1, PerSecond: 100, Actor: "e2e", Reason: "continue-as-new",
	})
	if err != nil {
		t.Fatal(err)
	}
	var p runs.BulkReplayProgress
	eventually(t, "the bulk replay", func() (bool, string) {
		var status string
		p, status, err = br.Progress(ctx, id)
		return err == nil && status == "Completed", fmt.Sprintf("%s %v", status, err)
	})
	if p.Replayed != 2 || p.Failed != 0 || !p.Done {
		t.Fatalf("progress %+v, want 2 replayed across runs", p)
	}
	var first string
	eventually(t, "the run that continued as new", func() (bool, string) {
		resp, err := s.temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			PageSize: 10, Query: fmt.Sprintf("WorkflowId = %q AND ExecutionStatus = 'ContinuedAsNew'", id)})
		if err != nil || len(resp.Executions) == 0 {
			return false, fmt.Sprint(err)
		}
		first = resp.Executions[len(resp.Executions)-1].GetExecution().GetRunId()
		return true, ""
	})
	s.recordRun(t, id, first, "history_bulk_replay")
}
