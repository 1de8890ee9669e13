// Package activities holds the Temporal activities of ProcessWebhook: load and
// handle the event, publish the normalized events, record the outcome, and
// dead-letter an exhausted event. They are methods on Activities, which holds
// their dependencies; workflows reference them through a nil *Activities.
//
// Every activity is idempotent: a retry after a crash repeats nothing visible
// (events are saved under deterministic message IDs, publishing re-sends the same
// IDs, status changes are plain overwrites).
//
// Public: a team's activity is an activities.TeamFunc, wrapped by WrapTeam and
// registered by its own worker (app.Team).
package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/trace"
	"go.temporal.io/sdk/temporal"

	"github.com/hookgate/hookgate/events"
	"github.com/hookgate/hookgate/handlers"
	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/publisher"
	"github.com/hookgate/hookgate/retry"
	"github.com/hookgate/hookgate/store"
)

// Activity type names, as registered on the worker. Team activities must use
// other names.
const (
	NameHandle     = "HandleWebhook"
	NamePublish    = "PublishEvents"
	NameComplete   = "CompleteReceipt"
	NameDeadLetter = "DeadLetterReceipt"
)

// ErrorTypeInvalidPayload is the non-retryable application error type of a payload
// that can never be handled.
const ErrorTypeInvalidPayload = "InvalidPayload"

// DeadLetterType is the CloudEvents type of the message sent to the dead-letter
// exchange (or kept in the store) when an event is exhausted.
const DeadLetterType events.Type = "hookgate.dead_letter"

// Store is what the activities need from the store.
type Store interface {
	Receipt(ctx context.Context, id string) (store.Receipt, error)
	Transition(ctx context.Context, t store.Transition) error
	// RecordStep writes one attempt of a step in one transaction: its
	// events, published marks, attempt row and status changes.
	RecordStep(ctx context.Context, r store.StepRecord) ([]store.Transition, error)
	// ReceiptEvents returns all of a receipt's events in handler order (Seq).
	ReceiptEvents(ctx context.Context, receiptID string) ([]store.Event, error)
	// SaveEvents and MarkPublished are what the store bus needs
	// (publisher.Store: dead letters are saved, events marked published).
	SaveEvents(ctx context.Context, es []store.Event) error
	MarkPublished(ctx context.Context, ids []string, at time.Time) error
}

// Publisher sends messages to the event bus with confirms (publisher.AMQP,
// or publisher.Store when the store is the bus). Errors wrapping
// publisher.ErrInvalidMessage are permanent: the step is not retried.
type Publisher interface {
	Publish(ctx context.Context, msgs ...publisher.Message) error
	PublishDeadLetter(ctx context.Context, m publisher.Message) error
}

// TeamActivity is one configured team activity for a normalized event type.
type TeamActivity struct {
	Name   string
	Policy retry.Policy
}

// Activities holds the activities' dependencies.
type Activities struct {
	Store    Store
	Handlers *handlers.Registry
	// Publisher is the event bus; nil means the store (publisher.Store).
	Publisher Publisher
	// Decoders turn a source's raw body into handler JSON (by source name);
	// sources without one pass the raw body.
	Decoders map[string]providers.Decoder
	// Team lists the team activities attached to each normalized event type.
	Team map[events.Type][]TeamActivity
	// Starter starts replayed receipts' workflows (bulk replay); nil leaves them
	// to the relay's sweep.
	Starter Starter
	Logger  *slog.Logger
	Now     func() time.Time
	// TracerProvider, when set, gives every step a span that continues the
	// trace of the workflow input's traceparent (trace.go). Nil: tracing off.
	TracerProvider trace.TracerProvider
}

func (a *Activities) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func (a *Activities) log() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}

// StepInput identifies one attempt of one step of a receipt's processing.
type StepInput struct {
	Receipt     store.Ref
	Attempt     int // 1-based
	MaxAttempts int
	// Finish asks the step to record the run's outcome in its own
	// transaction when its success ends the run: HandleWebhook when the
	// receipt is unhandled, PublishEvents when no team step follows. The
	// workflow then runs no completion step. Omitted from JSON when false,
	// so inputs recorded before it decode and replay unchanged.
	Finish bool `json:",omitempty"`
}

// TeamStep is a team activity to run for one normalized event.
type TeamStep struct {
	Activity  string
	MessageID string
	Policy    retry.Policy
}

// HandleResult is what HandleWebhook decided; the workflow records it in its
// history, so later mapping changes never alter a running workflow.
type HandleResult struct {
	Provider  string
	EventType string
	// Status is StatusUnhandled when no handler exists or the handler produced no
	// events; otherwise StatusProcessing (more steps follow).
	Status     store.Status
	MessageIDs []string
	Steps      []TeamStep
	// Finished is set when the step recorded the unhandled outcome itself
	// (StepInput.Finish).
	Finished bool `json:",omitempty"`
}

// writes are what a step's attempt records besides its attempt row, in the
// same transaction (store.StepRecord).
type writes struct {
	// start holds the status changes of the step's start (processing): they
	// are recorded whatever the outcome.
	start []store.Transition
	// On success only: the events produced, the events the broker confirmed,
	// and the status changes of the outcome (the run's terminal status).
	events    []store.Event
	published []string
	done      []store.Transition
}

// attempt runs fn as one recorded attempt of step, under the step's span when
// tracing is on. The attempt row, fn's writes and, for a failure that will be
// retried, the "retrying" status are one transaction (RecordStep), written
// whatever the outcome; a step whose record fails to commit fails, and is
// retried like any failure.
func (a *Activities) attempt(ctx context.Context, in StepInput, step store.Step, fn func(ctx context.Context) (writes, error)) (err error) {
	ctx, span := a.startSpan(ctx, in.Receipt, step, in.Attempt)
	defer func() { endSpan(span, err) }()
	started := a.now()
	w, err := fn(ctx)
	finished := a.now()
	rec := store.StepRecord{
		Attempt:     store.Attempt{ReceiptID: in.Receipt.ID, Run: in.Receipt.Generation, Step: step, Attempt: in.Attempt, StartedAt: started, FinishedAt: finished},
		Transitions: w.start,
	}
	switch {
	case err == nil:
		rec.Events, rec.Published, rec.PublishedAt = w.events, w.published, finished
		rec.Transitions = append(rec.Transitions, w.done...)
	default:
		rec.Attempt.Error = ErrorText(err)
		if in.Attempt < in.MaxAttempts && !isPermanent(err) {
			rec.Transitions = append(rec.Transitions, store.Transition{ReceiptID: in.Receipt.ID, To: store.StatusRetrying, At: finished, Error: rec.Attempt.Error})
		}
	}
	skipped, rerr := a.Store.RecordStep(ctx, rec)
	if rerr != nil {
		return errors.Join(err, fmt.Errorf("record attempt: %w", rerr))
	}
	for _, tr := range skipped {
		// Temporal lost a workflow task whose local activities had run and
		// ran them again: the stored outcome is kept.
		a.log().Info("status change skipped: the receipt has moved on", "receipt_id", tr.ReceiptID, "to", tr.To)
	}
	return err
}

func isPermanent(err error) bool {
	var ae *temporal.ApplicationError
	return errors.As(err, &ae) && ae.NonRetryable()
}

// invalid wraps a payload error as non-retryable.
func invalid(err error) error {
	return temporal.NewNonRetryableApplicationError(err.Error(), ErrorTypeInvalidPayload, err)
}

// HandleWebhook loads the receipt, maps it to normalized events with the handler
// registry, saves them under deterministic message IDs, and resolves the team
// activities to run. The receipt's processing status, the events and the
// attempt are one transaction; with in.Finish an unhandled receipt's outcome
// is too.
func (a *Activities) HandleWebhook(ctx context.Context, in StepInput) (HandleResult, error) {
	var out HandleResult
	err := a.attempt(ctx, in, store.StepHandle, func(ctx context.Context) (writes, error) {
		var w writes
		r, err := a.Store.Receipt(ctx, in.Receipt.ID)
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return w, invalid(fmt.Errorf("receipt %s: %w", in.Receipt.ID, err))
			}
			return w, fmt.Errorf("load receipt: %w", err)
		}
		w.start = []store.Transition{{ReceiptID: r.ID, To: store.StatusProcessing, At: a.now()}}
		out, w.events, err = a.handle(in.Receipt, r)
		if err == nil && out.Status == store.StatusUnhandled && in.Finish {
			w.done = []store.Transition{{ReceiptID: r.ID, To: store.StatusUnhandled, At: a.now()}}
			out.Finished = true
		}
		return w, err
	})
	return out, err
}

// handle maps the receipt to its normalized events (to be saved with the
// attempt) and the team steps they call for.
func (a *Activities) handle(ref store.Ref, r store.Receipt) (HandleResult, []store.Event, error) {
	out := HandleResult{Provider: r.Provider, EventType: r.EventType, Status: store.StatusUnhandled}
	h, ok := a.Handlers.Lookup(providers.Name(r.Provider), r.EventType)
	if !ok {
		return out, nil, nil
	}
	payload := r.Body
	if d := a.Decoders[r.Source]; d != nil {
		p, err := d.Decode(r.ContentType, r.Body)
		if err != nil {
			return out, nil, invalid(fmt.Errorf("decode payload: %w", err))
		}
		payload = p
	}
	evs, err := h(handlers.Input{
		Source: r.Source, Provider: providers.Name(r.Provider), EventID: r.EventID,
		EventType: r.EventType, ReceivedAt: r.ReceivedAt, Header: r.Header, Payload: payload,
	})
	if err != nil {
		if errors.Is(err, handlers.ErrMalformed) {
			return out, nil, invalid(err)
		}
		return out, nil, fmt.Errorf("handler %s/%s: %w", r.Provider, r.EventType, err)
	}
	if len(evs) == 0 {
		return out, nil, nil
	}
	rows := make([]store.Event, len(evs))
	for i, ev := range evs {
		row, err := envelope(r, RunMessageID(ref, i), i, ev)
		if err != nil {
			return out, nil, err
		}
		rows[i] = row
		out.MessageIDs = append(out.MessageIDs, row.ID)
		for _, t := range a.Team[ev.Type] {
			out.Steps = append(out.Steps, TeamStep{Activity: t.Name, MessageID: row.ID, Policy: t.Policy})
		}
	}
	out.Status = store.StatusProcessing
	return out, rows, nil
}

// publisher is a.Publisher, or without one the store publisher: the store is
// the bus (publisher.Store).
func (a *Activities) publisher() Publisher {
	if a.Publisher != nil {
		return a.Publisher
	}
	return publisher.NewStore(a.Store)
}

// MessageID is the deterministic message ID of the seq-th event of a receipt: the
// same on every retry and every resumed replay, so consumers can deduplicate.
func MessageID(receiptID string, seq int) string { return fmt.Sprintf("%s.%d", receiptID, seq) }

// RunMessageID is the message ID of the seq-th event of ref's run: MessageID,
// except in a replay in redo mode, whose handler output is new and is stored
// and published as "<receipt>.r<generation>.<seq>" (the same on every retry
// of that replay).
func RunMessageID(ref store.Ref, seq int) string {
	if ref.Mode == store.ModeRedo && ref.Generation > 0 {
		return fmt.Sprintf("%s.r%d.%d", ref.ID, ref.Generation, seq)
	}
	return MessageID(ref.ID, seq)
}

// envelope wraps a normalized event in its CloudEvents envelope.
func envelope(r store.Receipt, id string, seq int, ev events.Event) (store.Event, error) {
	t := ev.Time
	if t.IsZero() {
		t = r.ReceivedAt
	}
	env := events.Envelope{
		SpecVersion: events.SpecVersion, ID: id,
		Source: "/hookgate/sources/" + r.Source, Type: ev.Type, Time: t.UTC(),
		Subject: ev.Subject, DataContentType: events.ContentTypeJSON, Data: ev.Data,
		HookgateReceipt: r.ID, HookgateEventID: r.EventID,
	}
	b, err := json.Marshal(env)
	if err != nil {
		return store.Event{}, invalid(fmt.Errorf("encode event %d: %w", seq, err))
	}
	return store.Event{
		ID: env.ID, ReceiptID: r.ID, Seq: seq, Type: string(ev.Type),
		Subject: ev.Subject, Time: env.Time, Envelope: b,
	}, nil
}

// PublishEvents publishes the receipt's saved events (those not yet confirmed),
// all of them, in the order the handler produced them; once the broker
// confirmed every one, their published marks and the attempt are one
// transaction, with the completed outcome when in.Finish. Without a broker
// the store is the bus: the events are marked published as they are.
func (a *Activities) PublishEvents(ctx context.Context, in StepInput) error {
	return a.attempt(ctx, in, store.StepPublish, func(ctx context.Context) (writes, error) {
		var w writes
		evs, err := a.Store.ReceiptEvents(ctx, in.Receipt.ID)
		if err != nil {
			return w, fmt.Errorf("load events: %w", err)
		}
		var msgs []publisher.Message
		for _, e := range evs {
			// This run's events only: a redo's are under its generation's IDs,
			// and the earlier runs' stay as they were published.
			if !e.PublishedAt.IsZero() || e.Seq < 0 || e.ID != RunMessageID(in.Receipt, e.Seq) {
				continue
			}
			w.published = append(w.published, e.ID)
			msgs = append(msgs, publisher.Message{
				ID: e.ID, CorrelationID: e.ReceiptID, RoutingKey: e.Type,
				ContentType: "application/cloudevents+json", Body: e.Envelope, Timestamp: e.Time,
			})
		}
		if in.Finish {
			w.done = []store.Transition{{ReceiptID: in.Receipt.ID, To: store.StatusCompleted, At: a.now()}}
		}
		if len(msgs) == 0 {
			return w, nil
		}
		if err := a.publisher().Publish(ctx, msgs...); err != nil {
			if errors.Is(err, publisher.ErrInvalidMessage) {
				return w, invalid(fmt.Errorf("publish %d events: %w", len(msgs), err)) // a retry cannot fix it
			}
			return w, fmt.Errorf("publish %d events: %w", len(msgs), err)
		}
		return w, nil
	})
}

// CompleteInput is the outcome to record.
type CompleteInput struct {
	Receipt store.Ref
	Status  store.Status // completed or unhandled
}

// CompleteReceipt records the receipt's terminal status.
func (a *Activities) CompleteReceipt(ctx context.Context, in CompleteInput) (err error) {
	ctx, span := a.startSpan(ctx, in.Receipt, store.StepComplete, 0)
	defer func() { endSpan(span, err) }()
	if in.Status != store.StatusCompleted && in.Status != store.StatusUnhandled {
		return invalid(fmt.Errorf("complete: status %q is not a success status", in.Status))
	}
	if err := a.transition(ctx, store.Transition{ReceiptID: in.Receipt.ID, To: in.Status, At: a.now()}); err != nil {
		return fmt.Errorf("mark %s: %w", in.Status, err)
	}
	return nil
}

// DeadInput describes an exhausted receipt.
type DeadInput struct {
	Receipt store.Ref
	Step    string
	Error   string
}

type deadLetter struct {
	ReceiptID string `json:"receipt_id"`
	Source    string `json:"source"`
	EventID   string `json:"event_id"`
	Step      string `json:"step"`
	Error     string `json:"error"`
}

// DeadLetterID is the message ID of the dead letter of a receipt's run of
// generation gen: "<receipt>.dead" for the first run, "<receipt>.dead.<gen>"
// for a replay's, so a consumer deduplicating by message ID sees each death.
func DeadLetterID(receiptID string, gen int) string {
	if gen == 0 {
		return receiptID + ".dead"
	}
	return fmt.Sprintf("%s.dead.%d", receiptID, gen)
}

// DeadLetterReceipt marks the receipt dead and sends a dead-letter message (to the
// broker's dead-letter exchange, or into the store without a broker). The message
// ID is derived from the receipt and its run (DeadLetterID), so a retried
// dead-lettering is deduplicable.
func (a *Activities) DeadLetterReceipt(ctx context.Context, in DeadInput) (err error) {
	ctx, span := a.startSpan(ctx, in.Receipt, stepDeadLetter, 0)
	defer func() { endSpan(span, err) }()
	now := a.now()
	data, err := json.Marshal(deadLetter{ReceiptID: in.Receipt.ID, Source: in.Receipt.Source, EventID: in.Receipt.EventID, Step: in.Step, Error: in.Error})
	if err != nil {
		return fmt.Errorf("encode dead letter: %w", err)
	}
	id := DeadLetterID(in.Receipt.ID, in.Receipt.Generation)
	env, err := json.Marshal(events.Envelope{
		SpecVersion: events.SpecVersion, ID: id, Source: "/hookgate/sources/" + in.Receipt.Source,
		Type: DeadLetterType, Time: now.UTC(), Subject: in.Receipt.EventID,
		DataContentType: events.ContentTypeJSON, Data: data, HookgateReceipt: in.Receipt.ID, HookgateEventID: in.Receipt.EventID,
	})
	if err != nil {
		return fmt.Errorf("encode dead letter: %w", err)
	}
	m := publisher.Message{ID: id, CorrelationID: in.Receipt.ID, RoutingKey: string(DeadLetterType), ContentType: "application/cloudevents+json", Body: env, Timestamp: now}
	if err := a.publisher().PublishDeadLetter(ctx, m); err != nil {
		return fmt.Errorf("publish dead letter: %w", err)
	}
	if err := a.transition(ctx, store.Transition{ReceiptID: in.Receipt.ID, To: store.StatusDead, At: now, Error: in.Error}); err != nil {
		return fmt.Errorf("mark dead: %w", err)
	}
	a.log().Warn("event dead-lettered", "receipt_id", in.Receipt.ID, "source", in.Receipt.Source, "event_id", in.Receipt.EventID, "step", in.Step)
	return nil
}

// transition records a status change of the receipt. A change the store
// refuses because the receipt has moved on (store.ErrConflict: it already has
// an outcome) is not an error of the step: when Temporal loses a workflow task
// whose local activities had run, it runs them again, and the run must be
// able to finish. The stored outcome is kept.
func (a *Activities) transition(ctx context.Context, tr store.Transition) error {
	err := a.Store.Transition(ctx, tr)
	if errors.Is(err, store.ErrConflict) {
		a.log().Info("status change skipped: the receipt has moved on", "receipt_id", tr.ReceiptID, "to", tr.To, "err", err)
		return nil
	}
	return err
}
