package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/hookgate/hookgate/app"
	"github.com/hookgate/hookgate/fixtures"
	"github.com/hookgate/hookgate/internal/processing/reconcile"
	"github.com/hookgate/hookgate/internal/processing/runs"
	"github.com/hookgate/hookgate/internal/testing/testenv"
	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/builtin"
	"github.com/hookgate/hookgate/store"
)

// stuckQueued stores a GitHub push as a receipt queued without a run (as a
// start that was answered with another run, or lost, leaves it) and returns
// its ref.
func (s *stack) stuckQueued(t *testing.T) store.Ref {
	t.Helper()
	ctx := context.Background()
	fx, err := fixtures.Load(builtin.Fixtures(providers.GitHub), "push")
	if err != nil {
		t.Fatal(err)
	}
	id := fixtures.NewEventID(providers.GitHub)
	h, body := fx.Render(id, time.Now())
	now := time.Now()
	rid := uuid.Must(uuid.NewV7()).String()
	if _, err := s.store.Ingest(ctx, []store.Delivery{{
		Receipt: store.Receipt{ID: rid, Source: "github", Provider: "github", EventID: id, EventType: "push",
			Status: store.StatusVerified, ContentType: h.Get("Content-Type"), Header: h, Body: body, ReceivedAt: now},
		Audit: store.AuditRecord{ID: uuid.NewString(), At: now, Source: "github", Method: http.MethodPost,
			Path: "/webhooks/github", Status: http.StatusOK, Outcome: store.OutcomeAccepted, ReceiptID: rid, EventID: id},
	}}); err != nil {
		t.Fatal(err)
	}
	if err := s.store.MarkQueued(ctx, []store.Queued{{ReceiptID: rid, WorkflowID: runs.ID("github", id), At: now}}); err != nil {
		t.Fatal(err)
	}
	return store.Ref{ID: rid, Source: "github", EventID: id}
}

// Three receipts made stuck on purpose, each a way a run goes missing: the
// state the old bulk replay left (requeued as a new generation and marked
// queued, only the earlier run exists), a queued receipt whose workflow never
// existed, and a run terminated in Temporal before it recorded anything. One
// pass repairs all three; a second repairs nothing.
func TestReconcilerRepairsStuckReceipts(t *testing.T) {
	s := setup(t, options{})
	ctx := context.Background()

	// 1. A completed receipt that a replay requeued and marked queued without
	// starting its run (the old bulk replay's defect).
	replayed := s.send(t, "github", "push", http.StatusOK)
	done := s.waitStatus(t, "github", replayed, store.StatusCompleted)
	if _, err := s.store.Requeue(ctx, done.ID, time.Now(), store.ModeResume); err != nil {
		t.Fatal(err)
	}
	if err := s.store.MarkQueued(ctx, []store.Queued{{ReceiptID: done.ID, WorkflowID: done.WorkflowID, At: time.Now()}}); err != nil {
		t.Fatal(err)
	}

	// 2. A queued receipt whose workflow was never started.
	lost := s.stuckQueued(t)

	// 3. A run terminated before it recorded anything: started on a task
	// queue no worker polls, then terminated, as the Temporal UI's button does.
	term := s.stuckQueued(t)
	wid := runs.ID(term.Source, term.EventID)
	if _, err := s.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: wid, TaskQueue: "nobody-polls-this", Memo: map[string]any{runs.MemoGeneration: 0},
	}, runs.Name, runs.Input{Receipt: term}); err != nil {
		t.Fatal(err)
	}
	if err := s.temporal.TerminateWorkflow(ctx, wid, "", "operator pressed Terminate"); err != nil {
		t.Fatal(err)
	}

	acts, err := app.NewActivities(s.cfg, s.store, nil, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	rc := reconcile.New(s.store, s.temporal, app.Starter(s.temporal, s.cfg, false), app.DeadLetterer(acts),
		reconcile.Options{After: time.Nanosecond})
	got, err := rc.Pass(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[reconcile.Action]int{reconcile.ActionStarted: 2, reconcile.ActionDead: 1}
	if len(got) != len(want) || got[reconcile.ActionStarted] != 2 || got[reconcile.ActionDead] != 1 {
		t.Fatalf("first pass repaired %v, want %v", got, want)
	}

	r := s.waitStatus(t, "github", replayed, store.StatusCompleted)
	s.checkRuns(t, r, 2)
	s.waitStatus(t, "github", lost.EventID, store.StatusCompleted)
	dead := s.waitStatus(t, "github", term.EventID, store.StatusDead)
	if want := "terminated"; !strings.Contains(dead.LastError, want) {
		t.Errorf("terminated run's receipt: last error %q, want it to say %q", dead.LastError, want)
	}

	if again, err := rc.Pass(ctx); err != nil || len(again) != 0 {
		t.Errorf("second pass repaired %v, %v; want nothing", again, err)
	}
}

// The scenario: with RabbitMQ stopped, two GitHub pushes retry; an
// operator cancels one run and terminates the other, as the Temporal UI's
// buttons do. The cancelled run dead-letters its receipt itself (once
// RabbitMQ takes the dead letter); the terminated run's receipt is repaired
// by the reconciler. Both end dead with the cause and a dead letter each.
func TestRunsCancelledOrTerminatedInTemporalAreReflected(t *testing.T) {
	s := setup(t, options{retry: []string{"5s", "10s", "20s", "40s"}})
	ctx := context.Background()
	testenv.Stop(t, testenv.RabbitMQ)
	ids := s.sendMany(t, 2)
	var rs []store.Receipt
	for _, id := range ids {
		rs = append(rs, s.waitStatus(t, "github", id, store.StatusRetrying))
	}
	if err := s.temporal.CancelWorkflow(ctx, rs[0].WorkflowID, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.temporal.TerminateWorkflow(ctx, rs[1].WorkflowID, "", "operator pressed Terminate"); err != nil {
		t.Fatal(err)
	}
	runStatus := func(r store.Receipt) string {
		d, err := s.temporal.DescribeWorkflowExecution(ctx, r.WorkflowID, "")
		if err != nil {
			return err.Error()
		}
		return d.GetWorkflowExecutionInfo().GetStatus().String()
	}
	eventually(t, "the terminated run closed", func() (bool, string) {
		st := runStatus(rs[1])
		return st == "Terminated", st
	})
	// The cancelled run's clean-up waits for the broker to take its dead letter.
	testenv.Start(t, testenv.RabbitMQ)

	cancelled := s.waitStatus(t, "github", ids[0], store.StatusDead)
	eventually(t, "the cancelled run closed", func() (bool, string) {
		st := runStatus(rs[0])
		return st == "Canceled", st
	})
	s.record(t, rs[0].WorkflowID, "history_cancelled")
	if !strings.Contains(cancelled.LastError, "cancelled in Temporal") {
		t.Errorf("cancelled run's receipt: last error %q, want the cancellation", cancelled.LastError)
	}
	if r, _ := s.receipt("github", ids[1]); r.Status != store.StatusRetrying {
		t.Errorf("terminated run's receipt is %s before the reconciler ran, want retrying (nothing ran)", r.Status)
	}
	acts, err := app.NewActivities(s.cfg, s.store, nil, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	acts.Publisher = s.publisher(t)
	rc := reconcile.New(s.store, s.temporal, app.Starter(s.temporal, s.cfg, false), app.DeadLetterer(acts),
		reconcile.Options{After: time.Nanosecond})
	if got, err := rc.Pass(ctx); err != nil || got[reconcile.ActionDead] != 1 {
		t.Fatalf("reconciler pass: %v, %v; want 1 dead", got, err)
	}
	terminated := s.waitStatus(t, "github", ids[1], store.StatusDead)
	if !strings.Contains(terminated.LastError, "terminated") {
		t.Errorf("terminated run's receipt: last error %q, want the termination", terminated.LastError)
	}
	for _, r := range []store.Receipt{cancelled, terminated} {
		eventually(t, "the dead letter of "+r.ID, func() (bool, string) {
			_, dl := s.messages()
			return len(byCorrelation(dl, r.ID)) == 1, fmt.Sprintf("%d", len(byCorrelation(dl, r.ID)))
		})
	}
}
