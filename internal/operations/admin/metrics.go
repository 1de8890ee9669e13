package admin

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// MetricsPath is where the admin listener serves Prometheus metrics.
const MetricsPath = "/metrics"

// WithOpenMetrics returns a handler that serves GET /metrics from metrics
// without a bearer token and everything else from api (with its token check).
// Prometheus scrapes rarely carry tokens, and the admin listener is loopback by
// default; the metrics hold no secrets and no event IDs.
func WithOpenMetrics(api, metrics http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == MetricsPath && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			metrics.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}

// MountMetrics returns an Options.Extra hook that serves metrics on /metrics
// behind the admin API's bearer token.
func MountMetrics(metrics http.Handler) func(gin.IRoutes) {
	return func(r gin.IRoutes) { r.GET(MetricsPath, gin.WrapH(metrics)) }
}
