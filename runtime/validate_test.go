package runtime

import (
	"errors"
	"testing"

	"github.com/aiosys/aios/hostcalls"
)

func checkFixture(t *testing.T, name string) error {
	t.Helper()
	r, err := Inspect(fixture(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return Check(r)
}

func TestCheckAccepts(t *testing.T) {
	for _, name := range []string{"minimal.wasm", "loop.wasm", "noop.wasm", "stdoutflood.wasm", "badptr.wasm"} {
		if err := checkFixture(t, name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	r, err := Inspect(goAgent(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(r); err != nil {
		t.Errorf("Go program: %v", err)
	}
}

func TestCheckRefuses(t *testing.T) {
	cases := map[string]string{
		"forbidden.wasm": "module refused: 3 forbidden imports: env.foo (func), aios.no_such_call (func), " +
			"wasi_snapshot_preview1.fd_write wrong signature (i32)->i32 (want (i32,i32,i32,i32)->i32)",
		"importedmem.wasm": "module refused: 2 forbidden imports: env.memory (memory), env.g (global)",
		"nostart.wasm":     `module refused: missing export "_start"`,
	}
	for name, want := range cases {
		err := checkFixture(t, name)
		var re *RefusedError
		if !errors.As(err, &re) {
			t.Errorf("%s: Check = %v, want a *RefusedError", name, err)
			continue
		}
		if err.Error() != want {
			t.Errorf("%s:\n got %s\nwant %s", name, err, want)
		}
	}
}

func TestCheckExports(t *testing.T) {
	start := &FuncType{}
	mem := &MemoryInfo{MinPages: 1, Exported: true}
	cases := []struct {
		name string
		r    Report
		want string
	}{
		{"no memory", Report{Exports: []Export{{Name: "_start", Func: start}}},
			`module refused: missing export "memory"`},
		{"start with params", Report{Memory: mem, Memories: 1, Exports: []Export{
			{Name: "memory", Kind: KindMemory},
			{Name: "_start", Func: &FuncType{Params: []ValType{ValI32}}}}},
			`module refused: export "_start" has signature (i32)->(), want ()->()`},
		{"start not a function", Report{Memory: mem, Memories: 1, Exports: []Export{
			{Name: "memory", Kind: KindMemory}, {Name: "_start", Kind: KindGlobal}}},
			`module refused: export "_start" is a global, want a function`},
		{"two memories, 64-bit", Report{Memory: &MemoryInfo{Is64: true}, Memories: 2, Exports: []Export{
			{Name: "memory", Kind: KindMemory, Index: 1}, {Name: "_start", Func: start},
			{Name: "_initialize", Func: &FuncType{Results: []ValType{ValI32}}}}},
			`module refused: 2 memories, want exactly 1; memory is 64-bit, want 32-bit; ` +
				`export "memory" is not the module's first memory; export "_initialize" has signature ()->i32, want ()->()`},
		{"memory is a table", Report{Exports: []Export{{Name: "memory", Kind: KindTable}, {Name: "_start", Func: start}}},
			`module refused: export "memory" is a table, want a memory`},
	}
	for _, c := range cases {
		if err := Check(&c.r); err == nil || err.Error() != c.want {
			t.Errorf("%s:\n got %v\nwant %s", c.name, err, c.want)
		}
	}
}

func TestCheckAgainstTable(t *testing.T) {
	table := []hostcalls.Func{{Module: "aios", Name: "abi_version", Params: []hostcalls.ValueType{hostcalls.I32, hostcalls.I32}, Results: []hostcalls.ValueType{hostcalls.I32}}}
	r, err := Inspect(fixture(t, "minimal.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	want := "module refused: 1 forbidden import: aios.output (func)"
	if err := check(r, tableLookup(table)); err == nil || err.Error() != want {
		t.Errorf("check = %v, want %s", err, want)
	}
}
