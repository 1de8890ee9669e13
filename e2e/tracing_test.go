package e2e

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/hookgate/hookgate/internal/ingest/gateway"
	"github.com/hookgate/hookgate/internal/operations/tracing"
	"github.com/hookgate/hookgate/internal/processing/relay"
	"github.com/hookgate/hookgate/publisher"
	"github.com/hookgate/hookgate/store"
)

// attr returns a span's string attribute.
func attr(s tracetest.SpanStub, key string) string {
	for _, kv := range s.Attributes {
		if string(kv.Key) == key {
			return kv.Value.Emit()
		}
	}
	return ""
}

// With tracing on, one webhook is one trace: the ingest span, the relay's start
// span under it, the steps' spans under that (the workflow input carries it),
// the publish span under the publish step, and the AMQP message carries
// the publish span's context for the consumer.
func TestOneTraceFromIngestToConsumer(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	s := setup(t, options{tracer: tp})

	id := s.send(t, "github", "push", http.StatusOK)
	r := s.waitStatus(t, "github", id, store.StatusCompleted)
	var m amqp.Delivery
	eventually(t, "the message", func() (bool, string) {
		msgs, _ := s.messages()
		got := byCorrelation(msgs, r.ID)
		if len(got) > 0 {
			m = got[0]
		}
		return len(got) > 0, fmt.Sprintf("%d messages", len(msgs))
	})

	// The spans of this receipt, by name. No team activity follows the
	// publish step, so it records the outcome itself: there is no complete
	// step, nor its span.
	want := []string{gateway.SpanIngest, relay.SpanStart, "activity.handle", "activity.publish", publisher.SpanPublish}
	spans := map[string]tracetest.SpanStub{}
	eventually(t, "every span", func() (bool, string) {
		all := exp.GetSpans()
		var tid trace.TraceID
		for _, sp := range all {
			if sp.Name == gateway.SpanIngest && attr(sp, string(gateway.AttrEventID)) == id {
				tid = sp.SpanContext.TraceID()
			}
		}
		for _, sp := range all {
			if tid.IsValid() && sp.SpanContext.TraceID() == tid {
				spans[sp.Name] = sp
			}
		}
		return len(spans) == len(want), fmt.Sprintf("%d spans of the trace, %d in all", len(spans), len(all))
	})
	for _, name := range want {
		if _, ok := spans[name]; !ok {
			t.Fatalf("no %s span in the trace; have %v", name, spans)
		}
	}

	ingest := spans[gateway.SpanIngest]
	traceID := ingest.SpanContext.TraceID()
	if ingest.Parent.IsValid() || ingest.SpanKind != trace.SpanKindServer {
		t.Errorf("ingest span: parent %v kind %v; want a root server span", ingest.Parent, ingest.SpanKind)
	}
	if got := attr(ingest, string(gateway.AttrOutcome)); got != "accepted" {
		t.Errorf("ingest outcome = %q", got)
	}
	parentOf := map[string]string{
		relay.SpanStart:       gateway.SpanIngest,
		"activity.handle":     relay.SpanStart,
		"activity.publish":    relay.SpanStart,
		publisher.SpanPublish: "activity.publish",
	}
	for child, parent := range parentOf {
		c, p := spans[child], spans[parent]
		if c.SpanContext.TraceID() != traceID || c.Parent.SpanID() != p.SpanContext.SpanID() {
			t.Errorf("%s: trace %s parent %s; want trace %s under %s (%s)", child,
				c.SpanContext.TraceID(), c.Parent.SpanID(), traceID, parent, p.SpanContext.SpanID())
		}
	}
	if got := attr(spans[relay.SpanStart], "hookgate.receipt_id"); got != r.ID {
		t.Errorf("relay span receipt = %q, want %s", got, r.ID)
	}
	if got := attr(spans[publisher.SpanPublish], string(publisher.AttrConfirm)); got != "confirmed" {
		t.Errorf("publish span confirm = %q, want confirmed", got)
	}

	// The receipt keeps the ingest span's traceparent.
	if want := tracing.TraceParent(trace.ContextWithSpanContext(context.Background(), ingest.SpanContext)); r.TraceParent != want {
		t.Errorf("receipt traceparent %q, want %q", r.TraceParent, want)
	}
	// The consumer continues the trace from the message headers.
	sc := trace.SpanContextFromContext(propagation.TraceContext{}.Extract(context.Background(), publisher.HeaderCarrier(m.Headers)))
	if sc.TraceID() != traceID || sc.SpanID() != spans[publisher.SpanPublish].SpanContext.SpanID() {
		t.Errorf("message traceparent %v, want trace %s span %s", m.Headers["traceparent"], traceID, spans[publisher.SpanPublish].SpanContext.SpanID())
	}
}
