package publisher

import (
	"context"
	"errors"
	"maps"

	amqp "github.com/rabbitmq/amqp091-go"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// tracerName is the instrumentation scope of the publisher's spans.
const tracerName = "github.com/hookgate/hookgate/publisher"

// SpanPublish is the name of the producer span of one Publish call.
const SpanPublish = "amqp.publish"

// AttrConfirm is the span attribute holding the broker's answer: confirmed,
// nacked, returned, not_confirmed, unavailable, closed or failed.
const AttrConfirm = attribute.Key("hookgate.confirm")

// HeaderCarrier lets the OpenTelemetry propagators read and write AMQP message
// headers. The publisher writes the W3C traceparent (and tracestate, when set)
// into every message published under a span; a consumer continues the trace
// with
//
//	ctx = propagation.TraceContext{}.Extract(ctx, publisher.HeaderCarrier(delivery.Headers))
type HeaderCarrier amqp.Table

// Get returns the header's value when it is a string, else "".
func (c HeaderCarrier) Get(key string) string {
	v, _ := c[key].(string)
	return v
}

// Set sets the header to a string value.
func (c HeaderCarrier) Set(key, value string) { c[key] = value }

// Keys lists the header names.
func (c HeaderCarrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}

// publishTraced publishes msgs under a producer span, child of the span in ctx
// (from the same TracerProvider), and carries that span's context in every
// message's headers. The caller's messages and header maps are not modified.
func (p *AMQP) publishTraced(ctx context.Context, exchange string, msgs []Message) (err error) {
	tracer := trace.SpanFromContext(ctx).TracerProvider().Tracer(tracerName)
	ctx, span := tracer.Start(ctx, SpanPublish, trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(attribute.String("messaging.system", "rabbitmq"),
			attribute.String("messaging.operation.type", "send"),
			attribute.String("messaging.destination.name", exchange),
			attribute.Int("messaging.batch.message_count", len(msgs))))
	defer func() {
		span.SetAttributes(AttrConfirm.String(confirmOutcome(err)))
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, "publish not confirmed")
		}
		span.End()
	}()
	return p.send(ctx, exchange, withTraceContext(ctx, msgs))
}

// withTraceContext returns copies of msgs whose headers also hold the trace
// context of ctx.
func withTraceContext(ctx context.Context, msgs []Message) []Message {
	tc := HeaderCarrier{}
	propagation.TraceContext{}.Inject(ctx, tc)
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		h := make(map[string]any, len(m.Headers)+len(tc))
		maps.Copy(h, m.Headers)
		maps.Copy(h, tc)
		m.Headers = h
		out[i] = m
	}
	return out
}

// confirmOutcome names the broker's answer for the span.
func confirmOutcome(err error) string {
	switch {
	case err == nil:
		return "confirmed"
	case errors.Is(err, ErrNacked):
		return "nacked"
	case errors.Is(err, ErrReturned):
		return "returned"
	case errors.Is(err, ErrNotConfirmed):
		return "not_confirmed"
	case errors.Is(err, ErrUnavailable):
		return "unavailable"
	case errors.Is(err, ErrClosed):
		return "closed"
	}
	return "failed"
}
