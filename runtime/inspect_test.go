package runtime

import (
	"errors"
	"strings"
	"testing"
)

func TestInspectMinimal(t *testing.T) {
	r, err := Inspect(fixture(t, "minimal.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Imports) != 2 {
		t.Fatalf("imports = %+v, want 2", r.Imports)
	}
	im := r.Imports[0]
	if im.Module != "aios" || im.Name != "abi_version" || im.Kind != KindFunc || im.Func.String() != "(i32,i32)->i32" {
		t.Errorf("import 0 = %s.%s %s %v", im.Module, im.Name, im.Kind, im.Func)
	}
	if r.Memories != 1 || r.Memory == nil {
		t.Fatalf("memories = %d, memory = %v", r.Memories, r.Memory)
	}
	if m := *r.Memory; m != (MemoryInfo{MinPages: 1, MaxPages: 1, HasMax: true, Exported: true}) {
		t.Errorf("memory = %+v", m)
	}
	start := findExport(r, "_start")
	if start == nil || start.Kind != KindFunc || start.Func.String() != "()->()" {
		t.Errorf("_start export = %+v", start)
	}
}

func TestInspectImportKinds(t *testing.T) {
	r, err := Inspect(fixture(t, "importedmem.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, im := range r.Imports {
		kinds = append(kinds, im.Module+"."+im.Name+":"+im.Kind.String())
	}
	if got := strings.Join(kinds, " "); got != "env.memory:memory env.g:global" {
		t.Errorf("imports = %s", got)
	}
	if r.Memory == nil || !r.Memory.Imported || !r.Memory.Exported || r.Memory.HasMax {
		t.Errorf("memory = %+v", r.Memory)
	}
}

func TestInspectCustomSections(t *testing.T) {
	wasm := withCustom(fixture(t, "minimal.wasm"), "aios.manifest", []byte(`{"name":"x"}`))
	wasm = withCustom(wasm, "name", nil)
	r, err := Inspect(wasm)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Customs) != 2 {
		t.Fatalf("customs = %+v", r.Customs)
	}
	c := r.Customs[0]
	if c.Name != "aios.manifest" || c.Size != 12 || string(wasm[c.Offset:c.Offset+c.Size]) != `{"name":"x"}` {
		t.Errorf("custom = %+v", c)
	}
	if r.Customs[1].Name != "name" || r.Customs[1].Size != 0 {
		t.Errorf("custom 1 = %+v", r.Customs[1])
	}
}

func TestInspectGoProgram(t *testing.T) {
	r, err := Inspect(goAgent(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, im := range r.Imports {
		if im.Module != "wasi_snapshot_preview1" || im.Kind != KindFunc {
			t.Errorf("unexpected import %s.%s (%s)", im.Module, im.Name, im.Kind)
		}
	}
	if findExport(r, "_start") == nil || r.Memory == nil || !r.Memory.Exported {
		t.Errorf("Go program lacks _start or exported memory: %+v", r.Exports)
	}
}

func TestInspectMalformed(t *testing.T) {
	header := []byte("\x00asm\x01\x00\x00\x00")
	cases := []struct {
		name    string
		wasm    []byte
		section string
		msg     string
	}{
		{"empty", nil, "", "truncated header"},
		{"garbage", fixture(t, "malformed.wasm"), "", "bad magic"},
		{"truncated fixture", fixture(t, "truncated.wasm"), "data", "exceeds the"},
		{"version 2", []byte("\x00asm\x02\x00\x00\x00"), "", "unsupported binary version"},
		{"component", []byte("\x00asm\x0d\x00\x01\x00"), "", "unsupported binary version"},
		{"unknown section", append(header, 14, 0), "", "unknown section id 14"},
		{"section past end", append(header, 1, 5, 0), "type", "exceeds the"},
		{"out of order", append(header, 3, 1, 0, 1, 1, 0), "type", "out of order"},
		{"repeated", append(header, 1, 1, 0, 1, 1, 0), "type", "out of order or repeated"},
		{"leb too long", append(header, 1, 6, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00), "type", "integer too large"},
		{"leb unterminated", append(header, 1, 2, 0x80, 0x80), "type", "unexpected end"},
		{"huge vector", append(header, 1, 5, 0xff, 0xff, 0xff, 0xff, 0x0f), "type", "vector of 4294967295 elements"},
		{"bad type form", append(header, 1, 2, 1, 0x50), "type", "unsupported type form 0x50"},
		{"bad value type", append(header, 1, 4, 1, 0x60, 1, 0x01), "type", "unsupported value type 0x01"},
		{"trailing bytes", append(header, 1, 2, 0, 0), "type", "1 unexpected bytes"},
		{"type index", append(header, 2, 7, 1, 1, 'a', 1, 'b', 0, 3), "import", "type index 3 out of range"},
		{"bad utf8", append(header, 2, 7, 1, 1, 0xff, 1, 'b', 0, 0), "import", "not valid UTF-8"},
		{"import kind", append(header, 2, 7, 1, 1, 'a', 1, 'b', 9, 0), "import", "unknown kind 0x09"},
		{"memory max below min", append(header, 5, 4, 1, 1, 2, 1), "memory", "maximum 1 is below minimum 2"},
		{"memory flags", append(header, 5, 3, 1, 0x08, 0), "memory", "unsupported limits flags 0x08"},
		{"export func index", append(header, 7, 5, 1, 1, 'f', 0, 0), "export", "function index 0 out of range"},
		{"export memory index", append(header, 7, 5, 1, 1, 'm', 2, 0), "export", "memory index 0 out of range"},
		{"custom name past end", append(header, 0, 2, 5, 'a'), "custom", "length 5 exceeds"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Inspect(c.wasm)
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("Inspect = %+v, %v; want a *FormatError", r, err)
			}
			if fe.Section != c.section || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error = %q (section %q), want section %q and %q", err, fe.Section, c.section, c.msg)
			}
			if fe.Offset < 0 || fe.Offset > len(c.wasm) {
				t.Errorf("offset %d outside the %d-byte input", fe.Offset, len(c.wasm))
			}
		})
	}
}

func TestFormatErrorText(t *testing.T) {
	_, err := Inspect(fixture(t, "truncated.wasm"))
	want := "malformed wasm: data section at offset "
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %v, want prefix %q", err, want)
	}
}
