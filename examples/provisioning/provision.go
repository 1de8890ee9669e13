package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"go.temporal.io/sdk/temporal"

	"github.com/hookgate/hookgate/events"
)

// ErrorTypeNotProvisionable is the non-retryable application error type of an
// event this activity can never provision: retrying the same envelope cannot
// change the outcome, so the receipt goes straight to the dead-letter path.
const ErrorTypeNotProvisionable = "NotProvisionable"

// ErrNotProvisionable marks an envelope that is not a well-formed
// subscription.created event.
var ErrNotProvisionable = errors.New("event cannot be provisioned")

// Account is what provisioning creates for a new subscription.
type Account struct {
	// SubscriptionID is the provider's subscription ID; it keys the account, so
	// provisioning the same subscription twice yields one account.
	SubscriptionID string
	// Provider is "stripe" or "paypal".
	Provider   string
	CustomerID string
	// Plans are the subscribed plan or price IDs.
	Plans []string
	Live  bool
}

// Accounts is where provisioned accounts are kept (a team's own database in a
// real service). Ensure must be idempotent: it reports created=false when the
// account already exists, which is what makes the activity safe to retry and
// replay.
type Accounts interface {
	Ensure(ctx context.Context, a Account) (created bool, err error)
}

// MemoryAccounts is an in-process Accounts, enough for the example and its test.
// The zero value is ready to use and safe for concurrent use.
type MemoryAccounts struct {
	mu sync.Mutex
	m  map[string]Account
}

// Ensure stores a unless an account for its subscription exists.
func (s *MemoryAccounts) Ensure(_ context.Context, a Account) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[a.SubscriptionID]; ok {
		return false, nil
	}
	if s.m == nil {
		s.m = map[string]Account{}
	}
	s.m[a.SubscriptionID] = a
	return true, nil
}

// Get returns the account of a subscription.
func (s *MemoryAccounts) Get(subscriptionID string) (Account, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.m[subscriptionID]
	return a, ok
}

// Len is the number of accounts.
func (s *MemoryAccounts) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

// ProvisionAccount returns the team activity (an activities.TeamFunc) attached to
// subscription.created in the config. It decodes the envelope's data as
// events.Subscription and ensures one account per subscription ID. An envelope
// of another type or with unusable data fails with a non-retryable error of
// type ErrorTypeNotProvisionable; an Accounts failure is returned as is, so the
// configured retry schedule applies.
func ProvisionAccount(accounts Accounts) func(ctx context.Context, ev events.Envelope) error {
	return func(ctx context.Context, ev events.Envelope) error {
		acct, err := accountFrom(ev)
		if err != nil {
			// The message names the event, never its data (it may hold personal data).
			return temporal.NewNonRetryableApplicationError(
				fmt.Sprintf("event %s: %v", ev.ID, err), ErrorTypeNotProvisionable, err)
		}
		if _, err := accounts.Ensure(ctx, acct); err != nil {
			return fmt.Errorf("provision account for event %s: %w", ev.ID, err)
		}
		return nil
	}
}

// accountFrom validates ev and maps it to an Account. Errors wrap
// ErrNotProvisionable.
func accountFrom(ev events.Envelope) (Account, error) {
	if ev.Type != events.SubscriptionCreated {
		return Account{}, fmt.Errorf("%w: type %q, want %q", ErrNotProvisionable, ev.Type, events.SubscriptionCreated)
	}
	var sub events.Subscription
	if err := json.Unmarshal(ev.Data, &sub); err != nil {
		return Account{}, fmt.Errorf("%w: data is not a subscription: %w", ErrNotProvisionable, err)
	}
	if sub.SubscriptionID == "" {
		return Account{}, fmt.Errorf("%w: data has no subscription_id", ErrNotProvisionable)
	}
	if len(sub.Items) == 0 {
		return Account{}, fmt.Errorf("%w: data has no items", ErrNotProvisionable)
	}
	a := Account{
		SubscriptionID: sub.SubscriptionID, Provider: sub.Provider, CustomerID: sub.CustomerID,
		Live: sub.Live != nil && *sub.Live,
	}
	for _, it := range sub.Items {
		a.Plans = append(a.Plans, it.PlanID)
	}
	return a, nil
}
