package publisher

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hookgate/hookgate/store"
)

// Bus is what the store publisher needs from the store.
type Bus interface {
	// MarkPublished records that the events with ids are published.
	MarkPublished(ctx context.Context, ids []string, at time.Time) error
	// SaveEvents stores events (a dead letter), keeping one already stored.
	SaveEvents(ctx context.Context, es []store.Event) error
}

// Store is the publisher of a deployment without a message broker: the store
// is the bus. The events a run publishes are already in the store (the handle
// step saved them), so publishing marks them published; a dead letter is
// saved as an event of type DeadLetter. Consumers read them with `hookgate
// events` or GET /v1/events. It passes the publisher suite (publishertest)
// like AMQP, so the activities publish the same way whichever is configured.
type Store struct {
	bus Bus
	now func() time.Time
}

// NewStore returns the store publisher over bus.
func NewStore(bus Bus) *Store { return &Store{bus: bus, now: time.Now} }

// Publish validates the batch (nothing is published if a message is
// invalid: ErrInvalidMessage) and marks its events published.
func (s *Store) Publish(ctx context.Context, msgs ...Message) error {
	ids := make([]string, 0, len(msgs))
	for _, m := range msgs {
		if err := m.validate(); err != nil {
			return err
		}
		ids = append(ids, m.ID)
	}
	if len(ids) == 0 {
		return nil
	}
	if err := s.bus.MarkPublished(ctx, ids, s.now()); err != nil {
		return fmt.Errorf("%w: mark published: %w", ErrUnavailable, err)
	}
	return nil
}

// PublishDeadLetter saves m as a published event of its routing key's type,
// under its ID (a retried dead letter is stored once). m.Body is the
// CloudEvent envelope: its subject and time are kept.
func (s *Store) PublishDeadLetter(ctx context.Context, m Message) error {
	if err := m.validate(); err != nil {
		return err
	}
	var env struct {
		Subject string    `json:"subject"`
		Time    time.Time `json:"time"`
	}
	_ = json.Unmarshal(m.Body, &env) // a body that is not an envelope keeps neither
	now := s.now()
	at := env.Time
	if at.IsZero() {
		at = m.Timestamp
	}
	if at.IsZero() {
		at = now
	}
	e := store.Event{ID: m.ID, ReceiptID: m.CorrelationID, Seq: -1, Type: m.RoutingKey, Subject: env.Subject,
		Time: at, Envelope: m.Body, PublishedAt: now}
	if err := s.bus.SaveEvents(ctx, []store.Event{e}); err != nil {
		return fmt.Errorf("%w: save dead letter: %w", ErrUnavailable, err)
	}
	return nil
}
