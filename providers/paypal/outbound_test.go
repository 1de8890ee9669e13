package paypal

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/hookgate/hookgate/providers"
)

// A forged delivery repeated many times costs one verify call: PayPal's
// FAILURE is remembered, and answered from memory until it expires.
func TestOutboundFailuresAreRemembered(t *testing.T) {
	f := newFakePayPalAPI(t)
	p := f.provider(t, "")
	now := time.Now()
	forged := `{"id":"WH-forged","event_type":"PAYMENT.SALE.COMPLETED"}`
	for range 5 {
		if err := p.Verify(context.Background(), onlineRequest(forged, "YmFk", now)); !errors.Is(err, providers.ErrNoValidSignature) {
			t.Fatalf("Verify(forged) = %v, want ErrNoValidSignature", err)
		}
	}
	if got := f.verifyCalls.Load(); got != 1 {
		t.Errorf("verify calls for 5 identical forged deliveries = %d, want 1", got)
	}
	wall := time.Now().Add(rememberRefusal)
	p.online.failures.clock = func() time.Time { return wall }
	if err := p.Verify(context.Background(), onlineRequest(forged, "YmFk", now)); !errors.Is(err, providers.ErrNoValidSignature) {
		t.Fatalf("Verify(forged) after the memory = %v", err)
	}
	if got := f.verifyCalls.Load(); got != 2 {
		t.Errorf("verify calls after the failure expired = %d, want 2", got)
	}
}

// Concurrent identical verifications make one call, however many wait.
func TestOnlineVerificationsAreCoalesced(t *testing.T) {
	f := newFakePayPalAPI(t)
	p := f.provider(t, "")
	now := time.Now()
	body := `{"id":"WH-1","event_type":"PAYMENT.SALE.COMPLETED"}`
	// Warm the token so that only verify calls are counted.
	if err := p.Verify(context.Background(), onlineRequest(`{"id":"WH-0"}`, fakeGoodSig, now)); err != nil {
		t.Fatal(err)
	}
	before := f.verifyCalls.Load()
	f.gate = make(chan struct{})
	const n = 8
	errs := make(chan error, n)
	for range n {
		go func() { errs <- p.Verify(context.Background(), onlineRequest(body, fakeGoodSig, now)) }()
	}
	for p.online.waiting.Load() < n {
		runtime.Gosched()
	}
	close(f.gate)
	for range n {
		if err := <-errs; err != nil {
			t.Fatalf("Verify: %v", err)
		}
	}
	if got := f.verifyCalls.Load() - before; got != 1 {
		t.Errorf("verify calls for %d concurrent identical deliveries = %d, want 1", n, got)
	}
}

// The process-wide limit bounds outbound calls: past it, a delivery needing
// a download gets ErrUnavailable (503, PayPal retries) without one.
func TestOutboundLimit(t *testing.T) {
	SetOutboundLimit(0.001, 2)
	t.Cleanup(func() { SetOutboundLimit(1e9, 1e9) })
	ca := ppCA()
	calls := 0
	s := newCertStore(poolOf(ca.Root), time.Second, func(context.Context, string) ([]byte, error) {
		calls++
		return ca.ChainPEM, nil
	})
	var results []error
	for i := range 4 {
		_, err := s.get(context.Background(), fmt.Sprintf("https://h/v1/notifications/certs/C%d", i), time.Now())
		results = append(results, err)
	}
	if calls != 2 || results[0] != nil || results[1] != nil {
		t.Fatalf("downloads = %d, results %v; want the burst of 2 to download", calls, results)
	}
	for _, err := range results[2:] {
		if !errors.Is(err, providers.ErrUnavailable) {
			t.Errorf("past the limit: %v, want ErrUnavailable", err)
		}
	}
}
