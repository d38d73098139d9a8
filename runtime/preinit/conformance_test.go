package preinit_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/aiosys/aios/runtime"
	"github.com/aiosys/aios/runtime/preinit"
)

// TestConformance runs every reactor fixture with and without pre-initialisation on every
// engine of the build: each run must end the same way with the same log and output, and that
// must be what the agent is meant to show.
func TestConformance(t *testing.T) {
	cases := []struct {
		fixture string
		spec    runSpec
		want    outcome
	}{
		{"reactor.wasm", runSpec{}, outcome{exit: "ok", output: "reactor:ABC1"}},
		{"goreactor.wasm", runSpec{input: []byte("hello stdin"), args: []string{"a", "b"}, env: []string{"GREETING=hi"}},
			outcome{exit: "exit status 3", output: "out:hello stdin", log: "args=a,b\nenv=hi\nstdin=hello stdin\n" +
				"squares=1000 sum=332833500\nrand-in-range=true\nclock-advances=true"}},
	}
	for _, c := range cases {
		original := fixture(t, c.fixture)
		res, err := preinit.Run(context.Background(), original)
		if err != nil {
			t.Fatalf("%s: Run = %v", c.fixture, err)
		}
		t.Run(c.fixture, func(t *testing.T) {
			forEachEngine(t, func(t *testing.T, e runtime.Engine) {
				plain := runOnce(t, e, original, c.spec)
				pre := runOnce(t, e, res.Module, c.spec)
				if plain != c.want {
					t.Errorf("without preinit: %+v\nwant %+v", plain, c.want)
				}
				if pre != plain {
					t.Errorf("with preinit: %+v\nwithout: %+v", pre, plain)
				}
			})
		})
	}
}

// TestRunIsDeterministic: the same module pre-initialises to the same bytes, so a bundle
// built twice is the same bundle.
func TestRunIsDeterministic(t *testing.T) {
	wasm := fixture(t, "goreactor.wasm")
	a, err := preinit.Run(context.Background(), wasm)
	if err != nil {
		t.Fatal(err)
	}
	b, err := preinit.Run(context.Background(), wasm)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Module, b.Module) {
		t.Error("two pre-initialisations of one module differ")
	}
	if a.From == "" || a.MemoryBytes == 0 || a.Segments == 0 {
		t.Errorf("result = %+v", a)
	}
	fixed := map[string]bool{}
	for _, f := range a.Fixed {
		fixed[f.Call] = true
	}
	for _, call := range []string{"wasi_snapshot_preview1.random_get", "wasi_snapshot_preview1.clock_time_get"} {
		if !fixed[call] {
			t.Errorf("Fixed = %+v, want %s (the Go runtime's hash seed and start time)", a.Fixed, call)
		}
	}
}

// TestPreinitialisedModuleShape checks the rewrite on the WAT reactor: no start section, an
// empty _initialize, memory grown to the snapshot, and a second pre-initialisation is a no-op
// apart from the empty function it adds.
func TestPreinitialisedModuleShape(t *testing.T) {
	res, err := preinit.Run(context.Background(), fixture(t, "reactor.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := runtime.Inspect(res.Module)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Memory == nil || rep.Memory.MinPages != 2 {
		t.Errorf("memory = %+v, want a minimum of 2 pages (grown during _initialize)", rep.Memory)
	}
	if res.MemoryBytes != 2<<16 {
		t.Errorf("MemoryBytes = %d, want %d", res.MemoryBytes, 2<<16)
	}
	if !runtime.IsReactor(rep) {
		t.Error("the pre-initialised module is not a reactor")
	}
	again, err := preinit.Run(context.Background(), res.Module)
	if err != nil {
		t.Fatalf("pre-initialising again: %v", err)
	}
	if len(again.Fixed) != 0 {
		t.Errorf("the empty _initialize made calls: %+v", again.Fixed)
	}
}
