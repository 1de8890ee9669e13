package boot

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/hookgate/hookgate/config"
)

// Service names of hookgate's processes in traces (OTEL_SERVICE_NAME overrides).
const (
	ServiceGateway = "hookgate-gateway"
	ServiceWorker  = "hookgate-worker"
)

// TracerProvider returns given when set (tests), else the OTLP/gRPC provider
// cfg.Tracing asks for, else nil (tracing off). stop flushes and shuts down a
// provider built here; it is a no-op otherwise.
func TracerProvider(ctx context.Context, given trace.TracerProvider, cfg *config.Config, service string, log *slog.Logger) (tp trace.TracerProvider, stop func(), err error) {
	if given != nil {
		return given, func() {}, nil
	}
	if !cfg.Tracing.Enabled {
		return nil, func() {}, nil
	}
	p, err := NewTracerProvider(ctx, cfg.Tracing, service)
	if err != nil {
		return nil, nil, err
	}
	log.Info("tracing on", "exporter", "otlp/grpc", "endpoint", cfg.Tracing.Endpoint, "sample_ratio", cfg.Tracing.Ratio)
	return p, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := p.Shutdown(sctx); err != nil {
			log.Warn("tracing shutdown: spans may be lost", "err", err)
		}
	}, nil
}

// NewTracerProvider builds a tracer provider exporting to an OTLP/gRPC
// collector in batches: the endpoint from t (else the standard OTEL_EXPORTER_OTLP_*
// variables), new traces sampled at t.Ratio, a child sampled as its parent.
// Shut it down to flush.
func NewTracerProvider(ctx context.Context, t config.Tracing, service string) (*sdktrace.TracerProvider, error) {
	var opts []otlptracegrpc.Option
	if t.Endpoint != "" {
		opts = append(opts, otlptracegrpc.WithEndpointURL(t.Endpoint))
	}
	exp, err := otlptracegrpc.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("tracing: OTLP exporter: %w", err)
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", service)),
		resource.WithFromEnv(), resource.WithTelemetrySDK())
	if err != nil {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	return sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(t.Ratio))),
	), nil
}
