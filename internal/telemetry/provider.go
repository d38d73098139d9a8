// Package telemetry exports OpenTelemetry traces of agent runs: a span for each run and a
// child span for each of its system calls that the kernel's gate decides, sent over OTLP/HTTP
// to the receiver [telemetry] names (docs/OBSERVABILITY.md). With no receiver configured
// nothing is built and nothing is traced.
package telemetry

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/aiosys/aios/config"
)

// maxAttributeBytes bounds every string attribute of a span: reasons and errors can quote
// what an agent passed, of any size.
const maxAttributeBytes = 4096

// exportTimeout bounds one export to the receiver, so an unreachable receiver cannot hold up
// a run's end for long.
const exportTimeout = 5 * time.Second

// NewProvider returns a tracer provider that batches spans and exports them to t's OTLP/HTTP
// receiver (its /v1/traces), sampling t.SampleRatio of the runs, or nil when t is not
// Enabled. Shut it down to flush what it holds. Like any OTLP exporter it also honours
// $OTEL_EXPORTER_OTLP_HEADERS (e.g. an authorization header for a hosted collector).
func NewProvider(ctx context.Context, t config.Telemetry) (*sdktrace.TracerProvider, error) {
	if !t.Enabled() {
		return nil, nil
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(tracesURL(t.OTLPEndpoint)),
		otlptracehttp.WithTimeout(exportTimeout))
	if err != nil {
		return nil, fmt.Errorf("telemetry: OTLP exporter for %s: %w", t.OTLPEndpoint, err)
	}
	name := t.ServiceName
	if name == "" {
		name = config.DefaultServiceName
	}
	reportErrors()
	limits := sdktrace.NewSpanLimits()
	limits.AttributeValueLengthLimit = maxAttributeBytes
	return sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", name))),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(t.SampleRatio))),
		sdktrace.WithRawSpanLimits(limits),
	), nil
}

// tracesURL is where spans go for an OTLP/HTTP base endpoint, as the OTLP specification
// builds it from $OTEL_EXPORTER_OTLP_ENDPOINT: the base with "/v1/traces" appended.
func tracesURL(endpoint string) string {
	return strings.TrimSuffix(endpoint, "/") + "/v1/traces"
}
