package publisher_test

import (
	"context"
	"slices"
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/hookgate/hookgate/publisher"
)

func TestHeaderCarrier(t *testing.T) {
	tp := sdktrace.NewTracerProvider()
	ctx, span := tp.Tracer("test").Start(context.Background(), "producer")
	defer span.End()
	ts, err := trace.ParseTraceState("vendor=value")
	if err != nil {
		t.Fatal(err)
	}
	ctx = trace.ContextWithSpanContext(ctx, span.SpanContext().WithTraceState(ts))

	h := amqp.Table{"x-existing": int64(7), "not-a-string": []byte("x")}
	propagation.TraceContext{}.Inject(ctx, publisher.HeaderCarrier(h))
	if err := h.Validate(); err != nil {
		t.Fatalf("headers with trace context are not a valid AMQP table: %v", err)
	}
	if h["traceparent"] == nil || h["tracestate"] != "vendor=value" || h["x-existing"] != int64(7) {
		t.Errorf("headers after Inject = %v", h)
	}
	c := publisher.HeaderCarrier(h)
	if c.Get("not-a-string") != "" || c.Get("missing") != "" {
		t.Error("Get of a non-string or missing header is not empty")
	}
	keys := c.Keys()
	slices.Sort(keys)
	if want := []string{"not-a-string", "traceparent", "tracestate", "x-existing"}; !slices.Equal(keys, want) {
		t.Errorf("Keys = %v, want %v", keys, want)
	}

	// A consumer continues the producer's trace from the headers.
	got := trace.SpanContextFromContext(propagation.TraceContext{}.Extract(context.Background(), c))
	if got.TraceID() != span.SpanContext().TraceID() || got.SpanID() != span.SpanContext().SpanID() ||
		got.TraceState().String() != "vendor=value" || !got.IsRemote() {
		t.Errorf("extracted %v, want the producer's span context", got)
	}
}

// TestPublishCarriesTraceContext: under a span, Publish is a producer span whose
// context every message carries (the caller's headers untouched); without one,
// no trace header is added.
func TestPublishCarriesTraceContext(t *testing.T) {
	b := setup(t)
	q := b.consumerQueue(t, "traced.#")
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))

	ctx, parent := tp.Tracer("test").Start(context.Background(), "activity.publish")
	m1, m2 := msg("t1", "traced.one"), msg("t2", "traced.two")
	m1.Headers = map[string]any{"x-team": "payments"}
	if err := b.pub.Publish(ctx, m1, m2); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	parent.End()
	if _, ok := m1.Headers["traceparent"]; ok || len(m1.Headers) != 1 {
		t.Errorf("caller's headers modified: %v", m1.Headers)
	}

	spans := exp.GetSpans()
	if len(spans) != 2 {
		t.Fatalf("%d spans, want the publish span and its parent", len(spans))
	}
	pub := spans[0]
	if pub.Name != publisher.SpanPublish || pub.SpanKind != trace.SpanKindProducer || pub.Parent.SpanID() != parent.SpanContext().SpanID() {
		t.Errorf("span %q kind %v parent %s, want %q producer under %s", pub.Name, pub.SpanKind, pub.Parent.SpanID(), publisher.SpanPublish, parent.SpanContext().SpanID())
	}
	if !slices.Contains(pub.Attributes, publisher.AttrConfirm.String("confirmed")) ||
		!slices.Contains(pub.Attributes, attribute.Int("messaging.batch.message_count", 2)) {
		t.Errorf("publish span attributes = %v", pub.Attributes)
	}
	for _, id := range []string{"t1", "t2"} {
		d := get(t, b.ch, q)
		sc := trace.SpanContextFromContext(propagation.TraceContext{}.Extract(context.Background(), publisher.HeaderCarrier(d.Headers)))
		if sc.TraceID() != pub.SpanContext.TraceID() || sc.SpanID() != pub.SpanContext.SpanID() {
			t.Errorf("message %s (%s) carries %v, want the publish span %s", d.MessageId, id, d.Headers["traceparent"], pub.SpanContext.SpanID())
		}
		if d.MessageId == "t1" && d.Headers["x-team"] != "payments" {
			t.Errorf("message t1 lost its own header: %v", d.Headers)
		}
	}

	if err := b.pub.Publish(context.Background(), msg("u1", "traced.untraced")); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if d := get(t, b.ch, q); d.Headers["traceparent"] != nil || d.Headers["tracestate"] != nil {
		t.Errorf("untraced publish added trace headers: %v", d.Headers)
	}
	if n := len(exp.GetSpans()); n != 2 {
		t.Errorf("untraced publish made spans: %d, want still 2", n)
	}
}
