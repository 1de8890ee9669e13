package publisher

import (
	"fmt"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// Message is one event to publish.
type Message struct {
	// ID becomes the AMQP message-id. It must be deterministic for a given event
	// (the same on every retry of a publish): consumers deduplicate on it.
	ID string
	// CorrelationID ties the message to its origin (the receipt), for tracing.
	CorrelationID string
	// RoutingKey is the normalized event type ("payment.completed"); it is also
	// set as the AMQP type property.
	RoutingKey  string
	ContentType string
	Body        []byte
	// Headers are AMQP headers; values must be AMQP table types (string, integers,
	// bool, float, time.Time, []byte, []any, nested tables).
	Headers map[string]any
	// Timestamp is set as the AMQP timestamp (second precision); zero means now.
	Timestamp time.Time
}

// validate checks what the broker would otherwise reject half-way through a batch.
func (m Message) validate() error {
	if m.ID == "" {
		return fmt.Errorf("%w: empty ID (consumers deduplicate on it)", ErrInvalidMessage)
	}
	if m.RoutingKey == "" {
		return fmt.Errorf("%w: message %s has no routing key", ErrInvalidMessage, m.ID)
	}
	if len(m.RoutingKey) > 255 {
		return fmt.Errorf("%w: message %s: routing key longer than 255 bytes", ErrInvalidMessage, m.ID)
	}
	if err := amqp.Table(m.Headers).Validate(); err != nil {
		return fmt.Errorf("%w: message %s headers: %w", ErrInvalidMessage, m.ID, err)
	}
	return nil
}

// publishing maps m to AMQP properties: persistent, so a durable queue keeps it
// across a broker restart.
func (m Message) publishing(appID string, now time.Time) amqp.Publishing {
	ts := m.Timestamp
	if ts.IsZero() {
		ts = now
	}
	return amqp.Publishing{
		Headers:       amqp.Table(m.Headers),
		ContentType:   m.ContentType,
		DeliveryMode:  amqp.Persistent,
		CorrelationId: m.CorrelationID,
		MessageId:     m.ID,
		Timestamp:     ts,
		Type:          m.RoutingKey,
		AppId:         appID,
		Body:          m.Body,
	}
}
