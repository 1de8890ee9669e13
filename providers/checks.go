package providers

import (
	"fmt"
	"net/http"
	"time"
)

// CheckAge returns nil when signed is within tolerance of now, either way,
// and otherwise an error wrapping ErrTooOld or ErrTooNew. Each difference is
// taken from its own side: Sub saturates, and negating a saturated minimum
// would overflow. Verifiers of every scheme that signs a timestamp share it.
func CheckAge(signed, now time.Time, tolerance time.Duration) error {
	if age := now.Sub(signed); age > tolerance {
		return fmt.Errorf("signed %s ago, tolerance %s: %w", age.Truncate(time.Second), tolerance, ErrTooOld)
	}
	if ahead := signed.Sub(now); ahead > tolerance {
		return fmt.Errorf("signed %s in the future, tolerance %s: %w", ahead.Truncate(time.Second), tolerance, ErrTooNew)
	}
	return nil
}

// OneHeader returns the one value of the header named name (canonical, as
// net/http stores it): an error wrapping ErrNotSigned when it is missing or
// empty, ErrInvalidHeader when it is repeated (which copy would be signed?).
func OneHeader(h http.Header, name string) (string, error) {
	v := h[name]
	switch {
	case len(v) == 0 || v[0] == "":
		return "", fmt.Errorf("missing %s header: %w", name, ErrNotSigned)
	case len(v) > 1:
		return "", fmt.Errorf("%d %s headers, want one: %w", len(v), name, ErrInvalidHeader)
	}
	return v[0], nil
}
