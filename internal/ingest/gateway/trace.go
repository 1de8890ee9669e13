package gateway

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/hookgate/hookgate/internal/operations/tracing"
	"github.com/hookgate/hookgate/store"
)

// tracerName is the instrumentation scope of the gateway's spans.
const tracerName = "github.com/hookgate/hookgate/internal/ingest/gateway"

// SpanIngest is the name of the server span of one webhook request.
const SpanIngest = "webhook.ingest"

// Span attributes hookgate sets. Never secrets, never bodies.
const (
	AttrSource    = attribute.Key("hookgate.source")
	AttrProvider  = attribute.Key("hookgate.provider")
	AttrEventID   = attribute.Key("hookgate.event_id")
	AttrEventType = attribute.Key("hookgate.event_type")
	AttrOutcome   = attribute.Key("hookgate.outcome")
	AttrReason    = attribute.Key("hookgate.reason")
	attrStatus    = attribute.Key("http.response.status_code")
)

// startSpan starts the request's server span (tracing on only) and puts it in
// the request's context; the returned function ends it. The span is a new root:
// providers send no trace context, and a traceparent from the Internet would let
// a caller pick our trace IDs.
func (g *Gateway) startSpan(c *gin.Context) func() {
	ctx, span := g.tracer.Start(c.Request.Context(), SpanIngest,
		trace.WithNewRoot(), trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("http.request.method", c.Request.Method),
			attribute.String("http.route", "/webhooks/:source")))
	c.Request = c.Request.WithContext(ctx)
	return func() { span.End() }
}

// traceReceipt records the identified event on the request's span and returns
// the span's traceparent, stored with the receipt so that processing continues
// the trace.
func traceReceipt(ctx context.Context, r *store.Receipt) string {
	trace.SpanFromContext(ctx).SetAttributes(AttrProvider.String(r.Provider),
		AttrEventID.String(r.EventID), AttrEventType.String(r.EventType))
	return tracing.TraceParent(ctx)
}

// traceOutcome records the answer on the request's span. A 5xx is an error of
// the gateway; a rejection (4xx) is the gateway working.
func traceOutcome(ctx context.Context, rec store.AuditRecord, outcome store.Outcome) {
	span := trace.SpanFromContext(ctx)
	span.SetAttributes(AttrSource.String(rec.Source), AttrOutcome.String(string(outcome)),
		attrStatus.Int(rec.Status))
	if rec.Reason != "" {
		span.SetAttributes(AttrReason.String(rec.Reason))
	}
	if rec.Status >= http.StatusInternalServerError {
		span.SetStatus(codes.Error, rec.Reason)
	}
}
