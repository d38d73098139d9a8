// Package otlptest is an OTLP/HTTP trace receiver on loopback for tests: it serves POST
// /v1/traces as an OpenTelemetry collector does, decoding the protobuf body with the OTLP
// collector types, and keeps the spans.
package otlptest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// Receiver is a running OTLP/HTTP trace receiver; URL is its base endpoint.
type Receiver struct {
	*httptest.Server
	mu       sync.Mutex
	requests int
	spans    []Span
}

// Span is a received span with the service.name of its resource.
type Span struct {
	*tracepb.Span
	Service string
}

// Attr returns the string form of the span's attribute key, or "" when it has none.
func (s Span) Attr(key string) string { return Attr(s.Attributes, key) }

// NewReceiver starts a receiver, closed when the test ends. A request it cannot decode fails
// the test.
func NewReceiver(t testing.TB) *Receiver {
	t.Helper()
	r := &Receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodPost || req.URL.Path != "/v1/traces" {
			t.Errorf("OTLP receiver: %s %s, want POST /v1/traces", req.Method, req.URL.Path)
			http.NotFound(w, req)
			return
		}
		body, err := io.ReadAll(req.Body)
		var msg coltrace.ExportTraceServiceRequest
		if err == nil {
			err = proto.Unmarshal(body, &msg)
		}
		if err != nil {
			t.Errorf("OTLP receiver: decode a %s body: %v", req.Header.Get("Content-Type"), err)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		r.requests++
		for _, rs := range msg.ResourceSpans {
			service := Attr(rs.Resource.GetAttributes(), "service.name")
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					r.spans = append(r.spans, Span{Span: s, Service: service})
				}
			}
		}
		r.mu.Unlock()
		out, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(out)
	}))
	t.Cleanup(r.Close)
	return r
}

// Received returns how many export requests arrived and the spans they held, in order.
func (r *Receiver) Received() (requests int, spans []Span) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests, append([]Span(nil), r.spans...)
}

// Attr returns the string form of attribute key among kvs, or "" when it is missing.
func Attr(kvs []*commonpb.KeyValue, key string) string {
	for _, kv := range kvs {
		if kv.Key != key {
			continue
		}
		switch v := kv.Value.GetValue().(type) {
		case *commonpb.AnyValue_StringValue:
			return v.StringValue
		case *commonpb.AnyValue_IntValue:
			return strconv.FormatInt(v.IntValue, 10)
		case *commonpb.AnyValue_BoolValue:
			return strconv.FormatBool(v.BoolValue)
		case *commonpb.AnyValue_DoubleValue:
			return strconv.FormatFloat(v.DoubleValue, 'g', -1, 64)
		}
		return kv.Value.String()
	}
	return ""
}
