package paypal

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/hookgate/hookgate/providers"
)

// Every outbound call to PayPal (certificate downloads, OAuth2 tokens,
// verify-webhook-signature) is made for a request that has not been verified
// yet, so unauthenticated senders choose how many are made. Three things keep
// them from spending the operator's PayPal quota: identical calls in flight
// are made once (singleflight, in the cert store and the online verifier),
// failures are remembered for a short time (failureMemory), and a process-wide
// token bucket bounds the calls (outbound).

// Outbound call limits.
const (
	// DefaultOutboundRate and DefaultOutboundBurst bound outbound calls per
	// second, for every PayPal source of the process together.
	DefaultOutboundRate  = 20
	DefaultOutboundBurst = 40
	// rememberRefusal is how long a refused certificate or a verification
	// that PayPal answered FAILURE is remembered; rememberUnavailable how long
	// an unreachable PayPal is.
	rememberRefusal     = 30 * time.Second
	rememberUnavailable = 5 * time.Second
	// maxRemembered bounds the failure memory: keys are attacker-chosen.
	maxRemembered = 4096
)

// Call names and results, for CallObserver.
const (
	CallCert   = "cert"
	CallToken  = "token"
	CallVerify = "verify"

	ResultOK         = "ok"
	ResultError      = "error"
	ResultLimited    = "limited"    // refused by the outbound limit
	ResultRemembered = "remembered" // answered from the failure memory
)

var (
	outbound = rate.NewLimiter(DefaultOutboundRate, DefaultOutboundBurst)
	observer atomic.Pointer[func(call, result string)]
)

// SetOutboundLimit changes the process-wide bound on outbound calls to PayPal.
func SetOutboundLimit(perSecond float64, burst int) {
	outbound.SetLimit(rate.Limit(perSecond))
	outbound.SetBurst(burst)
}

// SetCallObserver makes fn observe every outbound call decision (metrics):
// call is CallCert, CallToken or CallVerify, result one of the Result
// constants. nil stops observing.
func SetCallObserver(fn func(call, result string)) {
	if fn == nil {
		observer.Store(nil)
		return
	}
	observer.Store(&fn)
}

func observe(call, result string) {
	if fn := observer.Load(); fn != nil {
		(*fn)(call, result)
	}
}

// errLimited is returned when the outbound limit refuses a call: PayPal
// retries the delivery (503).
var errLimited = errors.New("paypal: outbound call limit reached")

// allow takes a token of the outbound limit for call, or returns an error
// wrapping providers.ErrUnavailable.
func allow(call string) error {
	if !outbound.Allow() {
		observe(call, ResultLimited)
		return errors.Join(errLimited, providers.ErrUnavailable)
	}
	return nil
}

// result is the observed result of an outbound call's error.
func result(err error) string {
	if err != nil {
		return ResultError
	}
	return ResultOK
}

// failureMemory remembers recent failures by key, each for a time that
// depends on its kind, so a flood of requests naming one bad certificate or
// carrying one forged payload costs one outbound call, not one each.
type failureMemory struct {
	clock func() time.Time

	mu   sync.Mutex
	errs map[string]remembered
}

type remembered struct {
	err   error
	until time.Time
}

func newFailureMemory() *failureMemory {
	return &failureMemory{clock: time.Now, errs: map[string]remembered{}}
}

// get returns the failure remembered for key, if it has not expired.
func (m *failureMemory) get(key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.errs[key]
	if !ok {
		return nil
	}
	if !m.clock().Before(f.until) {
		delete(m.errs, key)
		return nil
	}
	return f.err
}

// put remembers err for key: rememberUnavailable when it wraps
// ErrUnavailable, rememberRefusal otherwise. A limit refusal is not
// remembered (it says nothing of the key).
func (m *failureMemory) put(key string, err error) {
	if err == nil || errors.Is(err, errLimited) {
		return
	}
	ttl := rememberRefusal
	if errors.Is(err, providers.ErrUnavailable) {
		ttl = rememberUnavailable
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.clock()
	if len(m.errs) >= maxRemembered {
		for k, f := range m.errs {
			if !now.Before(f.until) || len(m.errs) >= maxRemembered {
				delete(m.errs, k)
			}
		}
	}
	m.errs[key] = remembered{err: err, until: now.Add(ttl)}
}
