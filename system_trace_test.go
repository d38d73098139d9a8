package aios

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/policy"
)

// otlpReceiver is an OTLP/HTTP trace receiver on loopback, as an OpenTelemetry collector
// serves it: it decodes every POST /v1/traces and keeps the spans with their service name.
type otlpReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	requests int
	services []string
	spans    []*tracepb.Span
}

func newOTLPReceiver(t *testing.T) *otlpReceiver {
	t.Helper()
	r := &otlpReceiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodPost || req.URL.Path != "/v1/traces" {
			t.Errorf("receiver: %s %s, want POST /v1/traces", req.Method, req.URL.Path)
			http.NotFound(w, req)
			return
		}
		body, err := io.ReadAll(req.Body)
		var msg coltrace.ExportTraceServiceRequest
		if err == nil {
			err = proto.Unmarshal(body, &msg)
		}
		if err != nil {
			t.Errorf("receiver: decode %s body: %v", req.Header.Get("Content-Type"), err)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		r.requests++
		for _, rs := range msg.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				for range ss.Spans {
					r.services = append(r.services, attr(rs.Resource.GetAttributes(), "service.name"))
				}
				r.spans = append(r.spans, ss.Spans...)
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

func (r *otlpReceiver) received() (int, []*tracepb.Span, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests, append([]*tracepb.Span(nil), r.spans...), append([]string(nil), r.services...)
}

// attr returns the string form of attribute key, or "" when it is missing.
func attr(kvs []*commonpb.KeyValue, key string) string {
	for _, kv := range kvs {
		if kv.Key != key {
			continue
		}
		switch v := kv.Value.Value.(type) {
		case *commonpb.AnyValue_StringValue:
			return v.StringValue
		case *commonpb.AnyValue_IntValue:
			return itoa(v.IntValue)
		}
		return kv.Value.String()
	}
	return ""
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// runTraced runs testdata/generate.wasm (start, llm_generate on the echo core, output) once in
// a System exporting to recv as tel says, closes the System (which flushes the spans) and
// returns the run's result.
func runTraced(t *testing.T, tel config.Telemetry, pol config.Policy) *Result {
	t.Helper()
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Telemetry = tel
	cfg.Policy = pol
	sys, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	wasm, err := os.ReadFile(filepath.Join("testdata", "generate.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	agent, err := sys.Load(ctx, "gen", wasm)
	if err != nil {
		t.Fatal(err)
	}
	res, err := agent.Run(ctx, RunOptions{Tenant: "acme", RunID: "run_test1"})
	if err != nil {
		t.Fatal(err)
	}
	_ = agent.Close(ctx)
	if err := sys.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return res
}

func TestRunTraceReachesOTLPReceiver(t *testing.T) {
	recv := newOTLPReceiver(t)
	res := runTraced(t, config.Telemetry{OTLPEndpoint: recv.URL, SampleRatio: 1, ServiceName: "aios-test"}, config.Policy{})
	if res.Err != nil || res.ExitCode != 0 {
		t.Fatalf("run: exit %d, %v", res.ExitCode, res.Err)
	}
	_, spans, services := recv.received()
	var run *tracepb.Span
	byName := map[string]*tracepb.Span{}
	for i, s := range spans {
		if services[i] != "aios-test" {
			t.Errorf("span %s has service.name %q, want aios-test", s.Name, services[i])
		}
		if s.Name == "aios.run" {
			if run != nil {
				t.Errorf("two run spans")
			}
			run = s
		}
		byName[s.Name] = s
	}
	if run == nil {
		t.Fatalf("no aios.run span among %d spans", len(spans))
	}
	if len(run.ParentSpanId) != 0 {
		t.Errorf("the run span has a parent")
	}
	for key, want := range map[string]string{"aios.agent": "gen", "aios.tenant": "acme", "aios.run.id": "run_test1",
		"aios.exit_code": "0", "aios.pid": itoa(int64(res.PID)), "aios.usage.generations": "1",
		"aios.usage.input_tokens": itoa(int64(res.Usage.InputTokens)), "aios.usage.output_tokens": itoa(int64(res.Usage.OutputTokens))} {
		if got := attr(run.Attributes, key); got != want {
			t.Errorf("run span %s = %q, want %q", key, got, want)
		}
	}
	if res.Usage.OutputTokens == 0 {
		t.Errorf("the echo core's generation used no output tokens: %+v", res.Usage)
	}
	calls := []string{"aios.start", "aios.llm_generate", "aios.output"}
	if len(spans) != 1+len(calls) {
		t.Errorf("%d spans, want the run's and %d calls'", len(spans), len(calls))
	}
	for _, name := range calls {
		s := byName[name]
		if s == nil {
			t.Errorf("no %s span", name)
			continue
		}
		if string(s.ParentSpanId) != string(run.SpanId) || string(s.TraceId) != string(run.TraceId) {
			t.Errorf("%s is not a child of the run span", name)
		}
		if got := attr(s.Attributes, "aios.decision"); got != "allow" {
			t.Errorf("%s decision %q, want allow", name, got)
		}
		if got := attr(s.Attributes, "aios.errno"); got != "OK" {
			t.Errorf("%s errno %q, want OK", name, got)
		}
		if s.StartTimeUnixNano < run.StartTimeUnixNano || s.EndTimeUnixNano > run.EndTimeUnixNano {
			t.Errorf("%s does not lie within the run span", name)
		}
	}
	if g := byName["aios.llm_generate"]; g != nil {
		if got := attr(g.Attributes, "aios.core"); got != "echo" {
			t.Errorf("llm_generate core %q, want echo", got)
		}
		if got, want := attr(g.Attributes, "gen_ai.usage.output_tokens"), itoa(int64(res.Usage.OutputTokens)); got != want {
			t.Errorf("llm_generate output tokens %q, want %q", got, want)
		}
	}
}

func TestRunTraceShowsDenial(t *testing.T) {
	recv := newOTLPReceiver(t)
	rego := filepath.Join(t.TempDir(), "deny.rego")
	src := "package aios.policy\ndeny contains \"no generations\\nhere\" if input.call == \"llm_generate\"\n"
	if err := os.WriteFile(rego, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	pol := config.Policy{Configured: true, Engine: policy.Config{Paths: []string{rego}}}
	res := runTraced(t, config.Telemetry{OTLPEndpoint: recv.URL + "/", SampleRatio: 1}, pol)
	if res.Err == nil {
		t.Fatalf("the agent did not trap on its denied generation: exit %d", res.ExitCode)
	}
	_, spans, services := recv.received()
	var gen, run *tracepb.Span
	for _, s := range spans {
		switch s.Name {
		case "aios.llm_generate":
			gen = s
		case "aios.run":
			run = s
		}
	}
	if gen == nil || run == nil {
		t.Fatalf("spans %d, want a run and an llm_generate among them", len(spans))
	}
	if len(services) > 0 && services[0] != config.DefaultServiceName {
		t.Errorf("service.name %q, want the default %q", services[0], config.DefaultServiceName)
	}
	for key, want := range map[string]string{"aios.decision": "deny", "aios.errno": "EPERM", "aios.deny_reason": "no generations\nhere"} {
		if got := attr(gen.Attributes, key); !strings.Contains(got, want) {
			t.Errorf("llm_generate %s = %q, want it to hold %q", key, got, want)
		}
	}
	if gen.Status.GetCode() != tracepb.Status_STATUS_CODE_ERROR || run.Status.GetCode() != tracepb.Status_STATUS_CODE_ERROR {
		t.Errorf("statuses: llm_generate %v, run %v; want both errors", gen.Status, run.Status)
	}
	if got := attr(run.Attributes, "aios.usage.denied"); got != "1" {
		t.Errorf("run denied = %q, want 1", got)
	}
}

func TestRunNotTracedSendsNothing(t *testing.T) {
	recv := newOTLPReceiver(t)
	t.Setenv(config.EnvOTLPEndpoint, "")
	runTraced(t, config.Telemetry{SampleRatio: 1}, config.Policy{})
	runTraced(t, config.Telemetry{OTLPEndpoint: recv.URL, SampleRatio: 0}, config.Policy{})
	if n, spans, _ := recv.received(); n != 0 || len(spans) != 0 {
		t.Errorf("receiver got %d requests, %d spans; want none", n, len(spans))
	}
	sys, err := New(context.Background(), config.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close(context.Background())
	if sys.trace != nil {
		t.Errorf("a System without [telemetry] has tracing")
	}
}
