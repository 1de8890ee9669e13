package events

import (
	"encoding/json"
	"fmt"
	"time"
)

// The payload structs below are the Data of normalized events. Each is described
// by a JSON Schema in events/schemas (see Schema); a field added here must be added
// there too, or the schema tests fail. Provider IDs are strings even where the
// provider uses integers (Shopify, GitHub), because they exceed the 2^53 range that
// JSON consumers in other languages read exactly. Times are UTC.

// Payment is the Data of PaymentCompleted and PaymentFailed, from card processors
// and wallets alike (a Stripe PaymentIntent, a PayPal capture).
type Payment struct {
	// Provider is the providers.Name the event came from ("stripe", "paypal").
	Provider string `json:"provider"`
	// PaymentID is the provider's ID of the payment (pi_…, a PayPal capture ID).
	PaymentID string `json:"payment_id"`
	// Amount is what was received (completed) or attempted (failed).
	Amount Money `json:"amount"`
	// Status is the provider's own status word ("succeeded", "COMPLETED", "DENIED").
	Status string `json:"status"`
	// CustomerID is the provider's customer reference, when the payment has one.
	CustomerID string `json:"customer_id,omitempty"`
	// Description is the merchant's free-text description, if any.
	Description string `json:"description,omitempty"`
	// Reference is the merchant's own reference (PayPal invoice_id or custom_id).
	Reference string `json:"reference,omitempty"`
	// OrderID links the payment to an order at the provider (PayPal order ID).
	OrderID string `json:"order_id,omitempty"`
	// FailureCode is a machine-readable reason (failed payments only, when known).
	FailureCode string `json:"failure_code,omitempty"`
	// FailureReason is the provider's human-readable reason (failed payments only).
	FailureReason string `json:"failure_reason,omitempty"`
	// Metadata is the merchant-defined key/value metadata (Stripe).
	Metadata map[string]string `json:"metadata,omitempty"`
	// Live reports live (true) or test/sandbox (false) mode when the provider
	// states it in the payload; nil when it does not.
	Live *bool `json:"live,omitempty"`
}

// Subscription is the Data of SubscriptionCreated.
type Subscription struct {
	Provider       string `json:"provider"`
	SubscriptionID string `json:"subscription_id"`
	// Status is the provider's status ("active", "incomplete", "APPROVAL_PENDING").
	Status     string `json:"status"`
	CustomerID string `json:"customer_id,omitempty"`
	// Items are the plans or prices subscribed to; at least one.
	Items []SubscriptionItem `json:"items"`
	// StartTime is when billing starts, if the provider says.
	StartTime time.Time `json:"start_time,omitzero"`
	// Live is as in Payment.
	Live *bool `json:"live,omitempty"`
}

// SubscriptionItem is one plan or price of a Subscription.
type SubscriptionItem struct {
	// PlanID is the price or plan ID (Stripe price_…, PayPal P-…).
	PlanID   string `json:"plan_id"`
	Quantity int64  `json:"quantity"`
	// UnitAmount is the price per unit and interval, when the payload carries it.
	UnitAmount *Money `json:"unit_amount,omitempty"`
	// Interval is the billing interval ("month", "year"), when known.
	Interval string `json:"interval,omitempty"`
	// IntervalCount is the number of intervals between bills, when known.
	IntervalCount int64 `json:"interval_count,omitempty"`
}

// Invoice is the Data of InvoicePaid.
type Invoice struct {
	Provider  string `json:"provider"`
	InvoiceID string `json:"invoice_id"`
	// Number is the human-facing invoice number, once finalized.
	Number         string `json:"number,omitempty"`
	CustomerID     string `json:"customer_id,omitempty"`
	SubscriptionID string `json:"subscription_id,omitempty"`
	// AmountPaid is the total paid, in the invoice currency.
	AmountPaid Money  `json:"amount_paid"`
	Status     string `json:"status"`
	// PaidAt is when the invoice was paid, if the provider says.
	PaidAt time.Time `json:"paid_at,omitzero"`
	// URL is the customer-facing invoice page, if any.
	URL string `json:"url,omitempty"`
	// Live is as in Payment.
	Live *bool `json:"live,omitempty"`
}

// Repository identifies a source-code repository.
type Repository struct {
	// FullName is "owner/name".
	FullName string `json:"full_name"`
	ID       string `json:"id,omitempty"`
	URL      string `json:"url,omitempty"`
	Private  bool   `json:"private"`
}

// Push is the Data of GitPush.
type Push struct {
	Provider   string     `json:"provider"`
	Repository Repository `json:"repository"`
	// Ref is the full ref pushed ("refs/heads/main", "refs/tags/v1.0").
	Ref string `json:"ref"`
	// Before and After are the commit SHAs before and after the push; all zeros
	// means the ref was created (Before) or deleted (After).
	Before  string `json:"before"`
	After   string `json:"after"`
	Created bool   `json:"created"`
	Deleted bool   `json:"deleted"`
	Forced  bool   `json:"forced"`
	// Pusher is the name of the user who pushed.
	Pusher string `json:"pusher,omitempty"`
	// Sender is the login of the account that triggered the event.
	Sender     string `json:"sender,omitempty"`
	CompareURL string `json:"compare_url,omitempty"`
	// HeadCommit is the newest commit, absent for a deleted ref.
	HeadCommit *Commit `json:"head_commit,omitempty"`
	// Commits are the pushed commits as the provider lists them (capped by it).
	Commits []Commit `json:"commits"`
}

// Commit is one commit of a push. Author e-mail addresses are deliberately left
// out: consumers get the name and username, not personal contact data.
type Commit struct {
	ID        string    `json:"id"`
	Message   string    `json:"message"`
	Timestamp time.Time `json:"timestamp,omitzero"`
	URL       string    `json:"url,omitempty"`
	// Author is the author's name; AuthorUsername their account, when linked.
	Author         string `json:"author,omitempty"`
	AuthorUsername string `json:"author_username,omitempty"`
}

// PullRequestData is the Data of every PullRequest(action) type.
type PullRequestData struct {
	Provider   string     `json:"provider"`
	Action     string     `json:"action"`
	Repository Repository `json:"repository"`
	Number     int64      `json:"number"`
	Title      string     `json:"title"`
	// State is "open" or "closed".
	State  string `json:"state"`
	Draft  bool   `json:"draft"`
	Merged bool   `json:"merged"`
	URL    string `json:"url,omitempty"`
	// Author is the login of the pull request's author.
	Author string `json:"author,omitempty"`
	// Sender is the login of the account that performed the action.
	Sender  string `json:"sender,omitempty"`
	HeadRef string `json:"head_ref"`
	// HeadSHA is the head commit's full SHA, or its abbreviation (12 or
	// more hex digits) where the provider sends no more: Bitbucket Cloud.
	HeadSHA   string    `json:"head_sha"`
	BaseRef   string    `json:"base_ref"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	ClosedAt  time.Time `json:"closed_at,omitzero"`
	MergedAt  time.Time `json:"merged_at,omitzero"`
}

// IssueData is the Data of every Issue(action) type.
type IssueData struct {
	Provider   string     `json:"provider"`
	Action     string     `json:"action"`
	Repository Repository `json:"repository"`
	Number     int64      `json:"number"`
	Title      string     `json:"title"`
	// State is "open" or "closed"; StateReason qualifies it ("completed",
	// "not_planned", "reopened") when the provider says.
	State       string    `json:"state"`
	StateReason string    `json:"state_reason,omitempty"`
	URL         string    `json:"url,omitempty"`
	Author      string    `json:"author,omitempty"`
	Sender      string    `json:"sender,omitempty"`
	Labels      []string  `json:"labels"`
	CreatedAt   time.Time `json:"created_at,omitzero"`
	UpdatedAt   time.Time `json:"updated_at,omitzero"`
	ClosedAt    time.Time `json:"closed_at,omitzero"`
}

// Order is the Data of OrderCreated and OrderPaid.
type Order struct {
	Provider string `json:"provider"`
	OrderID  string `json:"order_id"`
	// Name is the shop-facing order name ("#1001").
	Name        string `json:"name,omitempty"`
	OrderNumber int64  `json:"order_number,omitempty"`
	CustomerID  string `json:"customer_id,omitempty"`
	// Total is the order total in the shop currency; Subtotal and Tax likewise.
	Total    Money  `json:"total"`
	Subtotal *Money `json:"subtotal,omitempty"`
	Tax      *Money `json:"tax,omitempty"`
	// FinancialStatus is the provider's payment state ("pending", "paid").
	FinancialStatus string      `json:"financial_status,omitempty"`
	LineItems       []OrderLine `json:"line_items"`
	CreatedAt       time.Time   `json:"created_at,omitzero"`
	// Test is true for orders placed in a test mode.
	Test bool `json:"test"`
}

// OrderLine is one line item of an Order.
type OrderLine struct {
	LineID    string `json:"line_id"`
	ProductID string `json:"product_id,omitempty"`
	VariantID string `json:"variant_id,omitempty"`
	SKU       string `json:"sku,omitempty"`
	Title     string `json:"title"`
	Quantity  int64  `json:"quantity"`
	// Price is the unit price in the shop currency.
	Price Money `json:"price"`
}

// Customer is the Data of CustomerCreated. It carries contact data because
// that is what consumers of this event need; keep it out of logs.
type Customer struct {
	Provider   string `json:"provider"`
	CustomerID string `json:"customer_id"`
	Email      string `json:"email,omitempty"`
	FirstName  string `json:"first_name,omitempty"`
	LastName   string `json:"last_name,omitempty"`
	// State is the account state ("disabled", "enabled", "invited").
	State         string    `json:"state,omitempty"`
	VerifiedEmail bool      `json:"verified_email"`
	Currency      string    `json:"currency,omitempty"`
	Tags          []string  `json:"tags"`
	CreatedAt     time.Time `json:"created_at,omitzero"`
}

// SMSStatus is the Data of SMSStatusUpdate (a message delivery status callback).
type SMSStatus struct {
	Provider   string `json:"provider"`
	MessageSID string `json:"message_sid"`
	AccountSID string `json:"account_sid,omitempty"`
	// Status is the provider's status ("queued", "sent", "delivered", "failed", …).
	Status              string `json:"status"`
	From                string `json:"from,omitempty"`
	To                  string `json:"to,omitempty"`
	MessagingServiceSID string `json:"messaging_service_sid,omitempty"`
	// ErrorCode is the provider's error code for failed/undelivered messages.
	ErrorCode string `json:"error_code,omitempty"`
}

// CallStatus is the Data of CallStatusUpdate (a voice call status callback).
type CallStatus struct {
	Provider   string `json:"provider"`
	CallSID    string `json:"call_sid"`
	AccountSID string `json:"account_sid,omitempty"`
	// Status is the provider's status ("ringing", "in-progress", "completed", …).
	Status        string `json:"status"`
	Direction     string `json:"direction,omitempty"`
	From          string `json:"from,omitempty"`
	To            string `json:"to,omitempty"`
	ParentCallSID string `json:"parent_call_sid,omitempty"`
	// DurationSeconds is the call duration, present once the call has ended.
	DurationSeconds *int64 `json:"duration_seconds,omitempty"`
	// SequenceNumber orders the callbacks of one call.
	SequenceNumber *int64 `json:"sequence_number,omitempty"`
}

// NewEvent marshals data into an Event of type t. It is the one place handlers
// build events, so every payload goes through encoding/json the same way.
func NewEvent(t Type, subject string, at time.Time, data any) (Event, error) {
	b, err := json.Marshal(data)
	if err != nil {
		return Event{}, fmt.Errorf("marshal %s data: %w", t, err)
	}
	return Event{Type: t, Subject: subject, Time: at, Data: b}, nil
}
