package catalogue

import (
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hookgate/hookgate/events"
	"github.com/hookgate/hookgate/handlers"
)

// The payment handlers map the catalogue's payment providers to the
// payment.* events Stripe and PayPal already produce, with the same money
// rules: integer minor units from integer minor units, exact decimals
// parsed by events.ParseDecimal, never a float.
//
//	razorpay  payment.captured / payment.failed        → payment.completed / payment.failed
//	square    payment.updated (COMPLETED / FAILED)     → payment.completed / payment.failed
//	paddle    transaction.completed / .payment_failed  → payment.completed / payment.failed
//	paddle    subscription.created                     → subscription.created
//	adyen     CAPTURE / AUTHORISATION success=false    → payment.completed / payment.failed (one per item)
//	braintree subscription_charged_(un)successfully    → payment.completed / payment.failed
//	lemonsqueezy order_created (paid / failed)         → payment.completed / payment.failed
func registerPaymentHandlers(r *handlers.Registry) {
	r.Register("razorpay", "payment.captured", handleRazorpayPayment(events.PaymentCompleted))
	r.Register("razorpay", "payment.failed", handleRazorpayPayment(events.PaymentFailed))
	r.Register("square", "payment.updated", handleSquarePayment)
	r.Register("paddle", "transaction.completed", handlePaddleTransaction(events.PaymentCompleted))
	r.Register("paddle", "transaction.payment_failed", handlePaddleTransaction(events.PaymentFailed))
	r.Register("paddle", "subscription.created", handlePaddleSubscription)
	r.Register("adyen", "CAPTURE", handleAdyen)
	r.Register("adyen", "AUTHORISATION", handleAdyen)
	r.Register("braintree", "subscription_charged_successfully", handleBraintreeCharge(events.PaymentCompleted))
	r.Register("braintree", "subscription_charged_unsuccessfully", handleBraintreeCharge(events.PaymentFailed))
	r.Register("lemonsqueezy", "order_created", handleLemonSqueezyOrder)
}

func malformed(provider, eventType, what string) error {
	return fmt.Errorf("%s %s: %s: %w", provider, eventType, what, handlers.ErrMalformed)
}

// paymentEvent marshals p as an event of type t about p.PaymentID.
func paymentEvent(t events.Type, p events.Payment, at time.Time) (events.Event, error) {
	data, err := json.Marshal(p)
	if err != nil {
		return events.Event{}, err
	}
	return events.Event{Type: t, Subject: p.PaymentID, Time: at.UTC(), Data: data}, nil
}

// minorUnits reads an amount the provider writes in minor units of
// currency, as a JSON integer or a string of digits.
func minorUnits(provider, eventType string, raw json.RawMessage, currency string) (events.Money, error) {
	s := strings.Trim(string(raw), `"`)
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return events.Money{}, malformed(provider, eventType, "amount is not an integer of minor units")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return events.Money{}, malformed(provider, eventType, "amount out of range")
	}
	exp, err := events.Exponent(currency)
	if err != nil {
		return events.Money{}, malformed(provider, eventType, err.Error())
	}
	m, err := events.FromMinorUnits(n, exp, currency)
	if err != nil {
		return events.Money{}, malformed(provider, eventType, err.Error())
	}
	return m, nil
}

// Razorpay: https://razorpay.com/docs/webhooks/payloads/payments/
type razorpayEvent struct {
	Event     string `json:"event"`
	CreatedAt int64  `json:"created_at"`
	Payload   struct {
		Payment struct {
			Entity struct {
				ID               string          `json:"id"`
				Amount           json.RawMessage `json:"amount"`
				Currency         string          `json:"currency"`
				Status           string          `json:"status"`
				OrderID          *string         `json:"order_id"`
				Description      *string         `json:"description"`
				ErrorCode        *string         `json:"error_code"`
				ErrorDescription *string         `json:"error_description"`
			} `json:"entity"`
		} `json:"payment"`
	} `json:"payload"`
}

func handleRazorpayPayment(t events.Type) handlers.Handler {
	return func(in handlers.Input) ([]events.Event, error) {
		var ev razorpayEvent
		if err := json.Unmarshal(in.Payload, &ev); err != nil {
			return nil, malformed("razorpay", in.EventType, "decode payload: "+err.Error())
		}
		pay := ev.Payload.Payment.Entity
		if pay.ID == "" || pay.Status == "" {
			return nil, malformed("razorpay", in.EventType, "missing payload.payment.entity id or status")
		}
		money, err := minorUnits("razorpay", in.EventType, pay.Amount, pay.Currency)
		if err != nil {
			return nil, err
		}
		p := events.Payment{Provider: "razorpay", PaymentID: pay.ID, Amount: money, Status: pay.Status,
			Description: deref(pay.Description), OrderID: deref(pay.OrderID)}
		if t == events.PaymentFailed {
			p.FailureCode, p.FailureReason = deref(pay.ErrorCode), deref(pay.ErrorDescription)
		}
		e, err := paymentEvent(t, p, time.Unix(ev.CreatedAt, 0))
		return []events.Event{e}, err
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Square: https://developer.squareup.com/reference/square/payments-api/webhooks/payment.updated
type squarePaymentEvent struct {
	CreatedAt time.Time `json:"created_at"`
	Data      struct {
		Object struct {
			Payment struct {
				ID          string `json:"id"`
				Status      string `json:"status"`
				CustomerID  string `json:"customer_id"`
				OrderID     string `json:"order_id"`
				ReferenceID string `json:"reference_id"`
				Note        string `json:"note"`
				AmountMoney struct {
					Amount   json.RawMessage `json:"amount"`
					Currency string          `json:"currency"`
				} `json:"amount_money"`
			} `json:"payment"`
		} `json:"object"`
	} `json:"data"`
}

// handleSquarePayment maps a payment.updated that reached COMPLETED or
// FAILED; the other updates (APPROVED, a refund's change) yield no event.
func handleSquarePayment(in handlers.Input) ([]events.Event, error) {
	var ev squarePaymentEvent
	if err := json.Unmarshal(in.Payload, &ev); err != nil {
		return nil, malformed("square", in.EventType, "decode payload: "+err.Error())
	}
	pay := ev.Data.Object.Payment
	var t events.Type
	switch pay.Status {
	case "COMPLETED":
		t = events.PaymentCompleted
	case "FAILED":
		t = events.PaymentFailed
	default:
		return nil, nil
	}
	if pay.ID == "" {
		return nil, malformed("square", in.EventType, "missing data.object.payment.id")
	}
	money, err := minorUnits("square", in.EventType, pay.AmountMoney.Amount, pay.AmountMoney.Currency)
	if err != nil {
		return nil, err
	}
	p := events.Payment{Provider: "square", PaymentID: pay.ID, Amount: money, Status: pay.Status,
		CustomerID: pay.CustomerID, OrderID: pay.OrderID, Reference: pay.ReferenceID, Description: pay.Note}
	e, err := paymentEvent(t, p, ev.CreatedAt)
	return []events.Event{e}, err
}

// Paddle Billing: https://developer.paddle.com/webhooks/transactions/transaction-completed
type paddleTransactionEvent struct {
	OccurredAt time.Time `json:"occurred_at"`
	Data       struct {
		ID           string `json:"id"`
		Status       string `json:"status"`
		CustomerID   string `json:"customer_id"`
		InvoiceID    string `json:"invoice_number"`
		CurrencyCode string `json:"currency_code"`
		Details      struct {
			Totals struct {
				GrandTotal json.RawMessage `json:"grand_total"`
			} `json:"totals"`
		} `json:"details"`
	} `json:"data"`
}

func handlePaddleTransaction(t events.Type) handlers.Handler {
	return func(in handlers.Input) ([]events.Event, error) {
		var ev paddleTransactionEvent
		if err := json.Unmarshal(in.Payload, &ev); err != nil {
			return nil, malformed("paddle", in.EventType, "decode payload: "+err.Error())
		}
		if ev.Data.ID == "" || ev.Data.Status == "" {
			return nil, malformed("paddle", in.EventType, "missing data.id or data.status")
		}
		// Paddle writes amounts as strings of the lowest denomination.
		money, err := minorUnits("paddle", in.EventType, ev.Data.Details.Totals.GrandTotal, ev.Data.CurrencyCode)
		if err != nil {
			return nil, err
		}
		p := events.Payment{Provider: "paddle", PaymentID: ev.Data.ID, Amount: money, Status: ev.Data.Status,
			CustomerID: ev.Data.CustomerID, Reference: ev.Data.InvoiceID}
		e, err := paymentEvent(t, p, ev.OccurredAt)
		return []events.Event{e}, err
	}
}

// Paddle Billing: https://developer.paddle.com/webhooks/subscriptions/subscription-created
type paddleSubscriptionEvent struct {
	OccurredAt time.Time `json:"occurred_at"`
	Data       struct {
		ID         string    `json:"id"`
		Status     string    `json:"status"`
		CustomerID string    `json:"customer_id"`
		StartedAt  time.Time `json:"started_at"`
		Items      []struct {
			Quantity int64 `json:"quantity"`
			Price    struct {
				ID           string `json:"id"`
				BillingCycle *struct {
					Interval  string `json:"interval"`
					Frequency int64  `json:"frequency"`
				} `json:"billing_cycle"`
				UnitPrice struct {
					Amount       json.RawMessage `json:"amount"`
					CurrencyCode string          `json:"currency_code"`
				} `json:"unit_price"`
			} `json:"price"`
		} `json:"items"`
	} `json:"data"`
}

// handlePaddleSubscription maps a new subscription with its prices.
func handlePaddleSubscription(in handlers.Input) ([]events.Event, error) {
	var ev paddleSubscriptionEvent
	if err := json.Unmarshal(in.Payload, &ev); err != nil {
		return nil, malformed("paddle", in.EventType, "decode payload: "+err.Error())
	}
	d := ev.Data
	if d.ID == "" || d.Status == "" || len(d.Items) == 0 {
		return nil, malformed("paddle", in.EventType, "missing data.id, data.status or data.items")
	}
	sub := events.Subscription{Provider: "paddle", SubscriptionID: d.ID, Status: d.Status, CustomerID: d.CustomerID, StartTime: d.StartedAt.UTC()}
	for _, it := range d.Items {
		if it.Price.ID == "" || it.Quantity <= 0 {
			return nil, malformed("paddle", in.EventType, "an item without a price ID or a quantity")
		}
		item := events.SubscriptionItem{PlanID: it.Price.ID, Quantity: it.Quantity}
		if len(it.Price.UnitPrice.Amount) > 0 {
			m, err := minorUnits("paddle", in.EventType, it.Price.UnitPrice.Amount, it.Price.UnitPrice.CurrencyCode)
			if err != nil {
				return nil, err
			}
			item.UnitAmount = &m
		}
		if bc := it.Price.BillingCycle; bc != nil {
			item.Interval, item.IntervalCount = bc.Interval, bc.Frequency
		}
		sub.Items = append(sub.Items, item)
	}
	data, err := json.Marshal(sub)
	if err != nil {
		return nil, err
	}
	return []events.Event{{Type: events.SubscriptionCreated, Subject: d.ID, Time: ev.OccurredAt.UTC(), Data: data}}, nil
}

// Adyen: https://docs.adyen.com/development-resources/webhooks/webhook-types/
type adyenNotification struct {
	Live              string `json:"live"`
	NotificationItems []struct {
		Item struct {
			PSPReference        string `json:"pspReference"`
			OriginalReference   string `json:"originalReference"`
			MerchantReference   string `json:"merchantReference"`
			EventCode           string `json:"eventCode"`
			EventDate           string `json:"eventDate"`
			Success             string `json:"success"`
			Reason              string `json:"reason"`
			PaymentMethod       string `json:"paymentMethod"`
			MerchantAccountCode string `json:"merchantAccountCode"`
			Amount              struct {
				Value    json.RawMessage `json:"value"`
				Currency string          `json:"currency"`
			} `json:"amount"`
		} `json:"NotificationRequestItem"`
	} `json:"notificationItems"`
}

// handleAdyen maps each item of a batch: a successful CAPTURE is money
// received (payment.completed, about the payment's pspReference), a failed
// AUTHORISATION a failed payment; a successful AUTHORISATION is not yet
// money received, and a failed CAPTURE is a capture problem, not a failed
// payment, so neither yields an event.
func handleAdyen(in handlers.Input) ([]events.Event, error) {
	var n adyenNotification
	if err := json.Unmarshal(in.Payload, &n); err != nil {
		return nil, malformed("adyen", in.EventType, "decode payload: "+err.Error())
	}
	live := n.Live == "true"
	var out []events.Event
	for _, wrap := range n.NotificationItems {
		it := wrap.Item
		var t events.Type
		paymentID := it.PSPReference
		switch {
		case it.EventCode == "CAPTURE" && it.Success == "true":
			t = events.PaymentCompleted
			if it.OriginalReference != "" {
				paymentID = it.OriginalReference
			}
		case it.EventCode == "AUTHORISATION" && it.Success == "false":
			t = events.PaymentFailed
		default:
			continue
		}
		if paymentID == "" {
			return nil, malformed("adyen", it.EventCode, "missing pspReference")
		}
		money, err := minorUnits("adyen", it.EventCode, it.Amount.Value, it.Amount.Currency)
		if err != nil {
			return nil, err
		}
		p := events.Payment{Provider: "adyen", PaymentID: paymentID, Amount: money, Status: it.EventCode,
			Reference: it.MerchantReference, Live: &live}
		if t == events.PaymentFailed {
			p.FailureReason = it.Reason
		}
		at, _ := time.Parse(time.RFC3339, it.EventDate)
		e, err := paymentEvent(t, p, at)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Braintree: https://developer.paypal.com/braintree/docs/reference/general/webhooks/subscription
type braintreeCharge struct {
	Timestamp    string `xml:"timestamp"`
	Subscription struct {
		ID           string `xml:"id"`
		Transactions []struct {
			ID       string `xml:"id"`
			Amount   string `xml:"amount"`
			Currency string `xml:"currency-iso-code"`
			Status   string `xml:"status"`
			Customer string `xml:"customer>id"`
		} `xml:"transactions>transaction"`
	} `xml:"subject>subscription"`
}

// handleBraintreeCharge maps a subscription charge to a payment about its
// newest transaction (Braintree lists the subscription's transactions
// newest first).
func handleBraintreeCharge(t events.Type) handlers.Handler {
	return func(in handlers.Input) ([]events.Event, error) {
		form, err := url.ParseQuery(string(in.Payload))
		if err != nil {
			return nil, malformed("braintree", in.EventType, "the body is not a form")
		}
		raw, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(form.Get(btPayload), "\n", ""))
		if err != nil {
			return nil, malformed("braintree", in.EventType, "bt_payload is not base64")
		}
		var n braintreeCharge
		if err := xml.Unmarshal(raw, &n); err != nil {
			return nil, malformed("braintree", in.EventType, "decode bt_payload: "+err.Error())
		}
		if len(n.Subscription.Transactions) == 0 {
			return nil, malformed("braintree", in.EventType, "the subscription lists no transaction")
		}
		tx := n.Subscription.Transactions[0]
		if tx.ID == "" {
			return nil, malformed("braintree", in.EventType, "missing transaction id")
		}
		money, err := events.ParseDecimal(tx.Amount, tx.Currency)
		if err != nil {
			return nil, malformed("braintree", in.EventType, err.Error())
		}
		p := events.Payment{Provider: "braintree", PaymentID: tx.ID, Amount: money, Status: tx.Status,
			CustomerID: tx.Customer, Reference: n.Subscription.ID}
		at, _ := time.Parse(time.RFC3339, n.Timestamp)
		e, err := paymentEvent(t, p, at)
		return []events.Event{e}, err
	}
}

// Lemon Squeezy: https://docs.lemonsqueezy.com/api/webhooks
// (an order object: https://docs.lemonsqueezy.com/api/orders/the-order-object).
type lemonSqueezyOrderEvent struct {
	Data struct {
		Type       string `json:"type"`
		ID         string `json:"id"`
		Attributes struct {
			CustomerID  json.Number     `json:"customer_id"`
			OrderNumber json.Number     `json:"order_number"`
			Currency    string          `json:"currency"`
			Total       json.RawMessage `json:"total"`
			Status      string          `json:"status"`
			CreatedAt   time.Time       `json:"created_at"`
		} `json:"attributes"`
	} `json:"data"`
}

// handleLemonSqueezyOrder maps a paid order to payment.completed and a
// failed one to payment.failed, for its total in cents; an order in any
// other state (pending, refunded, fraudulent) is no payment event yet.
func handleLemonSqueezyOrder(in handlers.Input) ([]events.Event, error) {
	var ev lemonSqueezyOrderEvent
	if err := json.Unmarshal(in.Payload, &ev); err != nil {
		return nil, malformed("lemonsqueezy", in.EventType, "decode payload: "+err.Error())
	}
	a := ev.Data.Attributes
	if ev.Data.Type != "orders" || ev.Data.ID == "" || a.Status == "" {
		return nil, malformed("lemonsqueezy", in.EventType, "missing data.id, data.attributes.status, or data.type orders")
	}
	var t events.Type
	switch a.Status {
	case "paid":
		t = events.PaymentCompleted
	case "failed":
		t = events.PaymentFailed
	default:
		return nil, nil
	}
	money, err := minorUnits("lemonsqueezy", in.EventType, a.Total, a.Currency)
	if err != nil {
		return nil, err
	}
	p := events.Payment{Provider: "lemonsqueezy", PaymentID: ev.Data.ID, Amount: money, Status: a.Status,
		CustomerID: a.CustomerID.String(), OrderID: a.OrderNumber.String()}
	e, err := paymentEvent(t, p, a.CreatedAt)
	return []events.Event{e}, err
}
