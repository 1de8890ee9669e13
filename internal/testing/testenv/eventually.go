package testenv

import (
	"testing"
	"time"
)

// Eventually polls cond every interval until it holds, and fails t (naming
// what, and the last reason cond gave) if it does not within timeout. It is
// the one polling helper of the test suites: a condition, not a sleep.
func Eventually(t testing.TB, what string, timeout, interval time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, why := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s: %s", what, timeout, why)
		}
		time.Sleep(interval)
	}
}
