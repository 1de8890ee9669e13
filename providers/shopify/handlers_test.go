package shopify_test

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
	"github.com/hookgate/hookgate/providers/shopify"
)

var hNow = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

const hEventID = "3f2d1c0b-9a8e-4f7d-8c6b-5a4e3d2c1b0a"

func hRegistry() *handlers.Registry {
	r := handlers.NewRegistry()
	shopify.RegisterHandlers(r)
	return r
}

func hInput(t *testing.T, name string) handlers.Input {
	t.Helper()
	f, err := fixtures.Load(shopify.FixtureFS(), name)
	if err != nil {
		t.Fatal(err)
	}
	h, body := f.Render(hEventID, hNow)
	return handlers.Input{Source: "shop", Provider: providers.Shopify, EventID: hEventID,
		EventType: h.Get("X-Shopify-Topic"), ReceivedAt: hNow, Header: h, Payload: body}
}

func hRun(t *testing.T, in handlers.Input) ([]events.Event, error) {
	t.Helper()
	h, ok := hRegistry().Lookup(providers.Shopify, in.EventType)
	if !ok {
		t.Fatalf("no handler for %s", in.EventType)
	}
	return h(in)
}

func hWantOrder(status string) events.Order {
	usd := func(n int64) events.Money { return events.Money{Amount: n, Currency: "USD"} }
	sub, tax := usd(19900), usd(2587)
	return events.Order{Provider: "shopify", OrderID: "820982911946154508", Name: "#1042", OrderNumber: 1042,
		CustomerID: "7123456789012345678", Total: usd(22487), Subtotal: &sub, Tax: &tax, FinancialStatus: status,
		LineItems: []events.OrderLine{
			{LineID: "866550311766439020", ProductID: "632910392", VariantID: "808950810", SKU: "TRAIL-TENT-2P",
				Title: "Trailhead 2P Tent", Quantity: 1, Price: usd(14900)},
			{LineID: "141249953214522974", ProductID: "921728736", VariantID: "457924702", SKU: "WOOL-SOCK-M",
				Title: "Merino Hiking Socks", Quantity: 2, Price: usd(2500)},
		},
		CreatedAt: hNow}
}

func TestHandlersOnFixtures(t *testing.T) {
	tests := []struct {
		fixture string
		want    events.Type
		subject string
		data    any
	}{
		{"orders_create", events.OrderCreated, "820982911946154508", hWantOrder("pending")},
		{"orders_paid", events.OrderPaid, "820982911946154508", hWantOrder("paid")},
		{"customers_create", events.CustomerCreated, "7123456789012345678", events.Customer{Provider: "shopify",
			CustomerID: "7123456789012345678", Email: "jordan.rivera@example.com", FirstName: "Jordan", LastName: "Rivera",
			State: "enabled", VerifiedEmail: true, Currency: "USD", Tags: []string{"newsletter", "VIP"}, CreatedAt: hNow}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			evs, err := hRun(t, hInput(t, tt.fixture))
			ev := handlertest.One(t, evs, err, tt.want, tt.subject, hNow)
			handlertest.DataEquals(t, ev, tt.data)
		})
	}
}

func TestUnhandledTopic(t *testing.T) {
	if _, ok := hRegistry().Lookup(providers.Shopify, hInput(t, "products_update").EventType); ok {
		t.Fatal("products/update has a handler; the fixture is meant to stay unhandled")
	}
}

func TestOrderMoney(t *testing.T) {
	tests := []struct {
		currency, total string
		want            events.Money
		wantErr         bool
	}{
		{"USD", "224.87", events.Money{Amount: 22487, Currency: "USD"}, false},
		{"USD", "0.5", events.Money{Amount: 50, Currency: "USD"}, false},
		{"JPY", "1500", events.Money{Amount: 1500, Currency: "JPY"}, false},
		{"JPY", "1500.00", events.Money{Amount: 1500, Currency: "JPY"}, false}, // value-preserving trim
		{"KWD", "12.5000", events.Money{Amount: 12500, Currency: "KWD"}, false},
		{"JPY", "1500.50", events.Money{}, true},
		{"USD", "224.875", events.Money{}, true},
		{"USD", "-1.00", events.Money{}, true},
		{"USD", "1e3", events.Money{}, true},
		{"USD", "", events.Money{}, true},
		{"dollars", "1.00", events.Money{}, true},
	}
	for _, tt := range tests {
		in := hInput(t, "orders_paid")
		in.Payload = handlertest.EditJSON(t, in.Payload, func(m map[string]any) {
			m["currency"], m["total_price"] = tt.currency, tt.total
			delete(m, "subtotal_price")
			delete(m, "total_tax")
			m["line_items"] = []any{}
		})
		evs, err := hRun(t, in)
		if tt.wantErr {
			if !errors.Is(err, handlers.ErrMalformed) {
				t.Errorf("%s %q: error = %v, want ErrMalformed", tt.currency, tt.total, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %q: %v", tt.currency, tt.total, err)
			continue
		}
		var o events.Order
		if err := json.Unmarshal(evs[0].Data, &o); err != nil {
			t.Fatal(err)
		}
		if o.Total != tt.want || o.Subtotal != nil || o.Tax != nil {
			t.Errorf("%s %q: total = %+v (sub %v tax %v), want %+v", tt.currency, tt.total, o.Total, o.Subtotal, o.Tax, tt.want)
		}
	}
}

func TestOrderWithoutCustomerOrProduct(t *testing.T) {
	// Draft and POS orders can lack a customer; custom line items have no product.
	in := hInput(t, "orders_create")
	in.Payload = handlertest.EditJSON(t, in.Payload, func(m map[string]any) {
		m["customer"] = nil
		li := m["line_items"].([]any)[0].(map[string]any)
		li["product_id"], li["variant_id"], li["sku"] = nil, nil, nil
	})
	evs, err := hRun(t, in)
	if err != nil {
		t.Fatal(err)
	}
	if err := events.Validate(evs[0]); err != nil {
		t.Fatalf("schema: %v", err)
	}
	var o events.Order
	if err := json.Unmarshal(evs[0].Data, &o); err != nil {
		t.Fatal(err)
	}
	if o.CustomerID != "" || o.LineItems[0].ProductID != "" || o.LineItems[0].SKU != "" {
		t.Fatalf("order = %+v", o)
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		name    string
		fixture string
		edit    func(m map[string]any)
	}{
		{"order without id", "orders_create", func(m map[string]any) { delete(m, "id") }},
		{"order id as string", "orders_create", func(m map[string]any) { m["id"] = "820982911946154508" }},
		{"order id beyond int64", "orders_create", func(m map[string]any) { m["id"] = json.Number("9223372036854775808") }},
		{"order id as float", "orders_create", func(m map[string]any) { m["id"] = json.Number("8.2e17") }},
		{"order without total", "orders_paid", func(m map[string]any) { delete(m, "total_price") }},
		{"total as number", "orders_paid", func(m map[string]any) { m["total_price"] = 224.87 }},
		{"order without currency", "orders_paid", func(m map[string]any) { delete(m, "currency") }},
		{"bad subtotal", "orders_paid", func(m map[string]any) { m["subtotal_price"] = "199.001" }},
		{"bad created_at", "orders_create", func(m map[string]any) { m["created_at"] = "14/03/2025" }},
		{"line without price", "orders_create", func(m map[string]any) {
			delete(m["line_items"].([]any)[0].(map[string]any), "price")
		}},
		{"line without quantity", "orders_create", func(m map[string]any) {
			delete(m["line_items"].([]any)[1].(map[string]any), "quantity")
		}},
		{"line without id", "orders_create", func(m map[string]any) {
			delete(m["line_items"].([]any)[1].(map[string]any), "id")
		}},
		{"customer without id", "customers_create", func(m map[string]any) { delete(m, "id") }},
		{"customer bad currency", "customers_create", func(m map[string]any) { m["currency"] = "US Dollar" }},
		{"customer bad created_at", "customers_create", func(m map[string]any) { m["created_at"] = "yesterday" }},
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
	for _, topic := range []string{"orders/create", "orders/paid", "customers/create"} {
		for _, body := range []string{"", "[]", "{", "null"} {
			in := handlers.Input{Provider: providers.Shopify, EventType: topic, Payload: []byte(body)}
			if _, err := hRun(t, in); !errors.Is(err, handlers.ErrMalformed) {
				t.Errorf("%s body %q: error = %v, want ErrMalformed", topic, body, err)
			}
		}
	}
}

func TestRegisteredTypes(t *testing.T) {
	got := slices.Sorted(slices.Values(hRegistry().Types(providers.Shopify)))
	if want := []string{"customers/create", "orders/create", "orders/paid"}; !slices.Equal(got, want) {
		t.Fatalf("Types = %v, want %v", got, want)
	}
}
