package kernel_test

import (
	"context"
	"testing"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/policy"
)

// allowAll is a Decider that allows every call at once, so a benchmark measures the kernel's
// own path around the decision rather than OPA.
type allowAll struct{}

func (allowAll) Decide(context.Context, policy.Input) (policy.Decision, error) {
	return policy.Decision{Allow: true}, nil
}

// BenchmarkGatedCall measures one gated system call (an empty output) through the kernel's
// gate with an instant policy and no audit log: the path a tracer hooks into. Sub-benchmark
// "off" is the default kernel, with no tracer (what tracing must not slow down); "on" has a
// tracer that does nothing, to show the hook's own cost.
func BenchmarkGatedCall(b *testing.B) {
	b.Run("off", func(b *testing.B) { benchGatedCall(b, kernel.Spec{Name: "bench"}) })
	b.Run("on", func(b *testing.B) { benchGatedCall(b, kernel.Spec{Name: "bench", Trace: nopTracer{}}) })
}

// nopTracer traces nothing.
type nopTracer struct{}

func (nopTracer) StartCall(string) kernel.CallSpan { return nopTracer{} }
func (nopTracer) End(kernel.CallEnd)               {}

func benchGatedCall(b *testing.B, spec kernel.Spec) {
	g, err := kernel.NewGate(kernel.GateConfig{Policy: allowAll{}})
	if err != nil {
		b.Fatal(err)
	}
	k := kernel.New(&recorder{}, kernel.WithGate(g))
	p, err := k.Spawn(spec)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Output(nil); err != nil {
			b.Fatal(err)
		}
	}
}
