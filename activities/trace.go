package activities

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/hookgate/hookgate/internal/operations/tracing"
	"github.com/hookgate/hookgate/store"
)

// tracerName is the instrumentation scope of the activities' spans.
const tracerName = "github.com/hookgate/hookgate/activities"

// SpanPrefix starts the name of every activity span: "activity.handle",
// "activity.publish", "activity.complete", "activity.dead_letter", and
// "activity.{name}" for a team activity.
const SpanPrefix = "activity."

// stepDeadLetter names the dead-lettering in spans (it records no attempt).
const stepDeadLetter store.Step = "dead_letter"

// startSpan starts the span of one step of ref's processing, continuing the
// trace the workflow input carries (the relay's start span). Nil span when
// tracing is off: the workflow itself creates no spans (it must stay
// deterministic), its activities do.
func (a *Activities) startSpan(ctx context.Context, ref store.Ref, step store.Step, attempt int) (context.Context, trace.Span) {
	if a.TracerProvider == nil {
		return ctx, nil
	}
	attrs := []attribute.KeyValue{
		attribute.String("hookgate.receipt_id", ref.ID), attribute.String("hookgate.source", ref.Source),
		attribute.String("hookgate.event_id", ref.EventID), attribute.String("hookgate.step", string(step)),
	}
	if attempt > 0 {
		attrs = append(attrs, attribute.Int("hookgate.attempt", attempt))
	}
	return a.TracerProvider.Tracer(tracerName).Start(tracing.Continue(ctx, ref.TraceParent),
		SpanPrefix+string(step), trace.WithAttributes(attrs...))
}

// endSpan ends a span from startSpan (nil: tracing off) with err's outcome.
func endSpan(span trace.Span, err error) {
	if span == nil {
		return
	}
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, "step failed")
	}
	span.End()
}
