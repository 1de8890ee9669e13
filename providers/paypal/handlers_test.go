package paypal_test

import (
	"encoding/json"
	"errors"
	"github.com/hookgate/hookgate/handlers/handlertest"
	"slices"
	"testing"
	"time"

	"github.com/hookgate/hookgate/events"
	"github.com/hookgate/hookgate/fixtures"
	"github.com/hookgate/hookgate/handlers"
	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/paypal"
)

var hNow = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

const hEventID = "WH-2WR32451HC0233532-67976317FL4543714"

func hRegistry() *handlers.Registry {
	r := handlers.NewRegistry()
	paypal.RegisterHandlers(r)
	return r
}

func hInput(t *testing.T, name string) handlers.Input {
	t.Helper()
	f, err := fixtures.Load(paypal.FixtureFS(), name)
	if err != nil {
		t.Fatal(err)
	}
	h, body := f.Render(hEventID, hNow)
	var env struct {
		ID        string `json:"id"`
		EventType string `json:"event_type"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	if env.ID != hEventID {
		t.Fatalf("fixture %s: id = %q, want the rendered ${EVENT_ID}", name, env.ID)
	}
	return handlers.Input{Source: "paypal", Provider: providers.PayPal, EventID: env.ID,
		EventType: env.EventType, ReceivedAt: hNow, Header: h, Payload: body}
}

func hRun(t *testing.T, in handlers.Input) ([]events.Event, error) {
	t.Helper()
	h, ok := hRegistry().Lookup(providers.PayPal, in.EventType)
	if !ok {
		t.Fatalf("no handler for %s", in.EventType)
	}
	return h(in)
}

func TestHandlersOnFixtures(t *testing.T) {
	tests := []struct {
		fixture string
		want    events.Type
		subject string
		data    any
	}{
		{"payment_capture_completed", events.PaymentCompleted, "2GG279541U471931P", events.Payment{Provider: "paypal",
			PaymentID: "2GG279541U471931P", Amount: events.Money{Amount: 1099, Currency: "USD"}, Status: "COMPLETED",
			Reference: "INV-2025-1042", OrderID: "5O190127TN364715T"}},
		{"payment_capture_denied", events.PaymentFailed, "7NW873794T343360M", events.Payment{Provider: "paypal",
			PaymentID: "7NW873794T343360M", Amount: events.Money{Amount: 25000, Currency: "USD"}, Status: "DENIED",
			Reference: "INV-2025-1042", OrderID: "5O190127TN364715T"}},
		{"billing_subscription_created", events.SubscriptionCreated, "I-BW452GLLEP1G", events.Subscription{Provider: "paypal",
			SubscriptionID: "I-BW452GLLEP1G", Status: "APPROVAL_PENDING",
			Items:     []events.SubscriptionItem{{PlanID: "P-5ML4271244454362WXNWU5NQ", Quantity: 20}},
			StartTime: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			evs, err := hRun(t, hInput(t, tt.fixture))
			ev := handlertest.One(t, evs, err, tt.want, tt.subject, hNow)
			handlertest.DataEquals(t, ev, tt.data)
		})
	}
}

func TestUnhandledEventType(t *testing.T) {
	if _, ok := hRegistry().Lookup(providers.PayPal, hInput(t, "payment_capture_refunded").EventType); ok {
		t.Fatal("PAYMENT.CAPTURE.REFUNDED has a handler; the fixture is meant to stay unhandled")
	}
}

func TestCaptureAmounts(t *testing.T) {
	tests := []struct {
		currency, value string
		want            events.Money
		wantErr         bool
	}{
		{"USD", "10.99", events.Money{Amount: 1099, Currency: "USD"}, false},
		{"EUR", "0.5", events.Money{Amount: 50, Currency: "EUR"}, false},
		{"JPY", "1000", events.Money{Amount: 1000, Currency: "JPY"}, false},
		{"JPY", "1000.00", events.Money{}, true}, // PayPal rejects decimals for JPY: so do we
		{"USD", "10.999", events.Money{}, true},
		{"USD", "-10.99", events.Money{}, true},
		{"USD", "1.099e1", events.Money{}, true},
		{"USD", "", events.Money{}, true},
		{"", "10.99", events.Money{}, true},
	}
	for _, tt := range tests {
		in := hInput(t, "payment_capture_completed")
		in.Payload = handlertest.EditJSON(t, in.Payload, func(m map[string]any) {
			m["resource"].(map[string]any)["amount"] = map[string]any{"currency_code": tt.currency, "value": tt.value}
		})
		evs, err := hRun(t, in)
		if tt.wantErr {
			if !errors.Is(err, handlers.ErrMalformed) {
				t.Errorf("%s %q: error = %v, want ErrMalformed", tt.currency, tt.value, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %q: %v", tt.currency, tt.value, err)
			continue
		}
		var p events.Payment
		if err := json.Unmarshal(evs[0].Data, &p); err != nil {
			t.Fatal(err)
		}
		if p.Amount != tt.want {
			t.Errorf("%s %q: amount = %+v, want %+v", tt.currency, tt.value, p.Amount, tt.want)
		}
	}
}

func TestCaptureDetails(t *testing.T) {
	// A denial with a reason, and a capture that has only a custom_id.
	in := hInput(t, "payment_capture_denied")
	in.Payload = handlertest.EditJSON(t, in.Payload, func(m map[string]any) {
		r := m["resource"].(map[string]any)
		r["status_details"] = map[string]any{"reason": "RISK_DECLINE"}
		delete(r, "invoice_id")
	})
	evs, err := hRun(t, in)
	if err != nil {
		t.Fatal(err)
	}
	if err := events.Validate(evs[0]); err != nil {
		t.Fatal(err)
	}
	var p events.Payment
	if err := json.Unmarshal(evs[0].Data, &p); err != nil {
		t.Fatal(err)
	}
	if p.FailureCode != "RISK_DECLINE" || p.Reference != "order-1042" {
		t.Fatalf("payment = %+v", p)
	}
}

func TestSubscriptionQuantity(t *testing.T) {
	tests := []struct {
		quantity any // nil: absent
		want     int64
		wantErr  bool
	}{
		{nil, 1, false},
		{"1", 1, false},
		{"20", 20, false},
		{"-2", 0, true},
		{"+2", 0, true},
		{"2.5", 0, true},
		{"many", 0, true},
		{20, 0, true}, // PayPal sends a string; a number is not its shape
	}
	for _, tt := range tests {
		in := hInput(t, "billing_subscription_created")
		in.Payload = handlertest.EditJSON(t, in.Payload, func(m map[string]any) {
			r := m["resource"].(map[string]any)
			if tt.quantity == nil {
				delete(r, "quantity")
			} else {
				r["quantity"] = tt.quantity
			}
		})
		evs, err := hRun(t, in)
		if tt.wantErr {
			if !errors.Is(err, handlers.ErrMalformed) {
				t.Errorf("quantity %v: error = %v, want ErrMalformed", tt.quantity, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("quantity %v: %v", tt.quantity, err)
		}
		var s events.Subscription
		if err := json.Unmarshal(evs[0].Data, &s); err != nil {
			t.Fatal(err)
		}
		if s.Items[0].Quantity != tt.want {
			t.Errorf("quantity %v: got %d, want %d", tt.quantity, s.Items[0].Quantity, tt.want)
		}
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		name    string
		fixture string
		edit    func(m map[string]any)
	}{
		{"no resource", "payment_capture_completed", func(m map[string]any) { delete(m, "resource") }},
		{"null resource", "payment_capture_completed", func(m map[string]any) { m["resource"] = nil }},
		{"no create_time", "payment_capture_completed", func(m map[string]any) { delete(m, "create_time") }},
		{"bad create_time", "payment_capture_denied", func(m map[string]any) { m["create_time"] = "2025-03-14 09:26" }},
		{"type mismatch", "payment_capture_completed", func(m map[string]any) { m["event_type"] = "PAYMENT.CAPTURE.DENIED" }},
		{"no capture id", "payment_capture_completed", func(m map[string]any) { delete(m["resource"].(map[string]any), "id") }},
		{"no amount", "payment_capture_denied", func(m map[string]any) { delete(m["resource"].(map[string]any), "amount") }},
		{"amount value as number", "payment_capture_completed", func(m map[string]any) {
			m["resource"].(map[string]any)["amount"] = map[string]any{"currency_code": "USD", "value": 10.99}
		}},
		{"no status", "payment_capture_completed", func(m map[string]any) { delete(m["resource"].(map[string]any), "status") }},
		{"no subscription id", "billing_subscription_created", func(m map[string]any) {
			delete(m["resource"].(map[string]any), "id")
		}},
		{"no plan", "billing_subscription_created", func(m map[string]any) {
			delete(m["resource"].(map[string]any), "plan_id")
		}},
		{"bad start_time", "billing_subscription_created", func(m map[string]any) {
			m["resource"].(map[string]any)["start_time"] = "April"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := hInput(t, tt.fixture)
			in.Payload = handlertest.EditJSON(t, in.Payload, tt.edit)
			evs, err := hRun(t, in)
			if !errors.Is(err, handlers.ErrMalformed) {
				t.Fatalf("error = %v (events %d), want ErrMalformed", err, len(evs))
			}
		})
	}
	for _, typ := range hRegistry().Types(providers.PayPal) {
		for _, body := range []string{"", "[]", "{", "null"} {
			in := handlers.Input{Provider: providers.PayPal, EventType: typ, Payload: []byte(body)}
			if _, err := hRun(t, in); !errors.Is(err, handlers.ErrMalformed) {
				t.Errorf("%s body %q: error = %v, want ErrMalformed", typ, body, err)
			}
		}
	}
}

func TestRegisteredTypes(t *testing.T) {
	got := slices.Sorted(slices.Values(hRegistry().Types(providers.PayPal)))
	want := []string{"BILLING.SUBSCRIPTION.CREATED", "PAYMENT.CAPTURE.COMPLETED", "PAYMENT.CAPTURE.DENIED"}
	if !slices.Equal(got, want) {
		t.Fatalf("Types = %v, want %v", got, want)
	}
}
