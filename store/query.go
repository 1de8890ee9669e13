package store

import "errors"

// ErrInvalid is returned (wrapped) when a request to the store is malformed: an
// undecodable cursor, an unknown status. Unlike infrastructure errors it is the
// caller's fault, and retrying will not help (an API maps it to 400).
var ErrInvalid = errors.New("invalid store request")

// Page sizes of list queries (Filter, AuditFilter, EventFilter).
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// ClampLimit returns the number of rows a list query returns for a requested
// Limit: DefaultLimit when n is zero or negative, at most MaxLimit.
func ClampLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultLimit
	case n > MaxLimit:
		return MaxLimit
	}
	return n
}
