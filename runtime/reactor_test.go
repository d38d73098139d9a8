package runtime

import (
	"testing"
)

func TestCheckReactor(t *testing.T) {
	if err := checkFixture(t, "reactor.wasm"); err != nil {
		t.Errorf("reactor.wasm: %v", err)
	}
	mem := &MemoryInfo{MinPages: 1, Exported: true}
	fn := &FuncType{}
	memory := Export{Name: "memory", Kind: KindMemory}
	cases := []struct {
		name string
		r    Report
		want string
	}{
		{"both entries", Report{Memory: mem, Memories: 1, Exports: []Export{
			memory, {Name: "_start", Func: fn}, {Name: "aios_main", Func: fn}}},
			`module refused: exports both "_start" and "aios_main": a module is either a command or a reactor`},
		{"entry with a result", Report{Memory: mem, Memories: 1, Exports: []Export{
			memory, {Name: "aios_main", Func: &FuncType{Results: []ValType{ValI32}}}}},
			`module refused: export "aios_main" has signature ()->i32, want ()->()`},
	}
	for _, c := range cases {
		if err := Check(&c.r); err == nil || err.Error() != c.want {
			t.Errorf("%s:\n got %v\nwant %s", c.name, err, c.want)
		}
	}
	r := Report{Memory: mem, Memories: 1, Exports: []Export{memory, {Name: "aios_main", Func: fn}}}
	if err := Check(&r); err != nil || !IsReactor(&r) {
		t.Errorf("aios_main without _initialize: Check = %v, IsReactor = %t", err, IsReactor(&r))
	}
}

// TestRunReactor runs a reactor on every engine of the build: _initialize (after the start
// function), then aios_main.
func TestRunReactor(t *testing.T) {
	for _, name := range Engines() {
		t.Run(name, func(t *testing.T) {
			r := runModule(t, compile(t, testEngine(name)(t), fixture(t, "reactor.wasm")), runSpec{})
			if r.err != nil {
				t.Fatalf("Run = %v", r.err)
			}
			if out := string(r.proc.OutputBytes()); out != "reactor:ABC1" {
				t.Errorf("output = %q, want %q", out, "reactor:ABC1")
			}
		})
	}
}

func TestTableWrite(t *testing.T) {
	for name, want := range map[string]string{
		"reactor_tableset.wasm": "table.set in function 1",
		"reactor.wasm":          "",
		"minimal.wasm":          "",
	} {
		got, err := TableWrite(fixture(t, name))
		if err != nil || got != want {
			t.Errorf("%s: TableWrite = %q, %v; want %q", name, got, err, want)
		}
	}
	got, err := TableWrite(goAgent(t))
	if err != nil || got != "" {
		t.Errorf("Go program: TableWrite = %q, %v; want none", got, err)
	}
}
