package paypal

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/hookgate/hookgate/events"
	"github.com/hookgate/hookgate/handlers"
	"github.com/hookgate/hookgate/providers"
)

// PayPal event types (event_type) with a built-in handler.
const (
	EventCaptureCompleted    = "PAYMENT.CAPTURE.COMPLETED"
	EventCaptureDenied       = "PAYMENT.CAPTURE.DENIED"
	EventSubscriptionCreated = "BILLING.SUBSCRIPTION.CREATED"
)

// RegisterHandlers registers the built-in PayPal mappings on r:
//
//	PAYMENT.CAPTURE.COMPLETED     → payment.completed     subject: capture ID
//	PAYMENT.CAPTURE.DENIED        → payment.failed        subject: capture ID
//	BILLING.SUBSCRIPTION.CREATED  → subscription.created  subject: subscription ID (I-…)
//
// Time is the event's create_time. Amounts are PayPal's
// {"currency_code","value"} objects, parsed exactly with events.ParseDecimal. A
// payload missing a required field wraps handlers.ErrMalformed.
func RegisterHandlers(r *handlers.Registry) {
	r.Register(providers.PayPal, EventCaptureCompleted, handleCapture(events.PaymentCompleted))
	r.Register(providers.PayPal, EventCaptureDenied, handleCapture(events.PaymentFailed))
	r.Register(providers.PayPal, EventSubscriptionCreated, handleSubscriptionCreated)
}

// wireEvent is PayPal's webhook event envelope; resource is decoded per type.
type wireEvent struct {
	ID         string          `json:"id"`
	EventType  string          `json:"event_type"`
	CreateTime string          `json:"create_time"`
	Resource   json.RawMessage `json:"resource"`
}

type wireAmount struct {
	CurrencyCode string `json:"currency_code"`
	Value        string `json:"value"`
}

type wireCapture struct {
	ID            string      `json:"id"`
	Status        string      `json:"status"`
	Amount        *wireAmount `json:"amount"`
	InvoiceID     string      `json:"invoice_id"`
	CustomID      string      `json:"custom_id"`
	StatusDetails *struct {
		Reason string `json:"reason"`
	} `json:"status_details"`
	SupplementaryData struct {
		RelatedIDs struct {
			OrderID string `json:"order_id"`
		} `json:"related_ids"`
	} `json:"supplementary_data"`
}

type wireSubscription struct {
	ID         string `json:"id"`
	PlanID     string `json:"plan_id"`
	Status     string `json:"status"`
	Quantity   string `json:"quantity"`
	StartTime  string `json:"start_time"`
	Subscriber *struct {
		PayerID string `json:"payer_id"`
	} `json:"subscriber"`
}

// handlerErr reports a payload the handler cannot map; what names the field,
// never its value.
func handlerErr(eventType, what string) error {
	return fmt.Errorf("paypal %s: %s: %w", eventType, what, handlers.ErrMalformed)
}

// decodePayPalEvent decodes the envelope and its resource into resource, and
// returns the event time.
func decodePayPalEvent(in handlers.Input, resource any) (time.Time, error) {
	var ev wireEvent
	if err := json.Unmarshal(in.Payload, &ev); err != nil {
		return time.Time{}, fmt.Errorf("paypal %s: decode event: %w: %w", in.EventType, handlers.ErrMalformed, err)
	}
	if ev.EventType != in.EventType {
		return time.Time{}, handlerErr(in.EventType, "body event_type differs from the identified type")
	}
	at, err := time.Parse(time.RFC3339, ev.CreateTime)
	if err != nil {
		return time.Time{}, handlerErr(in.EventType, "create_time missing or not RFC 3339")
	}
	if len(ev.Resource) == 0 || string(ev.Resource) == "null" {
		return time.Time{}, handlerErr(in.EventType, "missing resource")
	}
	if err := json.Unmarshal(ev.Resource, resource); err != nil {
		return time.Time{}, fmt.Errorf("paypal %s: decode resource: %w: %w", in.EventType, handlers.ErrMalformed, err)
	}
	return at.UTC(), nil
}

func payPalMoney(eventType, field string, a *wireAmount) (events.Money, error) {
	if a == nil {
		return events.Money{}, handlerErr(eventType, "missing "+field)
	}
	m, err := events.ParseDecimal(a.Value, a.CurrencyCode)
	if err != nil {
		return events.Money{}, fmt.Errorf("paypal %s: %s: %w: %w", eventType, field, handlers.ErrMalformed, err)
	}
	return m, nil
}

// handleCapture maps a capture event to payment.completed or payment.failed.
// The merchant reference is the capture's invoice_id, else its custom_id.
func handleCapture(t events.Type) handlers.Handler {
	return func(in handlers.Input) ([]events.Event, error) {
		var c wireCapture
		at, err := decodePayPalEvent(in, &c)
		if err != nil {
			return nil, err
		}
		switch {
		case c.ID == "":
			return nil, handlerErr(in.EventType, "missing resource.id")
		case c.Status == "":
			return nil, handlerErr(in.EventType, "missing resource.status")
		}
		amount, err := payPalMoney(in.EventType, "resource.amount", c.Amount)
		if err != nil {
			return nil, err
		}
		p := events.Payment{
			Provider:  string(providers.PayPal),
			PaymentID: c.ID,
			Amount:    amount,
			Status:    c.Status,
			Reference: c.InvoiceID,
			OrderID:   c.SupplementaryData.RelatedIDs.OrderID,
		}
		if p.Reference == "" {
			p.Reference = c.CustomID
		}
		if t == events.PaymentFailed && c.StatusDetails != nil {
			p.FailureCode = c.StatusDetails.Reason
		}
		ev, err := events.NewEvent(t, c.ID, at, p)
		if err != nil {
			return nil, err
		}
		return []events.Event{ev}, nil
	}
}

// handleSubscriptionCreated maps a new billing subscription. PayPal sends the
// quantity as a decimal string and omits it for single-unit plans, which count
// as 1.
func handleSubscriptionCreated(in handlers.Input) ([]events.Event, error) {
	var s wireSubscription
	at, err := decodePayPalEvent(in, &s)
	if err != nil {
		return nil, err
	}
	switch {
	case s.ID == "":
		return nil, handlerErr(in.EventType, "missing resource.id")
	case s.PlanID == "":
		return nil, handlerErr(in.EventType, "missing resource.plan_id")
	case s.Status == "":
		return nil, handlerErr(in.EventType, "missing resource.status")
	}
	qty := int64(1)
	if s.Quantity != "" {
		// ParseInt would accept a sign; PayPal quantities are plain digits.
		if s.Quantity[0] < '0' || s.Quantity[0] > '9' {
			return nil, handlerErr(in.EventType, "resource.quantity is not a whole number")
		}
		q, err := strconv.ParseInt(s.Quantity, 10, 64)
		if err != nil {
			return nil, handlerErr(in.EventType, "resource.quantity is not a whole number")
		}
		qty = q
	}
	data := events.Subscription{
		Provider:       string(providers.PayPal),
		SubscriptionID: s.ID,
		Status:         s.Status,
		Items:          []events.SubscriptionItem{{PlanID: s.PlanID, Quantity: qty}},
	}
	if s.Subscriber != nil {
		data.CustomerID = s.Subscriber.PayerID
	}
	if s.StartTime != "" {
		st, err := time.Parse(time.RFC3339, s.StartTime)
		if err != nil {
			return nil, handlerErr(in.EventType, "resource.start_time is not RFC 3339")
		}
		data.StartTime = st.UTC()
	}
	ev, err := events.NewEvent(events.SubscriptionCreated, s.ID, at, data)
	if err != nil {
		return nil, err
	}
	return []events.Event{ev}, nil
}
