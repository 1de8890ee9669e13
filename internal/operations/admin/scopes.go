package admin

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
)

// Scope is what an admin token may do.
type Scope string

// Scopes.
const (
	// ScopeRead lists and shows receipts, events, the audit log, statistics,
	// bulk replays and metrics, without stored headers or bodies.
	ScopeRead Scope = "read"
	// ScopeReadBodies also shows stored request headers and bodies (it
	// implies read). For schemes without a signed timestamp a stored body
	// with its signature header is a valid request, so this is the scope to
	// withhold from dashboards and most people.
	ScopeReadBodies Scope = "read:bodies"
	// ScopeReplay replays receipts, singly or in bulk, and cancels bulk
	// replays.
	ScopeReplay Scope = "replay"
)

// DefaultScopes are a token's scopes when none are given.
var DefaultScopes = []Scope{ScopeRead, ScopeReplay}

// ParseScope returns the Scope named s, or an error naming the valid ones.
func ParseScope(s string) (Scope, error) {
	switch sc := Scope(s); sc {
	case ScopeRead, ScopeReadBodies, ScopeReplay:
		return sc, nil
	}
	return "", fmt.Errorf("unknown scope %q (valid: %s, %s, %s)", s, ScopeRead, ScopeReadBodies, ScopeReplay)
}

const scopesKey = "hookgate.scopes"

// has reports whether the request's token holds scope (read:bodies implies
// read).
func has(c *gin.Context, scope Scope) bool {
	scopes, _ := c.Get(scopesKey)
	held, _ := scopes.([]Scope)
	if slices.Contains(held, scope) {
		return true
	}
	return scope == ScopeRead && slices.Contains(held, ScopeReadBodies)
}

// need refuses, with 403, a request whose token lacks scope.
func need(scope Scope) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !has(c, scope) {
			c.AbortWithStatusJSON(http.StatusForbidden, errBody(fmt.Sprintf("this token lacks the %q scope", scope)))
			return
		}
		c.Next()
	}
}
