package shopify

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hookgate/hookgate/events"
	"github.com/hookgate/hookgate/handlers"
	"github.com/hookgate/hookgate/providers"
)

// Shopify topics (X-Shopify-Topic) with a built-in handler.
const (
	TopicOrdersCreate    = "orders/create"
	TopicOrdersPaid      = "orders/paid"
	TopicCustomersCreate = "customers/create"
)

// RegisterHandlers registers the built-in Shopify mappings on r:
//
//	orders/create     → order.created     subject: order ID (decimal)
//	orders/paid       → order.paid        subject: order ID
//	customers/create  → customer.created  subject: customer ID (decimal)
//
// Time is the resource's created_at. Money fields are Shopify's decimal strings
// in the shop currency, parsed exactly with events.ParseDecimal. IDs are decoded
// as int64 (Shopify's exceed 2^53, so never through float64) and published as
// strings. A payload missing a required field wraps handlers.ErrMalformed.
func RegisterHandlers(r *handlers.Registry) {
	r.Register(providers.Shopify, TopicOrdersCreate, handleOrder(events.OrderCreated))
	r.Register(providers.Shopify, TopicOrdersPaid, handleOrder(events.OrderPaid))
	r.Register(providers.Shopify, TopicCustomersCreate, handleCustomerCreated)
}

type wireOrder struct {
	ID              *int64  `json:"id"`
	Name            string  `json:"name"`
	OrderNumber     int64   `json:"order_number"`
	Currency        string  `json:"currency"`
	TotalPrice      *string `json:"total_price"`
	SubtotalPrice   *string `json:"subtotal_price"`
	TotalTax        *string `json:"total_tax"`
	FinancialStatus string  `json:"financial_status"`
	CreatedAt       *string `json:"created_at"`
	Test            bool    `json:"test"`
	Customer        *struct {
		ID *int64 `json:"id"`
	} `json:"customer"`
	LineItems []struct {
		ID        *int64  `json:"id"`
		ProductID *int64  `json:"product_id"`
		VariantID *int64  `json:"variant_id"`
		SKU       *string `json:"sku"`
		Title     string  `json:"title"`
		Name      string  `json:"name"`
		Quantity  *int64  `json:"quantity"`
		Price     *string `json:"price"`
	} `json:"line_items"`
}

type wireCustomer struct {
	ID            *int64  `json:"id"`
	Email         *string `json:"email"`
	FirstName     *string `json:"first_name"`
	LastName      *string `json:"last_name"`
	State         string  `json:"state"`
	VerifiedEmail bool    `json:"verified_email"`
	Currency      string  `json:"currency"`
	Tags          string  `json:"tags"`
	CreatedAt     *string `json:"created_at"`
}

// handlerErr reports a payload the handler cannot map; what names the field,
// never its value.
func handlerErr(topic, what string) error {
	return fmt.Errorf("shopify %s: %s: %w", topic, what, handlers.ErrMalformed)
}

func unmarshalPayload(in handlers.Input, v any) error {
	if err := json.Unmarshal(in.Payload, v); err != nil {
		return fmt.Errorf("shopify %s: decode payload: %w: %w", in.EventType, handlers.ErrMalformed, err)
	}
	return nil
}

func formatID(id *int64) string {
	if id == nil {
		return ""
	}
	return strconv.FormatInt(*id, 10)
}

// shopMoney parses a Shopify decimal string exactly. Extra fraction digits that
// are all zeros ("1000.00" for a zero-decimal currency such as JPY) are dropped
// first: the value is unchanged, and Shopify's two-decimal formatting of such
// amounts should not dead-letter an order. Any other excess precision is an
// error, never rounded.
func shopMoney(topic, field, value, currency string) (events.Money, error) {
	m, err := events.ParseDecimal(value, currency)
	if errors.Is(err, events.ErrAmountPrecision) {
		if exp, eerr := events.Exponent(currency); eerr == nil {
			if whole, frac, ok := strings.Cut(value, "."); ok && strings.Trim(frac[exp:], "0") == "" {
				trimmed := whole
				if exp > 0 {
					trimmed += "." + frac[:exp]
				}
				m, err = events.ParseDecimal(trimmed, currency)
			}
		}
	}
	if err != nil {
		return events.Money{}, fmt.Errorf("shopify %s: %s: %w: %w", topic, field, handlers.ErrMalformed, err)
	}
	return m, nil
}

func optionalTime(topic, field string, s *string) (time.Time, error) {
	if s == nil || *s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, *s)
	if err != nil {
		return time.Time{}, handlerErr(topic, field+" is not an RFC 3339 time")
	}
	return t.UTC(), nil
}

func handleOrder(t events.Type) handlers.Handler {
	return func(in handlers.Input) ([]events.Event, error) {
		var o wireOrder
		if err := unmarshalPayload(in, &o); err != nil {
			return nil, err
		}
		switch {
		case o.ID == nil:
			return nil, handlerErr(in.EventType, "missing id")
		case o.TotalPrice == nil:
			return nil, handlerErr(in.EventType, "missing total_price")
		case o.Currency == "":
			return nil, handlerErr(in.EventType, "missing currency")
		}
		total, err := shopMoney(in.EventType, "total_price", *o.TotalPrice, o.Currency)
		if err != nil {
			return nil, err
		}
		created, err := optionalTime(in.EventType, "created_at", o.CreatedAt)
		if err != nil {
			return nil, err
		}
		data := events.Order{
			Provider:        string(providers.Shopify),
			OrderID:         formatID(o.ID),
			Name:            o.Name,
			OrderNumber:     o.OrderNumber,
			Total:           total,
			FinancialStatus: o.FinancialStatus,
			LineItems:       make([]events.OrderLine, 0, len(o.LineItems)),
			CreatedAt:       created,
			Test:            o.Test,
		}
		if o.Customer != nil {
			data.CustomerID = formatID(o.Customer.ID)
		}
		for _, opt := range []struct {
			field string
			src   *string
			dst   **events.Money
		}{{"subtotal_price", o.SubtotalPrice, &data.Subtotal}, {"total_tax", o.TotalTax, &data.Tax}} {
			if opt.src == nil {
				continue
			}
			m, err := shopMoney(in.EventType, opt.field, *opt.src, o.Currency)
			if err != nil {
				return nil, err
			}
			*opt.dst = &m
		}
		for _, li := range o.LineItems {
			switch {
			case li.ID == nil:
				return nil, handlerErr(in.EventType, "line item without id")
			case li.Quantity == nil || *li.Quantity < 0:
				return nil, handlerErr(in.EventType, "line item quantity missing or negative")
			case li.Price == nil:
				return nil, handlerErr(in.EventType, "line item without price")
			}
			price, err := shopMoney(in.EventType, "line item price", *li.Price, o.Currency)
			if err != nil {
				return nil, err
			}
			line := events.OrderLine{
				LineID:    formatID(li.ID),
				ProductID: formatID(li.ProductID), // null for custom items
				VariantID: formatID(li.VariantID),
				Title:     li.Title,
				Quantity:  *li.Quantity,
				Price:     price,
			}
			if line.Title == "" {
				line.Title = li.Name
			}
			if li.SKU != nil {
				line.SKU = *li.SKU
			}
			data.LineItems = append(data.LineItems, line)
		}
		ev, err := events.NewEvent(t, data.OrderID, created, data)
		if err != nil {
			return nil, err
		}
		return []events.Event{ev}, nil
	}
}

func handleCustomerCreated(in handlers.Input) ([]events.Event, error) {
	var c wireCustomer
	if err := unmarshalPayload(in, &c); err != nil {
		return nil, err
	}
	if c.ID == nil {
		return nil, handlerErr(in.EventType, "missing id")
	}
	created, err := optionalTime(in.EventType, "created_at", c.CreatedAt)
	if err != nil {
		return nil, err
	}
	data := events.Customer{
		Provider:      string(providers.Shopify),
		CustomerID:    formatID(c.ID),
		State:         c.State,
		VerifiedEmail: c.VerifiedEmail,
		Tags:          splitTags(c.Tags),
		CreatedAt:     created,
	}
	if c.Email != nil {
		data.Email = *c.Email
	}
	if c.FirstName != nil {
		data.FirstName = *c.FirstName
	}
	if c.LastName != nil {
		data.LastName = *c.LastName
	}
	if c.Currency != "" {
		cur, err := events.NormalizeCurrency(c.Currency)
		if err != nil {
			return nil, fmt.Errorf("shopify %s: currency: %w: %w", in.EventType, handlers.ErrMalformed, err)
		}
		data.Currency = cur
	}
	ev, err := events.NewEvent(events.CustomerCreated, data.CustomerID, created, data)
	if err != nil {
		return nil, err
	}
	return []events.Event{ev}, nil
}

// splitTags turns Shopify's comma-separated tag string into a list, never nil.
func splitTags(s string) []string {
	out := []string{}
	for _, tag := range strings.Split(s, ",") {
		if tag = strings.TrimSpace(tag); tag != "" {
			out = append(out, tag)
		}
	}
	return out
}
