package runtime

import (
	"errors"
	"testing"
)

// FuzzInspect checks that Inspect never panics, that every failure is a *FormatError with an
// offset inside the input, that a report is self-consistent, and that CheckStructure then
// never panics either.
func FuzzInspect(f *testing.F) {
	for _, name := range []string{"minimal.wasm", "loop.wasm", "forbidden.wasm", "importedmem.wasm",
		"nostart.wasm", "stdoutflood.wasm", "truncated.wasm", "malformed.wasm"} {
		f.Add(fixture(f, name))
	}
	f.Add(withCustom(fixture(f, "minimal.wasm"), "aios.manifest", []byte("{}")))
	f.Add(startModule(nestedBody(3)))
	f.Fuzz(func(t *testing.T, wasm []byte) {
		r, err := Inspect(wasm)
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FormatError", err)
			}
			if fe.Offset < 0 || fe.Offset > len(wasm) {
				t.Fatalf("offset %d outside the %d-byte input", fe.Offset, len(wasm))
			}
			return
		}
		if (r.Memories > 0) != (r.Memory != nil) {
			t.Fatalf("memories = %d but memory = %v", r.Memories, r.Memory)
		}
		for _, ex := range r.Exports {
			if ex.Kind == KindFunc && ex.Func == nil {
				t.Fatalf("function export %q without a signature", ex.Name)
			}
		}
		for _, im := range r.Imports {
			if im.Kind == KindFunc && im.Func == nil {
				t.Fatalf("function import %s.%s without a signature", im.Module, im.Name)
			}
		}
		for _, c := range r.Customs {
			if c.Offset < 0 || c.Offset+c.Size > len(wasm) {
				t.Fatalf("custom section %q outside the input", c.Name)
			}
		}
		_ = Check(r)
		if err := CheckStructure(wasm, r); err != nil {
			var fe *FormatError
			var re *RefusedError
			if !errors.As(err, &fe) && !errors.As(err, &re) {
				t.Fatalf("CheckStructure error %v is neither a *FormatError nor a *RefusedError", err)
			}
		}
	})
}
