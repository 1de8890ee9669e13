// Package events defines hookgate's normalized internal events and their CloudEvents
// 1.0 envelope. Handlers (package handlers) turn provider payloads into Events; the
// publisher wraps each in an Envelope.
//
// Public: handlers build Events, and consumers decode Envelopes, with it.
package events

import (
	"encoding/json"
	"time"
)

// Type is a normalized event type, used as the AMQP routing key.
type Type string

// The normalized event types produced by the built-in handlers. Each has a JSON
// Schema under events/schemas/<type>.json.
const (
	GitPush             Type = "git.push"
	PaymentCompleted    Type = "payment.completed"
	PaymentFailed       Type = "payment.failed"
	SubscriptionCreated Type = "subscription.created"
	InvoicePaid         Type = "invoice.paid"
	SMSStatusUpdate     Type = "sms.status_update"
	CallStatusUpdate    Type = "call.status_update"
	OrderCreated        Type = "order.created"
	OrderPaid           Type = "order.paid"
	CustomerCreated     Type = "customer.created"
	// pull_request.<action> and issue.<action> are built with PullRequest / Issue.
)

// PullRequest returns the normalized type for a GitHub pull_request action.
func PullRequest(action string) Type { return Type("pull_request." + action) }

// Issue returns the normalized type for a GitHub issues action.
func Issue(action string) Type { return Type("issue." + action) }

// Event is one normalized event produced from a webhook.
type Event struct {
	Type Type `json:"type"`
	// Subject identifies the thing the event is about (a repository, a payment
	// intent ID, an order ID); it becomes the CloudEvents `subject`.
	Subject string `json:"subject,omitempty"`
	// Time is when the provider says the event happened; zero means "received at".
	Time time.Time `json:"time,omitzero"`
	// Data is the JSON payload, one of the structs of this package.
	Data json.RawMessage `json:"data"`
}

// Money is an exact amount: integer minor units (cents) and an ISO 4217 currency
// code in upper case. Never a float.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}
