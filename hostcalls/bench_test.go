package hostcalls

import (
	"testing"
)

// BenchmarkNoopCall measures the host side of the cheapest system call, abi_version, invoked
// directly through its Handler as an engine would.
func BenchmarkNoopCall(b *testing.B) {
	e := newEnv(b)
	f, _ := Lookup(ModuleAIOS, "abi_version")
	stack := make([]uint64, 2)
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		stack[0], stack[1] = 1, 0
		if err := f.Handler(ctx, e.g, e.mem, stack); err != nil || stack[0] != 0 {
			b.Fatalf("abi_version = %d, %v", stack[0], err)
		}
	}
}
