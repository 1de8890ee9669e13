// Package publishertest is the conformance suite every publisher adapter
// passes (publisher.AMQP, publisher.Store, and the next one): deterministic
// message IDs, a retried batch that brings no new ID, dead-letter routing, an
// invalid batch that publishes nothing (Run), and, for an adapter with a
// broker to lose, an outage after which the same IDs arrive (RunOutage).
package publishertest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/hookgate/hookgate/publisher"
)

// Publisher is what an adapter implements.
type Publisher interface {
	Publish(ctx context.Context, msgs ...publisher.Message) error
	PublishDeadLetter(ctx context.Context, m publisher.Message) error
}

// Harness is one adapter on a bus of its own.
type Harness struct {
	Publisher Publisher
	// Prepare, when set, is called with the messages of a batch before it is
	// published, to store what they refer to: their receipt (CorrelationID)
	// and, for messages with an ID, their events (the store publisher
	// publishes events the handle step saved). A dead letter's receipt is
	// prepared with a message without ID.
	Prepare func(t *testing.T, msgs []publisher.Message)
	// Delivered returns the message IDs consumers have received so far, of
	// events and of dead letters (each delivery once: an ID delivered twice
	// appears twice).
	Delivered func(t *testing.T) (events, dead []string)
	// Outage, when set, makes the bus unavailable; the function it returns
	// makes it available again.
	Outage func(t *testing.T) (restore func())
}

// RunOutage runs the outage test, for adapters with a broker to lose: the
// harness must set Outage. The store publisher has no connection of its own.
func RunOutage(t *testing.T, open func(t *testing.T) Harness) {
	t.Run("OutageThenTheSameIDs", func(t *testing.T) {
		h := open(t)
		if h.Outage == nil {
			t.Fatal("RunOutage needs a harness with Outage")
		}
		testOutage(t, h)
	})
}

// Run runs the suite; open returns a fresh harness for each test.
func Run(t *testing.T, open func(t *testing.T) Harness) {
	tests := []struct {
		name string
		fn   func(t *testing.T, h Harness)
	}{
		{"DeterministicIDs", testDeterministicIDs},
		{"RetriedBatchBringsNoNewID", testRetriedBatch},
		{"DeadLetterRouting", testDeadLetter},
		{"InvalidBatchPublishesNothing", testInvalidBatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

// batch returns n messages of one receipt, as the publish step makes them.
func batch(n int) []publisher.Message {
	receipt := uuid.NewString()
	out := make([]publisher.Message, n)
	for i := range out {
		out[i] = publisher.Message{
			ID: fmt.Sprintf("%s.%d", receipt, i), CorrelationID: receipt, RoutingKey: "payment.completed",
			ContentType: "application/cloudevents+json", Body: []byte(fmt.Sprintf(`{"id":"%s.%d"}`, receipt, i)),
		}
	}
	return out
}

func ids(msgs []publisher.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.ID
	}
	return out
}

func publish(t *testing.T, h Harness, msgs []publisher.Message) error {
	t.Helper()
	if h.Prepare != nil {
		h.Prepare(t, msgs)
	}
	return h.Publisher.Publish(context.Background(), msgs...)
}

// sameSet reports whether got holds exactly the IDs of want, each at least once.
func sameSet(got, want []string) bool {
	for _, g := range got {
		if !slices.Contains(want, g) {
			return false
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			return false
		}
	}
	return true
}

func testDeterministicIDs(t *testing.T, h Harness) {
	msgs := batch(3)
	if err := publish(t, h, msgs); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	events, dead := h.Delivered(t)
	if !sameSet(events, ids(msgs)) || len(events) != len(msgs) || len(dead) != 0 {
		t.Errorf("delivered %v (dead letters %v), want exactly %v", events, dead, ids(msgs))
	}
}

func testRetriedBatch(t *testing.T, h Harness) {
	msgs := batch(4)
	for i := range 2 { // a publish retried after its confirm was lost
		if err := publish(t, h, msgs); err != nil {
			t.Fatalf("Publish #%d: %v", i+1, err)
		}
	}
	events, _ := h.Delivered(t)
	if !sameSet(events, ids(msgs)) {
		t.Errorf("a retried batch delivered %v, want only and all of %v (repeats allowed)", events, ids(msgs))
	}
}

func testDeadLetter(t *testing.T, h Harness) {
	m := batch(1)[0]
	m.ID, m.RoutingKey = m.CorrelationID+".dead", "hookgate.dead_letter"
	m.Body = []byte(`{"specversion":"1.0","id":"` + m.ID + `","subject":"evt_1"}`)
	if h.Prepare != nil {
		h.Prepare(t, []publisher.Message{{CorrelationID: m.CorrelationID}})
	}
	if err := h.Publisher.PublishDeadLetter(context.Background(), m); err != nil {
		t.Fatalf("PublishDeadLetter: %v", err)
	}
	events, dead := h.Delivered(t)
	if len(events) != 0 || len(dead) != 1 || dead[0] != m.ID {
		t.Errorf("dead letter delivered as events %v, dead letters %v; want only the dead letter %s", events, dead, m.ID)
	}
}

func testInvalidBatch(t *testing.T, h Harness) {
	msgs := batch(3)
	msgs[2].ID = "" // consumers deduplicate on it
	err := publish(t, h, msgs)
	if !errors.Is(err, publisher.ErrInvalidMessage) {
		t.Fatalf("Publish of a batch with an invalid message = %v, want ErrInvalidMessage", err)
	}
	if events, _ := h.Delivered(t); len(events) != 0 {
		t.Errorf("an invalid batch delivered %v, want nothing", events)
	}
}

func testOutage(t *testing.T, h Harness) {
	msgs := batch(3)
	restore := h.Outage(t)
	err := publish(t, h, msgs)
	if err == nil {
		t.Fatal("Publish during an outage succeeded")
	}
	if !errors.Is(err, publisher.ErrUnavailable) && !errors.Is(err, publisher.ErrNotConfirmed) {
		t.Errorf("Publish during an outage = %v, want ErrUnavailable or ErrNotConfirmed (retryable)", err)
	}
	restore()
	if err := publish(t, h, msgs); err != nil {
		t.Fatalf("Publish after the outage: %v", err)
	}
	events, _ := h.Delivered(t)
	if !sameSet(events, ids(msgs)) {
		t.Errorf("after an outage delivered %v, want only and all of %v", events, ids(msgs))
	}
}
