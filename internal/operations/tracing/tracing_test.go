package tracing_test

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/hookgate/hookgate/internal/operations/tracing"
)

func TestTraceParentRoundTrip(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	tr := tp.Tracer("test")

	ctx, parent := tr.Start(context.Background(), "parent")
	s := tracing.TraceParent(ctx)
	sc := parent.SpanContext()
	want := "00-" + sc.TraceID().String() + "-" + sc.SpanID().String() + "-01"
	if s != want {
		t.Fatalf("TraceParent = %q, want %q", s, want)
	}
	parent.End()

	// Elsewhere (another process): continue from the string.
	_, child := tr.Start(tracing.Continue(context.Background(), s), "child")
	child.End()
	spans := exp.GetSpans()
	if len(spans) != 2 {
		t.Fatalf("%d spans, want 2", len(spans))
	}
	c := spans[1]
	if c.SpanContext.TraceID() != sc.TraceID() || c.Parent.SpanID() != sc.SpanID() || !c.Parent.IsRemote() {
		t.Errorf("child trace %s parent %s (remote %v), want trace %s parent %s remote",
			c.SpanContext.TraceID(), c.Parent.SpanID(), c.Parent.IsRemote(), sc.TraceID(), sc.SpanID())
	}
}

func TestNoSpanNoTraceParent(t *testing.T) {
	ctx := context.Background()
	if s := tracing.TraceParent(ctx); s != "" {
		t.Errorf("TraceParent without a span = %q, want empty", s)
	}
	for _, s := range []string{"", "garbage", "00-00000000000000000000000000000000-0000000000000000-01"} {
		if sc := trace.SpanContextFromContext(tracing.Continue(ctx, s)); sc.IsValid() {
			t.Errorf("Continue(%q) gave a valid span context %v", s, sc)
		}
	}
}
