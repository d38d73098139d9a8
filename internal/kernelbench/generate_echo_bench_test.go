package kernelbench

import (
	"context"
	"testing"
)

// BenchmarkGenerateEcho measures one Process.Generate through a kernel built as `aios run`
// builds it (policy, scheduler, dispatcher, quota and usage bookkeeping) over the built-in
// echo core, one call at a time: the kernel's own cost per LLM call, with no HTTP behind it.
// Run it with -benchmem, and with -cpuprofile / -memprofile to see where the time goes.
func BenchmarkGenerateEcho(b *testing.B) {
	rig := newOverheadRig(b, true)
	ctx := context.Background()
	req := Ask(overheadPrompt, overheadMaxTokens)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rig.proc.Generate(ctx, req, nil); err != nil {
			b.Fatal(err)
		}
	}
}
