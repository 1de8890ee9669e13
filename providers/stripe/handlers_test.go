package stripe_test

import (
	"encoding/json"
	"errors"
	"github.com/hookgate/hookgate/handlers/handlertest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hookgate/hookgate/events"
	"github.com/hookgate/hookgate/fixtures"
	"github.com/hookgate/hookgate/handlers"
	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/stripe"
)

// hNow is the render time of every fixture in these tests.
var hNow = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

const hEventID = "evt_1QkT2wLh8Wn4Zq1RAbCdEfGh"

func hRegistry() *handlers.Registry {
	r := handlers.NewRegistry()
	stripe.RegisterHandlers(r)
	return r
}

// hInput renders a fixture and builds the handler input the worker would.
func hInput(t *testing.T, name string) handlers.Input {
	t.Helper()
	f, err := fixtures.Load(stripe.FixtureFS(), name)
	if err != nil {
		t.Fatal(err)
	}
	h, body := f.Render(hEventID, hNow)
	var env struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("fixture %s body: %v", name, err)
	}
	return handlers.Input{Source: "stripe-main", Provider: providers.Stripe, EventID: hEventID,
		EventType: env.Type, ReceivedAt: hNow, Header: h, Payload: body}
}

func hRun(t *testing.T, in handlers.Input) ([]events.Event, error) {
	t.Helper()
	h, ok := hRegistry().Lookup(providers.Stripe, in.EventType)
	if !ok {
		t.Fatalf("no handler for %s", in.EventType)
	}
	return h(in)
}

func TestHandlersOnFixtures(t *testing.T) {
	no := false
	tests := []struct {
		fixture string
		want    events.Type
		subject string
		check   func(t *testing.T, data []byte)
	}{
		{"payment_intent.succeeded", events.PaymentCompleted, "pi_3QkT2vLh8Wn4Zq1R0a7Bx9Cd", func(t *testing.T, data []byte) {
			var p events.Payment
			hDecode(t, data, &p)
			want := events.Payment{Provider: "stripe", PaymentID: "pi_3QkT2vLh8Wn4Zq1R0a7Bx9Cd",
				Amount: events.Money{Amount: 2599, Currency: "USD"}, Status: "succeeded",
				CustomerID: "cus_RbX4mT9qLw2Nz8", Description: "Order #1042 - Annual plan",
				Metadata: map[string]string{"order_id": "1042"}, Live: &no}
			hEqualJSON(t, p, want)
		}},
		{"payment_intent.payment_failed", events.PaymentFailed, "pi_3QkU8aLh8Wn4Zq1R1b2Cy3De", func(t *testing.T, data []byte) {
			var p events.Payment
			hDecode(t, data, &p)
			want := events.Payment{Provider: "stripe", PaymentID: "pi_3QkU8aLh8Wn4Zq1R1b2Cy3De",
				Amount: events.Money{Amount: 4200, Currency: "EUR"}, Status: "requires_payment_method",
				FailureCode: "insufficient_funds", FailureReason: "Your card has insufficient funds.", Live: &no}
			hEqualJSON(t, p, want)
		}},
		{"customer.subscription.created", events.SubscriptionCreated, "sub_1QkV3dLh8Wn4Zq1RtY5uI6oP", func(t *testing.T, data []byte) {
			var s events.Subscription
			hDecode(t, data, &s)
			want := events.Subscription{Provider: "stripe", SubscriptionID: "sub_1QkV3dLh8Wn4Zq1RtY5uI6oP",
				Status: "active", CustomerID: "cus_RbX4mT9qLw2Nz8", StartTime: hNow, Live: &no,
				Items: []events.SubscriptionItem{{PlanID: "price_1PzQ8rLh8Wn4Zq1RmN4bV5cX", Quantity: 5,
					UnitAmount: &events.Money{Amount: 12000, Currency: "USD"}, Interval: "year", IntervalCount: 1}}}
			hEqualJSON(t, s, want)
		}},
		{"invoice.payment_succeeded", events.InvoicePaid, "in_1QkV3dLh8Wn4Zq1RgH8jK9lM", func(t *testing.T, data []byte) {
			var i events.Invoice
			hDecode(t, data, &i)
			want := events.Invoice{Provider: "stripe", InvoiceID: "in_1QkV3dLh8Wn4Zq1RgH8jK9lM", Number: "A1B2C3D4-0001",
				CustomerID: "cus_RbX4mT9qLw2Nz8", SubscriptionID: "sub_1QkV3dLh8Wn4Zq1RtY5uI6oP",
				AmountPaid: events.Money{Amount: 60000, Currency: "USD"}, Status: "paid", PaidAt: hNow,
				URL: "https://invoice.stripe.com/i/acct_1PxA0aLh8Wn4Zq1R/test_YWNjdF8xUHhBMGFMaDhXbjRacTFS", Live: &no}
			hEqualJSON(t, i, want)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			in := hInput(t, tt.fixture)
			evs, err := hRun(t, in)
			ev := handlertest.One(t, evs, err, tt.want, tt.subject, hNow)
			tt.check(t, ev.Data)

			// Handlers are pure: the same input gives byte-identical events.
			again, err := hRun(t, in)
			if err != nil || len(again) != 1 || string(again[0].Data) != string(ev.Data) {
				t.Fatalf("second run differs: %v", err)
			}
		})
	}
}

func TestUnhandledFixtureHasNoHandler(t *testing.T) {
	in := hInput(t, "charge.refunded")
	if _, ok := hRegistry().Lookup(providers.Stripe, in.EventType); ok {
		t.Fatalf("charge.refunded unexpectedly has a handler")
	}
}

// TestStripeMoney covers Stripe's integer amounts in currencies whose Stripe
// convention differs from ISO 4217.
func TestStripeMoney(t *testing.T) {
	tests := []struct {
		currency string
		amount   int64
		want     events.Money
		wantErr  bool
	}{
		{"usd", 2599, events.Money{Amount: 2599, Currency: "USD"}, false},
		{"jpy", 500, events.Money{Amount: 500, Currency: "JPY"}, false},
		{"kwd", 5120, events.Money{Amount: 5120, Currency: "KWD"}, false},
		{"isk", 50000, events.Money{Amount: 500, Currency: "ISK"}, false}, // 500 króna
		{"isk", 50050, events.Money{}, true},                              // fractional króna
		{"mga", 5000, events.Money{Amount: 500000, Currency: "MGA"}, false},
		{"huf", 100050, events.Money{Amount: 100050, Currency: "HUF"}, false},
		{"usd", -1, events.Money{}, true},
		{"us", 1, events.Money{}, true},
	}
	for _, tt := range tests {
		body := hPayload(t, "payment_intent.succeeded", func(obj map[string]any) {
			obj["amount"], obj["amount_received"], obj["currency"] = tt.amount, tt.amount, tt.currency
		})
		evs, err := hRun(t, hWith(t, "payment_intent.succeeded", body))
		if tt.wantErr {
			if !errors.Is(err, handlers.ErrMalformed) {
				t.Errorf("%d %s: error = %v, want ErrMalformed", tt.amount, tt.currency, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%d %s: %v", tt.amount, tt.currency, err)
			continue
		}
		var p events.Payment
		hDecode(t, evs[0].Data, &p)
		if p.Amount != tt.want {
			t.Errorf("%d %s: amount = %+v, want %+v", tt.amount, tt.currency, p.Amount, tt.want)
		}
	}
}

func TestCompletedUsesAmountReceived(t *testing.T) {
	body := hPayload(t, "payment_intent.succeeded", func(obj map[string]any) {
		obj["amount"], obj["amount_received"] = 5000, 3000 // partial capture
	})
	evs, err := hRun(t, hWith(t, "payment_intent.succeeded", body))
	if err != nil {
		t.Fatal(err)
	}
	var p events.Payment
	hDecode(t, evs[0].Data, &p)
	if p.Amount.Amount != 3000 {
		t.Fatalf("amount = %d, want amount_received 3000", p.Amount.Amount)
	}
}

func TestLegacyShapes(t *testing.T) {
	// Pre-2025 invoices carry `subscription` at top level; expanded customers are
	// objects; legacy subscription items carry a Plan instead of a Price.
	inv := hPayload(t, "invoice.payment_succeeded", func(obj map[string]any) {
		delete(obj, "parent")
		obj["subscription"] = "sub_legacy"
		obj["customer"] = map[string]any{"id": "cus_expanded", "object": "customer"}
	})
	evs, err := hRun(t, hWith(t, "invoice.payment_succeeded", inv))
	if err != nil {
		t.Fatal(err)
	}
	var i events.Invoice
	hDecode(t, evs[0].Data, &i)
	if i.SubscriptionID != "sub_legacy" || i.CustomerID != "cus_expanded" {
		t.Fatalf("invoice = %+v", i)
	}

	sub := hPayload(t, "customer.subscription.created", func(obj map[string]any) {
		obj["items"] = map[string]any{"data": []any{map[string]any{
			"plan": map[string]any{"id": "plan_gold", "amount": 999, "currency": "usd", "interval": "month", "interval_count": 1},
		}}}
	})
	evs, err = hRun(t, hWith(t, "customer.subscription.created", sub))
	if err != nil {
		t.Fatal(err)
	}
	if err := events.Validate(evs[0]); err != nil {
		t.Fatal(err)
	}
	var s events.Subscription
	hDecode(t, evs[0].Data, &s)
	want := events.SubscriptionItem{PlanID: "plan_gold", Quantity: 0,
		UnitAmount: &events.Money{Amount: 999, Currency: "USD"}, Interval: "month", IntervalCount: 1}
	hEqualJSON(t, s.Items[0], want)
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		name    string
		fixture string
		edit    func(env, obj map[string]any)
	}{
		{"no payment id", "payment_intent.succeeded", func(_, obj map[string]any) { delete(obj, "id") }},
		{"no amount", "payment_intent.payment_failed", func(_, obj map[string]any) { delete(obj, "amount") }},
		{"float amount", "payment_intent.succeeded", func(_, obj map[string]any) { obj["amount_received"] = 25.99 }},
		{"string amount", "payment_intent.succeeded", func(_, obj map[string]any) { obj["amount_received"] = "2599" }},
		{"amount beyond int64", "payment_intent.succeeded", func(_, obj map[string]any) {
			obj["amount_received"] = json.Number("9223372036854775808")
		}},
		{"no currency", "payment_intent.succeeded", func(_, obj map[string]any) { delete(obj, "currency") }},
		{"no status", "payment_intent.succeeded", func(_, obj map[string]any) { delete(obj, "status") }},
		{"no created", "payment_intent.succeeded", func(env, _ map[string]any) { delete(env, "created") }},
		{"null object", "payment_intent.succeeded", func(env, _ map[string]any) { env["data"] = map[string]any{"object": nil} }},
		{"type mismatch", "payment_intent.succeeded", func(env, _ map[string]any) { env["type"] = "charge.succeeded" }},
		{"customer is a number", "payment_intent.succeeded", func(_, obj map[string]any) { obj["customer"] = 12 }},
		{"no items", "customer.subscription.created", func(_, obj map[string]any) { obj["items"] = map[string]any{"data": []any{}} }},
		{"item without price", "customer.subscription.created", func(_, obj map[string]any) {
			obj["items"] = map[string]any{"data": []any{map[string]any{"quantity": 1}}}
		}},
		{"no subscription id", "customer.subscription.created", func(_, obj map[string]any) { delete(obj, "id") }},
		{"no amount_paid", "invoice.payment_succeeded", func(_, obj map[string]any) { delete(obj, "amount_paid") }},
		{"no invoice status", "invoice.payment_succeeded", func(_, obj map[string]any) { obj["status"] = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := hInput(t, tt.fixture)
			var env map[string]any
			dec := json.NewDecoder(strings.NewReader(string(in.Payload)))
			dec.UseNumber()
			if err := dec.Decode(&env); err != nil {
				t.Fatal(err)
			}
			var obj map[string]any
			if data, ok := env["data"].(map[string]any); ok {
				obj, _ = data["object"].(map[string]any)
			}
			tt.edit(env, obj)
			body, err := json.Marshal(env)
			if err != nil {
				t.Fatal(err)
			}
			in.Payload = body
			evs, err := hRun(t, in)
			if !errors.Is(err, handlers.ErrMalformed) {
				t.Fatalf("error = %v (events %d), want ErrMalformed", err, len(evs))
			}
		})
	}
	for _, body := range []string{"", "[]", "{", `{"type":"payment_intent.succeeded","created":"yesterday"}`} {
		in := hInput(t, "payment_intent.succeeded")
		in.Payload = []byte(body)
		if _, err := hRun(t, in); !errors.Is(err, handlers.ErrMalformed) {
			t.Errorf("body %q: error = %v, want ErrMalformed", body, err)
		}
	}
}

func TestRegisteredTypes(t *testing.T) {
	got := hRegistry().Types(providers.Stripe)
	want := []string{"customer.subscription.created", "invoice.payment_succeeded",
		"payment_intent.payment_failed", "payment_intent.succeeded"}
	if strings.Join(slices.Sorted(slices.Values(got)), ",") != strings.Join(want, ",") {
		t.Fatalf("Types = %v, want %v", got, want)
	}
}

// hPayload renders a fixture and edits its data.object.
func hPayload(t *testing.T, fixture string, edit func(obj map[string]any)) []byte {
	t.Helper()
	in := hInput(t, fixture)
	var env map[string]any
	dec := json.NewDecoder(strings.NewReader(string(in.Payload)))
	dec.UseNumber()
	if err := dec.Decode(&env); err != nil {
		t.Fatal(err)
	}
	edit(env["data"].(map[string]any)["object"].(map[string]any))
	b, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hWith(t *testing.T, fixture string, body []byte) handlers.Input {
	t.Helper()
	in := hInput(t, fixture)
	in.Payload = body
	return in
}

func hDecode(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
}

// hEqualJSON compares through JSON, which is what consumers see.
func hEqualJSON(t *testing.T, got, want any) {
	t.Helper()
	g, err1 := json.Marshal(got)
	w, err2 := json.Marshal(want)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if string(g) != string(w) {
		t.Fatalf("got  %s\nwant %s", g, w)
	}
}
