package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/hookgate/hookgate/fixtures"
	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/builtin"
	"github.com/hookgate/hookgate/providers/catalogue"
	"github.com/hookgate/hookgate/store"
)

// Every fixture of every provider, signed as the provider signs, is accepted,
// processed and published under its normalized type; a forged copy is refused.
func TestEveryProviderFixture(t *testing.T) {
	s := setup(t, options{})
	tests := []struct {
		source, fixture string
		want            string // routing key; "" means no handler: unhandled, nothing published
	}{
		{"github", "push", "git.push"},
		{"github", "push_form", "git.push"},
		{"github", "pull_request", "pull_request.opened"},
		{"github", "issues_opened", "issue.opened"},
		{"github", "issues_closed", "issue.closed"},
		{"github", "issues_edited", ""}, // only opened/closed are mapped
		{"stripe", "payment_intent.succeeded", "payment.completed"},
		{"stripe", "payment_intent.payment_failed", "payment.failed"},
		{"stripe", "customer.subscription.created", "subscription.created"},
		{"stripe", "invoice.payment_succeeded", "invoice.paid"},
		{"shopify", "orders_create", "order.created"},
		{"shopify", "orders_paid", "order.paid"},
		{"shopify", "customers_create", "customer.created"},
		{"twilio", "sms_status", "sms.status_update"},
		{"twilio", "call_status", "call.status_update"},
		{"paypal", "payment_capture_completed", "payment.completed"},
		{"paypal", "payment_capture_denied", "payment.failed"},
		{"paypal", "billing_subscription_created", "subscription.created"},
		{"svix", "example", ""},
	}
	for _, tc := range tests {
		t.Run(tc.source+"/"+tc.fixture, func(t *testing.T) {
			id := s.send(t, tc.source, tc.fixture, http.StatusOK)
			if tc.want == "" {
				r := s.waitStatus(t, tc.source, id, store.StatusUnhandled)
				if tc.source == "svix" {
					s.record(t, r.WorkflowID, "history_unhandled")
				}
				msgs, _ := s.messages()
				if got := byCorrelation(msgs, r.ID); len(got) != 0 {
					t.Errorf("%d messages published for an unhandled event", len(got))
				}
				return
			}
			r := s.waitStatus(t, tc.source, id, store.StatusCompleted)
			eventually(t, "the message", func() (bool, string) {
				msgs, _ := s.messages()
				return len(byCorrelation(msgs, r.ID)) > 0, fmt.Sprintf("%d messages", len(msgs))
			})
			msgs, _ := s.messages()
			got := byCorrelation(msgs, r.ID)
			if len(got) != 1 {
				t.Fatalf("%d messages, want 1", len(got))
			}
			if got[0].RoutingKey != tc.want {
				t.Errorf("routing key %q, want %q", got[0].RoutingKey, tc.want)
			}
			var ce struct {
				Type string `json:"type"`
			}
			if err := json.Unmarshal(got[0].Body, &ce); err != nil || ce.Type != tc.want {
				t.Errorf("CloudEvent type %q (%v), want %q", ce.Type, err, tc.want)
			}
		})
	}
	for _, source := range []string{"github", "stripe", "shopify", "twilio", "svix", "paypal"} {
		t.Run("forged/"+source, func(t *testing.T) {
			src, _ := s.cfg.Source(source)
			names, err := fixtures.List(builtin.Fixtures(src.Provider))
			if err != nil || len(names) == 0 {
				t.Fatalf("fixtures of %s: %v %v", src.Provider, names, err)
			}
			id := fixtures.NewEventID(src.Provider)
			code, err := s.post(s.request(t, source, names[0], id, true))
			if err != nil {
				t.Fatal(err)
			}
			if code != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", code)
			}
		})
	}
}

// A signed payload its handler cannot read is dead-lettered: the receipt ends
// dead and a dead-letter message reaches the dead-letter queue.
func TestMalformedPayloadIsDeadLettered(t *testing.T) {
	s := setup(t, options{})
	src, _ := s.cfg.Source("stripe")
	fx, err := fixtures.Load(builtin.Fixtures(src.Provider), "payment_intent.succeeded")
	if err != nil {
		t.Fatal(err)
	}
	// Without amount and amount_received the payment has no amount at all.
	for _, line := range [][]byte{[]byte(`"amount": 2599,`), []byte(`"amount_received": 2599,`)} {
		if !bytes.Contains(fx.Body, line) {
			t.Fatalf("fixture changed: no %s", line)
		}
		fx.Body = bytes.Replace(fx.Body, line, nil, 1)
	}
	id := fixtures.NewEventID(src.Provider)
	code, err := s.post(s.requestFor(t, src, fx, id, false))
	if err != nil || code != http.StatusOK {
		t.Fatalf("status %d, err %v; want 200 (the signature is valid)", code, err)
	}
	r := s.waitStatus(t, "stripe", id, store.StatusDead)
	s.record(t, r.WorkflowID, "history_dead")
	if r.LastError == "" {
		t.Error("dead receipt without its last error")
	}
	eventually(t, "the dead-letter message", func() (bool, string) {
		_, dead := s.messages()
		return len(byCorrelation(dead, r.ID)) > 0, fmt.Sprintf("%d dead letters", len(dead))
	})
	msgs, dead := s.messages()
	if got := byCorrelation(dead, r.ID); len(got) != 1 {
		t.Errorf("%d dead letters for the receipt, want 1", len(got))
	}
	if got := byCorrelation(msgs, r.ID); len(got) != 0 {
		t.Errorf("%d events published for a dead receipt", len(got))
	}
}

// Every catalogue entry's fixture, signed as its provider signs it, goes
// through the real gateway, relay, workflow and worker: accepted once,
// identified by the entry's rules, and completed (GitLab's, mapped to
// git.push and pull_request.*) or unhandled (the others, not mapped yet); a
// forgery is refused with 401.
func TestEveryCatalogueProvider(t *testing.T) {
	s := setup(t, options{})
	reg, hs := builtin.Providers(), builtin.Handlers()
	for _, e := range catalogue.Entries() {
		t.Run(string(e.Name), func(t *testing.T) {
			src, ok := s.cfg.Source(string(e.Name))
			if !ok {
				t.Fatalf("no source %s", e.Name)
			}
			names, err := fixtures.List(builtin.Fixtures(src.Provider))
			if err != nil || len(names) == 0 {
				t.Fatalf("fixtures of %s: %v %v", e.Name, names, err)
			}
			id := fixtures.NewEventID(src.Provider)
			req := s.request(t, src.Name, names[0], id, false)
			// The event ID the entry's rules read from this very request.
			body, _ := io.ReadAll(req.Body)
			req.Body = io.NopCloser(bytes.NewReader(body))
			p, err := reg.Build(src.Provider, src.Spec())
			if err != nil {
				t.Fatal(err)
			}
			ev, err := p.Identify(&providers.Request{Method: req.Method, URL: req.URL, Header: req.Header, Body: body})
			if err != nil {
				t.Fatal(err)
			}
			if code, err := s.post(req); err != nil || code != http.StatusOK {
				t.Fatalf("signed fixture: %d %v, want 200", code, err)
			}
			want := store.StatusUnhandled
			if _, handled := hs.Lookup(src.Provider, ev.Type); handled {
				want = store.StatusCompleted // GitLab's: git.push, pull_request.*
			}
			r := s.waitStatus(t, src.Name, ev.ID, want)
			if r.EventType != ev.Type {
				t.Errorf("receipt type %q, want %q", r.EventType, ev.Type)
			}
			if code, err := s.post(s.request(t, src.Name, names[0], fixtures.NewEventID(src.Provider), true)); err != nil || code != http.StatusUnauthorized {
				t.Errorf("forgery: %d %v, want 401", code, err)
			}
		})
	}
}
