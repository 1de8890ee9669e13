package gateway

import (
	"errors"
	"net/http"

	"github.com/hookgate/hookgate/internal/ingest/ratelimit"
	"github.com/hookgate/hookgate/providers"
)

// Gateway-level sentinel errors; provider errors come from package providers.
var (
	errUnknownSource   = errors.New("unknown source")
	errBodyTooLarge    = errors.New("body too large")
	errBodyRead        = errors.New("body read failed")
	errEncoding        = errors.New("content encoding not supported")
	errMethod          = errors.New("method not allowed")
	errStoreDown       = errors.New("store unavailable")
	errShuttingDown    = errors.New("shutting down")
	errVerification    = errors.New("verification failed")
	errMalformedBody   = errors.New("malformed body")
	errProviderOffline = errors.New("provider verification unavailable")
)

// statusOf maps an ingest error to its HTTP status: the one place where that
// mapping lives. Infrastructure failures are never client errors: a provider
// told 4xx may stop retrying, and the event would be lost.
func statusOf(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ratelimit.ErrRateLimited), errors.Is(err, ratelimit.ErrTooManyFailures), errors.Is(err, ratelimit.ErrBlocked):
		// 429 with Retry-After, never 403: a block refuses only what fails
		// verification (a valid request from the same IP is accepted), and a
		// provider told 403 may drop the delivery. First: a refusal wraps the
		// failure it was earned by (an unknown source, a bad signature).
		return http.StatusTooManyRequests
	case errors.Is(err, errUnknownSource):
		return http.StatusNotFound
	case errors.Is(err, errMethod):
		return http.StatusMethodNotAllowed
	case errors.Is(err, errSecretConflict):
		return http.StatusConflict
	case errors.Is(err, errBodyTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, errEncoding):
		return http.StatusUnsupportedMediaType
	case errors.Is(err, errIPNotAllowed), errors.Is(err, errHTTPSRequired):
		return http.StatusForbidden
	case errors.Is(err, errStoreDown), errors.Is(err, errShuttingDown),
		errors.Is(err, errProviderOffline), errors.Is(err, providers.ErrUnavailable):
		return http.StatusServiceUnavailable
	case errors.Is(err, errVerification):
		// Before the malformed check: an unverified request is never told more
		// than "unauthorized", whatever made it fail.
		return http.StatusUnauthorized
	case errors.Is(err, errBodyRead):
		return http.StatusBadRequest
	case errors.Is(err, providers.ErrMalformedPayload), errors.Is(err, errMalformedBody):
		return http.StatusBadRequest
	default:
		return http.StatusInternalServerError
	}
}

// reasonOf is the bounded label recorded in the audit log and metrics.
func reasonOf(err error) string {
	switch {
	case errors.Is(err, ratelimit.ErrBlocked):
		return "ip_blocked"
	case errors.Is(err, ratelimit.ErrTooManyFailures):
		return "too_many_failures"
	case errors.Is(err, errUnknownSource):
		return "unknown_source"
	case errors.Is(err, errMethod):
		return "method"
	case errors.Is(err, errBodyTooLarge):
		return "body_too_large"
	case errors.Is(err, errEncoding):
		return "content_encoding"
	case errors.Is(err, errIPNotAllowed):
		return "ip_not_allowed"
	case errors.Is(err, errHTTPSRequired):
		return "https_required"
	case errors.Is(err, ratelimit.ErrRateLimited):
		return "rate_limited"
	case errors.Is(err, errJSONTooDeep):
		return "json_too_deep"
	case errors.Is(err, errBodyRead):
		return "body_read"
	case errors.Is(err, errStoreDown):
		return "store_unavailable"
	case errors.Is(err, errSecretConflict):
		return "secret_conflict"
	case errors.Is(err, errShuttingDown):
		return "shutting_down"
	default:
		return string(providers.ReasonOf(err))
	}
}
