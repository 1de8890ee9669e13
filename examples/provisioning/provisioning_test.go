package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/events"
)

// sampleEnvelope is the CloudEvent hookgate would hand the activity for a
// Stripe customer.subscription.created webhook.
func sampleEnvelope(t *testing.T) events.Envelope {
	t.Helper()
	b, err := os.ReadFile("testdata/subscription.created.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.Envelope
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

// The sample must stay a valid subscription.created event, or the tests below
// would exercise data hookgate never produces.
func TestSampleEnvelopeMatchesSchema(t *testing.T) {
	ev := sampleEnvelope(t)
	if err := events.Validate(events.Event{Type: ev.Type, Subject: ev.Subject, Time: ev.Time, Data: ev.Data}); err != nil {
		t.Fatalf("sample envelope is not a valid %s event: %v", ev.Type, err)
	}
}

func TestProvisionAccountCreatesAccount(t *testing.T) {
	accounts := &MemoryAccounts{}
	fn := ProvisionAccount(accounts)
	if err := fn(context.Background(), sampleEnvelope(t)); err != nil {
		t.Fatalf("ProvisionAccount: %v", err)
	}
	got, ok := accounts.Get("sub_1QExample")
	if !ok {
		t.Fatal("no account for sub_1QExample")
	}
	want := Account{SubscriptionID: "sub_1QExample", Provider: "stripe", CustomerID: "cus_Example", Plans: []string{"price_team_monthly"}}
	if got.SubscriptionID != want.SubscriptionID || got.Provider != want.Provider || got.CustomerID != want.CustomerID ||
		!slices.Equal(got.Plans, want.Plans) || got.Live != want.Live {
		t.Fatalf("account = %+v, want %+v", got, want)
	}
}

// A retry or a replay runs the activity again with the same envelope: it must
// not create a second account.
func TestProvisionAccountIsIdempotent(t *testing.T) {
	accounts := &MemoryAccounts{}
	fn := ProvisionAccount(accounts)
	for i := range 3 {
		if err := fn(context.Background(), sampleEnvelope(t)); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
	if n := accounts.Len(); n != 1 {
		t.Fatalf("%d accounts after 3 runs, want 1", n)
	}
}

// failingAccounts is an Accounts whose database is down.
type failingAccounts struct{ err error }

func (f failingAccounts) Ensure(context.Context, Account) (bool, error) { return false, f.err }

func TestProvisionAccountErrors(t *testing.T) {
	errDown := errors.New("accounts database unreachable")
	tests := []struct {
		name         string
		edit         func(*events.Envelope)
		accounts     Accounts
		nonRetryable bool
		wantIs       error
	}{
		{"wrong type", func(e *events.Envelope) { e.Type = events.PaymentCompleted }, &MemoryAccounts{}, true, ErrNotProvisionable},
		{"data not an object", func(e *events.Envelope) { e.Data = json.RawMessage(`"nope"`) }, &MemoryAccounts{}, true, ErrNotProvisionable},
		{"no subscription id", func(e *events.Envelope) {
			e.Data = json.RawMessage(`{"provider":"stripe","status":"active","items":[{"plan_id":"p","quantity":1}]}`)
		}, &MemoryAccounts{}, true, ErrNotProvisionable},
		{"no items", func(e *events.Envelope) {
			e.Data = json.RawMessage(`{"provider":"stripe","subscription_id":"sub_1","status":"active","items":[]}`)
		}, &MemoryAccounts{}, true, ErrNotProvisionable},
		// A database outage may pass: the error must stay retryable so the
		// configured schedule (1s, 10s) applies.
		{"store down", func(*events.Envelope) {}, failingAccounts{errDown}, false, errDown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := sampleEnvelope(t)
			tt.edit(&ev)
			err := ProvisionAccount(tt.accounts)(context.Background(), ev)
			if err == nil {
				t.Fatal("want an error")
			}
			if !errors.Is(err, tt.wantIs) {
				t.Fatalf("error %v does not wrap %v", err, tt.wantIs)
			}
			var ae *temporal.ApplicationError
			isNonRetryable := errors.As(err, &ae) && ae.NonRetryable()
			if isNonRetryable != tt.nonRetryable {
				t.Fatalf("non-retryable = %v, want %v (error %v)", isNonRetryable, tt.nonRetryable, err)
			}
			if isNonRetryable && ae.Type() != ErrorTypeNotProvisionable {
				t.Fatalf("error type %q, want %q", ae.Type(), ErrorTypeNotProvisionable)
			}
			if m, ok := tt.accounts.(*MemoryAccounts); ok && m.Len() != 0 {
				t.Fatalf("%d accounts created from a bad event", m.Len())
			}
		})
	}
}

// The example config must load, attach ProvisionAccount to subscription.created
// with the 1s, 10s schedule, and name only activities this worker registers
// (app.NewWorker refuses to start otherwise).
func TestConfigAttachesProvisionAccount(t *testing.T) {
	b, err := os.ReadFile("hookgate.yaml")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"STRIPE_WEBHOOK_SECRET": "whsec_test_only_not_a_real_secret"}
	cfg, err := config.Parse(b, func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("parse hookgate.yaml: %v", err)
	}
	acts := cfg.Activities[string(events.SubscriptionCreated)]
	if len(acts) != 1 || acts[0].Name != ActivityName {
		t.Fatalf("activities[subscription.created] = %+v, want one %s", acts, ActivityName)
	}
	if want := []time.Duration{time.Second, 10 * time.Second}; !slices.Equal(acts[0].Policy.Delays, want) {
		t.Fatalf("retry delays = %v, want %v", acts[0].Policy.Delays, want)
	}
	registered := team(&MemoryAccounts{})
	for typ, list := range cfg.Activities {
		for _, a := range list {
			if registered[a.Name] == nil {
				t.Errorf("config attaches %q to %s but the worker does not register it", a.Name, typ)
			}
		}
	}
}
