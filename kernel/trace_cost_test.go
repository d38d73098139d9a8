package kernel

import "testing"

// BenchmarkCallTraceOff measures what tracing adds to each gate-decided call of a process
// without a tracer: starting and ending the call's (absent) span. It must stay a nil check,
// with no allocation.
func BenchmarkCallTraceOff(b *testing.B) {
	p := &Process{}
	b.ReportAllocs()
	for b.Loop() {
		var err error
		t := p.startCall("output")
		t.noteGeneration(GenerationEnd{})
		t.end(&err)
	}
}

func TestCallTraceOffAllocatesNothing(t *testing.T) {
	p := &Process{}
	if n := testing.AllocsPerRun(1000, func() {
		var err error
		t := p.startCall("output")
		t.noteGeneration(GenerationEnd{Core: "c"})
		t.end(&err)
	}); n != 0 {
		t.Errorf("an untraced call allocates %v times, want 0", n)
	}
}
