package main

import (
	"container/list"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/hookgate/hookgate/events"
)

// Work is the service's business logic for one event. An error wrapping
// ErrPermanent means the event can never be handled (it is dead-lettered); any
// other error is taken as transient (the event is retried).
type Work func(ctx context.Context, ev events.Envelope) error

// ErrPermanent marks a failure that retrying cannot fix.
var ErrPermanent = errors.New("permanent failure")

// Handler settles each delivery exactly once: ack, reject to the dead-letter
// queue, or nack back to the queue. It is used by one goroutine.
type Handler struct {
	Work Work
	// Seen remembers handled message IDs. In memory, bounded, lost on restart:
	// fine for an example. A production service records the ID in its own
	// database, in the same transaction as the work, under a unique key.
	Seen       *lru
	RetryDelay time.Duration
	Log        *slog.Logger
}

// Handle processes d. It returns an error only when d cannot be settled (the
// channel is gone); the caller then stops.
func (h *Handler) Handle(ctx context.Context, d amqp.Delivery) error {
	log := h.Log.With("message_id", d.MessageId, "routing_key", d.RoutingKey)
	ev, err := decode(d.Body)
	if err != nil {
		log.Warn("rejecting to the dead-letter queue", "error", err.Error())
		return settle(d.Reject(false))
	}
	id := d.MessageId
	if id == "" {
		id = ev.ID // hookgate always sets message-id; other publishers may not
	}
	if h.Seen.Contains(id) {
		log.Info("duplicate delivery, already handled")
		return settle(d.Ack(false))
	}
	if err := h.Work(ctx, ev); err != nil {
		if errors.Is(err, ErrPermanent) {
			log.Warn("rejecting to the dead-letter queue", "error", err.Error())
			return settle(d.Reject(false))
		}
		log.Warn("transient failure, requeueing", "error", err.Error(), "redelivered", d.Redelivered)
		select {
		case <-time.After(h.RetryDelay):
		case <-ctx.Done():
			// Shutting down: the broker requeues unacked messages when the
			// channel closes.
			return nil
		}
		return settle(d.Nack(false, true))
	}
	// Ack after the work: a crash in between redelivers the message, and the
	// dedupe check above (in production: the database's unique key) absorbs it.
	if err := d.Ack(false); err != nil {
		return settle(err)
	}
	h.Seen.Add(id)
	return nil
}

func settle(err error) error {
	if err != nil {
		return fmt.Errorf("settle delivery: %w", err)
	}
	return nil
}

// decode parses a structured-mode CloudEvent and checks the attributes a
// consumer relies on.
func decode(body []byte) (events.Envelope, error) {
	var ev events.Envelope
	if err := json.Unmarshal(body, &ev); err != nil {
		return ev, fmt.Errorf("%w: body is not a JSON CloudEvent: %w", ErrPermanent, err)
	}
	switch {
	case ev.SpecVersion != events.SpecVersion:
		return ev, fmt.Errorf("%w: specversion %q, want %q", ErrPermanent, ev.SpecVersion, events.SpecVersion)
	case ev.ID == "" || ev.Type == "" || ev.Source == "":
		return ev, fmt.Errorf("%w: CloudEvent lacks id, type or source", ErrPermanent)
	}
	return ev, nil
}

// printEvent is the example's work: one line per event.
func printEvent(w io.Writer) Work {
	return func(_ context.Context, ev events.Envelope) error {
		_, err := fmt.Fprintf(w, "%s %s id=%s subject=%s data=%s\n",
			ev.Time.UTC().Format(time.RFC3339), ev.Type, ev.ID, ev.Subject, ev.Data)
		return err
	}
}

// lru is a bounded set of strings that forgets the least recently added or seen.
type lru struct {
	max   int
	order *list.List // front: most recent
	items map[string]*list.Element
}

func newLRU(max int) *lru {
	return &lru{max: max, order: list.New(), items: map[string]*list.Element{}}
}

// Contains reports whether key is in the set, marking it recent.
func (l *lru) Contains(key string) bool {
	e, ok := l.items[key]
	if ok {
		l.order.MoveToFront(e)
	}
	return ok
}

// Add puts key in the set, evicting the oldest key when full.
func (l *lru) Add(key string) {
	if e, ok := l.items[key]; ok {
		l.order.MoveToFront(e)
		return
	}
	l.items[key] = l.order.PushFront(key)
	if l.order.Len() > l.max {
		oldest := l.order.Back()
		l.order.Remove(oldest)
		delete(l.items, oldest.Value.(string))
	}
}
