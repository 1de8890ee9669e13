package workflows

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/hookgate/hookgate/activities"
	"github.com/hookgate/hookgate/retry"
	"github.com/hookgate/hookgate/store"
)

var ref = store.Ref{ID: "r1", Source: "github", EventID: "d1"}

func input() Input {
	return Input{Receipt: ref, StepsFinish: true, Retry: retry.Policy{
		Delays: []time.Duration{5 * time.Second, 30 * time.Second, 300 * time.Second}, Timeout: 10 * time.Second,
	}}
}

type env struct {
	*testsuite.TestWorkflowEnvironment
	a *activities.Activities
}

func newEnv(t *testing.T) env {
	var s testsuite.WorkflowTestSuite
	e := s.NewTestWorkflowEnvironment()
	var a *activities.Activities
	e.RegisterWorkflow(ProcessWebhook)
	e.RegisterActivity(a)
	t.Cleanup(func() { e.AssertExpectations(t) })
	return env{e, a}
}

func handled(ids ...string) activities.HandleResult {
	return activities.HandleResult{Provider: "github", EventType: "push", Status: store.StatusProcessing, MessageIDs: ids}
}

// A run without team steps asks its last step, the publish, to record the
// outcome (Finish): no completion step follows, so the success path is two
// local activities and two store transactions.
func TestProcessWebhookSuccess(t *testing.T) {
	e := newEnv(t)
	e.OnActivity(e.a.HandleWebhook, mock.Anything, activities.StepInput{Receipt: ref, Attempt: 1, MaxAttempts: 4, Finish: true}).
		Return(handled("r1.0"), nil).Once()
	e.OnActivity(e.a.PublishEvents, mock.Anything, activities.StepInput{Receipt: ref, Attempt: 1, MaxAttempts: 4, Finish: true}).Return(nil).Once()
	e.ExecuteWorkflow(ProcessWebhook, input())
	if err := e.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res Result
	if err := e.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Status != store.StatusCompleted || res.Events != 1 {
		t.Fatalf("result = %+v", res)
	}
}

func TestProcessWebhookRetriesOnTheDeclaredSchedule(t *testing.T) {
	e := newEnv(t)
	start := e.Now()
	var attempts []time.Duration
	e.OnActivity(e.a.HandleWebhook, mock.Anything, mock.Anything).Return(handled("r1.0"), nil).Once()
	e.OnActivity(e.a.PublishEvents, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.StepInput) error {
			attempts = append(attempts, e.Now().Sub(start))
			if in.Attempt < 3 {
				return errors.New("broker down")
			}
			return nil
		}).Times(3)
	e.ExecuteWorkflow(ProcessWebhook, input())
	if err := e.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	// Attempt 2 after 5 s, attempt 3 after a further 30 s.
	if len(attempts) != 3 || attempts[1]-attempts[0] < 5*time.Second || attempts[2]-attempts[1] < 30*time.Second ||
		attempts[2]-attempts[1] >= 300*time.Second {
		t.Fatalf("attempt times = %v, want gaps of 5s then 30s", attempts)
	}
}

func TestProcessWebhookNonRetryableGoesStraightToDeadLetter(t *testing.T) {
	e := newEnv(t)
	e.OnActivity(e.a.HandleWebhook, mock.Anything, mock.Anything).Return(activities.HandleResult{},
		temporal.NewNonRetryableApplicationError("bad payload", activities.ErrorTypeInvalidPayload, nil)).Once()
	e.OnActivity(e.a.DeadLetterReceipt, mock.Anything, mock.MatchedBy(func(in activities.DeadInput) bool {
		return in.Receipt == ref && in.Step == string(store.StepHandle)
	})).Return(nil).Once()
	e.ExecuteWorkflow(ProcessWebhook, input())
	assertDeadLettered(t, e)
}

func TestProcessWebhookExhaustionDeadLetters(t *testing.T) {
	e := newEnv(t)
	e.OnActivity(e.a.HandleWebhook, mock.Anything, mock.Anything).Return(handled("r1.0"), nil).Once()
	e.OnActivity(e.a.PublishEvents, mock.Anything, mock.Anything).Return(errors.New("broker down")).Times(4)
	e.OnActivity(e.a.DeadLetterReceipt, mock.Anything, mock.MatchedBy(func(in activities.DeadInput) bool {
		return in.Step == string(store.StepPublish)
	})).Return(nil).Once()
	e.ExecuteWorkflow(ProcessWebhook, input())
	assertDeadLettered(t, e)
}

func assertDeadLettered(t *testing.T, e env) {
	t.Helper()
	err := e.GetWorkflowError()
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) || ae.Type() != ErrorTypeDeadLettered {
		t.Fatalf("workflow error = %v, want %s", err, ErrorTypeDeadLettered)
	}
}

// A run started before StepsFinish existed keeps its completion step and
// asks no step to finish (its recorded history replays as it ran).
func TestProcessWebhookWithoutStepsFinishCompletesInItsOwnStep(t *testing.T) {
	e := newEnv(t)
	in := input()
	in.StepsFinish = false
	e.OnActivity(e.a.HandleWebhook, mock.Anything, activities.StepInput{Receipt: ref, Attempt: 1, MaxAttempts: 4}).
		Return(handled("r1.0"), nil).Once()
	e.OnActivity(e.a.PublishEvents, mock.Anything, activities.StepInput{Receipt: ref, Attempt: 1, MaxAttempts: 4}).Return(nil).Once()
	e.OnActivity(e.a.CompleteReceipt, mock.Anything, activities.CompleteInput{Receipt: ref, Status: store.StatusCompleted}).Return(nil).Once()
	e.OnUpsertTypedSearchAttributes(mock.Anything).Return(nil).Once()
	e.ExecuteWorkflow(ProcessWebhook, in)
	if err := e.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
}

// An unhandled receipt's outcome is recorded by the handle step itself.
func TestProcessWebhookUnhandled(t *testing.T) {
	e := newEnv(t)
	e.OnActivity(e.a.HandleWebhook, mock.Anything, mock.MatchedBy(func(in activities.StepInput) bool { return in.Finish })).
		Return(activities.HandleResult{Provider: "github", EventType: "ping", Status: store.StatusUnhandled, Finished: true}, nil).Once()
	e.ExecuteWorkflow(ProcessWebhook, input())
	if err := e.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res Result
	if err := e.GetWorkflowResult(&res); err != nil || res.Status != store.StatusUnhandled {
		t.Fatalf("result = %+v, %v", res, err)
	}
}

// The event type the starter set at start is not upserted again; another
// one (a replay of a receipt whose ref did not carry it) is.
func TestProcessWebhookUpsertsTheEventTypeOnlyWhenNotSetAtStart(t *testing.T) {
	for _, tt := range []struct {
		startType string
		upserts   bool
	}{{"push", false}, {"", true}} {
		e := newEnv(t)
		in := input()
		in.Receipt.EventType = tt.startType
		e.OnActivity(e.a.HandleWebhook, mock.Anything, mock.Anything).Return(handled("r1.0"), nil).Once()
		e.OnActivity(e.a.PublishEvents, mock.Anything, mock.Anything).Return(nil).Once()
		upserted := false
		e.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(mock.Arguments) { upserted = true }).Return(nil).Maybe()
		e.ExecuteWorkflow(ProcessWebhook, in)
		if err := e.GetWorkflowError(); err != nil {
			t.Fatal(err)
		}
		if upserted != tt.upserts {
			t.Errorf("event type %q at start: upserted %v, want %v", tt.startType, upserted, tt.upserts)
		}
	}
}

func TestProcessWebhookRunsTeamActivitiesWithTheirPolicy(t *testing.T) {
	e := newEnv(t)
	var calls []activities.TeamInput
	e.RegisterActivityWithOptions(func(_ context.Context, in activities.TeamInput) error {
		calls = append(calls, in)
		if len(calls) == 1 {
			return errors.New("crm timeout")
		}
		return nil
	}, activity.RegisterOptions{Name: "ProvisionAccount"})
	hr := handled("r1.0")
	hr.Steps = []activities.TeamStep{{Activity: "ProvisionAccount", MessageID: "r1.0",
		Policy: retry.Policy{Delays: []time.Duration{time.Second}, Timeout: time.Minute}}}
	e.OnActivity(e.a.HandleWebhook, mock.Anything, mock.Anything).Return(hr, nil).Once()
	// Team steps follow the publish, so it does not record the outcome: the
	// completion step after them does.
	e.OnActivity(e.a.PublishEvents, mock.Anything, mock.MatchedBy(func(in activities.StepInput) bool { return !in.Finish })).Return(nil).Once()
	e.OnActivity(e.a.CompleteReceipt, mock.Anything, activities.CompleteInput{Receipt: ref, Status: store.StatusCompleted}).Return(nil).Once()
	e.ExecuteWorkflow(ProcessWebhook, input())
	if err := e.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if len(calls) != 2 || calls[1].Step.Attempt != 2 || calls[1].Step.MaxAttempts != 2 || calls[1].MessageID != "r1.0" {
		t.Fatalf("team activity calls = %+v", calls)
	}
}

// A run cancelled in Temporal while it waits to retry a step (the UI's Cancel
// button) dead-letters its receipt with the cause, on a disconnected context,
// and ends Canceled.
func TestProcessWebhookCancelledDuringRetryTimerDeadLetters(t *testing.T) {
	e := newEnv(t)
	e.OnActivity(e.a.HandleWebhook, mock.Anything, mock.Anything).Return(handled("r1.0"), nil).Once()
	e.OnActivity(e.a.PublishEvents, mock.Anything, mock.Anything).Return(errors.New("broker down")).Once()
	var got activities.DeadInput
	e.OnActivity(e.a.DeadLetterReceipt, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.DeadInput) error { got = in; return nil }).Once()
	// The first retry waits 5 s: cancel in the middle of it.
	e.RegisterDelayedCallback(e.CancelWorkflow, 2*time.Second)
	e.ExecuteWorkflow(ProcessWebhook, input())
	err := e.GetWorkflowError()
	if !temporal.IsCanceledError(errors.Unwrap(err)) && !temporal.IsCanceledError(err) {
		t.Fatalf("workflow error = %v, want cancelled", err)
	}
	if got.Receipt != ref || got.Step != string(store.StepPublish) || got.Error != "workflow run cancelled in Temporal during step publish" {
		t.Errorf("dead-lettered %+v, want the receipt, step publish and the cancellation as cause", got)
	}
}
