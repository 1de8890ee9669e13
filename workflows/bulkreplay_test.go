package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/hookgate/hookgate/activities"
	"github.com/hookgate/hookgate/store"
)

func bulkEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *activities.Activities) {
	var s testsuite.WorkflowTestSuite
	e := s.NewTestWorkflowEnvironment()
	var a *activities.Activities
	e.RegisterWorkflow(BulkReplay)
	e.RegisterActivity(a)
	t.Cleanup(func() { e.AssertExpectations(t) })
	return e, a
}

func TestBulkReplayPagesAtTheConfiguredRate(t *testing.T) {
	e, a := bulkEnv(t)
	start := e.Now()
	var calls []activities.ReplayBatchInput
	var times []time.Duration
	e.OnActivity(a.ReplayBatch, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ReplayBatchInput) (activities.ReplayBatchResult, error) {
			calls = append(calls, in)
			times = append(times, e.Now().Sub(start))
			switch in.Cursor {
			case "":
				return activities.ReplayBatchResult{Matched: 10, Replayed: 10, Next: "c1"}, nil
			case "c1":
				return activities.ReplayBatchResult{Matched: 10, Replayed: 9, Failed: 1, Next: "c2"}, nil
			default:
				return activities.ReplayBatchResult{Matched: 3, Replayed: 3}, nil
			}
		}).Times(3)
	in := BulkReplayInput{Filter: activities.ReplayFilter{Status: store.StatusDead}, PerSecond: 5, BatchSize: 10, Actor: "ops", Reason: "outage"}
	e.ExecuteWorkflow(BulkReplay, in)
	if err := e.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var p BulkReplayProgress
	if err := e.GetWorkflowResult(&p); err != nil {
		t.Fatal(err)
	}
	if p != (BulkReplayProgress{Matched: 23, Replayed: 22, Failed: 1, Done: true}) {
		t.Fatalf("progress = %+v", p)
	}
	if calls[1].Cursor != "c1" || calls[2].Cursor != "c2" || calls[0].Actor != "ops" || calls[0].Reason != "outage" || calls[0].Limit != 10 {
		t.Fatalf("calls = %+v", calls)
	}
	// 10 receipts at 5/s: the next page waits 2 s.
	if times[1]-times[0] < 2*time.Second || times[2]-times[1] < 2*time.Second {
		t.Fatalf("pages at %v, want 2 s apart", times)
	}
}

func TestBulkReplayDryRunDoesNotWait(t *testing.T) {
	e, a := bulkEnv(t)
	e.OnActivity(a.ReplayBatch, mock.Anything, mock.MatchedBy(func(in activities.ReplayBatchInput) bool { return in.DryRun })).Return(
		func(_ context.Context, in activities.ReplayBatchInput) (activities.ReplayBatchResult, error) {
			if in.Cursor == "" {
				return activities.ReplayBatchResult{Matched: 50, Next: "x"}, nil
			}
			return activities.ReplayBatchResult{Matched: 7}, nil
		}).Times(2)
	e.ExecuteWorkflow(BulkReplay, BulkReplayInput{DryRun: true})
	var p BulkReplayProgress
	if err := e.GetWorkflowResult(&p); err != nil {
		t.Fatal(err)
	}
	if p.Matched != 57 || p.Replayed != 0 || !p.DryRun || !p.Done {
		t.Fatalf("progress = %+v", p)
	}
}

func TestBulkReplayCancelStopsAndKeepsProgress(t *testing.T) {
	e, a := bulkEnv(t)
	e.OnActivity(a.ReplayBatch, mock.Anything, mock.Anything).Return(activities.ReplayBatchResult{Matched: 100, Replayed: 100, Next: "more"}, nil).Once()
	e.RegisterDelayedCallback(func() {
		v, err := e.QueryWorkflow(ProgressQuery)
		if err != nil {
			t.Errorf("query: %v", err)
		} else {
			var p BulkReplayProgress
			if err := v.Get(&p); err != nil || p.Replayed != 100 {
				t.Errorf("progress during the run = %+v, %v", p, err)
			}
		}
		e.CancelWorkflow()
	}, 5*time.Second)
	e.ExecuteWorkflow(BulkReplay, BulkReplayInput{PerSecond: 1})
	if err := e.GetWorkflowError(); err == nil {
		t.Fatal("a cancelled bulk replay reported success")
	}
}
