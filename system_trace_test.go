package aios

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/internal/telemetry/otlptest"
	"github.com/aiosys/aios/policy"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// runTraced runs testdata/generate.wasm (start, llm_generate on the echo core, output) once in
// a System exporting as tel says, closes the System (which flushes the spans) and
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
	recv := otlptest.NewReceiver(t)
	res := runTraced(t, config.Telemetry{OTLPEndpoint: recv.URL, SampleRatio: 1, ServiceName: "aios-test"}, config.Policy{})
	if res.Err != nil || res.ExitCode != 0 {
		t.Fatalf("run: exit %d, %v", res.ExitCode, res.Err)
	}
	_, spans := recv.Received()
	var run *otlptest.Span
	byName := map[string]*otlptest.Span{}
	for i := range spans {
		s := &spans[i]
		if s.Service != "aios-test" {
			t.Errorf("span %s has service.name %q, want aios-test", s.Name, s.Service)
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
		if got := run.Attr(key); got != want {
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
		if got := s.Attr("aios.decision"); got != "allow" {
			t.Errorf("%s decision %q, want allow", name, got)
		}
		if got := s.Attr("aios.errno"); got != "OK" {
			t.Errorf("%s errno %q, want OK", name, got)
		}
		if s.StartTimeUnixNano < run.StartTimeUnixNano || s.EndTimeUnixNano > run.EndTimeUnixNano {
			t.Errorf("%s does not lie within the run span", name)
		}
	}
	if g := byName["aios.llm_generate"]; g != nil {
		if got := g.Attr("aios.core"); got != "echo" {
			t.Errorf("llm_generate core %q, want echo", got)
		}
		if got, want := g.Attr("gen_ai.usage.output_tokens"), itoa(int64(res.Usage.OutputTokens)); got != want {
			t.Errorf("llm_generate output tokens %q, want %q", got, want)
		}
	}
}

func TestRunTraceShowsDenial(t *testing.T) {
	recv := otlptest.NewReceiver(t)
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
	_, spans := recv.Received()
	var gen, run *otlptest.Span
	for i := range spans {
		switch spans[i].Name {
		case "aios.llm_generate":
			gen = &spans[i]
		case "aios.run":
			run = &spans[i]
		}
	}
	if gen == nil || run == nil {
		t.Fatalf("spans %d, want a run and an llm_generate among them", len(spans))
	}
	if run.Service != config.DefaultServiceName {
		t.Errorf("service.name %q, want the default %q", run.Service, config.DefaultServiceName)
	}
	for key, want := range map[string]string{"aios.decision": "deny", "aios.errno": "EPERM", "aios.deny_reason": "no generations\nhere"} {
		if got := gen.Attr(key); !strings.Contains(got, want) {
			t.Errorf("llm_generate %s = %q, want it to hold %q", key, got, want)
		}
	}
	if gen.Status.GetCode() != tracepb.Status_STATUS_CODE_ERROR || run.Status.GetCode() != tracepb.Status_STATUS_CODE_ERROR {
		t.Errorf("statuses: llm_generate %v, run %v; want both errors", gen.Status, run.Status)
	}
	if got := run.Attr("aios.usage.denied"); got != "1" {
		t.Errorf("run denied = %q, want 1", got)
	}
}

func TestRunNotTracedSendsNothing(t *testing.T) {
	recv := otlptest.NewReceiver(t)
	t.Setenv(config.EnvOTLPEndpoint, "")
	runTraced(t, config.Telemetry{SampleRatio: 1}, config.Policy{})
	runTraced(t, config.Telemetry{OTLPEndpoint: recv.URL, SampleRatio: 0}, config.Policy{})
	if n, spans := recv.Received(); n != 0 || len(spans) != 0 {
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
