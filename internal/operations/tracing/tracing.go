// Package tracing carries hookgate's OpenTelemetry trace context across the
// places where no context.Context can go: the receipt row (the outbox between
// the gateway and the relay) and the workflow input (between the relay and the
// activities). Both hold the W3C traceparent as a string.
//
// Tracing is off by default. Components take a trace.TracerProvider option and
// create no spans, and call nothing here, when it is nil; app builds the
// provider from the configuration (see config.Tracing).
package tracing

import (
	"context"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Header names of the W3C trace context.
const (
	HeaderTraceParent = "traceparent"
	HeaderTraceState  = "tracestate"
)

// Propagator is the propagator hookgate uses everywhere: W3C trace context.
var Propagator propagation.TextMapPropagator = propagation.TraceContext{}

// TraceParent returns the W3C traceparent of the span in ctx, or "" when ctx
// holds no valid span context.
func TraceParent(ctx context.Context) string {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return ""
	}
	var c parentCarrier
	Propagator.Inject(ctx, &c)
	return c.traceparent
}

// Continue returns ctx with traceparent as its remote parent span context, so
// that the next span started from it joins that trace. An empty or malformed
// traceparent leaves ctx unchanged (the next span starts a new trace).
func Continue(ctx context.Context, traceparent string) context.Context {
	if traceparent == "" {
		return ctx
	}
	return Propagator.Extract(ctx, &parentCarrier{traceparent: traceparent})
}

// parentCarrier is a TextMapCarrier holding only the traceparent: the state
// hookgate stores is the traceparent alone (its own spans set no tracestate).
type parentCarrier struct{ traceparent string }

func (c *parentCarrier) Get(key string) string {
	if key == HeaderTraceParent {
		return c.traceparent
	}
	return ""
}

func (c *parentCarrier) Set(key, value string) {
	if key == HeaderTraceParent {
		c.traceparent = value
	}
}

func (c *parentCarrier) Keys() []string { return []string{HeaderTraceParent} }
