package boot

import (
	"context"
	"log/slog"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/hookgate/hookgate/config"
)

func TestTracerProviderFromConfig(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)

	off := &config.Config{}
	if tp, stop, err := TracerProvider(ctx, nil, off, ServiceGateway, log); err != nil || tp != nil {
		t.Fatalf("tracing off: provider %v, err %v; want nil, nil", tp, err)
	} else {
		stop()
	}

	given := sdktrace.NewTracerProvider()
	if tp, stop, err := TracerProvider(ctx, given, off, ServiceGateway, log); err != nil || tp != given {
		t.Fatalf("given provider: got %v, err %v", tp, err)
	} else {
		stop()
	}

	// Enabled: a real OTLP/gRPC provider; nothing listens there, and building
	// and stopping must not fail (the exporter dials lazily). The span is left
	// open: an ended one would make stop wait its 5 s for the dead collector.
	on := &config.Config{Tracing: config.Tracing{Enabled: true, Endpoint: "http://127.0.0.1:1", Ratio: 1}}
	tp, stop, err := TracerProvider(ctx, nil, on, ServiceWorker, log)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tp.(*sdktrace.TracerProvider); !ok {
		t.Fatalf("provider %T, want *sdktrace.TracerProvider", tp)
	}
	_, span := tp.Tracer("test").Start(ctx, "span")
	if !span.SpanContext().IsSampled() {
		t.Error("ratio 1: span not sampled")
	}
	stop()
}
