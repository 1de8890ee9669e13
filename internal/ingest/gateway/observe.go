package gateway

import (
	"context"
	"time"

	"github.com/hookgate/hookgate/store"
)

// Observer is told about every answered webhook request (metrics). It must not
// block. source is a configured source name, or another valid-looking name that
// the observer must not trust as a bounded label (see metrics.OtherSource), or
// empty; reason is the bounded rejection reason, empty unless rejected; elapsed
// runs from the start of the request to its answer.
type Observer interface {
	Request(source, outcome string, status int, reason string, elapsed time.Duration, at time.Time)
}

// observe reports an answered request to the observer, if any, and to the
// request's span when tracing is on.
func (g *Gateway) observe(ctx context.Context, rec store.AuditRecord, outcome store.Outcome) {
	if g.tracer != nil {
		traceOutcome(ctx, rec, outcome)
	}
	if g.obs == nil {
		return
	}
	g.obs.Request(rec.Source, string(outcome), rec.Status, rec.Reason, g.now().Sub(rec.At), rec.At)
}
