package activities_test

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/hookgate/hookgate/activities"
	"github.com/hookgate/hookgate/events"
	"github.com/hookgate/hookgate/internal/operations/tracing"
	"github.com/hookgate/hookgate/publisher"
	"github.com/hookgate/hookgate/store"
)

// spanPublisher records the span context each publish was called under.
type spanPublisher struct {
	fakePublisher
	under []trace.SpanContext
}

func (p *spanPublisher) Publish(ctx context.Context, msgs ...publisher.Message) error {
	p.under = append(p.under, trace.SpanContextFromContext(ctx))
	return p.fakePublisher.Publish(ctx, msgs...)
}

// TestStepSpans: every step is a span under the traceparent of its input, and
// the publisher is called under the publish step's span.
func TestStepSpans(t *testing.T) {
	const parentTP = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	exp := tracetest.NewInMemoryExporter()
	b := setup(t, true)
	pub := &spanPublisher{}
	b.acts.Publisher = pub
	b.acts.TracerProvider = sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	ctx := context.Background()
	ref := b.ingest(t, "push", "push", nil)
	ref.TraceParent = parentTP

	res, err := b.acts.HandleWebhook(ctx, step(ref, 1))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.acts.PublishEvents(ctx, step(ref, 1)); err != nil {
		t.Fatal(err)
	}
	team := activities.WrapTeam(b.acts, func(context.Context, events.Envelope) error { return nil })
	if err := team(ctx, activities.TeamInput{Step: step(ref, 1), Activity: "Notify", MessageID: res.MessageIDs[0]}); err != nil {
		t.Fatal(err)
	}
	if err := b.acts.CompleteReceipt(ctx, activities.CompleteInput{Receipt: ref, Status: store.StatusCompleted}); err != nil {
		t.Fatal(err)
	}

	parent := trace.SpanContextFromContext(tracing.Continue(ctx, parentTP))
	spans := exp.GetSpans()
	want := []string{"activity.handle", "activity.publish", "activity.Notify", "activity.complete"}
	if len(spans) != len(want) {
		t.Fatalf("%d spans, want %d", len(spans), len(want))
	}
	for i, s := range spans {
		if s.Name != want[i] || s.SpanContext.TraceID() != parent.TraceID() || s.Parent.SpanID() != parent.SpanID() {
			t.Errorf("span %d: %q trace %s parent %s; want %q under %s", i, s.Name, s.SpanContext.TraceID(), s.Parent.SpanID(), want[i], parent.SpanID())
		}
	}
	if len(pub.under) != 1 || pub.under[0].SpanID() != spans[1].SpanContext.SpanID() {
		t.Errorf("publisher called under %v, want the publish step's span %s", pub.under, spans[1].SpanContext.SpanID())
	}
}
