package stripe

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hookgate/hookgate/events"
	"github.com/hookgate/hookgate/handlers"
	"github.com/hookgate/hookgate/providers"
)

// Stripe event types with a built-in handler.
const (
	EventPaymentIntentSucceeded  = "payment_intent.succeeded"
	EventPaymentIntentFailed     = "payment_intent.payment_failed"
	EventSubscriptionCreated     = "customer.subscription.created"
	EventInvoicePaymentSucceeded = "invoice.payment_succeeded"
)

// RegisterHandlers registers the built-in Stripe mappings on r:
//
//	payment_intent.succeeded       → payment.completed     subject: PaymentIntent ID (pi_…)
//	payment_intent.payment_failed  → payment.failed        subject: PaymentIntent ID
//	customer.subscription.created  → subscription.created  subject: Subscription ID (sub_…)
//	invoice.payment_succeeded      → invoice.paid          subject: Invoice ID (in_…)
//
// Every event's Time is the Stripe event's `created`. Amounts are Stripe's
// integer minor units converted exactly to ISO 4217 minor units (see
// stripeMoney). A payload missing a required field wraps handlers.ErrMalformed.
func RegisterHandlers(r *handlers.Registry) {
	r.Register(providers.Stripe, EventPaymentIntentSucceeded, handlePaymentIntent(events.PaymentCompleted))
	r.Register(providers.Stripe, EventPaymentIntentFailed, handlePaymentIntent(events.PaymentFailed))
	r.Register(providers.Stripe, EventSubscriptionCreated, handleSubscriptionCreated)
	r.Register(providers.Stripe, EventInvoicePaymentSucceeded, handleInvoicePaid)
}

// wireEvent is the Stripe event envelope; data.object is decoded per type.
// Integers are decoded into int64 (exact); a float where Stripe sends an integer
// is a decode error, so amounts never pass through float64.
type wireEvent struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Created  *int64 `json:"created"`
	Livemode *bool  `json:"livemode"`
	Data     struct {
		Object json.RawMessage `json:"object"`
	} `json:"data"`
}

// wireRef is an ID field that Stripe sends as a string, as null, or expanded
// into an object with an "id".
type wireRef string

func (r *wireRef) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*r = ""
		return nil
	case len(b) > 0 && b[0] == '{':
		var obj struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(b, &obj); err != nil {
			return err
		}
		*r = wireRef(obj.ID)
		return nil
	default:
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*r = wireRef(s)
		return nil
	}
}

type wirePaymentIntent struct {
	ID               string            `json:"id"`
	Amount           *int64            `json:"amount"`
	AmountReceived   *int64            `json:"amount_received"`
	Currency         string            `json:"currency"`
	Customer         wireRef           `json:"customer"`
	Description      *string           `json:"description"`
	Status           string            `json:"status"`
	Metadata         map[string]string `json:"metadata"`
	LastPaymentError *struct {
		Code        string `json:"code"`
		DeclineCode string `json:"decline_code"`
		Message     string `json:"message"`
	} `json:"last_payment_error"`
}

type wireSubscription struct {
	ID        string  `json:"id"`
	Status    string  `json:"status"`
	Customer  wireRef `json:"customer"`
	StartDate *int64  `json:"start_date"`
	Items     struct {
		Data []struct {
			Quantity *int64 `json:"quantity"`
			// Price is the current API's field; Plan the pre-2018 one, still sent
			// beside it by older API versions.
			Price *wirePrice `json:"price"`
			Plan  *wirePrice `json:"plan"`
		} `json:"data"`
	} `json:"items"`
}

// wirePrice covers both Price and legacy Plan objects.
type wirePrice struct {
	ID         string `json:"id"`
	UnitAmount *int64 `json:"unit_amount"`
	Amount     *int64 `json:"amount"` // Plan
	Currency   string `json:"currency"`
	Interval   string `json:"interval"` // Plan
	// IntervalCount is on Plan; Price has it under recurring.
	IntervalCount int64 `json:"interval_count"`
	Recurring     *struct {
		Interval      string `json:"interval"`
		IntervalCount int64  `json:"interval_count"`
	} `json:"recurring"`
}

type wireInvoice struct {
	ID               string  `json:"id"`
	Number           *string `json:"number"`
	Customer         wireRef `json:"customer"`
	Subscription     wireRef `json:"subscription"` // API versions before 2025-03-31
	AmountPaid       *int64  `json:"amount_paid"`
	Currency         string  `json:"currency"`
	Status           string  `json:"status"`
	HostedInvoiceURL *string `json:"hosted_invoice_url"`
	// Parent holds the subscription in API versions from 2025-03-31 on.
	Parent *struct {
		SubscriptionDetails *struct {
			Subscription wireRef `json:"subscription"`
		} `json:"subscription_details"`
	} `json:"parent"`
	StatusTransitions struct {
		PaidAt *int64 `json:"paid_at"`
	} `json:"status_transitions"`
}

// handlerErr reports a payload the handler cannot map; what names the field,
// never its value.
func handlerErr(eventType, what string) error {
	return fmt.Errorf("stripe %s: %s: %w", eventType, what, handlers.ErrMalformed)
}

// decodeStripeEvent decodes the envelope and data.object into obj, and checks the
// fields every handler needs.
func decodeStripeEvent(in handlers.Input, obj any) (wireEvent, error) {
	var ev wireEvent
	if err := json.Unmarshal(in.Payload, &ev); err != nil {
		return ev, fmt.Errorf("stripe %s: decode event: %w: %w", in.EventType, handlers.ErrMalformed, err)
	}
	switch {
	case ev.Type != in.EventType:
		return ev, handlerErr(in.EventType, "body type differs from the identified type")
	case ev.Created == nil:
		return ev, handlerErr(in.EventType, "missing created")
	case len(ev.Data.Object) == 0 || bytes.Equal(ev.Data.Object, []byte("null")):
		return ev, handlerErr(in.EventType, "missing data.object")
	}
	if err := json.Unmarshal(ev.Data.Object, obj); err != nil {
		return ev, fmt.Errorf("stripe %s: decode data.object: %w: %w", in.EventType, handlers.ErrMalformed, err)
	}
	return ev, nil
}

func stripeUnixUTC(sec int64) time.Time { return time.Unix(sec, 0).UTC() }

// stripeZeroDecimal lists the currencies Stripe counts in whole units; stripeThreeDecimal
// those it counts in thousandths. Every other currency is counted in hundredths,
// including ISK, which ISO 4217 gives no minor unit: Stripe keeps it two-decimal
// for backwards compatibility (amounts are multiples of 100). MGA is the reverse
// case: zero-decimal at Stripe, two decimals in ISO 4217.
var (
	stripeZeroDecimal = map[string]bool{
		"BIF": true, "CLP": true, "DJF": true, "GNF": true, "JPY": true, "KMF": true,
		"KRW": true, "MGA": true, "PYG": true, "RWF": true, "UGX": true, "VND": true,
		"VUV": true, "XAF": true, "XOF": true, "XPF": true,
	}
	stripeThreeDecimal = map[string]bool{"BHD": true, "JOD": true, "KWD": true, "OMR": true, "TND": true}
)

// stripeMoney converts a Stripe integer amount in currency (lower case, as
// Stripe sends it) to events.Money in ISO 4217 minor units, exactly.
func stripeMoney(eventType, field string, amount int64, currency string) (events.Money, error) {
	code, err := events.NormalizeCurrency(currency)
	if err != nil {
		return events.Money{}, fmt.Errorf("stripe %s: %s currency: %w: %w", eventType, field, handlers.ErrMalformed, err)
	}
	exp := 2
	switch {
	case stripeZeroDecimal[code]:
		exp = 0
	case stripeThreeDecimal[code]:
		exp = 3
	}
	m, err := events.FromMinorUnits(amount, exp, code)
	if err != nil {
		return events.Money{}, fmt.Errorf("stripe %s: %s: %w: %w", eventType, field, handlers.ErrMalformed, err)
	}
	if m.Amount < 0 {
		return events.Money{}, handlerErr(eventType, field+" is negative")
	}
	return m, nil
}

// handlePaymentIntent maps a PaymentIntent event to payment.completed or
// payment.failed. A completed payment's amount is amount_received (what arrived,
// which a partial capture makes smaller than amount); a failed one's is amount.
func handlePaymentIntent(t events.Type) handlers.Handler {
	return func(in handlers.Input) ([]events.Event, error) {
		var pi wirePaymentIntent
		ev, err := decodeStripeEvent(in, &pi)
		if err != nil {
			return nil, err
		}
		if pi.ID == "" {
			return nil, handlerErr(in.EventType, "missing data.object.id")
		}
		if pi.Status == "" {
			return nil, handlerErr(in.EventType, "missing data.object.status")
		}
		amount := pi.Amount
		if t == events.PaymentCompleted && pi.AmountReceived != nil {
			amount = pi.AmountReceived
		}
		if amount == nil {
			return nil, handlerErr(in.EventType, "missing data.object.amount")
		}
		money, err := stripeMoney(in.EventType, "amount", *amount, pi.Currency)
		if err != nil {
			return nil, err
		}
		p := events.Payment{
			Provider:   string(providers.Stripe),
			PaymentID:  pi.ID,
			Amount:     money,
			Status:     pi.Status,
			CustomerID: string(pi.Customer),
			Live:       ev.Livemode,
		}
		if pi.Description != nil {
			p.Description = *pi.Description
		}
		if len(pi.Metadata) > 0 {
			p.Metadata = pi.Metadata
		}
		if t == events.PaymentFailed && pi.LastPaymentError != nil {
			// decline_code ("insufficient_funds") is more specific than code
			// ("card_declined") when the card network gave one.
			p.FailureCode = pi.LastPaymentError.Code
			if pi.LastPaymentError.DeclineCode != "" {
				p.FailureCode = pi.LastPaymentError.DeclineCode
			}
			p.FailureReason = pi.LastPaymentError.Message
		}
		out, err := events.NewEvent(t, pi.ID, stripeUnixUTC(*ev.Created), p)
		if err != nil {
			return nil, err
		}
		return []events.Event{out}, nil
	}
}

func handleSubscriptionCreated(in handlers.Input) ([]events.Event, error) {
	var sub wireSubscription
	ev, err := decodeStripeEvent(in, &sub)
	if err != nil {
		return nil, err
	}
	switch {
	case sub.ID == "":
		return nil, handlerErr(in.EventType, "missing data.object.id")
	case sub.Status == "":
		return nil, handlerErr(in.EventType, "missing data.object.status")
	case len(sub.Items.Data) == 0:
		return nil, handlerErr(in.EventType, "no data.object.items")
	}
	s := events.Subscription{
		Provider:       string(providers.Stripe),
		SubscriptionID: sub.ID,
		Status:         sub.Status,
		CustomerID:     string(sub.Customer),
		Items:          make([]events.SubscriptionItem, 0, len(sub.Items.Data)),
		Live:           ev.Livemode,
	}
	if sub.StartDate != nil {
		s.StartTime = stripeUnixUTC(*sub.StartDate)
	}
	for _, it := range sub.Items.Data {
		price := it.Price
		if price == nil {
			price = it.Plan
		}
		if price == nil || price.ID == "" {
			return nil, handlerErr(in.EventType, "subscription item without price")
		}
		item := events.SubscriptionItem{PlanID: price.ID, Interval: price.Interval, IntervalCount: price.IntervalCount}
		if price.Recurring != nil {
			item.Interval, item.IntervalCount = price.Recurring.Interval, price.Recurring.IntervalCount
		}
		// Metered prices have no quantity; leave it 0.
		if it.Quantity != nil {
			if *it.Quantity < 0 {
				return nil, handlerErr(in.EventType, "negative item quantity")
			}
			item.Quantity = *it.Quantity
		}
		unit := price.UnitAmount
		if unit == nil {
			unit = price.Amount
		}
		// Tiered and decimal prices have no integer unit amount: leave it out
		// rather than round unit_amount_decimal.
		if unit != nil {
			m, err := stripeMoney(in.EventType, "unit_amount", *unit, price.Currency)
			if err != nil {
				return nil, err
			}
			item.UnitAmount = &m
		}
		s.Items = append(s.Items, item)
	}
	out, err := events.NewEvent(events.SubscriptionCreated, sub.ID, stripeUnixUTC(*ev.Created), s)
	if err != nil {
		return nil, err
	}
	return []events.Event{out}, nil
}

func handleInvoicePaid(in handlers.Input) ([]events.Event, error) {
	var inv wireInvoice
	ev, err := decodeStripeEvent(in, &inv)
	if err != nil {
		return nil, err
	}
	switch {
	case inv.ID == "":
		return nil, handlerErr(in.EventType, "missing data.object.id")
	case inv.Status == "":
		return nil, handlerErr(in.EventType, "missing data.object.status")
	case inv.AmountPaid == nil:
		return nil, handlerErr(in.EventType, "missing data.object.amount_paid")
	}
	paid, err := stripeMoney(in.EventType, "amount_paid", *inv.AmountPaid, inv.Currency)
	if err != nil {
		return nil, err
	}
	i := events.Invoice{
		Provider:       string(providers.Stripe),
		InvoiceID:      inv.ID,
		CustomerID:     string(inv.Customer),
		SubscriptionID: string(inv.Subscription),
		AmountPaid:     paid,
		Status:         inv.Status,
		Live:           ev.Livemode,
	}
	if i.SubscriptionID == "" && inv.Parent != nil && inv.Parent.SubscriptionDetails != nil {
		i.SubscriptionID = string(inv.Parent.SubscriptionDetails.Subscription)
	}
	if inv.Number != nil {
		i.Number = *inv.Number
	}
	if inv.HostedInvoiceURL != nil {
		i.URL = events.URI(*inv.HostedInvoiceURL)
	}
	if inv.StatusTransitions.PaidAt != nil {
		i.PaidAt = stripeUnixUTC(*inv.StatusTransitions.PaidAt)
	}
	out, err := events.NewEvent(events.InvoicePaid, inv.ID, stripeUnixUTC(*ev.Created), i)
	if err != nil {
		return nil, err
	}
	return []events.Event{out}, nil
}
