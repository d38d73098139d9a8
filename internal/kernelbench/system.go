package kernelbench

import (
	"context"
	"testing"
	"time"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/policy"
)

// Model is the model every simulator in these benchmarks serves.
const Model = "sim-model"

// NewKernel builds a system from cfg with aios.New, as `aios run` and `aios kernel serve` do,
// and returns its kernel; the system is closed when tb ends.
func NewKernel(tb testing.TB, cfg config.Config) *kernel.Kernel {
	tb.Helper()
	ctx := context.Background()
	sys, err := aios.New(ctx, cfg)
	if err != nil {
		tb.Fatalf("build system: %v", err)
	}
	tb.Cleanup(func() { _ = sys.Close(ctx) })
	return sys.Kernel()
}

// OpenAICore is a [[cores]] entry for the simulator at baseURL with capacity requests in flight
// and rpm requests per minute (zero: no limit).
func OpenAICore(name, baseURL string, capacity, rpm int) config.Core {
	return config.Core{
		CoreConfig: llm.CoreConfig{Name: name, Kind: llm.KindOpenAI, BaseURL: baseURL, Models: []string{Model}, Capacity: capacity},
		RPM:        rpm,
	}
}

// Scheduler is the default [scheduler] of the given kind with retries quick enough for a
// benchmark: a retry waits milliseconds, not the default quarter second.
func Scheduler(kind string) config.Scheduler {
	s := config.DefaultScheduler()
	s.Kind = kind
	s.Backoff, s.MaxBackoff = 10*time.Millisecond, 200*time.Millisecond
	return s
}

// Ask is a request for Model with one user message.
func Ask(prompt string, maxTokens int) llm.Request {
	return llm.Request{Model: Model, Messages: []llm.Message{{Role: "user", Content: prompt}}, MaxTokens: maxTokens}
}

// Spec is a process named name of tenant "bench" whose manifest declares Model, so that
// policy lets its generations through as it would a real agent's.
func Spec(name string) kernel.Spec {
	return kernel.Spec{Name: name, Tenant: "bench", Agent: policy.Agent{Capabilities: policy.Capabilities{Models: []string{Model}}}}
}
