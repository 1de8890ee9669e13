package activities

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hookgate/hookgate/events"
	"github.com/hookgate/hookgate/store"
)

// TeamFunc is a team's own activity, attached to a normalized event type in the
// config (`activities:`). It receives the event's CloudEvents envelope. It must be
// idempotent: it is retried by its policy and may run again on a replay. Return a
// temporal.NewNonRetryableApplicationError for a failure retrying cannot fix.
type TeamFunc func(ctx context.Context, ev events.Envelope) error

// TeamInput is how the workflow calls a team activity: a reference to the event,
// not the event itself, so workflow histories never hold payloads.
type TeamInput struct {
	Step      StepInput
	Activity  string
	MessageID string
}

// WrapTeam wraps fn as the activity registered under its configured name: it loads the
// event from the store and records the attempt on the receipt.
func WrapTeam(a *Activities, fn TeamFunc) func(ctx context.Context, in TeamInput) error {
	return func(ctx context.Context, in TeamInput) error {
		return a.attempt(ctx, in.Step, store.Step(in.Activity), func(ctx context.Context) (writes, error) {
			evs, err := a.Store.ReceiptEvents(ctx, in.Step.Receipt.ID)
			if err != nil {
				return writes{}, fmt.Errorf("load events: %w", err)
			}
			for _, e := range evs {
				if e.ID != in.MessageID {
					continue
				}
				var env events.Envelope
				if err := json.Unmarshal(e.Envelope, &env); err != nil {
					return writes{}, invalid(fmt.Errorf("decode event %s: %w", e.ID, err))
				}
				return writes{}, fn(ctx, env)
			}
			return writes{}, invalid(fmt.Errorf("event %s of receipt %s not found", in.MessageID, in.Step.Receipt.ID))
		})
	}
}
