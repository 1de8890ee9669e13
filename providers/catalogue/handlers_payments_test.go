package catalogue_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/hookgate/hookgate/events"
	"github.com/hookgate/hookgate/fixtures"
	"github.com/hookgate/hookgate/handlers"
	"github.com/hookgate/hookgate/handlers/handlertest"
	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/catalogue"
)

var paymentsAt = time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)

// paymentInput renders the provider's fixture as the workflow hands it to a
// handler: signed as sent (Adyen's and Braintree's signers fill the body),
// with edit applied to the body afterwards.
func paymentInput(t *testing.T, name providers.Name, eventType string, edit func([]byte) []byte) handlers.Input {
	t.Helper()
	fsys := catalogue.FixtureFS(name)
	names, err := fixtures.List(fsys)
	if err != nil || len(names) == 0 {
		t.Fatalf("%s fixtures: %v", name, err)
	}
	fixture := names[0]
	if name == "paddle" {
		fixture = "transaction_completed" // its other fixture is a subscription
	}
	f, err := fixtures.Load(fsys, fixture)
	if err != nil {
		t.Fatal(err)
	}
	h, body := f.Render("9b0c2f4e-0f1d-4c47-8a9e-2f3c4d5e6f70", paymentsAt)
	e := entry(t, name)
	u, _ := url.Parse("https://hooks.example.com/webhooks/" + string(name))
	r := &providers.Request{Method: http.MethodPost, URL: u, Header: h, Body: body, Now: paymentsAt}
	sign(t, e, secretFor(t, e), r)
	if edit != nil {
		r.Body = edit(r.Body)
	}
	return handlers.Input{Source: string(name), Provider: name, EventID: "e1", EventType: eventType, Header: r.Header, Payload: r.Body}
}

func payment(t *testing.T, name providers.Name, eventType string, edit func([]byte) []byte) ([]events.Event, error) {
	t.Helper()
	r := handlers.NewRegistry()
	catalogue.RegisterHandlers(r)
	h, ok := r.Lookup(name, eventType)
	if !ok {
		t.Fatalf("no handler for %s %s", name, eventType)
	}
	return h(paymentInput(t, name, eventType, edit))
}

func replace(old, new string) func([]byte) []byte {
	return func(b []byte) []byte { return bytes.Replace(b, []byte(old), []byte(new), 1) }
}

func wantPayment(t *testing.T, evs []events.Event, err error, typ events.Type, subject string, want events.Payment) {
	t.Helper()
	ev := handlertest.One(t, evs, err, typ, subject, paymentsAt)
	var got events.Payment
	if err := jsonUnmarshal(ev.Data, &got); err != nil {
		t.Fatal(err)
	}
	if got.Provider != want.Provider || got.PaymentID != want.PaymentID || got.Amount != want.Amount ||
		got.Status != want.Status || got.FailureCode != want.FailureCode || got.FailureReason != want.FailureReason {
		t.Fatalf("payment %+v, want %+v", got, want)
	}
}

// Razorpay's captured payment is payment.completed in paise; a failed one
// carries Razorpay's error code and description.
func TestRazorpayPaymentsArePayments(t *testing.T) {
	evs, err := payment(t, "razorpay", "payment.captured", nil)
	wantPayment(t, evs, err, events.PaymentCompleted, "pay_9b0c2f4e-0f1d-4c47-8a9e-2f3c4d5e6f70",
		events.Payment{Provider: "razorpay", PaymentID: "pay_9b0c2f4e-0f1d-4c47-8a9e-2f3c4d5e6f70", Amount: events.Money{Amount: 50000, Currency: "INR"}, Status: "captured"})
	evs, err = payment(t, "razorpay", "payment.failed", func(b []byte) []byte {
		b = replace(`"status":"captured"`, `"status":"failed"`)(b)
		b = replace(`"error_code":null`, `"error_code":"BAD_REQUEST_ERROR"`)(b)
		return replace(`"error_description":null`, `"error_description":"Payment failed because card was declined"`)(b)
	})
	wantPayment(t, evs, err, events.PaymentFailed, "pay_9b0c2f4e-0f1d-4c47-8a9e-2f3c4d5e6f70",
		events.Payment{Provider: "razorpay", PaymentID: "pay_9b0c2f4e-0f1d-4c47-8a9e-2f3c4d5e6f70", Amount: events.Money{Amount: 50000, Currency: "INR"}, Status: "failed",
			FailureCode: "BAD_REQUEST_ERROR", FailureReason: "Payment failed because card was declined"})
	if _, err := payment(t, "razorpay", "payment.captured", replace(`"amount":50000`, `"amount":500.5`)); !errors.Is(err, handlers.ErrMalformed) {
		t.Fatalf("a fractional amount: %v, want ErrMalformed", err)
	}
}

// Square's payment.updated is an event only once the payment is COMPLETED
// or FAILED.
func TestSquarePaymentsArePayments(t *testing.T) {
	evs, err := payment(t, "square", "payment.updated", nil)
	wantPayment(t, evs, err, events.PaymentCompleted, "KkAkhdMsgzn59SM8A89WgKwekxLZY",
		events.Payment{Provider: "square", PaymentID: "KkAkhdMsgzn59SM8A89WgKwekxLZY", Amount: events.Money{Amount: 100, Currency: "USD"}, Status: "COMPLETED"})
	evs, err = payment(t, "square", "payment.updated", replace(`"status":"COMPLETED"`, `"status":"APPROVED"`))
	if err != nil || len(evs) != 0 {
		t.Fatalf("an APPROVED payment: %v %v, want no event", evs, err)
	}
}

// Paddle's transaction.completed is payment.completed for the grand total,
// a string of cents.
func TestPaddleTransactionsArePayments(t *testing.T) {
	evs, err := payment(t, "paddle", "transaction.completed", nil)
	wantPayment(t, evs, err, events.PaymentCompleted, "txn_01hv8wptq8987qeep44cyrewp9",
		events.Payment{Provider: "paddle", PaymentID: "txn_01hv8wptq8987qeep44cyrewp9", Amount: events.Money{Amount: 32400, Currency: "USD"}, Status: "completed"})
}

// Adyen: a successful CAPTURE is money received, about the payment it
// captures; a successful AUTHORISATION is not yet; a refused one is
// payment.failed with Adyen's reason.
func TestAdyenNotificationsArePayments(t *testing.T) {
	id := "9b0c2f4e-0f1d-4c47-8a9e-2f3c4d5e6f70"
	evs, err := payment(t, "adyen", "CAPTURE", nil)
	wantPayment(t, evs, err, events.PaymentCompleted, "P"+fixtures.EventNum(id),
		events.Payment{Provider: "adyen", PaymentID: "P" + fixtures.EventNum(id), Amount: events.Money{Amount: 1130, Currency: "EUR"}, Status: "CAPTURE"})
	authorised := replace(`"eventCode":"CAPTURE"`, `"eventCode":"AUTHORISATION"`)
	evs, err = payment(t, "adyen", "AUTHORISATION", authorised)
	if err != nil || len(evs) != 0 {
		t.Fatalf("a successful authorisation: %v %v, want no event", evs, err)
	}
	evs, err = payment(t, "adyen", "AUTHORISATION", func(b []byte) []byte {
		b = replace(`"success":"true"`, `"success":"false"`)(authorised(b))
		return replace(`"reason":""`, `"reason":"Refused"`)(b)
	})
	ev := handlertest.One(t, evs, err, events.PaymentFailed, "X"+fixtures.EventNum(id), paymentsAt)
	var p events.Payment
	if err := jsonUnmarshal(ev.Data, &p); err != nil || p.Amount != (events.Money{Amount: 1130, Currency: "EUR"}) || p.FailureReason != "Refused" || p.Live == nil || *p.Live {
		t.Fatalf("refused authorisation %+v %v", p, err)
	}
}

// Braintree's subscription charge is a payment for its newest transaction,
// the decimal amount read exactly.
func TestBraintreeChargesArePayments(t *testing.T) {
	evs, err := payment(t, "braintree", "subscription_charged_successfully", nil)
	ev := handlertest.One(t, evs, err, events.PaymentCompleted, "txn"+fixtures.EventSHA("9b0c2f4e-0f1d-4c47-8a9e-2f3c4d5e6f70"), paymentsAt)
	var p events.Payment
	if err := jsonUnmarshal(ev.Data, &p); err != nil || p.Amount != (events.Money{Amount: 4999, Currency: "USD"}) || p.Reference != "9b0c2f4e-0f1d-4c47-8a9e-2f3c4d5e6f70" {
		t.Fatalf("charge %+v %v", p, err)
	}
}

// Paddle's subscription.created is subscription.created with its price, the
// unit amount in cents and the billing cycle.
func TestPaddleSubscriptionIsSubscription(t *testing.T) {
	h, body := fixtureHandler(t, "paddle", "subscription.created", "subscription_created", paymentsAt)
	evs, err := h(handlers.Input{Provider: "paddle", EventType: "subscription.created", Payload: body})
	ev := handlertest.One(t, evs, err, events.SubscriptionCreated, "sub_01hv8x29kz0t586xy6zn1a62ny", paymentsAt)
	var s events.Subscription
	if err := jsonUnmarshal(ev.Data, &s); err != nil {
		t.Fatal(err)
	}
	if s.Status != "active" || len(s.Items) != 1 || s.Items[0].PlanID != "pri_01gsz8x8sawmvhz1pv30nge1ke" || s.Items[0].Quantity != 10 ||
		s.Items[0].UnitAmount == nil || *s.Items[0].UnitAmount != (events.Money{Amount: 3000, Currency: "USD"}) || s.Items[0].Interval != "month" || s.Items[0].IntervalCount != 1 {
		t.Fatalf("subscription %+v", s)
	}
}

// Lemon Squeezy's order_created is payment.completed for a paid order's
// total in cents, payment.failed for a failed one, and no event for an
// order in another state.
func TestLemonSqueezyOrdersArePayments(t *testing.T) {
	subject := fixtures.EventNum("9b0c2f4e-0f1d-4c47-8a9e-2f3c4d5e6f70")
	evs, err := payment(t, "lemonsqueezy", "order_created", nil)
	wantPayment(t, evs, err, events.PaymentCompleted, subject,
		events.Payment{Provider: "lemonsqueezy", PaymentID: subject, Amount: events.Money{Amount: 1199, Currency: "USD"}, Status: "paid"})
	evs, err = payment(t, "lemonsqueezy", "order_created", replace(`"status":"paid"`, `"status":"failed"`))
	wantPayment(t, evs, err, events.PaymentFailed, subject,
		events.Payment{Provider: "lemonsqueezy", PaymentID: subject, Amount: events.Money{Amount: 1199, Currency: "USD"}, Status: "failed"})
	evs, err = payment(t, "lemonsqueezy", "order_created", replace(`"status":"paid"`, `"status":"pending"`))
	if err != nil || len(evs) != 0 {
		t.Fatalf("a pending order: %v %v, want no event", evs, err)
	}
	if _, err := payment(t, "lemonsqueezy", "order_created", replace(`"total":1199`, `"total":11.99`)); !errors.Is(err, handlers.ErrMalformed) {
		t.Fatalf("a fractional total: %v, want ErrMalformed", err)
	}
}
