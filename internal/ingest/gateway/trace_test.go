package gateway_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/internal/ingest/gateway"
	"github.com/hookgate/hookgate/internal/operations/tracing"
	"github.com/hookgate/hookgate/providers/builtin"
	"github.com/hookgate/hookgate/store"
)

// memCommitter accepts every delivery and keeps the last one.
type memCommitter struct {
	mu   sync.Mutex
	last store.Delivery
}

func (m *memCommitter) Commit(_ context.Context, d store.Delivery) (store.IngestResult, error) {
	m.mu.Lock()
	m.last = d
	m.mu.Unlock()
	return store.IngestResult{ReceiptID: d.Receipt.ID}, nil
}

type discardAudit struct{}

func (discardAudit) Audit(context.Context, []store.AuditRecord) error { return nil }

// tracedGateway builds a gateway over an in-memory committer; tp nil: tracing off.
func tracedGateway(tb testing.TB, tp trace.TracerProvider) (*gateway.Gateway, *memCommitter, *countingNotifier) {
	tb.Helper()
	cfg, err := config.Parse([]byte(testConfig), func(string) string { return "" })
	if err != nil {
		tb.Fatal(err)
	}
	srcs, err := gateway.BuildSources(cfg, builtin.Providers())
	if err != nil {
		tb.Fatal(err)
	}
	mc, n := &memCommitter{}, &countingNotifier{}
	gw, err := gateway.New(gateway.Options{Sources: srcs, Committer: mc, Audit: discardAudit{}, Notifier: n, TracerProvider: tp})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(gw.Close)
	return gw, mc, n
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

func TestIngestSpan(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	gw, mc, n := tracedGateway(t, tp)

	// A caller's traceparent is not honoured: the ingest span is a new root.
	r := ghRequest("d-traced", []byte(pushBody), true)
	r.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	if w := serve(gw.Handler(), r); w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if w := serve(gw.Handler(), ghRequest("d-forged", []byte(pushBody), false)); w.Code != http.StatusUnauthorized {
		t.Fatalf("forged: status %d", w.Code)
	}

	spans := exp.GetSpans().Snapshots()
	if len(spans) != 2 {
		t.Fatalf("%d spans, want 2", len(spans))
	}
	ok, forged := spans[0], spans[1]
	if ok.Name() != gateway.SpanIngest || ok.SpanKind() != trace.SpanKindServer || ok.Parent().IsValid() {
		t.Errorf("span %q kind %v parent %v: want a root server span %q", ok.Name(), ok.SpanKind(), ok.Parent(), gateway.SpanIngest)
	}
	a := attrs(ok)
	for k, want := range map[attribute.Key]string{
		gateway.AttrSource: "gh", gateway.AttrProvider: "github", gateway.AttrEventID: "d-traced",
		gateway.AttrEventType: "push", gateway.AttrOutcome: "accepted",
	} {
		if got := a[k].AsString(); got != want {
			t.Errorf("accepted span %s = %q, want %q", k, got, want)
		}
	}
	if got := a["http.response.status_code"].AsInt64(); got != http.StatusOK {
		t.Errorf("accepted span status = %d", got)
	}
	if a := attrs(forged); a[gateway.AttrOutcome].AsString() != "rejected" || a[gateway.AttrReason].AsString() == "" ||
		a["http.response.status_code"].AsInt64() != http.StatusUnauthorized {
		t.Errorf("forged span attributes = %v", a)
	}

	// The receipt and the relay's notification carry the span's traceparent.
	want := tracing.TraceParent(trace.ContextWithSpanContext(context.Background(), ok.SpanContext()))
	if mc.last.Receipt.TraceParent != want {
		t.Errorf("receipt traceparent %q, want %q", mc.last.Receipt.TraceParent, want)
	}
	if refs := n.got(); len(refs) != 1 || refs[0].TraceParent != want {
		t.Errorf("notified %+v, want traceparent %q", refs, want)
	}
}

func TestIngestUntracedByDefault(t *testing.T) {
	gw, mc, n := tracedGateway(t, nil)
	if w := serve(gw.Handler(), ghRequest("d-plain", []byte(pushBody), true)); w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if mc.last.Receipt.TraceParent != "" {
		t.Errorf("receipt traceparent %q with tracing off", mc.last.Receipt.TraceParent)
	}
	if refs := n.got(); len(refs) != 1 || refs[0].TraceParent != "" {
		t.Errorf("notified %+v, want no traceparent", refs)
	}
}

// BenchmarkIngestTracing measures one accepted request through the handler
// (in-memory commit) with tracing off and on; -benchmem shows what tracing
// costs, and that off costs nothing.
func BenchmarkIngestTracing(b *testing.B) {
	for _, on := range []bool{false, true} {
		b.Run(fmt.Sprintf("tracing=%v", on), func(b *testing.B) {
			var tp trace.TracerProvider
			if on {
				p := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sdktrace.NewSimpleSpanProcessor(tracetest.NewNoopExporter())))
				b.Cleanup(func() { _ = p.Shutdown(context.Background()) })
				tp = p
			}
			gw, _, _ := tracedGateway(b, tp)
			h := gw.Handler()
			body := []byte(pushBody)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if w := serve(h, ghRequest(fmt.Sprint("d-", i), body, true)); w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}
