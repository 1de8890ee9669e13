package ratelimit

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// failureState is one client IP's record of failed verifications.
type failureState struct {
	budget       *rate.Limiter
	strikes      int       // requests refused while over budget, since the last good one
	blockedUntil time.Time // zero when not blocked
}

// failures is the in-process failure budget and block list, keyed by client IP.
// It is bounded like Memory: when full, IPs with a full budget and no block are
// evicted, and if none can be, the oldest-blocked state is kept and the new IP
// is not tracked (it is then only subject to the traffic limits).
type failures struct {
	limit      Limit
	blockAfter int
	blockFor   time.Duration
	maxKeys    int

	mu  sync.Mutex
	ips map[string]*failureState
}

// verdict is what the failure tracker says about an IP before verification.
type verdict int

const (
	verdictOK verdict = iota
	verdictOverBudget
	verdictBlocked
)

// check is called before verification. An IP over its failure budget is refused
// (and earns a strike); blockAfter strikes block it for blockFor.
func (f *failures) check(ip string, now time.Time) (verdict, time.Duration) {
	if f.limit.IsZero() {
		return verdictOK, 0
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	st, ok := f.ips[ip]
	if !ok {
		return verdictOK, 0
	}
	if now.Before(st.blockedUntil) {
		return verdictBlocked, retryAfter(st.blockedUntil.Sub(now))
	}
	if !st.blockedUntil.IsZero() {
		// The block expired: start again with an empty budget, no strikes.
		st.blockedUntil = time.Time{}
		st.strikes = 0
	}
	if st.budget.TokensAt(now) >= 1 {
		return verdictOK, 0
	}
	st.strikes++
	if f.blockAfter > 0 && st.strikes >= f.blockAfter {
		st.blockedUntil = now.Add(f.blockFor)
		return verdictBlocked, retryAfter(f.blockFor)
	}
	wait := time.Duration(float64(time.Second) / float64(perSecond(f.limit)))
	return verdictOverBudget, retryAfter(wait)
}

// failed charges one failed verification to ip.
func (f *failures) failed(ip string, now time.Time) {
	if f.limit.IsZero() {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	st, ok := f.ips[ip]
	if !ok {
		if len(f.ips) >= f.maxKeys && !f.evict(now) {
			return
		}
		st = &failureState{budget: rate.NewLimiter(perSecond(f.limit), f.limit.Burst)}
		f.ips[ip] = st
	}
	// AllowN, not Reserve: a spent budget stays at zero rather than going into
	// debt, so an IP gets its next chance after one refill interval.
	st.budget.AllowN(now, 1)
}

// blocked returns the number of currently blocked IPs.
func (f *failures) blocked(now time.Time) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, st := range f.ips {
		if now.Before(st.blockedUntil) {
			n++
		}
	}
	return n
}

// evict drops IPs that hold nothing worth keeping. Called with mu held.
func (f *failures) evict(now time.Time) bool {
	n := len(f.ips)
	for ip, st := range f.ips {
		if !now.Before(st.blockedUntil) && st.budget.TokensAt(now) >= float64(st.budget.Burst()) {
			delete(f.ips, ip)
		}
	}
	return len(f.ips) < n
}
