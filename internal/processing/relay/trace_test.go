package relay_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/hookgate/hookgate/internal/operations/tracing"
	"github.com/hookgate/hookgate/internal/processing/relay"
	"github.com/hookgate/hookgate/store"
)

// refStarter keeps the refs it was asked to start; it fails receipt "bad".
type refStarter struct {
	mu   sync.Mutex
	refs map[string]store.Ref
}

func (s *refStarter) Start(_ context.Context, ref store.Ref) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refs[ref.ID] = ref
	if ref.ID == "bad" {
		return "", errors.New("temporal unavailable")
	}
	return ref.Source + "/" + ref.EventID, nil
}

func (s *refStarter) get(id string) (store.Ref, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.refs[id]
	return r, ok
}

// TestStartSpans: both paths (the sweep and a notification) start the workflow
// under a relay.start span that continues the receipt's trace, and hand the
// starter the span's traceparent; a failed start is an error span.
func TestStartSpans(t *testing.T) {
	const (
		sweptTP    = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
		notifiedTP = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	)
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	st := newFakeStore(store.Ref{ID: "swept", Source: "gh", EventID: "e1", TraceParent: sweptTP})
	sr := &refStarter{refs: map[string]store.Ref{}}
	r := relay.New(st, sr, relay.Options{Interval: time.Hour, Grace: time.Nanosecond, TracerProvider: tp})
	stop := runRelay(t, r)
	r.Notify(store.Ref{ID: "notified", Source: "gh", EventID: "e2", TraceParent: notifiedTP})
	r.Notify(store.Ref{ID: "bad", Source: "gh", EventID: "e3"})
	waitFor(t, "three starts", func() bool { return len(exp.GetSpans()) == 3 })
	stop()

	byReceipt := map[string]tracetest.SpanStub{}
	for _, s := range exp.GetSpans() {
		for _, kv := range s.Attributes {
			if kv.Key == "hookgate.receipt_id" {
				byReceipt[kv.Value.AsString()] = s
			}
		}
	}
	for id, parentTP := range map[string]string{"swept": sweptTP, "notified": notifiedTP} {
		s := byReceipt[id]
		parent := trace.SpanContextFromContext(tracing.Continue(context.Background(), parentTP))
		if s.Name != relay.SpanStart || s.SpanContext.TraceID() != parent.TraceID() || s.Parent.SpanID() != parent.SpanID() {
			t.Errorf("%s: span %q trace %s parent %s; want %q in trace %s under %s",
				id, s.Name, s.SpanContext.TraceID(), s.Parent.SpanID(), relay.SpanStart, parent.TraceID(), parent.SpanID())
		}
		ref, _ := sr.get(id)
		want := tracing.TraceParent(trace.ContextWithSpanContext(context.Background(), s.SpanContext))
		if ref.TraceParent != want {
			t.Errorf("%s: starter got traceparent %q, want the relay span's %q", id, ref.TraceParent, want)
		}
	}
	bad := byReceipt["bad"]
	if bad.Parent.IsValid() || bad.Status.Code.String() != "Error" {
		t.Errorf("failed start without a traceparent: parent %v status %v; want a new root with status Error", bad.Parent, bad.Status)
	}
}

// TestNoTracingNoTraceParent: with tracing off the starter gets the ref as is.
func TestNoTracingNoTraceParent(t *testing.T) {
	st := newFakeStore()
	sr := &refStarter{refs: map[string]store.Ref{}}
	r := relay.New(st, sr, relay.Options{Interval: time.Hour})
	runRelay(t, r)
	r.Notify(store.Ref{ID: "plain", Source: "gh", EventID: "e1"})
	waitFor(t, "the start", func() bool { _, ok := sr.get("plain"); return ok })
	if ref, _ := sr.get("plain"); ref.TraceParent != "" {
		t.Errorf("traceparent %q with tracing off", ref.TraceParent)
	}
}
