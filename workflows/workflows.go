// Package workflows defines ProcessWebhook, the Temporal workflow that processes
// one receipt: handle → publish → team activities → complete, each step retried by
// its declared policy (package retry), the receipt dead-lettered when a step is
// exhausted.
//
// The workflow is deterministic: it reads no clock, map or environment; every
// decision that depends on configuration (the handler mapping, the team
// activities and their policies) is made by HandleWebhook and recorded in the
// history as its result. Change the workflow only behind workflow.GetVersion or a
// field of the recorded input that starters set from a release on
// (Input.StepsFinish), and add a recorded history for each shipped version to
// testdata/ (see replay_test.go).
//
// Public: a team's own worker registers the workflows (app.NewWorker does).
// What starters need (names, IDs, inputs, the Starter and BulkReplays clients)
// is in internal/processing/runs, so the gateway starts runs without linking
// the workflows or their activities.
package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hookgate/hookgate/activities"
	"github.com/hookgate/hookgate/internal/processing/runs"
	"github.com/hookgate/hookgate/retry"
	"github.com/hookgate/hookgate/store"
)

// Name is the registered workflow type (runs.Name).
const Name = runs.Name

// ErrorTypeDeadLettered is the application error type a dead-lettered run fails with.
const ErrorTypeDeadLettered = "DeadLettered"

// Search attributes set on every ProcessWebhook run (package runs).
var (
	AttrSource    = runs.AttrSource
	AttrProvider  = runs.AttrProvider
	AttrEventType = runs.AttrEventType
)

type (
	// Input is the workflow's input: a reference to the receipt, never its
	// payload, and the retry policy of the built-in steps.
	Input = runs.Input
	// Result is the workflow's outcome.
	Result = runs.Result
)

// deadLetterPolicy retries the dead-lettering itself until it succeeds: losing
// the record of an exhausted event is not an option. Local activities stop
// retrying at their schedule-to-close timeout, which the outcome steps set to
// recordFor.
var deadLetterPolicy = &temporal.RetryPolicy{
	InitialInterval:    time.Second,
	BackoffCoefficient: 2,
	MaximumInterval:    time.Minute,
}

// ProcessWebhook processes one receipt.
//
// A run whose input has StepsFinish (every start since it exists) records
// its outcome with its last step: HandleWebhook records an unhandled
// receipt's outcome, and PublishEvents the completed one when no team step
// follows, each step being one store transaction, so a run that publishes
// commits twice (handle, publish) and one with nothing to publish once; and
// the event-type search attribute is upserted only when the starter did not
// set it at start. Runs recorded before keep their completion step and
// upsert, and replay as they ran (the choice is read from the recorded
// input; see Input.StepsFinish for why not a workflow.GetVersion marker).
func ProcessWebhook(ctx workflow.Context, in Input) (Result, error) {
	var a *activities.Activities
	ref := in.Receipt
	finish := in.StepsFinish

	var hr activities.HandleResult
	err := run(ctx, in.Retry, true, finish, func(ctx workflow.Context, si activities.StepInput) workflow.Future {
		return workflow.ExecuteLocalActivity(ctx, a.HandleWebhook, si)
	}, ref, &hr)
	if err != nil {
		return deadLetter(ctx, ref, store.StepHandle, err)
	}
	if hr.EventType != "" && !(finish && hr.EventType == ref.EventType) {
		if err := workflow.UpsertTypedSearchAttributes(ctx, AttrEventType.ValueSet(hr.EventType)); err != nil {
			workflow.GetLogger(ctx).Warn("upsert search attribute failed", "err", err)
		}
	}
	if hr.Status == store.StatusUnhandled {
		if !hr.Finished {
			if err := complete(ctx, in, store.StatusUnhandled); err != nil {
				return Result{}, err
			}
		}
		return Result{Status: store.StatusUnhandled}, nil
	}

	publishFinishes := finish && len(hr.Steps) == 0
	err = run(ctx, in.Retry, true, publishFinishes, func(ctx workflow.Context, si activities.StepInput) workflow.Future {
		return workflow.ExecuteLocalActivity(ctx, a.PublishEvents, si)
	}, ref, nil)
	if err != nil {
		return deadLetter(ctx, ref, store.StepPublish, err)
	}

	for _, s := range hr.Steps {
		err := run(ctx, s.Policy, false, false, func(ctx workflow.Context, si activities.StepInput) workflow.Future {
			return workflow.ExecuteActivity(ctx, s.Activity, activities.TeamInput{Step: si, Activity: s.Activity, MessageID: s.MessageID})
		}, ref, nil)
		if err != nil {
			return deadLetter(ctx, ref, store.Step(s.Activity), err)
		}
	}

	if !publishFinishes {
		if err := complete(ctx, in, store.StatusCompleted); err != nil {
			return Result{}, err
		}
	}
	return Result{Status: store.StatusCompleted, Events: len(hr.MessageIDs)}, nil
}

// run executes one step under policy: one attempt per activity execution (the
// workflow owns the schedule, so it is exactly the declared one), a durable timer
// between attempts, and no retry of a non-retryable error.
func run(ctx workflow.Context, policy retry.Policy, local, finish bool,
	exec func(workflow.Context, activities.StepInput) workflow.Future, ref store.Ref, result any) error {
	once := &temporal.RetryPolicy{MaximumAttempts: 1}
	if local {
		ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
			StartToCloseTimeout: policy.Timeout, RetryPolicy: once,
		})
	} else {
		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: policy.Timeout, RetryPolicy: once,
		})
	}
	for attempt := 1; ; attempt++ {
		si := activities.StepInput{Receipt: ref, Attempt: attempt, MaxAttempts: policy.MaxAttempts(), Finish: finish}
		err := exec(ctx, si).Get(ctx, result)
		if err == nil {
			return nil
		}
		if permanent(err) {
			return err
		}
		delay, more := policy.Delay(attempt)
		if !more {
			return err
		}
		if err := workflow.Sleep(ctx, delay); err != nil {
			return err
		}
	}
}

func permanent(err error) bool {
	var ae *temporal.ApplicationError
	return errors.As(err, &ae) && ae.NonRetryable()
}

func complete(ctx workflow.Context, in Input, status store.Status) error {
	var a *activities.Activities
	ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: in.Retry.Timeout, ScheduleToCloseTimeout: recordFor, RetryPolicy: deadLetterPolicy,
	})
	return workflow.ExecuteLocalActivity(ctx, a.CompleteReceipt, activities.CompleteInput{Receipt: in.Receipt, Status: status}).Get(ctx, nil)
}

// deadLetter records an exhausted step and fails the run with ErrorTypeDeadLettered,
// so that dead events show as failed workflows in the Temporal UI.
//
// A run cancelled in Temporal (the UI's Cancel button) is dead-lettered too,
// with the step it was cancelled in as the cause, and then ends Canceled: the
// clean-up runs on a disconnected context, since the run's own context is
// already cancelled. Runs recorded before this (version cancelCleanup) kept no
// record of a cancellation and replay as they ran.
func deadLetter(ctx workflow.Context, ref store.Ref, step store.Step, cause error) (Result, error) {
	var a *activities.Activities
	cancelled := temporal.IsCanceledError(cause)
	msg := activities.ErrorText(cause)
	if cancelled {
		if workflow.GetVersion(ctx, cancelCleanup, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
			return Result{}, cause
		}
		ctx, _ = workflow.NewDisconnectedContext(ctx)
		msg = fmt.Sprintf("workflow run cancelled in Temporal during step %s", step)
	}
	ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 30 * time.Second, ScheduleToCloseTimeout: recordFor, RetryPolicy: deadLetterPolicy,
	})
	if err := workflow.ExecuteLocalActivity(ctx, a.DeadLetterReceipt, activities.DeadInput{Receipt: ref, Step: string(step), Error: msg}).Get(ctx, nil); err != nil {
		return Result{}, fmt.Errorf("dead-letter: %w", err)
	}
	if cancelled {
		return Result{Status: store.StatusDead}, cause
	}
	return Result{Status: store.StatusDead}, temporal.NewNonRetryableApplicationError(
		fmt.Sprintf("step %s exhausted: %s", step, msg), ErrorTypeDeadLettered, cause)
}

// recordFor is how long the outcome steps (complete, dead-letter) keep
// retrying, through a broker or store outage, before the run fails and the
// reconciler takes over.
const recordFor = 7 * 24 * time.Hour

// cancelCleanup is the change ID of the dead-lettering of cancelled runs.
const cancelCleanup = "cancel-cleanup"
