// Package handlers maps verified provider payloads to normalized events. Handlers
// are registered per provider and provider event type; a type with no handler is
// stored as "unhandled", which is not an error.
//
// Public: a team adding a handler for a provider event type imports it
// (Registry, Input); so does a team's own worker.
package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/hookgate/hookgate/events"
	"github.com/hookgate/hookgate/providers"
)

// ErrMalformed is wrapped by handlers whose input cannot be mapped (missing field,
// wrong type). The workflow treats it as non-retryable.
var ErrMalformed = errors.New("malformed event payload")

// Input is what a handler receives: the verified event and its JSON payload.
type Input struct {
	Source     string
	Provider   providers.Name
	EventID    string
	EventType  string // the provider's own type
	ReceivedAt time.Time
	Header     http.Header
	// Payload is the event as JSON: the raw body, or the provider's Decode of it
	// (GitHub's form `payload=`, Twilio's form parameters).
	Payload []byte
}

// Handler maps one provider event to zero or more normalized events. It must be
// deterministic and free of side effects: the same input always yields the same
// events (their message IDs are derived from their position).
type Handler func(in Input) ([]events.Event, error)

type key struct {
	provider  providers.Name
	eventType string
}

// Registry holds handlers keyed by provider and provider event type. Build it at
// start-up; it is read-only afterwards and safe for concurrent use then.
type Registry struct {
	m map[key]Handler
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{m: map[key]Handler{}} }

// Register adds h for (p, eventType); registering a pair twice panics.
func (r *Registry) Register(p providers.Name, eventType string, h Handler) {
	k := key{p, eventType}
	if _, dup := r.m[k]; dup {
		panic(fmt.Sprintf("handlers: %s/%s registered twice", p, eventType))
	}
	r.m[k] = h
}

// Lookup returns the handler for (p, eventType), if any.
func (r *Registry) Lookup(p providers.Name, eventType string) (Handler, bool) {
	h, ok := r.m[key{p, eventType}]
	return h, ok
}

// Types lists the provider event types registered for p, for documentation.
func (r *Registry) Types(p providers.Name) []string {
	var out []string
	for k := range r.m {
		if k.provider == p {
			out = append(out, k.eventType)
		}
	}
	return out
}
